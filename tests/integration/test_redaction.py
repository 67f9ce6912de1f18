"""customers/redact clears the customer from every place their data can sit: the mirrored order,
exports made for earlier data requests, receipts not processed yet (waiting, or dead letters)
with their payload as sent, and the error text of failed attempts. Each place is seeded, then the
whole database is searched for the customer's details."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.storage.dead_letters import ReceiptFailure
from app.storage.tables import Base, Order, Shop, WebhookReceipt
from tests.conftest import SHOP
from tests.integration.helpers import install, post_webhook
from tests.integration.test_backorder_flow import V1, order_payload

EMAIL, PHONE, STREET, NAME = "ada@example.com", "+15550100", "12 Lovelace Lane", "Ada"
SURNAME = "Byron-King"  # kept on the mirrored order for the queue's search
PERSON = (EMAIL, PHONE, STREET, NAME, SURNAME)


def with_customer(number: int, customer: int = 901) -> dict:
    address = {"first_name": NAME, "last_name": "L", "address1": STREET, "phone": PHONE}
    return {**order_payload(number, [(number * 10 + 1, 1, 1)]),
            "customer": {"id": customer, "email": EMAIL, "first_name": NAME,
                         "last_name": SURNAME, "phone": PHONE},
            "email": EMAIL, "contact_email": EMAIL, "phone": PHONE, "billing_address": address,
            "shipping_address": address, "client_details": {"browser_ip": "203.0.113.9"},
            "note": f"call {NAME}"}


def everything(services) -> str:
    """Every row of every table, as text."""
    with services.db.transaction() as s:
        return json.dumps({t.name: [list(map(str, r)) for r in s.execute(select(t))]
                           for t in Base.metadata.sorted_tables})


def seed(client, services, platform) -> None:
    install(services)
    with services.db.transaction() as s:
        s.get(Shop, SHOP).policy = {"priority_tags": ["VIP"]}
    platform.add_variant(V1, available=5)
    platform.customers["gid://shopify/Customer/901"] = ("VIP",)
    post_webhook(client, "orders/create", with_customer(1))  # mirrored: customer id and tags
    post_webhook(client, "customers/data_request",  # an export for the merchant
                 {"shop_domain": SHOP, "customer": {"id": 901, "email": EMAIL},
                  "data_request": {"id": 7}})
    services.queue.drain()
    post_webhook(client, "orders/updated", with_customer(1))  # waiting, payload as sent
    post_webhook(client, "orders/create", with_customer(2))  # a dead letter, error and all
    services.queue.take_receipts()
    services.queue.huey.flush()  # their jobs are lost: only the receipts hold them
    with services.db.transaction() as s:
        dead = s.scalars(select(WebhookReceipt.id).where(WebhookReceipt.topic == "orders/create",
                                                         WebhookReceipt.processed_at.is_(None))).one()
    services.intake.record_failure(dead, ValueError(f"no address for {EMAIL}"), 1)
    text = everything(services)
    assert all(detail in text for detail in PERSON)


def test_redaction_leaves_nothing_of_the_customer_anywhere(client, services, platform):
    seed(client, services, platform)
    post_webhook(client, "customers/redact", {
        "shop_domain": SHOP, "customer": {"id": 901, "email": EMAIL, "phone": PHONE},
        "orders_to_redact": [1, 2]})
    services.queue.drain()
    text = everything(services)
    assert not [detail for detail in PERSON if detail in text]
    with services.db.transaction() as s:
        assert [o.customer_id for o in s.scalars(select(Order))] == [None]
        assert s.scalars(select(ReceiptFailure.last_error)).one() is None


def test_a_scrubbed_receipt_is_still_handled_without_the_customer(client, services, platform):
    seed(client, services, platform)
    post_webhook(client, "customers/redact", {
        "shop_domain": SHOP, "customer": {"id": 901, "email": EMAIL}, "orders_to_redact": [1]})
    services.queue.drain()
    for receipt_id in services.intake.unprocessed(services.clock()):
        services.events.process_receipt(receipt_id)
    with services.db.transaction() as s:
        orders = {o.order_id: o.customer_id for o in s.scalars(select(Order))}
    assert orders == {"gid://shopify/Order/1": None}  # order 2 is still a dead letter
    assert not [detail for detail in PERSON if detail in everything(services)]


def test_another_customers_waiting_receipt_is_kept_whole(client, services, platform):
    install(services)
    post_webhook(client, "orders/create", {**order_payload(3, [(31, 1, 1)]),
                                           "email": "grace@example.com", "customer": {"id": 902}})
    services.queue.take_receipts()
    services.queue.huey.flush()  # its job is lost: the receipt waits
    post_webhook(client, "customers/redact", {
        "shop_domain": SHOP, "customer": {"id": 901, "email": EMAIL}, "orders_to_redact": [1]})
    services.queue.drain()
    with services.db.transaction() as s:
        payload = json.loads(s.scalars(select(WebhookReceipt.payload).where(
            WebhookReceipt.topic == "orders/create")).one())
    assert payload["email"] == "grace@example.com" and payload["customer"] == {"id": 902}
