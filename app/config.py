"""Configuration, read once at start-up from `app.toml` and the environment into a typed object.

Every setting is checked here so that a bad deployment fails at start-up with a message naming the
setting, not later inside a request or a job.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
APP_TOML = ROOT / "app.toml"
INSTANCE_DIR = ROOT / "instance"
SHOPIFY_ADMIN = "https://{shop}"
APP_BRIDGE = "https://cdn.shopify.com/shopifycloud/app-bridge.js"
POLARIS = "https://cdn.shopify.com/shopifycloud/polaris.js"
COMPLIANCE_TOPICS = frozenset({"customers/data_request", "customers/redact", "shop/redact"})


class ConfigError(ValueError):
    """A missing or invalid setting; `setting` names it."""

    def __init__(self, setting: str, message: str):
        super().__init__(f"{setting}: {message}")
        self.setting = setting


@dataclass(frozen=True)
class Config:
    api_key: str
    api_secret: str
    previous_api_secret: str | None
    app_url: str
    app_name: str
    scopes: tuple[str, ...]
    api_version: str
    webhook_topics: frozenset[str]
    compliance_topics: frozenset[str]
    redirect_urls: tuple[str, ...]
    database_url: str
    redis_url: str | None
    queue_path: str
    token_encryption_keys: tuple[str, ...]
    admin_origin: str
    development: bool
    sync_delay_s: float
    worker_poll_s: float = 0.1
    connect_timeout_s: float = 3.05
    read_timeout_s: float = 20.0
    max_request_bytes: int = 5_000_000
    webhook_max_attempts: int = 10
    saleor_api_urls: tuple[str, ...] = ()
    bulk_after_s: float = 5.0
    reoffer_delay_s: float = 60.0

    @property
    def api_secrets(self) -> tuple[str, ...]:
        """Secrets that may sign a webhook: the current one and, during a rotation, the previous."""
        if self.previous_api_secret:
            return (self.api_secret, self.previous_api_secret)
        return (self.api_secret,)

    def admin_base(self, shop: str) -> str:
        """Origin of one shop's Admin API and OAuth endpoints."""
        return self.admin_origin.replace("{shop}", shop).rstrip("/")

    @property
    def _on_shopify(self) -> bool:
        """The Admin API is Shopify's own, not a store simulator's."""
        return self.admin_origin == SHOPIFY_ADMIN

    def app_bridge_src(self, shop: str) -> str:
        """Shopify's App Bridge; pointed at a store simulator, the simulator's stand-in, which
        gets the page fresh session tokens from the simulator's local admin that frames it."""
        if self._on_shopify:
            return APP_BRIDGE
        return f"{self.admin_base(shop)}/admin/app-bridge.js"

    def frame_ancestors(self, shop: str) -> str:
        """Who may frame the embedded page: the shop's admin, and a simulator's local admin."""
        ancestors = f"https://{shop} https://admin.shopify.com"
        if self._on_shopify:
            return ancestors
        local = urlparse(self.admin_base(shop))
        return f"{ancestors} {local.scheme}://{local.netloc}"


def read_app_toml(path: Path = APP_TOML) -> dict:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise ConfigError("app.toml", f"not found at {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("app.toml", f"not valid TOML: {exc}") from exc


def toml_topics(toml: dict) -> tuple[frozenset[str], frozenset[str]]:
    """The (webhook topics, compliance topics) subscribed in app.toml."""
    topics: set[str] = set()
    compliance: set[str] = set()
    for sub in toml.get("webhooks", {}).get("subscriptions", []):
        topics.update(sub.get("topics", []))
        compliance.update(sub.get("compliance_topics", []))
    return frozenset(topics), frozenset(compliance)


def load_config(environ: Mapping[str, str] | None = None, toml_path: Path = APP_TOML) -> Config:
    env = os.environ if environ is None else environ
    toml = read_app_toml(toml_path)
    topics, compliance = toml_topics(toml)
    if compliance != COMPLIANCE_TOPICS:
        raise ConfigError("app.toml [[webhooks.subscriptions]]", "must subscribe the three compliance topics")
    api_version = _required_toml(toml, "webhooks", "api_version")
    database_url = env.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'backorders.db'}"
    return Config(
        api_key=env.get("SHOPIFY_API_KEY") or _required_toml(toml, None, "client_id"),
        api_secret=_required_env(env, "SHOPIFY_API_SECRET"),
        previous_api_secret=env.get("SHOPIFY_API_SECRET_PREVIOUS") or None,
        app_url=_url(env.get("SHOPIFY_APP_URL") or _required_toml(toml, None, "application_url"),
                     "SHOPIFY_APP_URL").rstrip("/"),
        app_name=toml.get("name", "Backorders"),
        scopes=_scopes(toml),
        api_version=_api_version(api_version),
        webhook_topics=topics,
        compliance_topics=compliance,
        redirect_urls=tuple(toml.get("auth", {}).get("redirect_urls", [])),
        database_url=database_url_of(database_url),
        redis_url=_optional_url(env.get("REDIS_URL"), "REDIS_URL", ("redis", "rediss")),
        queue_path=env.get("QUEUE_PATH") or str(INSTANCE_DIR / "queue.db"),
        token_encryption_keys=_fernet_keys(env.get("TOKEN_ENCRYPTION_KEYS", "")),
        admin_origin=_admin_origin(env.get("SHOPIFY_ADMIN_ORIGIN") or SHOPIFY_ADMIN),
        development=env.get("APP_ENV", "development") == "development",
        sync_delay_s=_seconds(env.get("SYNC_DELAY_SECONDS", "2"), "SYNC_DELAY_SECONDS"),
        worker_poll_s=_timeout(env.get("WORKER_POLL_SECONDS", "0.1"), "WORKER_POLL_SECONDS"),
        connect_timeout_s=_timeout(env.get("SHOPIFY_CONNECT_TIMEOUT", "3.05"),
                                   "SHOPIFY_CONNECT_TIMEOUT"),
        read_timeout_s=_timeout(env.get("SHOPIFY_READ_TIMEOUT", "20"), "SHOPIFY_READ_TIMEOUT"),
        max_request_bytes=_whole(env.get("MAX_REQUEST_BYTES", "5000000"), "MAX_REQUEST_BYTES",
                                 1_000, 100_000_000),
        webhook_max_attempts=_whole(env.get("WEBHOOK_MAX_ATTEMPTS", "10"), "WEBHOOK_MAX_ATTEMPTS",
                                    1, 1_000),
        saleor_api_urls=_saleor_api_urls(env.get("SALEOR_API_URLS", "")),
        reoffer_delay_s=_seconds(env.get("REOFFER_DELAY_SECONDS", "60"),
                                 "REOFFER_DELAY_SECONDS"),
        bulk_after_s=_seconds(env.get("SHOPIFY_BULK_AFTER_SECONDS", "5"),
                              "SHOPIFY_BULK_AFTER_SECONDS"),
    )


