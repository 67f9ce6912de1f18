"""Saleor installs: the register step (the app token, received once and stored encrypted) and the
check of every webhook's signature against the instance's JWKS.

An install is a shop row keyed by the instance's API URL (platform "saleor"), so planning, the
queue and the settings treat it as any shop; its Saleor particulars live in `saleor_installs`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar
from urllib.parse import urlsplit

from app.platforms.saleor.api import SaleorApi, SaleorError, SaleorUnavailable
from app.platforms.saleor.signature import (
    SignatureError,
    UnknownKey,
    verify_dashboard_token,
    verify_webhook,
)
from app.storage.db import Database
from app.storage.tables import SaleorInstall, Shop
from app.storage.token_cipher import TokenCipher

PLATFORM = "saleor"
# A failed check fetches the JWKS again at most this often per install: forged requests must not
# make the app hammer the instance.
JWKS_COOLDOWN = timedelta(seconds=30)
MAX_URL = 255
T = TypeVar("T")


class NotAllowed(SaleorError):
    """The API URL is not one this deployment serves."""


class NotRegistered(SaleorError):
    """No install of the app is known for this API URL."""


class BadSignature(SaleorError):
    """The webhook's signature does not check out, even against a fresh JWKS."""


class BadToken(SaleorError):
    """A Dashboard token that is not this instance's, for this app, or no longer valid."""


class NotPermitted(SaleorError):
    """A valid Dashboard token of a staff user who may not manage orders through the app."""


STAFF_PERMISSION = "MANAGE_ORDERS"


def checked_api_url(url: str, allowed: tuple[str, ...]) -> str:
    """The API URL as Saleor sends it (trailing slash kept): https, or any scheme listed in
    `allowed` (prefixes of API URLs this deployment serves; when given, only those)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > MAX_URL:
        raise NotAllowed(f"Saleor-Api-Url {url!r} is not an http(s) URL of at most "
                         f"{MAX_URL} characters")
    if allowed:
        if not any(url.startswith(prefix) for prefix in allowed):
            raise NotAllowed(f"Saleor-Api-Url {url!r} is not one this app serves")
    elif parts.scheme != "https":
        raise NotAllowed(f"Saleor-Api-Url {url!r} must use https")
    return url


@dataclass(frozen=True)
class _Install:
    api_url: str
    app_id: str
    jwks: dict
    fetched: datetime
    secret: str | None  # of legacy HMAC webhooks


class SaleorInstalls:
    def __init__(self, db: Database, cipher: TokenCipher, api: SaleorApi,
                 clock: Callable[[], datetime], allowed: tuple[str, ...] = ()):
        self._db = db
        self._cipher = cipher
        self._api = api
        self._clock = clock
        self._allowed = allowed

    def register(self, api_url: str, token: str, domain: str, schema_version: str) -> str:
        """Install or re-install: the token is checked with the instance (it must name the app)
        and stored with the instance's JWKS. The app's id there."""
        api_url = checked_api_url(api_url, self._allowed)
        app_id = self._api.app_id(api_url, token)
        jwks = self._api.jwks(api_url)
        now = self._clock()
        with self._db.transaction() as s:
            shop = s.get(Shop, api_url, with_for_update=True) or Shop(shop=api_url, policy={})
            shop.platform, shop.installed, shop.installed_at = PLATFORM, True, now
            shop.uninstalled_at, shop.scopes = None, ""
            shop.access_token = self._cipher.encrypt(token)
            s.add(shop)
            s.flush()
            row = s.get(SaleorInstall, api_url) or SaleorInstall(shop=api_url)
            row.app_id, row.domain, row.schema_version = app_id, domain[:255], schema_version[:16]
            row.jwks, row.jwks_fetched_at = jwks, now
            s.add(row)
        return app_id

    def verify(self, api_url: str, signature: str, body: bytes) -> str:
        """Raise unless the body is signed by the instance; the app's id there. A check that
        fails is tried once more against the JWKS fetched again (Saleor's keys rotate)."""
        install = self._install(api_url)
        self._with_keys(install, lambda jwks: verify_webhook(signature, body, jwks,
                                                               install.secret),
                        SignatureError, BadSignature)
        return install.app_id

    def staff_claims(self, api_url: str, token: str) -> dict:
        """The claims of a Dashboard token of a staff user who may manage orders through the
        app in this instance; its key is looked for once more in a fresh JWKS when unknown."""
        install = self._install(api_url)
        claims = self._with_keys(install, lambda jwks: verify_dashboard_token(
            token, jwks, app_id=install.app_id, issuer=api_url, now=self._clock()),
            UnknownKey, BadToken)
        if STAFF_PERMISSION not in (claims.get("permissions") or []):
            raise NotPermitted(f"the staff user may not use the app: {STAFF_PERMISSION} needed")
        return claims

    def _install(self, api_url: str) -> _Install:
        with self._db.read() as s:
            row = s.get(SaleorInstall, api_url)
            shop = s.get(Shop, api_url)
            if row is None or shop is None or not shop.installed:
                raise NotRegistered(f"the app is not installed for {api_url}")
            secret = self._cipher.decrypt(row.webhook_secret) if row.webhook_secret else None
            return _Install(api_url, row.app_id, row.jwks, row.jwks_fetched_at, secret)

    def _with_keys(self, install: _Install, check: Callable[[dict], T],
                   fetch_again_on: type[SignatureError], refused: type[SaleorError]) -> T:
        """`check` against the stored JWKS; when it fails with `fetch_again_on`, once more
        against the JWKS fetched again, at most once per cooldown. Any other failure, or a
        second one, raises `refused`."""
        try:
            return check(install.jwks)
        except fetch_again_on as first:
            if self._clock() - install.fetched < JWKS_COOLDOWN:
                raise refused(str(first)) from None
        except SignatureError as exc:
            raise refused(str(exc)) from None
        try:
            return check(self._refetched_jwks(install.api_url))
        except SaleorUnavailable as exc:
            raise refused(f"not valid, and the JWKS could not be fetched again: {exc}") from None
        except SignatureError as exc:
            raise refused(str(exc)) from None

    def _refetched_jwks(self, api_url: str) -> dict:
        now = self._clock()
        with self._db.transaction() as s:
            s.get(SaleorInstall, api_url, with_for_update=True).jwks_fetched_at = now
        jwks = self._api.jwks(api_url)
        with self._db.transaction() as s:
            s.get(SaleorInstall, api_url, with_for_update=True).jwks = jwks
        return jwks

    def is_installed(self, api_url: str) -> bool:
        with self._db.read() as s:
            shop = s.get(Shop, api_url)
            return bool(shop and shop.installed and shop.platform == PLATFORM)

    def token(self, api_url: str) -> str:
        with self._db.read() as s:
            shop = s.get(Shop, api_url)
            if shop is None or not shop.installed or not shop.access_token:
                raise NotRegistered(f"the app is not installed for {api_url}")
            return self._cipher.decrypt(shop.access_token)
