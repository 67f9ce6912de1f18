"""A Saleor variant sold past zero (`trackInventory: false`), through the app: orders become
backorders with an ETA in the order's metadata, and a stock update fills them in queue order.
Saleor is faked at the HTTP edge only; the payloads have the shape of the app's subscriptions."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.storage.tables import OrderLine, Variant
from tests.saleor_edge import API
from tests.saleor_keys import sign

VARIANT = "UHJvZHVjdFZhcmlhbnQ6MQ=="
WAREHOUSE = "V2FyZWhvdXNlOjE="


def variant(quantity: int, track: bool = False, allocated: int = 0) -> dict:
    return {"id": VARIANT, "sku": "MUG-1", "trackInventory": track,
            "product": {"id": "UHJvZHVjdDox", "name": "Mug", "slug": "mug",
                        "category": {"id": "Q2F0ZWdvcnk6MQ=="},
                        "productType": {"id": "UHJvZHVjdFR5cGU6MQ=="}},
            "stocks": [{"warehouse": {"id": WAREHOUSE, "slug": "main"}, "quantity": quantity,
                        "quantityAllocated": allocated, "quantityReserved": 0}]}


def order_event(number: int, quantity: int, stock: int, at: str, fulfilled: int = 0,
                status: str = "UNFULFILLED", track: bool = False, kind: str = "OrderCreated",
                allocated: int = 0):
    order_id = f"T3JkZXI6{number}"
    return {"__typename": kind, "issuedAt": at, "version": "3.23.28",
            "issuingPrincipal": {"__typename": "User", "id": "VXNlcjox"},
            "order": {"id": order_id, "number": str(number), "status": status, "created": at,
                      "updatedAt": at, "userEmail": "c@example.com",
                      "channel": {"id": "Q2hhbm5lbDox", "slug": "default"},
                      "lines": [{"id": f"T3JkZXJMaW5lOj{number}", "productName": "Mug",
                                 "variantName": "Blue", "productSku": "MUG-1",
                                 "productVariantId": VARIANT, "quantity": quantity,
                                 "quantityFulfilled": fulfilled,
                                 "quantityToFulfill": quantity - fulfilled, "allocations": [],
                                 "variant": variant(stock, track, allocated)}]}}


def stock_event(quantity: int, at: str, track: bool = False, allocated: int = 0) -> dict:
    return {"__typename": "ProductVariantStockUpdated", "issuedAt": at,
            "issuingPrincipal": {"__typename": "User", "id": "VXNlcjox"},
            "warehouse": {"id": WAREHOUSE, "slug": "main"},
            "productVariant": variant(quantity, track, allocated)}


def deliver(client, event: str, payload: dict):
    body = json.dumps(payload).encode()
    answer = client.post("/saleor/webhooks", data=body, headers={
        "Saleor-Api-Url": API, "Saleor-Event": event, "Saleor-Signature": sign(body)})
    assert answer.status_code == 200 and answer.json["status"] == "accepted", answer.json
    return answer


def lines(services) -> dict[str, tuple[int, int]]:
    with services.db.transaction() as s:
        return {r.order_id: (r.covered, r.backordered) for r in s.scalars(
            select(OrderLine).where(OrderLine.shop == API))}


def test_sold_past_zero_then_filled_in_queue_order(client, services, saleor):
    deliver(client, "order_created", order_event(1, 1, 1, "2026-11-20T10:00:00+00:00"))
    deliver(client, "order_created", order_event(2, 2, 1, "2026-11-20T10:05:00+00:00"))
    deliver(client, "order_created", order_event(3, 1, 1, "2026-11-20T10:10:00+00:00"))
    services.queue.drain()
    assert lines(services) == {"T3JkZXI61": (1, 0), "T3JkZXI62": (0, 2), "T3JkZXI63": (0, 1)}
    second = saleor.metadata["T3JkZXI62"]
    assert second["backorders.status"] == "waiting" and second["backorders.tags"] == "backordered"
    assert json.loads(second["backorders.lines"])[0]["backordered"] == 2
    assert second["backorders.eta"] > "2026-11-20"
    assert "T3JkZXI61" not in saleor.metadata  # never short: nothing of ours written on it

    deliver(client, "product_variant_stock_updated",
            stock_event(3, "2026-11-20T11:00:00+00:00"))  # two more units came in
    services.queue.drain()
    assert lines(services) == {"T3JkZXI61": (1, 0), "T3JkZXI62": (2, 0), "T3JkZXI63": (0, 1)}
    assert saleor.metadata["T3JkZXI62"]["backorders.status"] == "ready"
    assert saleor.metadata["T3JkZXI62"]["backorders.tags"] == ""
    assert saleor.metadata["T3JkZXI63"]["backorders.status"] == "waiting"


def test_shipping_an_untracked_line_uses_up_the_count_until_it_is_set_again(client, services,
                                                                            saleor):
    deliver(client, "order_created", order_event(1, 2, 2, "2026-11-20T10:00:00+00:00"))
    services.queue.drain()
    # The first order ships: Saleor's quantity stays 2, but those units are gone.
    deliver(client, "order_updated", order_event(1, 2, 2, "2026-11-20T12:00:00+00:00",
                                                 fulfilled=2, status="FULFILLED",
                                                 kind="OrderUpdated"))
    deliver(client, "order_created", order_event(2, 1, 2, "2026-11-20T13:00:00+00:00"))
    services.queue.drain()
    assert lines(services)["T3JkZXI62"] == (0, 1)
    with services.db.transaction() as s:
        assert s.get(Variant, (API, VARIANT)).shipped_since == 2
    deliver(client, "product_variant_stock_updated",
            stock_event(1, "2026-11-20T14:00:00+00:00"))  # counted again: one on the shelf
    services.queue.drain()
    assert lines(services)["T3JkZXI62"] == (1, 0)


def test_a_tracked_variant_waits_only_once_staff_lower_its_stock_below_what_is_allocated(
        client, services, saleor):
    """Saleor allocated both orders at checkout (stock 4, 4 allocated): nothing waits. Staff
    then count 3 on the shelf: the later order's second unit waits, in queue order."""
    deliver(client, "order_created", order_event(1, 2, 4, "2026-11-20T10:00:00+00:00",
                                                 track=True, allocated=2))
    deliver(client, "order_created", order_event(2, 2, 4, "2026-11-20T10:05:00+00:00",
                                                 track=True, allocated=4))
    services.queue.drain()
    assert lines(services) == {"T3JkZXI61": (2, 0), "T3JkZXI62": (2, 0)}
    assert saleor.writes == []  # never short: nothing of ours written
    deliver(client, "product_variant_stock_updated",
            stock_event(3, "2026-11-20T11:00:00+00:00", track=True, allocated=4))
    services.queue.drain()
    assert lines(services) == {"T3JkZXI61": (2, 0), "T3JkZXI62": (1, 1)}
    assert saleor.metadata["T3JkZXI62"]["backorders.status"] == "partially_ready"


