"""`flask --app app demo --platform saleor`: one run of the demo, which starts a Saleor of its own
(Saleor installs an app once per identifier, so the session's Saleor, where the app is already
installed, cannot take it again), with the app's database in a temporary folder."""

from __future__ import annotations

from urllib.parse import quote

import pytest
import requests
from cryptography.fernet import Fernet

from app.config import load_config
from app.demo_saleor import SaleorDemo
from testbed.saleor import _connect, _database_exists


def test_the_saleor_demo_fills_the_waiting_lines_in_queue_order(tmp_path):
    config = load_config({"SHOPIFY_API_SECRET": "demo-secret",
                          "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode()})
    printed: list[str] = []
    demo = SaleorDemo(config, folder=tmp_path, echo=printed.append)
    try:
        result = demo.run()
    finally:
        demo.close()
    first, second, third, fourth = result["orders"]

    assert [(line["order_id"], line["covered"], line["backordered"], line["position"])
            for line in result["before"]] == [
        (first, 1, 0, None), (second, 1, 1, 1), (third, 0, 1, 2), (fourth, 0, 3, 3)]
    assert [line["saleor"].get("backorders.status") for line in result["before"]] == [
        None, "partially_ready", "waiting", "waiting"]
    assert all(line["saleor"]["backorders.eta"] == line["eta"]
               for line in result["before"][1:])

    assert [(fill["order_id"], fill["units"], fill["still_backordered"])
            for fill in result["filled"]] == [(second, 1, 0), (third, 1, 0), (fourth, 2, 1)]
    assert [line["saleor"].get("backorders.status") for line in result["after"]] == [
        None, "ready", "ready", "partially_ready"]
    assert [(line["order_id"], line["backordered"], line["queue_position"])
            for line in result["queue"]["lines"]] == [(fourth, 1, 1)]
    api_url = demo.saleor.api_url
    assert result["app_page"].endswith(f"/saleor/app?saleorApiUrl={quote(api_url, safe='')}")
    assert any("draining the job queue" in line for line in printed)

    # Everything stopped: Saleor's server and its database, the app's server.
    assert demo.saleor.process.poll() is not None
    with _connect() as conn:
        assert not _database_exists(conn, demo.saleor.database)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{demo.app_url}/saleor/manifest", timeout=5)
