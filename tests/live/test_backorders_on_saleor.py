"""The Saleor app against a real Saleor: installed through its manifest, then a variant sold past
zero. The app runs as it does in production (its HTTP server in a thread, the worker's queue
drained here); Saleor delivers its signed webhooks to it and the app writes back through
Saleor's API. The Saleor state it leaves is read from Saleor."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid

import pytest
import requests
from cryptography.fernet import Fernet
from werkzeug.serving import make_server

from app import create_app
from app.config import load_config
from app.services.messages import SetUpShop
from app.storage.migrate import upgrade
from app.storage.tables import SaleorInstall

pytestmark = pytest.mark.live



def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def backorders(saleor, tmp_path_factory):
    """The app, served on 127.0.0.1 and installed in the test bed's Saleor."""
    folder = tmp_path_factory.mktemp("backorders")
    port = free_port()
    url = f"sqlite:///{folder / 'app.db'}"
    upgrade(url)
    config = load_config({
        "SHOPIFY_API_SECRET": "live-secret", "SHOPIFY_APP_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": url, "QUEUE_PATH": str(folder / "queue.db"),
        "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(), "APP_ENV": "test",
        "SYNC_DELAY_SECONDS": "0", "SALEOR_API_URLS": saleor.api_url})
    app = create_app(config, migrate=False)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    services = app.extensions["backorders"]
    installed = saleor.install_app(f"http://127.0.0.1:{port}/saleor/manifest",
                                   ["MANAGE_ORDERS", "MANAGE_PRODUCTS"])
    yield services, installed, f"http://127.0.0.1:{port}"
    server.shutdown()
    services.close()


def settle(services, done, timeout: float = 30.0):
    """Run the worker's queue until `done()` holds."""
    deadline = time.monotonic() + timeout
    while True:
        services.queue.drain()
        found = done()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def metadata(saleor, order_id: str) -> dict[str, str]:
    return saleor.order_metadata(order_id)


def dashboard_get(saleor, backorders, path: str) -> dict:
    """The app's API as the Dashboard calls it: with the token Saleor issues to its staff user
    for this app."""
    _, installed, base = backorders
    token = saleor.dashboard_token(installed["app_id"])
    answer = requests.get(f"{base}{path}", timeout=10, headers={
        "Authorization-Bearer": token, "Saleor-Api-Url": saleor.api_url})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_install_stores_the_token_and_the_instances_keys(saleor, backorders):
    services, installed, _ = backorders
    assert installed["status"] == "SUCCESS"
    with services.db.transaction() as s:
        row = s.get(SaleorInstall, saleor.api_url)
        assert row.app_id == installed["app_id"]
        assert row.jwks["keys"]
    token = services.saleor_installs.token(saleor.api_url)
    assert saleor.graphql("{ app { id } }", token=token)["app"]["id"] == installed["app_id"]
    found = saleor.graphql(
        "query($id: ID!) { app(id: $id) { extensions { mountName targetName url } } }",
        {"id": installed["app_id"]})["app"]["extensions"]
    assert [(e["mountName"].upper(), e["targetName"].upper()) for e in found] == [
        ("ORDER_DETAILS_WIDGETS", "WIDGET")]


