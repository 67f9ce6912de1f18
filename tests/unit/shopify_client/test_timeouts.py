"""The Admin API timeouts are settings, checked at start-up and handed to the client."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from app.config import ConfigError, load_config
from app.wiring import build_services

BASE = {"SHOPIFY_API_SECRET": "s", "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode()}


def test_the_client_waits_as_long_as_the_settings_say(tmp_path):
    config = load_config({**BASE, "SHOPIFY_CONNECT_TIMEOUT": "1.5", "SHOPIFY_READ_TIMEOUT": "45",
                          "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
                          "QUEUE_PATH": str(tmp_path / "queue.db")})
    services = build_services(config)
    try:
        assert services.admin_client.timeout == (1.5, 45.0)
    finally:
        services.close()


def test_defaults_connect_quickly_and_wait_for_slow_answers():
    config = load_config(BASE)
    assert (config.connect_timeout_s, config.read_timeout_s) == (3.05, 20.0)


@pytest.mark.parametrize("name", ["SHOPIFY_CONNECT_TIMEOUT", "SHOPIFY_READ_TIMEOUT"])
@pytest.mark.parametrize("value", ["soon", "0", "-1", "301"])
def test_a_bad_timeout_names_its_setting(name, value):
    with pytest.raises(ConfigError) as error:
        load_config({**BASE, name: value})
    assert error.value.setting == name
    assert name in str(error.value)
