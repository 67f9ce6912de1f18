"""Access tokens and how apps get them: the authorization-code grant (auto-approved), token
exchange of a session token, and refresh of expiring offline tokens. Errors use OAuth's
`{"error", "error_description"}` shape with HTTP 400."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from . import session_tokens
from .core import Core, normalise_domain

ACCESS_LIFETIME = 3600
REFRESH_LIFETIME = 7_776_000
ONLINE_LIFETIME = 86_400
CODE_LIFETIME = 600
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"
OFFLINE_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token"
ONLINE_TYPE = "urn:shopify:params:oauth:token-type:online-access-token"


class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400):
        super().__init__(description)
        self.error, self.description, self.status = error, description, status

    def body(self) -> dict:
        return {"error": self.error, "error_description": self.description}


@dataclass
class AccessToken:
    token: str
    shop: str
    scopes: list[str]
    expires_at: float | None
    online: bool = False
    revoked: bool = False


@dataclass
class RefreshToken:
    token: str
    shop: str
    scopes: list[str]
    expires_at: float
    predecessor: str | None = None
    revoked: bool = False


@dataclass
class Grant:
    shop: str
    scopes: list[str]
    expires_at: float
    used: bool = False


def query_hmac(params: dict[str, str], secret: str) -> str:
    """Hex HMAC-SHA256 over the sorted `key=value` pairs, `hmac` and `signature` left out."""
    def escape(text: str, is_key: bool) -> str:
        text = text.replace("%", "%25").replace("&", "%26")
        return text.replace("=", "%3D") if is_key else text

    message = "&".join(f"{escape(k, True)}={escape(str(v), False)}"
                       for k, v in sorted(params.items()) if k not in ("hmac", "signature"))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def host_param(shop_domain: str) -> str:
    store = shop_domain.split(".")[0]
    return base64.b64encode(f"admin.shopify.com/store/{store}".encode()).decode().rstrip("=")


@dataclass
class TokenStore:
    core: Core
    api_key: str
    api_secret: str
    default_scopes: list[str]
    access: dict[str, AccessToken] = field(default_factory=dict)
    refresh: dict[str, RefreshToken] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)

    def authorize(self, shop_domain: str, params: dict[str, str], app_url: str) -> str:
        """Approves at once and returns the callback URL Shopify would redirect the merchant to."""
        shop = self.core.shop(shop_domain)
        if params.get("client_id") != self.api_key:
            raise OAuthError("invalid_request", "client_id does not match an app")
        redirect_uri = params.get("redirect_uri") or f"{app_url.rstrip('/')}/auth/callback"
        if urlsplit(redirect_uri)[:2] != urlsplit(app_url)[:2]:
            raise OAuthError("invalid_request", f"redirect_uri {redirect_uri} is not whitelisted for this app")
        code = secrets.token_hex(16)
        scopes = [s for s in (params.get("scope") or ",".join(self.default_scopes)).split(",") if s]
        self.grants[code] = Grant(shop.domain, scopes, self.core.now() + CODE_LIFETIME)
        query = {"code": code, "host": host_param(shop.domain), "shop": shop.domain,
                 "timestamp": str(int(self.core.now()))}
        if params.get("state") is not None:
            query["state"] = params["state"]
        query["hmac"] = query_hmac(query, self.api_secret)
        return f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{urlencode(query)}"

    def token_request(self, shop_domain: str, form: dict) -> dict:
        shop = self.core.shop(shop_domain)
        if form.get("client_id") != self.api_key or not hmac.compare_digest(str(form.get("client_secret", "")), self.api_secret):
            raise OAuthError("invalid_client", "Client authentication failed: unknown client_id or wrong client_secret.")
        grant_type = form.get("grant_type") or "authorization_code"
        handlers = {"authorization_code": self._code, TOKEN_EXCHANGE: self._exchange,
                    "refresh_token": self._refresh}
        if grant_type not in handlers:
            raise OAuthError("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")
        return handlers[grant_type](shop.domain, form)

    def _code(self, shop: str, form: dict) -> dict:
        grant = self.grants.get(str(form.get("code", "")))
        if grant is None or grant.used or grant.shop != shop or grant.expires_at < self.core.now():
            raise OAuthError("invalid_grant", "The authorization code was not found or was already used.")
        grant.used = True
        return self.issue(shop, grant.scopes, expiring=_truthy(form.get("expiring")))

    def _exchange(self, shop: str, form: dict) -> dict:
        if form.get("subject_token_type", ID_TOKEN_TYPE) != ID_TOKEN_TYPE:
            raise OAuthError("invalid_request", "subject_token_type must be an id_token")
        try:
            claims = session_tokens.verify(str(form.get("subject_token", "")), shop, self.api_key,
                                           self.api_secret, self.core.now())
        except session_tokens.SessionTokenError as exc:
            raise OAuthError("invalid_subject_token", str(exc)) from exc
        requested = form.get("requested_token_type", OFFLINE_TYPE)
        if requested not in (OFFLINE_TYPE, ONLINE_TYPE):
            raise OAuthError("invalid_request", f"requested_token_type {requested!r} is not supported")
        scopes = self.core.shop(shop).scopes or self.default_scopes
        if requested == ONLINE_TYPE:
            return self._online(shop, scopes, claims)
        return self.issue(shop, scopes, expiring=_truthy(form.get("expiring")))

    def _online(self, shop: str, scopes: list[str], claims: dict) -> dict:
        token = AccessToken("shpua_" + secrets.token_hex(16), shop, scopes,
                            self.core.now() + ONLINE_LIFETIME, online=True)
        self.access[token.token] = token
        user = int(claims["sub"])
        return {"access_token": token.token, "scope": ",".join(scopes), "expires_in": ONLINE_LIFETIME,
                "associated_user_scope": ",".join(scopes),
                "associated_user": {"id": user, "first_name": "Staff", "last_name": str(user),
                                    "email": f"staff{user}@example.com", "email_verified": True,
                                    "account_owner": user == 1, "locale": "en", "collaborator": False}}

    def _refresh(self, shop: str, form: dict) -> dict:
        current = self.refresh.get(str(form.get("refresh_token", "")))
        if current is None or current.revoked or current.shop != shop or current.expires_at < self.core.now():
            raise OAuthError("invalid_grant", "The refresh token is invalid, expired or revoked.")
        if current.predecessor and current.predecessor in self.refresh:
            self.refresh[current.predecessor].revoked = True  # its successor is now in use
        return self.issue(shop, current.scopes, expiring=True, predecessor=current.token)

    def issue(self, shop: str, scopes: list[str], expiring: bool, predecessor: str | None = None) -> dict:
        now = self.core.now()
        access = AccessToken("shpat_" + secrets.token_hex(16), shop, scopes,
                             now + ACCESS_LIFETIME if expiring else None)
        self.access[access.token] = access
        self._installed(shop, scopes)
        body = {"access_token": access.token, "scope": ",".join(scopes)}
        if expiring:
            refresh = RefreshToken("shprt_" + secrets.token_hex(16), shop, scopes,
                                   now + REFRESH_LIFETIME, predecessor)
            self.refresh[refresh.token] = refresh
            body.update(expires_in=ACCESS_LIFETIME, refresh_token=refresh.token,
                        refresh_token_expires_in=REFRESH_LIFETIME)
        return body

    def _installed(self, shop_domain: str, scopes: list[str]) -> None:
        shop = self.core.shop(shop_domain)
        shop.installed = True
        shop.scopes = list(scopes)

    def valid(self, shop_domain: str, token: str | None) -> bool:
        found = self.access.get(token or "")
        if found is None or found.revoked or found.shop != normalise_domain(shop_domain):
            return False
        return found.expires_at is None or found.expires_at > self.core.now()

    def revoke_shop(self, shop_domain: str) -> None:
        for record in [*self.access.values(), *self.refresh.values()]:
            if record.shop == shop_domain:
                record.revoked = True


def _truthy(value) -> bool:
    return str(value).lower() in ("1", "true")
