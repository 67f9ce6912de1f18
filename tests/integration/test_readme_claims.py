"""README claims that had no test of their own, through the webhook intake, the worker, the sync
and the JSON API against the in-memory platform: the catalog topics, shop redaction, when
customer tags are read, orders sharing a request, the sync delay, the queue's tie-break on order
numbers, the CSV import by variant id, the priority range, and the start-up commands."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import create_engine, func, inspect, select

from app import create_app
from app.config import load_config
from app.services.ports import StockReading
from app.storage.tables import Base, OrderLine, Shop, Variant
from tests.conftest import SHOP
from tests.fakes import FakeGateway
from tests.integration.helpers import install, post_webhook
from tests.integration.test_backorder_flow import order_payload, stock_payload
from tests.integration.test_install import session_token, signed_query

V1 = "gid://shopify/ProductVariant/1"
POLO = "gid://shopify/Product/7"
POLO_M = "gid://shopify/ProductVariant/70"
OTHER = "other-shop.myshopify.com"


@pytest.fixture
def platform() -> FakeGateway:
    gateway = FakeGateway()
    gateway.add_variant(V1, available=-1, vendor="Acme", product_type="Shirts", price="20.00",
                        product_title="Tee", title="Blue", sku="TEE-BLUE")
    return gateway


def line(services, line_id: int) -> OrderLine:
    with services.db.transaction() as s:
        return s.get(OrderLine, (SHOP, f"gid://shopify/LineItem/{line_id}"))


def api(client, method: str, path: str, shop: str = SHOP, **kwargs):
    headers = {"Authorization": f"Bearer {session_token(shop)}"}
    return client.open(path, method=method, headers=headers, **kwargs)


# products/create, products/update, products/delete: the catalog used for alternatives


def product_payload(title: str, price: str, minute: int) -> dict:
    return {"id": 7, "admin_graphql_api_id": POLO, "title": title, "vendor": "Acme",
            "product_type": "Shirts", "status": "active", "tags": "",
            "options": [{"name": "Size"}],
            "variants": [{"id": 70, "admin_graphql_api_id": POLO_M, "inventory_item_id": 70,
                          "title": "M", "sku": "POLO-M", "price": price, "option1": "M",
                          "inventory_policy": "deny"}],
            "updated_at": f"2026-11-20T12:{minute:02d}:00Z"}


def suggested(services) -> list[str]:
    """What the alternatives service offers the backordered line now, from the catalog as
    mirrored."""
    with services.db.transaction() as s:
        row = s.get(OrderLine, (SHOP, "gid://shopify/LineItem/11"))
        found = services.alternatives.for_lines(s, SHOP, [row])
    return found.get(row.line_id, [])


def test_the_product_topics_keep_the_catalog_of_alternatives_current(flow):
    client, services = flow
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 3)]))
    services.queue.drain()
    assert line(services, 11).backordered == 1 and suggested(services) == []

    post_webhook(client, "products/create", product_payload("Polo", "20.00", 1))
    post_webhook(client, "inventory_levels/update", {
        "inventory_item_id": 70, "location_id": 1, "available": 5,
        "updated_at": "2026-11-20T12:02:00Z"})
    services.queue.drain()
    with services.db.transaction() as s:
        row = s.get(Variant, (SHOP, POLO_M))
        assert (row.product_title, row.price, row.status) == ("Polo", "20.00", "ACTIVE")
    assert suggested(services) == [POLO_M]

    post_webhook(client, "products/update", product_payload("Polo Deluxe", "900.00", 3))
    services.queue.drain()
    with services.db.transaction() as s:
        row = s.get(Variant, (SHOP, POLO_M))
        assert (row.product_title, row.price) == ("Polo Deluxe", "900.00")
    assert suggested(services) == []  # now far outside the price band

    post_webhook(client, "products/update", product_payload("Polo", "20.00", 4))
    post_webhook(client, "products/delete", {"id": 7})
    services.queue.drain()
    with services.db.transaction() as s:
        assert s.get(Variant, (SHOP, POLO_M)).status == "DELETED"
    assert suggested(services) == []


def catalog_version(services) -> int:
    with services.db.transaction() as s:
        return s.get(Shop, SHOP).catalog_version


def test_a_product_update_that_changes_nothing_alternatives_use_keeps_the_catalog_index(flow):
    """Shopify sends `products/update` whenever a product is ordered: in a sale, one per order.
    Only a change of what the catalog index holds raises the shop's catalog version, which
    every process's cached index is checked against."""
    client, services = flow
    post_webhook(client, "products/create", product_payload("Polo", "20.00", 1))
    services.queue.drain()
    created = catalog_version(services)
    sold = product_payload("Polo", "20.00", 2)
    sold["variants"][0].update(inventory_quantity=4, old_inventory_quantity=5)
    post_webhook(client, "products/update", sold)
    services.queue.drain()
    assert catalog_version(services) == created
    post_webhook(client, "products/update", product_payload("Polo Deluxe", "20.00", 3))
    services.queue.drain()
    assert catalog_version(services) == created + 1


