"""Configuration: read once, and a clear error naming the setting when it is wrong."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from app.config import ROOT, ConfigError, load_config

KEY = Fernet.generate_key().decode()
BASE = {"SHOPIFY_API_SECRET": "s", "TOKEN_ENCRYPTION_KEYS": KEY}


def test_defaults_are_the_embedded_ones():
    config = load_config(BASE)
    assert config.database_url.startswith("sqlite:///") and config.redis_url is None
    assert config.admin_base("a.myshopify.com") == "https://a.myshopify.com"
    assert "orders/create" in config.webhook_topics
    assert config.compliance_topics == {"customers/data_request", "customers/redact", "shop/redact"}


def test_limits_are_read_from_the_environment():
    config = load_config({**BASE, "MAX_REQUEST_BYTES": "1000000", "WEBHOOK_MAX_ATTEMPTS": "4"})
    assert (config.max_request_bytes, config.webhook_max_attempts) == (1_000_000, 4)
    defaults = load_config(BASE)
    assert (defaults.max_request_bytes, defaults.webhook_max_attempts) == (5_000_000, 10)


def test_postgres_url_uses_psycopg():
    config = load_config({**BASE, "DATABASE_URL": "postgresql://127.0.0.1:5432/test"})
    assert config.database_url == "postgresql+psycopg://127.0.0.1:5432/test"


def test_admin_origin_points_at_a_simulator():
    config = load_config({**BASE, "SHOPIFY_ADMIN_ORIGIN": "http://127.0.0.1:8001/{shop}"})
    assert config.admin_base("a.myshopify.com") == "http://127.0.0.1:8001/a.myshopify.com"


@pytest.mark.parametrize("env,setting", [
    ({"TOKEN_ENCRYPTION_KEYS": KEY}, "SHOPIFY_API_SECRET"),
    ({"SHOPIFY_API_SECRET": "s"}, "TOKEN_ENCRYPTION_KEYS"),
    ({**BASE, "TOKEN_ENCRYPTION_KEYS": "not-a-key"}, "TOKEN_ENCRYPTION_KEYS"),
    ({**BASE, "DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
    ({**BASE, "REDIS_URL": "http://x"}, "REDIS_URL"),
    ({**BASE, "SHOPIFY_APP_URL": "ftp://x"}, "SHOPIFY_APP_URL"),
    ({**BASE, "SHOPIFY_ADMIN_ORIGIN": "http://127.0.0.1:8001"}, "SHOPIFY_ADMIN_ORIGIN"),
    ({**BASE, "MAX_REQUEST_BYTES": "lots"}, "MAX_REQUEST_BYTES"),
    ({**BASE, "MAX_REQUEST_BYTES": "0"}, "MAX_REQUEST_BYTES"),
    ({**BASE, "WEBHOOK_MAX_ATTEMPTS": "0"}, "WEBHOOK_MAX_ATTEMPTS"),
    ({**BASE, "WEBHOOK_MAX_ATTEMPTS": "2.5"}, "WEBHOOK_MAX_ATTEMPTS"),
    ({**BASE, "SALEOR_API_URLS": "https://a.test/graphql/,not a url"}, "SALEOR_API_URLS"),
])
def test_bad_settings_are_named(env, setting):
    with pytest.raises(ConfigError) as error:
        load_config(env)
    assert error.value.setting == setting
    assert setting in str(error.value)


def test_bad_app_toml_is_named(tmp_path):
    path = tmp_path / "app.toml"
    path.write_text('client_id = "x"\napplication_url = "https://a.test"\n[access_scopes]\nscopes = "read_orders"\n[webhooks]\napi_version = "2026-13"\n'
                    '[[webhooks.subscriptions]]\ncompliance_topics = ["customers/data_request",'
                    ' "customers/redact", "shop/redact"]\nuri = "/webhooks"\n')
    with pytest.raises(ConfigError, match="api_version"):
        load_config(BASE, path)


def test_saleor_api_urls_are_a_list_of_prefixes():
    config = load_config({**BASE, "SALEOR_API_URLS": " http://127.0.0.1:8000/ , https://s.test/"})
    assert config.saleor_api_urls == ("http://127.0.0.1:8000/", "https://s.test/")
    assert load_config(BASE).saleor_api_urls == ()


def _flask(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SHOPIFY_API_SECRET"}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_flask_help_works_before_the_app_is_configured():
    shown = _flask("--help")
    assert shown.returncode == 0 and "Usage: " in shown.stdout
    assert "configuration error: SHOPIFY_API_SECRET" in shown.stderr


def test_a_command_without_its_settings_names_the_missing_one():
    ran = _flask("queue", "status")
    assert ran.returncode != 0
    assert "configuration error: SHOPIFY_API_SECRET" in ran.stderr
    assert "Traceback" not in ran.stderr


def test_the_page_loads_app_bridge_from_shopify_and_is_framed_only_by_the_admin(env):
    config = load_config(env)
    assert config.app_bridge_src("a.myshopify.com") == \
        "https://cdn.shopify.com/shopifycloud/app-bridge.js"
    assert config.frame_ancestors("a.myshopify.com") == \
        "https://a.myshopify.com https://admin.shopify.com"


def test_against_a_simulator_the_page_uses_its_local_admin(env):
    config = load_config({**env, "SHOPIFY_ADMIN_ORIGIN": "http://127.0.0.1:8001/{shop}"})
    assert config.app_bridge_src("a.myshopify.com") == \
        "http://127.0.0.1:8001/a.myshopify.com/admin/app-bridge.js"
    assert config.frame_ancestors("a.myshopify.com").endswith(" http://127.0.0.1:8001")
