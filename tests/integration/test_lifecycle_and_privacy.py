"""app/uninstalled, app/scopes_update and the three compliance topics, through the worker."""

from __future__ import annotations

from sqlalchemy import func, select

from app.storage.tables import DataExport, Order, OrderLine, Shop, WebhookReceipt
from tests.conftest import SHOP
from tests.integration.helpers import install, post_webhook
from tests.integration.test_backorder_flow import V1, order_payload
from tests.integration.test_install import session_token


def run_worker(services) -> int:
    return services.queue.drain()


def test_uninstall_revokes_the_token_and_stops_work(client, services):
    install(services)
    post_webhook(client, "app/uninstalled", {"id": 1, "myshopify_domain": SHOP})
    run_worker(services)
    assert not services.installs.is_installed(SHOP)
    with services.db.transaction() as s:
        row = s.get(Shop, SHOP)
        assert row.access_token is None and row.refresh_token is None
    services.intake.forget(SHOP)
    later = post_webhook(client, "orders/create", {"id": 2})
    assert later.json["status"] == "dropped"


def test_scopes_update_is_recorded(client, services):
    install(services)
    post_webhook(client, "app/scopes_update",
                 {"id": 1, "previous": ["read_orders"], "current": ["read_orders", "write_orders"]})
    run_worker(services)
    with services.db.transaction() as s:
        assert s.get(Shop, SHOP).scopes == "read_orders,write_orders"


def test_processed_receipt_drops_its_payload_and_is_not_redone(client, services):
    install(services)
    post_webhook(client, "app/scopes_update", {"id": 1, "current": ["read_orders"]})
    run_worker(services)
    with services.db.transaction() as s:
        receipt = s.scalars(select(WebhookReceipt)).one()
        assert receipt.payload is None and receipt.processed_at is not None
        receipt_id = receipt.id
    assert services.events.process_receipt(receipt_id) == "already processed"


def test_data_request_produces_an_export_for_the_merchant(client, services):
    install(services)
    post_webhook(client, "customers/data_request", {
        "shop_id": 1, "shop_domain": SHOP, "customer": {"id": 191167, "email": "a@b.c"},
        "orders_requested": [299938], "data_request": {"id": 9999}})
    run_worker(services)
    response = client.get("/api/data-requests",
                          headers={"Authorization": f"Bearer {session_token()}"})
    [export] = response.json["data_requests"]
    assert export["customer_id"] == "191167" and export["data_request_id"] == "9999"
    assert export["data"]["customer_id"] == "191167"


def test_customer_redact_deletes_that_customers_exports(client, services):
    install(services)
    post_webhook(client, "customers/data_request",
                 {"shop_domain": SHOP, "customer": {"id": 5}, "data_request": {"id": 1}})
    post_webhook(client, "customers/redact",
                 {"shop_domain": SHOP, "customer": {"id": 5}, "orders_to_redact": []})
    run_worker(services)
    with services.db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(DataExport)) == 0


def mirrored(services, number: int) -> tuple[str | None, list | None, int]:
    """The mirrored order's customer id and tags, and the units its line still owes."""
    with services.db.transaction() as s:
        order = s.get(Order, (SHOP, f"gid://shopify/Order/{number}"))
        owed = s.get(OrderLine, (SHOP, f"gid://shopify/LineItem/{number}1")).open_quantity
        return order.customer_id, order.customer_tags, owed


def test_customer_redact_removes_the_customer_from_their_mirrored_orders(client, services,
                                                                        platform):
    """Orders #1 and #2 of customers 901 and 902, whose tags were read for priority; 901 asks to
    be forgotten. Their order keeps its place in the queue, without the customer."""
    install(services)
    with services.db.transaction() as s:
        s.get(Shop, SHOP).policy = {"priority_tags": ["VIP"]}
    platform.add_variant(V1, available=5)
    platform.customers.update({"gid://shopify/Customer/901": ("VIP",),
                               "gid://shopify/Customer/902": ("VIP", "Wholesale")})
    for number in (1, 2):
        post_webhook(client, "orders/create", order_payload(number, [(number * 10 + 1, 1, 1)]))
    run_worker(services)
    assert mirrored(services, 1) == ("901", ["VIP"], 1)

    post_webhook(client, "customers/redact", {
        "shop_id": 1, "shop_domain": SHOP, "customer": {"id": 901, "email": "a@b.c"},
        "orders_to_redact": [1]})
    run_worker(services)
    customer, tags, owed = mirrored(services, 1)
    assert customer is None and not tags and owed == 1
    assert mirrored(services, 2) == ("902", ["VIP", "Wholesale"], 1)
    post_webhook(client, "customers/data_request",
                 {"shop_domain": SHOP, "customer": {"id": 901}, "data_request": {"id": 2}})
    run_worker(services)
    with services.db.transaction() as s:
        export = s.scalars(select(DataExport)).one()
        assert export.data == {"customer_id": "901", "records": {}}  # nothing left to hand over


def test_shop_redact_after_uninstall_deletes_everything(client, services):
    install(services)
    install(services, "other-shop.myshopify.com")
    post_webhook(client, "customers/data_request", {"shop_domain": SHOP, "customer": {"id": 5}})
    run_worker(services)
    services.installs.uninstall(SHOP)
    services.intake.forget(SHOP)
    assert post_webhook(client, "shop/redact", {"shop_id": 1, "shop_domain": SHOP}).json[
        "status"] == "accepted"
    run_worker(services)
    with services.db.transaction() as s:
        assert s.get(Shop, SHOP) is None
        assert s.scalar(select(func.count()).select_from(DataExport)) == 0
        assert s.scalar(select(func.count()).where(WebhookReceipt.shop == SHOP)) == 0
        assert s.get(Shop, "other-shop.myshopify.com") is not None
