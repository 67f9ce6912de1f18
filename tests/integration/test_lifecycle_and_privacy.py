"""app/uninstalled, app/scopes_update and the three compliance topics, through the worker."""

from __future__ import annotations

from sqlalchemy import func, select

from app.storage.tables import DataExport, Shop, WebhookReceipt
from tests.conftest import SHOP
from tests.integration.helpers import install, post_webhook
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
