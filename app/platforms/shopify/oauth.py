"""Installing the app on a shop: the authorization-code grant, token exchange for the embedded
page, refresh of expiring offline tokens, and the checks on everything Shopify sends us.

Query-string HMAC, session-token decoding and shop-domain sanitising use ShopifyAPI; the token
endpoint is called with `requests`, since ShopifyAPI knows neither token exchange nor refresh."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from urllib.parse import urlencode

import requests
import shopify
from shopify import session_token
from shopify.utils.shop_url import sanitize_shop_domain

from app.config import Config
from app.platforms.shopify.errors import BadSessionToken, NotAShopDomain, TokenRequestFailed
from app.services.ports import TokenGrant

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token"
OFFLINE_TOKEN = "urn:shopify:params:oauth:token-type:offline-access-token"
CALLBACK_MAX_AGE = timedelta(minutes=5)
STATE_MAX_AGE = CALLBACK_MAX_AGE * 2  # an OAuth state older than this is refused, then purged


def valid_shop(value: str | None) -> str:
    """The shop's myshopify domain, or NotAShopDomain: every shop we act for goes through here."""
    shop = sanitize_shop_domain(value) if value and "." in value else None
    if not shop or shop != value.strip().lower():
        raise NotAShopDomain(f"{value!r} is not a myshopify.com shop domain")
    return shop


def new_state() -> str:
    return secrets.token_hex(32)


def authorize_url(config: Config, shop: str, state: str) -> str:
    query = urlencode({
        "client_id": config.api_key,
        "scope": ",".join(config.scopes),
        "redirect_uri": f"{config.app_url}/auth/callback",
        "state": state,
        "grant_options[]": "",
    })
    return f"{config.admin_base(shop)}/admin/oauth/authorize?{query}"


def query_hmac_ok(params: Mapping[str, str | list[str]], api_secrets: tuple[str, ...]) -> bool:
    """Shopify's query-string HMAC (install and callback requests), with any current secret."""
    if not params.get("hmac"):
        return False
    signed = {k: v for k, v in params.items() if k != "signature"}
    return any(_signer(s).validate_hmac(signed) for s in api_secrets)


def _signer(secret: str) -> type[shopify.Session]:
    # ShopifyAPI keeps the secret on the class; a subclass per secret keeps threads apart.
    return type("Signer", (shopify.Session,), {"secret": secret})


def callback_fresh(timestamp: str | None, now: datetime) -> bool:
    try:
        sent = datetime.fromtimestamp(int(timestamp or ""), tz=now.tzinfo)
    except (TypeError, ValueError, OverflowError):
        return False
    return abs(now - sent) <= CALLBACK_MAX_AGE


def decode_session_token(token: str | None, config: Config) -> dict:
    """The claims of a valid App Bridge session token (HS256 with our secret, aud = our key,
    iss and dest of the same shop, an exp, exp/nbf with 10 s leeway); else BadSessionToken."""
    if not token:
        raise BadSessionToken("a session token is required")
    header = token if token.startswith("Bearer ") else f"Bearer {token}"
    last_error: Exception | None = None
    for secret in config.api_secrets:
        try:
            claims = session_token.decode_from_header(header, config.api_key, secret)
        except session_token.SessionTokenError as exc:
            last_error = exc
            continue
        if "exp" not in claims:  # a token that never expires would be a key for good
            raise BadSessionToken("invalid session token: it has no exp")
        claims["shop"] = valid_shop(claims["dest"].split("://", 1)[-1].rstrip("/"))
        return claims
    raise BadSessionToken(f"invalid session token: {last_error}")


class TokenEndpoint:
    """Shopify's `/admin/oauth/access_token`, for the three grants we use."""

    def __init__(self, config: Config, http: requests.Session, clock: Callable[[], datetime]):
        self._config = config
        self._http = http
        self._clock = clock

    def exchange_code(self, shop: str, code: str) -> TokenGrant:
        return self._request(shop, {"code": code, "expiring": "1"})

    def exchange_session_token(self, shop: str, id_token: str) -> TokenGrant:
        return self._request(shop, {
            "grant_type": TOKEN_EXCHANGE,
            "subject_token": id_token,
            "subject_token_type": ID_TOKEN,
            "requested_token_type": OFFLINE_TOKEN,
            "expiring": "1",
        })

    def refresh(self, shop: str, refresh_token: str) -> TokenGrant:
        return self._request(shop, {"grant_type": "refresh_token", "refresh_token": refresh_token})

    def _request(self, shop: str, grant: dict) -> TokenGrant:
        body = {"client_id": self._config.api_key, "client_secret": self._config.api_secret, **grant}
        url = f"{self._config.admin_base(shop)}/admin/oauth/access_token"
        try:
            response = self._http.post(url, json=body, headers={"Accept": "application/json"},
                                       timeout=(3.05, 15))
        except requests.RequestException as exc:
            raise TokenRequestFailed(f"token endpoint unreachable: {exc}", shop=shop) from exc
        if response.status_code != 200:
            raise TokenRequestFailed(
                f"token endpoint answered {response.status_code}: {response.text[:200]}", shop=shop)
        return self._grant(response.json())

    def _grant(self, data: dict) -> TokenGrant:
        now = self._clock()
        expires = data.get("expires_in")
        refresh_expires = data.get("refresh_token_expires_in")
        return TokenGrant(
            access_token=data["access_token"],
            scopes=data.get("scope", ""),
            access_expires_at=now + timedelta(seconds=int(expires)) if expires else None,
            refresh_token=data.get("refresh_token"),
            refresh_expires_at=now + timedelta(seconds=int(refresh_expires)) if refresh_expires else None,
        )
