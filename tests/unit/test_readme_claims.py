"""README claims that had no test of their own: the defaults and ranges of the settings table,
the start-up refusal of a bad setting, the queue's tie-break on order numbers, a null stock level,
and the simulator's standalone command."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime

import pytest
from cryptography.fernet import Fernet

from app.config import INSTANCE_DIR, ROOT, ConfigError, load_config, read_app_toml
from app.domain.allocation import queue_order
from app.domain.model import Line
from app.domain.policy import Policy
from app.platforms.shopify.payloads import parse_inventory_level

KEY = Fernet.generate_key().decode()
BASE = {"SHOPIFY_API_SECRET": "s", "TOKEN_ENCRYPTION_KEYS": KEY}


# Settings: defaults


def test_api_key_and_app_url_default_to_app_toml():
    """`SHOPIFY_API_KEY` defaults to `client_id` of app.toml, `SHOPIFY_APP_URL` to its
    `application_url`; the environment wins when set."""
    toml = read_app_toml()
    config = load_config(BASE)
    assert config.api_key == toml["client_id"]
    assert config.app_url == toml["application_url"].rstrip("/")
    chosen = load_config({**BASE, "SHOPIFY_API_KEY": "k", "SHOPIFY_APP_URL": "https://a.test"})
    assert (chosen.api_key, chosen.app_url) == ("k", "https://a.test")


def test_files_of_the_embedded_default():
    """SQLite file `instance/backorders.db`, SQLite queue at `instance/queue.db` unless
    `QUEUE_PATH` names another file."""
    config = load_config(BASE)
    assert config.database_url == f"sqlite:///{INSTANCE_DIR / 'backorders.db'}"
    assert INSTANCE_DIR == ROOT / "instance"
    assert config.queue_path == str(INSTANCE_DIR / "queue.db")
    assert load_config({**BASE, "QUEUE_PATH": "/tmp/q.db"}).queue_path == "/tmp/q.db"


def test_only_app_env_development_migrates_on_start_up():
    assert load_config(BASE).development  # the default is development
    assert load_config({**BASE, "APP_ENV": "development"}).development
    assert not load_config({**BASE, "APP_ENV": "production"}).development
    assert not load_config({**BASE, "APP_ENV": "staging"}).development


def test_reoffer_delay_defaults_to_a_minute_and_takes_0_to_300():
    assert load_config(BASE).reoffer_delay_s == 60
    assert load_config({**BASE, "REOFFER_DELAY_SECONDS": "0"}).reoffer_delay_s == 0
    with pytest.raises(ConfigError) as error:
        load_config({**BASE, "REOFFER_DELAY_SECONDS": "301"})
    assert error.value.setting == "REOFFER_DELAY_SECONDS"


def test_sync_delay_defaults_to_two_seconds_and_takes_0_to_300():
    assert load_config(BASE).sync_delay_s == 2
    for value in ("0", "300", "0.5"):
        assert load_config({**BASE, "SYNC_DELAY_SECONDS": value}).sync_delay_s == float(value)
    for value in ("-1", "300.5", "soon"):
        with pytest.raises(ConfigError) as error:
            load_config({**BASE, "SYNC_DELAY_SECONDS": value})
        assert error.value.setting == "SYNC_DELAY_SECONDS"


def test_bulk_writes_start_after_five_seconds_of_bucket_and_0_turns_them_off():
    assert load_config(BASE).bulk_after_s == 5
    assert load_config({**BASE, "SHOPIFY_BULK_AFTER_SECONDS": "0"}).bulk_after_s == 0
    for value in ("-1", "301", "later"):
        with pytest.raises(ConfigError) as error:
            load_config({**BASE, "SHOPIFY_BULK_AFTER_SECONDS": value})
        assert error.value.setting == "SHOPIFY_BULK_AFTER_SECONDS"


@pytest.mark.parametrize("setting,low,high", [
    ("MAX_REQUEST_BYTES", 1_000, 100_000_000),
    ("WEBHOOK_MAX_ATTEMPTS", 1, 1_000),
])
def test_whole_number_settings_take_exactly_their_documented_range(setting, low, high):
    attribute = {"MAX_REQUEST_BYTES": "max_request_bytes",
                 "WEBHOOK_MAX_ATTEMPTS": "webhook_max_attempts"}[setting]
    for value in (low, high):
        assert getattr(load_config({**BASE, setting: str(value)}), attribute) == value
    for value in (low - 1, high + 1):
        with pytest.raises(ConfigError) as error:
            load_config({**BASE, setting: str(value)})
        assert error.value.setting == setting


def test_a_missing_setting_stops_the_start_naming_it(monkeypatch):
    """`create_app()` reads the environment: a missing secret is a one-line exit naming it."""
    from app import create_app

    monkeypatch.delenv("SHOPIFY_API_SECRET", raising=False)
    monkeypatch.setenv("TOKEN_ENCRYPTION_KEYS", KEY)
    with pytest.raises(SystemExit) as stop:
        create_app()
    assert "SHOPIFY_API_SECRET" in str(stop.value.code)

    monkeypatch.setenv("SHOPIFY_API_SECRET", "s")
    monkeypatch.setenv("SYNC_DELAY_SECONDS", "forever")
    with pytest.raises(SystemExit) as stop:
        create_app()
    assert "SYNC_DELAY_SECONDS" in str(stop.value.code)


# How stock and orders are read


POOL = "gid://shopify/ProductVariant/1@*"
AT = datetime(2026, 3, 1, 9, 0)


@pytest.mark.parametrize("policy", [Policy(), Policy(priority_tags=("VIP",))],
                         ids=["fifo", "tag-classes"])
def test_orders_of_one_second_queue_by_their_numbers(policy):
    """"ordered by the orders' own times, then numbers": the later line id of the lower order
    number comes first."""
    later_number = Line("gid://shopify/LineItem/1", "o2", POOL, 1, AT, order_number=1002)
    earlier_number = Line("gid://shopify/LineItem/9", "o1", POOL, 1, AT, order_number=1001)
    ordered = queue_order([later_number, earlier_number], policy, date(2026, 3, 1))
    assert [line.order_number for line in ordered] == [1001, 1002]


def test_a_null_available_reads_as_zero():
    """Known limits: `available: null` reads as 0."""
    reading, _ = parse_inventory_level({"inventory_item_id": 1, "location_id": 1,
                                               "available": None})
    assert reading.available == 0


# Tests: a test that needs what the machine lacks is skipped locally, fails under CI=1


@pytest.mark.parametrize("ci,outcome", [("", pytest.skip.Exception), ("0", pytest.skip.Exception),
                                        ("1", pytest.fail.Exception),
                                        ("true", pytest.fail.Exception)])
def test_what_the_machine_lacks_skips_locally_and_fails_in_ci(monkeypatch, ci, outcome):
    from tests.conftest import unavailable

    monkeypatch.setenv("CI", ci)
    with pytest.raises((pytest.skip.Exception, pytest.fail.Exception)) as raised:
        unavailable("needs chromium")
    assert raised.type is outcome and "needs chromium" in str(raised.value)


# Commands


def test_the_simulator_runs_standalone():
    done = subprocess.run([sys.executable, "-m", "devstore", "--help"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "usage" in done.stdout.lower()
