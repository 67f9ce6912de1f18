"""Webhook deliveries: Shopify's headers, signatures over the raw body, REST-shaped bodies,
retries with one webhook id, and the duplicate / reorder / wrong-signature switches."""

from __future__ import annotations

from .helpers import SHOP, variant


def test_order_webhooks_are_signed_and_shaped_like_shopify(store, receiver):
    v = variant(store, available=0)
    store.place_order(SHOP, [(v, 2)], customer={"email": "a@example.com", "tags": ["VIP", "B2B"]})
    store.drain_webhooks()
    assert all(receiver.signature_ok(r) for r in receiver.received)
    created = next(r for r in receiver.received if r["topic"] == "orders/create")
    headers = created["headers"]
    assert headers["X-Shopify-Shop-Domain"] == SHOP and headers["X-Shopify-Api-Version"] == "2026-10"
    assert headers["X-Shopify-Webhook-Id"] and headers["X-Shopify-Event-Id"] and headers["X-Shopify-Triggered-At"]
    order = created["body"]
    assert order["admin_graphql_api_id"] == f"gid://shopify/Order/{order['id']}"
    assert "tags" not in order["customer"] and order["name"] == "#1001"  # fact 14
    line = order["line_items"][0]
    assert (line["variant_id"], line["quantity"], line["current_quantity"], line["fulfillable_quantity"]) == (v, 2, 2, 2)
    assert receiver.topics()[-1] == "fulfillment_orders/order_routing_complete"


def test_retries_keep_the_webhook_id(store, receiver):
    v = variant(store)
    store.drain_webhooks()
    receiver.fail_next = 2
    store.receive_stock(SHOP, v, 1)
    store.drain_webhooks()
    attempts = store.webhooks.log[-3:]
    assert [a["status"] for a in attempts] == [500, 500, 200]
    assert {a["topic"] for a in attempts} == {"inventory_levels/update"}
    assert len({a["webhook_id"] for a in attempts}) == 1
    assert [a["attempt"] for a in attempts] == [1, 2, 3]


def test_duplicates_and_wrong_signatures(store, receiver):
    store.drain_webhooks()
    receiver.received.clear()
    store.set_webhook_switches(duplicates=True)
    store.receive_stock(SHOP, variant(store), 1)
    store.drain_webhooks()
    ids = [r["headers"]["X-Shopify-Webhook-Id"] for r in receiver.received if r["topic"] == "inventory_levels/update"]
    assert len(ids) >= 2 and len(set(ids)) < len(ids)
    receiver.received.clear()
    store.set_webhook_switches(duplicates=False, wrong_signature=True)
    store.receive_stock(SHOP, variant(store), 1)
    store.drain_webhooks()
    assert receiver.received and not any(receiver.signature_ok(r) for r in receiver.received)


def test_reorder_is_seeded_shuffle(store, receiver):
    v = variant(store, available=0)
    store.drain_webhooks()
    receiver.received.clear()
    store.set_webhook_switches(reorder=True)
    for _ in range(8):
        store.receive_stock(SHOP, v, 1)
    store.drain_webhooks()
    seen = [r["body"]["available"] for r in receiver.received]
    assert sorted(seen) == list(range(1, 9)) and seen != sorted(seen)


def test_compliance_topics(store, receiver):
    order = store.place_order(SHOP, [(variant(store), 1)], customer={"email": "c@example.com"})
    store.request_customer_data(SHOP, order["customer_id"])
    store.request_customer_redact(SHOP, order["customer_id"])
    store.drain_webhooks()
    request = receiver.of("customers/data_request")[0]
    assert request["orders_requested"] == [order["id"]] and request["data_request"]["id"]
    assert receiver.of("customers/redact")[0]["customer"]["email"] == "c@example.com"


def test_background_sender_over_http(clock):
    """A real HTTP round trip: the simulator served in a thread, webhooks posted to a live receiver."""
    import threading

    from werkzeug.serving import make_server

    from devstore import DevStore

    from .helpers import Receiver

    receiver = Receiver()
    server = make_server("127.0.0.1", 0, receiver.app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        store = DevStore(app_url=f"http://127.0.0.1:{server.server_port}", api_key="k", api_secret="s", clock=clock)
        url, stop = store.serve()
        import requests
        assert requests.post(f"{url}/_devstore/shops", json={"shop": "live"}, timeout=5).status_code == 201
        requests.post(f"{url}/_devstore/shops/live.myshopify.com/catalog", json={"catalog": "home-and-garden"}, timeout=5)
        requests.post(f"{url}/_devstore/shops/live.myshopify.com/install", json={}, timeout=5)
        variant_id = store.state("live")["variants"][0]["id"]
        requests.post(f"{url}/_devstore/shops/live/receive", json={"variant": variant_id, "quantity": 3}, timeout=5)
        assert requests.post(f"{url}/_devstore/drain", json={"timeout": 5}, timeout=10).json() == {"drained": True}
        assert receiver.topics() == ["inventory_levels/update"]
        assert requests.get(f"{url}/_devstore/counters", timeout=5).json()["webhooks"]["delivered"] == 1
        stop()
    finally:
        server.shutdown()


def test_duplicates_share_the_event_id(store, receiver):
    """Fact 20: a duplicate delivery is the same event; "new-id" duplicates differ only in webhook id."""
    v = variant(store)
    store.drain_webhooks()
    for mode in (True, "new-id"):
        receiver.received.clear()
        store.set_webhook_switches(duplicates=mode)
        store.receive_stock(SHOP, v, 1)
        store.drain_webhooks()
        headers = [r["headers"] for r in receiver.received]
        assert len(headers) == 2 and headers[0]["X-Shopify-Event-Id"] == headers[1]["X-Shopify-Event-Id"]
        same_webhook = headers[0]["X-Shopify-Webhook-Id"] == headers[1]["X-Shopify-Webhook-Id"]
        assert same_webhook is (mode is True)
    receiver.received.clear()
    store.set_webhook_switches(duplicates=False)
    store.receive_stock(SHOP, v, 1)
    store.receive_stock(SHOP, v, 1)
    store.drain_webhooks()
    assert len({r["headers"]["X-Shopify-Event-Id"] for r in receiver.received}) == 2