def test_sold_past_zero_then_filled_in_queue_order(saleor, saleor_store, backorders):
    services, _, _ = backorders
    sku = f"MUG-{uuid.uuid4().hex[:8]}"
    variant = saleor.create_product(saleor_store, "Mug", {sku: 1}).variants[sku]
    first = saleor.place_order(saleor_store, [(variant, 1)])
    second = saleor.place_order(saleor_store, [(variant, 2)])
    third = saleor.place_order(saleor_store, [(variant, 1)])

    assert settle(services, lambda: metadata(saleor, third).get("backorders.status") == "waiting")
    waiting = metadata(saleor, second)
    assert waiting["backorders.status"] == "waiting"
    assert waiting["backorders.tags"] == "backordered"
    assert waiting["backorders.eta"] >= time.strftime("%Y-%m-%d")
    assert json.loads(waiting["backorders.lines"])[0]["backordered"] == 2
    assert not any(k.startswith("backorders.") for k in metadata(saleor, first))
    queue = dashboard_get(saleor, backorders, "/api/queue")
    assert [(line["order_id"], line["backordered"]) for line in queue["lines"]] == [
        (second, 2), (third, 1)]
    widget = requests.post(f"{backorders[2]}/saleor/widget/order", timeout=10, data={
        "saleorApiUrl": saleor.api_url, "orderId": second, "appId": backorders[1]["app_id"],
        "accessToken": saleor.dashboard_token(backorders[1]["app_id"])})
    assert widget.status_code == 200 and 'class="backordered">2<' in widget.text

    saleor.set_stock(variant, saleor_store.warehouse_id, 3)  # two units came in

    assert settle(services, lambda: metadata(saleor, second).get("backorders.status") == "ready")
    assert metadata(saleor, second)["backorders.tags"] == ""
    assert metadata(saleor, third)["backorders.status"] == "waiting"  # behind it in the queue


def test_a_forged_delivery_is_refused(saleor, backorders):
    _, _, base = backorders
    body = json.dumps({"__typename": "OrderCreated", "order": {"id": "T3JkZXI6MQ=="}})
    answer = requests.post(f"{base}/saleor/webhooks", data=body, timeout=10, headers={
        "Saleor-Api-Url": saleor.api_url, "Saleor-Event": "order_created",
        "Saleor-Signature": "eyJhbGciOiJSUzI1NiJ9..c2lnbmF0dXJl"})
    assert answer.status_code == 401


def test_an_in_stock_variant_of_the_same_kind_is_offered(saleor, saleor_store, backorders):
    """Alternatives come from the instance's own catalog, read when the app is set up: a
    tracked variant in stock, of the same product type and category, is offered to the line
    that waits, with its reason."""
    services, _, _ = backorders
    short, spare = f"CUP-{uuid.uuid4().hex[:8]}", f"CUP-{uuid.uuid4().hex[:8]}"
    waiting = saleor.create_product(saleor_store, "Cup", {short: 0}).variants[short]
    in_stock = saleor.create_product(saleor_store, "Cup, other colour", {spare: 9},
                                     track_inventory=True).variants[spare]
    services.queue.enqueue(SetUpShop(saleor.api_url))  # as on install: the catalog and its stock
    services.queue.drain()
    order = saleor.place_order(saleor_store, [(waiting, 1)])

    assert settle(services, lambda: metadata(saleor, order).get("backorders.status") == "waiting")
    shown = metadata(saleor, order)
    assert json.loads(shown["backorders.alternatives"]) == [in_stock]
    (reason,) = json.loads(shown["backorders.alternative_reasons"])
    assert reason["variant_id"] == in_stock and reason["reason"]


def test_a_tracked_variant_counted_below_what_is_allocated_backorders_the_latest(
        saleor, saleor_store, backorders):
    """Saleor allocates tracked stock at checkout; when staff count less on the shelf than it
    allocated, the lines that sort last wait for the difference."""
    services, _, _ = backorders
    sku = f"PLATE-{uuid.uuid4().hex[:8]}"
    variant = saleor.create_product(saleor_store, "Plate", {sku: 4},
                                    track_inventory=True).variants[sku]
    earlier = saleor.place_order(saleor_store, [(variant, 2)])
    later = saleor.place_order(saleor_store, [(variant, 2)])
    services.queue.drain()
    assert saleor.stocks(variant)[saleor_store.warehouse_id]["quantityAllocated"] == 4

    saleor.set_stock(variant, saleor_store.warehouse_id, 3)  # one unit short of the allocations

    assert settle(services, lambda: metadata(saleor, later).get("backorders.status")
                  == "partially_ready")
    assert json.loads(metadata(saleor, later)["backorders.lines"])[0]["backordered"] == 1
    assert not any(k.startswith("backorders.") for k in metadata(saleor, earlier))