def _other(payload: dict, number: int, name: str) -> dict:
    """The payload about another product of the same type: variant and product ids renamed."""
    text = json.dumps(payload).replace(VARIANT, f"UHJvZHVjdFZhcmlhbnQ6{number}")
    return json.loads(text.replace("UHJvZHVjdDox", f"UHJvZHVjdDo{number}")
                      .replace('"Mug"', f'"{name}"').replace("MUG-1", f"{name.upper()}-1"))


def test_a_variant_sold_past_zero_offers_only_the_units_its_own_lines_do_not_need(
        client, services, saleor):
    """Cups (5 counted, none ordered) are free to offer; plates (2 counted, 2 ordered) are
    not, though Saleor's count of them is above zero."""
    at = "2026-11-20T09:00:00+00:00"
    deliver(client, "product_variant_stock_updated", _other(stock_event(5, at), 2, "Cup"))
    deliver(client, "product_variant_stock_updated", _other(stock_event(2, at), 3, "Plate"))
    deliver(client, "order_created",
            _other(order_event(1, 2, 2, "2026-11-20T09:30:00+00:00"), 3, "Plate"))
    deliver(client, "order_created", order_event(2, 1, 0, "2026-11-20T10:00:00+00:00"))
    services.queue.drain()
    shown = saleor.metadata["T3JkZXI62"]
    assert json.loads(shown["backorders.alternatives"]) == ["UHJvZHVjdFZhcmlhbnQ62"]  # cups