# shop/redact: everything of the shop is deleted


def rows_of(services, shop: str) -> dict[str, int]:
    with services.db.transaction() as s:
        return {t.name: s.scalar(select(func.count()).select_from(t).where(t.c.shop == shop))
                for t in Base.metadata.sorted_tables}


def test_shop_redact_deletes_every_row_of_the_shop_in_every_table(flow, platform):
    client, services = flow
    install(services, OTHER)
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 3)]))
    post_webhook(client, "customers/data_request",
                 {"shop_domain": SHOP, "customer": {"id": 901}, "data_request": {"id": 1}})
    services.queue.drain()
    assert api(client, "POST", "/api/restocks", json={
        "variant_id": V1, "quantity": 5, "expected_date": "2026-11-24"}).status_code == 201
    services.queue.drain()
    assert api(client, "POST", "/api/queue/release",
               json={"line_ids": ["gid://shopify/LineItem/11"]}).status_code == 200
    post_webhook(client, "orders/create", order_payload(2, [(21, 1, 1)]), shop=OTHER)
    services.queue.drain()
    before = rows_of(services, SHOP)
    for table in ("shops", "orders", "order_lines", "order_sync", "pools", "variants",
                  "stock_levels", "restocks", "eta_changes", "data_exports", "webhook_receipts",
                  "order_actions"):
        assert before[table] > 0, table  # the shop really had rows there
    other_before = rows_of(services, OTHER)

    response = post_webhook(client, "shop/redact", {"shop_id": 1, "shop_domain": SHOP})
    assert response.json["status"] == "accepted"
    services.queue.drain()

    assert rows_of(services, SHOP) == {t.name: 0 for t in Base.metadata.sorted_tables}
    after = rows_of(services, OTHER)
    assert after["orders"] == other_before["orders"] > 0 and after["shops"] == 1


# customer tags: read once per order, only when the shop ranks its queue by tags


def test_customer_tags_are_not_read_unless_the_queue_is_ranked_by_tags(flow, platform):
    client, services = flow
    platform.customers["gid://shopify/Customer/901"] = ("VIP",)
    platform.customers["gid://shopify/Customer/902"] = ("VIP",)
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 3)]))
    post_webhook(client, "orders/updated", order_payload(1, [(11, 1, 3)], updated_minute=5))
    services.queue.drain()
    assert platform.calls.count("customer_tags") == 0

    with services.db.transaction() as s:
        s.get(Shop, SHOP).policy = {"priority_tags": ["VIP"]}
    post_webhook(client, "orders/create", order_payload(2, [(21, 1, 1)], minute=1))
    services.queue.drain()
    assert platform.calls.count("customer_tags") == 1


# the sync: several orders per request, after the sync delay


def test_several_orders_share_one_write_request(flow, platform):
    client, services = flow
    platform.add_variant(V1, available=-10, price="20.00")  # every order below short
    for number in (1, 2, 3):
        post_webhook(client, "orders/create", order_payload(number, [(number * 10 + 1, 1, 2)],
                                                           minute=number))
    services.queue.drain()
    for number in (1, 2, 3):
        assert platform.orders[f"gid://shopify/Order/{number}"].tags == {"backordered"}
    # one request for the three orders' tags and fields (their holds wait for fulfillment
    # orders, which this store has not made)
    assert platform.calls.count("apply") == 1


def test_a_sync_waits_the_sync_delay_after_a_change(env, clock, platform):
    app = create_app(load_config({**env, "SYNC_DELAY_SECONDS": "2"}), clock=clock,
                     migrate=False, gateway=platform)
    services = app.extensions["backorders"]
    services.queue.huey.flush()
    try:
        install(services)
        post_webhook(app.test_client(), "orders/create", order_payload(1, [(11, 1, 3)]))
        services.queue.drain()
        services.sync.run(SHOP)  # even run at once, a change younger than the delay waits
        assert "apply" not in platform.calls
        clock.advance(seconds=2)
        services.sync.run(SHOP)
        assert platform.calls.count("apply") == 1
        assert platform.orders["gid://shopify/Order/1"].tags == {"backordered"}
    finally:
        services.queue.huey.flush()
        services.close()


# the queue: the orders' own times, then numbers, whatever order the webhooks come in


def test_orders_of_one_second_are_served_by_number_whatever_their_arrival(flow):
    """#1001 and #1002 were placed in the same second; one unit is left for them. #1002 (its line
    id the lower) is delivered first; the unit still goes to #1001."""
    client, services = flow
    second = order_payload(2, [(5, 1, 1)])
    first = order_payload(1, [(9, 1, 1)])
    assert first["created_at"] == second["created_at"]
    post_webhook(client, "orders/create", second)
    post_webhook(client, "orders/create", first)
    post_webhook(client, "inventory_levels/update", stock_payload(-1, 1))
    services.queue.drain()
    assert (line(services, 9).covered, line(services, 5).covered) == (1, 0)