def _seconds(value: str, name: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise ConfigError(name, f"{value!r} is not a number of seconds") from None
    if not 0 <= seconds <= 300:
        raise ConfigError(name, "must be between 0 and 300 seconds")
    return seconds


def _timeout(value: str, name: str) -> float:
    """A wait in seconds (for the Admin API to connect or answer, for the worker between polls).
    Zero would mean no wait at all, and a very long one would hold a worker on a dead connection
    or leave webhooks waiting."""
    try:
        seconds = float(value)
    except ValueError:
        raise ConfigError(name, f"{value!r} is not a number of seconds") from None
    if not 0 < seconds <= 300:
        raise ConfigError(name, "must be more than 0 and at most 300 seconds")
    return seconds


def _whole(value: str, name: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(name, f"{value!r} is not a whole number") from None
    if not low <= number <= high:
        raise ConfigError(name, f"must be from {low} to {high}")
    return number


def _required_env(env: Mapping[str, str], name: str) -> str:
    value = (env.get(name) or "").strip()
    if not value:
        raise ConfigError(name, "is required but not set")
    return value


def _required_toml(toml: dict, table: str | None, key: str) -> str:
    source = toml.get(table, {}) if table else toml
    value = source.get(key)
    if not isinstance(value, str) or not value.strip():
        where = f"[{table}] {key}" if table else key
        raise ConfigError(f"app.toml {where}", "is required")
    return value.strip()


def _scopes(toml: dict) -> tuple[str, ...]:
    raw = toml.get("access_scopes", {}).get("scopes", "")
    scopes = tuple(s.strip() for s in raw.split(",") if s.strip())
    if not scopes:
        raise ConfigError("app.toml [access_scopes] scopes", "lists no scope")
    return scopes


def _api_version(value: str) -> str:
    year, _, month = value.partition("-")
    if not (year.isdigit() and len(year) == 4 and month in {"01", "04", "07", "10"}):
        raise ConfigError("app.toml [webhooks] api_version", f"{value!r} is not a YYYY-MM release")
    return value


def _url(value: str, name: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(name, f"{value!r} is not an http(s) URL")
    return value


def _optional_url(value: str | None, name: str, schemes: tuple[str, ...]) -> str | None:
    if not value:
        return None
    if urlparse(value).scheme not in schemes:
        raise ConfigError(name, f"must start with {' or '.join(s + '://' for s in schemes)}")
    return value


def database_url_of(value: str) -> str:
    """The SQLAlchemy URL of a `DATABASE_URL` as merchants and hosts write it."""
    if value.startswith("postgres://"):
        value = "postgresql://" + value[len("postgres://"):]
    if value.startswith("postgresql://"):
        value = "postgresql+psycopg://" + value[len("postgresql://"):]
    if not value.startswith(("sqlite:", "postgresql+psycopg://")):
        raise ConfigError("DATABASE_URL", "must be a sqlite:/// or postgresql:// URL")
    return value


def _fernet_keys(raw: str) -> tuple[str, ...]:
    keys = tuple(k.strip() for k in raw.split(",") if k.strip())
    if not keys:
        raise ConfigError("TOKEN_ENCRYPTION_KEYS", "is required: one or more Fernet keys, newest first")
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError) as exc:
            raise ConfigError("TOKEN_ENCRYPTION_KEYS", f"key {position} is not a Fernet key") from exc
    return keys


def _saleor_api_urls(value: str) -> tuple[str, ...]:
    """Prefixes of the Saleor API URLs this deployment serves; without any, every https one."""
    prefixes = tuple(p.strip() for p in value.split(",") if p.strip())
    for prefix in prefixes:
        _url(prefix, "SALEOR_API_URLS")
    return prefixes


def _admin_origin(value: str) -> str:
    if "{shop}" not in value:
        raise ConfigError("SHOPIFY_ADMIN_ORIGIN", "must contain {shop}")
    _url(value.replace("{shop}", "shop.myshopify.com"), "SHOPIFY_ADMIN_ORIGIN")
    return value
