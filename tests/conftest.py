"""Shared fixtures. The suite runs on SQLite and a SQLite queue by default, and on PostgreSQL and
Redis when DATABASE_URL / REDIS_URL are set (CI runs it both ways).

A test that cannot run on this machine (no chromium, no PostgreSQL) is skipped, with the reason,
on a developer's run; in CI (the environment variable `CI` set) it fails instead: CI runs
everything. Tests marked `postgres` need DATABASE_URL; in the SQLite pass of `./dev test` they
are skipped because the PostgreSQL pass that follows runs them (`./dev` sets
POSTGRES_PASS_FOLLOWS only then)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NoReturn

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from app import create_app
from app.config import load_config
from app.storage.db import make_engine
from app.storage.migrate import upgrade
from app.storage.tables import Base
from tests.fakes import FakeGateway

API_KEY = "test-api-key"
API_SECRET = "test-api-secret"
SHOP = "test-shop.myshopify.com"
FIXTURES = Path(__file__).parent / "fixtures"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def unavailable(reason: str, module: bool = False) -> NoReturn:
    """What a test needs is missing here: a skip saying so, or in CI a failure saying so."""
    if in_ci():
        pytest.fail(f"{reason}; CI (CI is set) must run this test", pytrace=False)
    pytest.skip(reason, allow_module_level=module)


def pytest_runtest_setup(item) -> None:
    if item.get_closest_marker("postgres") is None:
        return
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    if os.environ.get("POSTGRES_PASS_FOLLOWS"):
        pytest.skip("needs PostgreSQL: runs in the PostgreSQL pass of ./dev test that follows")
    unavailable("needs PostgreSQL: set DATABASE_URL to a postgresql:// database")


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return None
    config = load_config({"SHOPIFY_API_SECRET": "x", "DATABASE_URL": url,
                          "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode()})
    engine = make_engine(config.database_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    upgrade(config.database_url)
    return config.database_url


@pytest.fixture
def database_url(tmp_path, sqlite_template, postgres_url) -> str:
    if postgres_url:
        yield postgres_url
        engine = make_engine(postgres_url)
        with engine.begin() as conn:
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return
    path = tmp_path / "app.db"
    shutil.copy(sqlite_template, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def keys() -> list[str]:
    return [Fernet.generate_key().decode()]


@pytest.fixture
def env(database_url, tmp_path, keys) -> dict:
    values = {
        "SHOPIFY_API_KEY": API_KEY,
        "SHOPIFY_API_SECRET": API_SECRET,
        "SHOPIFY_APP_URL": "https://backorders.test",
        "DATABASE_URL": database_url,
        "QUEUE_PATH": str(tmp_path / "queue.db"),
        "TOKEN_ENCRYPTION_KEYS": ",".join(keys),
        "SHOPIFY_ADMIN_ORIGIN": "https://{shop}",
        "APP_ENV": "test",
        "SYNC_DELAY_SECONDS": "0",  # tests run the queue by hand: no scheduled syncs
        "REOFFER_DELAY_SECONDS": "0",  # nor scheduled re-offers
    }
    if os.environ.get("REDIS_URL"):
        values["REDIS_URL"] = os.environ["REDIS_URL"]
    return values


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def platform() -> FakeGateway:
    """The in-memory platform every app of the tests talks to (nothing leaves the machine)."""
    return FakeGateway()


@pytest.fixture
def app(env, clock, platform):
    flask_app = create_app(load_config(env), clock=clock, migrate=False, gateway=platform)
    services = flask_app.extensions["backorders"]
    services.queue.huey.flush()
    yield flask_app
    services.queue.huey.flush()
    services.close()


@pytest.fixture
def services(app):
    return app.extensions["backorders"]


@pytest.fixture
def client(app):
    return app.test_client()


def sign(body: bytes, secret: str = API_SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def webhook_headers(topic: str, body: bytes, shop: str = SHOP, **overrides) -> dict:
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Shop-Domain": shop,
        "X-Shopify-Hmac-Sha256": sign(body),
        "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        "X-Shopify-Event-Id": str(uuid.uuid4()),
        "X-Shopify-API-Version": "2026-10",
        "X-Shopify-Triggered-At": "2026-11-20T12:00:00Z",
    }
    headers.update(overrides)
    return {k: v for k, v in headers.items() if v is not None}


def sample_payload(name: str) -> dict:
    return json.loads((FIXTURES / "payloads" / f"{name}.metadata.json").read_text())["response"]