# Known limits: reconciliation corrects stock drift and logs committed-quantity drift


def test_reconciliation_logs_committed_drift_of_a_lost_order(flow, platform, caplog):
    client, services = flow
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 3)]))
    services.queue.drain()
    item = "gid://shopify/InventoryItem/1"
    platform.stock_by_item[item] = [StockReading(V1, item, "gid://shopify/Location/1", -1,
                                                 committed=3)]
    assert services.reconcile.run(SHOP)["committed_drift"] == 0  # the mirror owes what it shows
    platform.stock_by_item[item] = [StockReading(V1, item, "gid://shopify/Location/1", -1,
                                                 committed=5)]  # an order of 2 never arrived
    with caplog.at_level("WARNING"):
        report = services.reconcile.run(SHOP)
    assert report["committed_drift"] == 1 and report["stock_fixed"] == 0
    assert f"{V1} committed 5 on the platform, 3 in the mirror" in caplog.text
    assert line(services, 11).backordered == 1  # logged only: the lost order is not read


# the JSON API


def test_the_csv_import_takes_variant_ids_and_keeps_the_reference(flow):
    client, services = flow
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 3)]))
    services.queue.drain()
    text = f"variant_id,quantity,expected_date,reference\n{V1},4,2026-11-24,PO-7\n"
    response = api(client, "POST", "/api/restocks/import", data=text, content_type="text/csv")
    assert response.status_code == 201 and response.json["imported"] == 1
    (restock,) = api(client, "GET", "/api/restocks").json["restocks"]
    assert (restock["variant_id"], restock["quantity"], restock["reference"]) == (V1, 4, "PO-7")
    assert line(services, 11).eta_source == "restock"


@pytest.mark.parametrize("priority", [-100, 100])
def test_manual_priority_takes_the_ends_of_its_range(flow, priority):
    client, services = flow
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 3)]))
    services.queue.drain()
    response = api(client, "POST", "/api/lines/gid://shopify/LineItem/11/priority",
                   json={"priority": priority})
    assert response.status_code == 200
    assert line(services, 11).manual_priority == priority


# SHOPIFY_API_SECRET_PREVIOUS: accepted on OAuth queries too during a rotation


def test_the_previous_secret_signs_install_queries_during_a_rotation(env, clock):
    app = create_app(load_config({**env, "SHOPIFY_API_SECRET": "new-secret",
                                  "SHOPIFY_API_SECRET_PREVIOUS": "test-api-secret"}),
                     clock=clock, migrate=False, gateway=FakeGateway())
    try:
        client = app.test_client()
        params = {"shop": SHOP, "timestamp": str(int(clock().timestamp()))}
        for secret, status in (("test-api-secret", 302), ("new-secret", 302), ("other", 401)):
            response = client.get(f"/auth?{signed_query(params, secret)}")
            assert response.status_code == status, secret
    finally:
        app.extensions["backorders"].close()


# start-up and commands


def tables_in(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.mark.parametrize("app_env,migrated", [("development", True), ("production", False)])
def test_development_applies_the_migrations_on_start_up(env, tmp_path, app_env, migrated):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    app = create_app(load_config({**env, "DATABASE_URL": url, "APP_ENV": app_env}),
                     gateway=FakeGateway())
    try:
        assert ("order_lines" in tables_in(url)) is migrated
    finally:
        app.extensions["backorders"].close()


def test_db_upgrade_applies_the_migrations(env, tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    app = create_app(load_config({**env, "DATABASE_URL": url, "APP_ENV": "production"}),
                     gateway=FakeGateway())
    try:
        assert tables_in(url) == set()
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert {t.name for t in Base.metadata.sorted_tables} <= tables_in(url)
    finally:
        app.extensions["backorders"].close()


def test_the_demo_once_prints_its_summary_and_exits(env):
    """`flask --app app demo --once` (a smaller flash sale), its files beside the test's queue."""
    app = create_app(load_config({**env, "APP_ENV": "production"}), gateway=FakeGateway())
    try:
        result = app.test_cli_runner().invoke(args=["demo", "--once", "--orders", "40"])
    finally:
        app.extensions["backorders"].close()
    assert result.exit_code == 0, result.output
    summary = dict(line.strip().rsplit(None, 1) for line in
                   result.output.split("\nSummary\n", 1)[1].splitlines() if line.strip())
    assert int(summary["orders"]) == 40
    assert int(summary["backordered lines"]) > 0 and int(summary["holds placed"]) > 0
    assert int(summary["graphql requests"]) > 0
    assert re.search(r"6 units of variant \d+ arrived \([1-9]\d* lines waited on it, "
                     r"[1-9]\d* of them filled\)", result.output)
    assert int(summary["holds released"]) > 0
    assert "local admin" not in result.output  # --once: no serving
