"""The mission end to end through the webhook intake, the worker and the sync, against the
in-memory platform: oversold lines are backordered, held, filled in queue order."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.storage.tables import EtaChangeRow, OrderLine, OrderSync, RestockRow, Shop
from tests.integration.helpers import post_webhook, queue_position

V1 = "gid://shopify/ProductVariant/1"
ITEM1 = "gid://shopify/InventoryItem/1"


def order_payload(number: int, lines: list[tuple[int, int, int]], minute: int = 0,
                  updated_minute: int | None = None, cancelled: bool = False,
                  hour: int = 11) -> dict:
    """Orders at 11:MM come before the stock the fake platform reports at 12:00. As in Shopify's
    2026-07 payloads: the customer's tags are not in it, and a tracked item says so."""
    created = f"2026-11-20T{hour}:{minute:02d}:00Z"
    updated = f"2026-11-20T{hour}:{updated_minute if updated_minute is not None else minute:02d}:30Z"
    return {
        "id": number, "admin_graphql_api_id": f"gid://shopify/Order/{number}", "name": f"#{number}",
        "created_at": created, "updated_at": updated,
        "cancelled_at": updated if cancelled else None,
        "order_number": number + 1000,
        "customer": {"id": 900 + number},
        "line_items": [{"id": line, "admin_graphql_api_id": f"gid://shopify/LineItem/{line}",
                        "variant_id": variant, "quantity": qty, "current_quantity": qty,
                        "fulfillable_quantity": qty, "requires_shipping": True,
                        "variant_inventory_management": "shopify",
                        "name": f"Variant {variant}"} for line, variant, qty in lines],
    }


def stock_payload(available: int, minute: int) -> dict:
    return {"inventory_item_id": 1, "location_id": 1, "available": available,
            "updated_at": f"2026-11-20T12:{minute:02d}:45Z"}


def work(services) -> None:
    services.queue.drain()


def line(services, line_id: int) -> OrderLine:
    with services.db.transaction() as s:
        return s.get(OrderLine, ("test-shop.myshopify.com", f"gid://shopify/LineItem/{line_id}"))


def position(services, line_id: int) -> int | None:
    with services.db.transaction() as s:
        return queue_position(s, line(services, line_id))


def test_oversold_line_is_backordered_tagged_and_held(flow, platform):
    client, services = flow
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 3)]))
    work(services)
    row = line(services, 11)
    assert (row.covered, row.backordered, position(services, 11)) == (2, 1, 1)
    assert row.eta is not None and row.first_eta == row.eta
    order = platform.orders["gid://shopify/Order/1"]
    assert order.tags == {"backordered"}
    assert order.metafields["status"] == "partially_ready"
    assert json.loads(order.metafields["lines"])[0]["backordered"] == 1
    assert platform.held("gid://shopify/Order/1") == {}  # no fulfillment order yet
    platform.route("gid://shopify/Order/1", {"gid://shopify/LineItem/11": 3})
    post_webhook(client, "fulfillment_orders/order_routing_complete",
                 {"fulfillment_order": {"id": 5, "status": "open"}})
    work(services)
    assert platform.held("gid://shopify/Order/1") == {"gid://shopify/LineItem/11": 1}
    fos = platform.orders["gid://shopify/Order/1"].fulfillment_orders
    assert sorted(fo.status for fo in fos) == ["ON_HOLD", "OPEN"]  # the partial hold split it


def test_restock_fills_and_releases(flow, platform):
    client, services = flow
    platform.route("gid://shopify/Order/1", {"gid://shopify/LineItem/11": 3})
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 3)]))
    work(services)
    assert platform.held("gid://shopify/Order/1") == {"gid://shopify/LineItem/11": 1}
    post_webhook(client, "inventory_levels/update", stock_payload(0, 1))
    work(services)
    assert (line(services, 11).covered, line(services, 11).backordered) == (3, 0)
    order = platform.orders["gid://shopify/Order/1"]
    assert platform.held("gid://shopify/Order/1") == {}
    assert order.tags == set() and order.metafields["status"] == "ready"


def test_cancellation_frees_units_for_the_next_in_line(flow, platform):
    """Only the cancellation arrives (its stock update is late): the cancelled order owes nothing
    any more, and the units it was given go to the next in line, who is released."""
    client, services = flow
    platform.add_variant(V1, available=2)  # two in stock when read, at 12:00; both orders later
    platform.route("gid://shopify/Order/2", {"gid://shopify/LineItem/21": 2})
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 2)], minute=1, hour=12))
    post_webhook(client, "orders/create", order_payload(2, [(21, 1, 2)], minute=2, hour=12))
    work(services)
    assert (line(services, 11).covered, line(services, 21).backordered) == (2, 2)
    assert platform.held("gid://shopify/Order/2") == {"gid://shopify/LineItem/21": 2}

    response = post_webhook(client, "orders/cancelled", order_payload(
        1, [(11, 1, 2)], minute=1, updated_minute=5, cancelled=True, hour=12))
    assert response.json["status"] == "accepted"
    work(services)
    assert (line(services, 11).open_quantity, line(services, 11).covered) == (0, 0)
    assert (line(services, 21).covered, line(services, 21).backordered) == (2, 0)
    assert position(services, 21) is None
    order = platform.orders["gid://shopify/Order/2"]
    assert platform.held("gid://shopify/Order/2") == {}
    assert order.tags == set() and order.metafields["status"] == "ready"


def test_vip_customers_are_served_first_without_bumping_lines_told_ready(flow, platform):
    client, services = flow
    with services.db.transaction() as s:
        s.get(Shop, "test-shop.myshopify.com").policy = {"priority_tags": ["VIP"]}
    platform.customers["gid://shopify/Customer/903"] = ("VIP",)  # read over GraphQL only
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 3)], minute=0))
    work(services)  # two of three ready: the store is told so
    assert (line(services, 11).covered, line(services, 11).backordered) == (2, 1)
    post_webhook(client, "orders/create", order_payload(2, [(21, 1, 2)], minute=1, hour=12))
    post_webhook(client, "orders/create", order_payload(3, [(31, 1, 2)], minute=2, hour=12))
    post_webhook(client, "inventory_levels/update", stock_payload(-5, 3))
    work(services)
    assert line(services, 11).covered == 2  # told ready: kept, no bumping
    assert [position(services, n) for n in (31, 11, 21)] == [1, 2, 3]
    post_webhook(client, "inventory_levels/update", stock_payload(-4, 4))  # one unit arrives
    work(services)
    assert [line(services, n).covered for n in (31, 11, 21)] == [1, 2, 0]
    assert platform.calls.count("customer_tags") == 3  # once per order, not per update


def test_a_plan_nobody_was_told_about_is_not_a_promise(flow, platform):
    """The later order's webhook came first and took the last unit in a plan the store never
    saw; the earlier order, delivered late, is first come, first served."""
    client, services = flow
    platform.add_variant(V1, available=1)  # one in stock when read, at 12:00
    post_webhook(client, "orders/create", order_payload(2, [(21, 1, 1)], minute=1, hour=12))
    work(services)
    assert line(services, 21).covered == 1
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 1)], minute=0, hour=12))
    post_webhook(client, "inventory_levels/update", stock_payload(-1, 2))
    work(services)
    assert (line(services, 11).covered, line(services, 21).backordered) == (1, 1)
    assert platform.orders["gid://shopify/Order/2"].tags == {"backordered"}
    first = platform.orders.get("gid://shopify/Order/1")
    assert first is None or not first.tags


def test_duplicates_and_reordering_change_nothing(flow, platform):
    client, services = flow
    platform.add_variant(V1, available=1)  # two in stock, the edited order holds one
    old = order_payload(1, [(11, 1, 3)], minute=0, updated_minute=0)
    new = order_payload(1, [(11, 1, 1)], minute=0, updated_minute=9)  # edited down to one unit
    post_webhook(client, "orders/updated", new)
    post_webhook(client, "orders/create", old)  # arrives late: stale
    post_webhook(client, "orders/updated", new, **{"X-Shopify-Webhook-Id": "dup"})
    post_webhook(client, "orders/updated", new, **{"X-Shopify-Webhook-Id": "dup"})
    work(services)
    row = line(services, 11)
    assert (row.open_quantity, row.covered, row.backordered) == (1, 1, 0)


def test_restock_entry_gives_the_eta_and_changes_are_recorded(flow, platform, clock):
    client, services = flow
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 3)]))
    work(services)
    first = line(services, 11).eta
    with services.db.transaction() as s:
        s.add(RestockRow(id="r1", shop="test-shop.myshopify.com", pool=f"{V1}@*", variant_id=V1,
                         quantity=5, expected_on=clock().date().replace(day=24), source="merchant",
                         reference="PO-1", created_at=clock()))
        services.planning.replan(s, "test-shop.myshopify.com", {f"{V1}@*"}, "restock entered")
    row = line(services, 11)
    assert row.eta_source == "restock" and row.eta_restock_id == "r1"
    assert row.eta < first and row.first_eta == first
    with services.db.transaction() as s:
        reasons = [r.reason for r in s.scalars(select(EtaChangeRow).order_by(EtaChangeRow.id))]
    assert reasons[0].startswith("promised") and reasons[-1] == "earlier: restock entered"


def test_failed_sync_stays_pending_and_the_next_run_finishes(flow, platform):
    client, services = flow
    platform.fail_next_apply = "Throttled"
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 3)]))
    work(services)
    with services.db.transaction() as s:
        row = s.get(OrderSync, ("test-shop.myshopify.com", "gid://shopify/Order/1"))
        assert row.pending and row.attempts == 1 and "Throttled" in row.last_error
    services.sync.run("test-shop.myshopify.com")
    assert platform.orders["gid://shopify/Order/1"].tags == {"backordered"}
    applies = platform.calls.count("apply")
    services.sync.run("test-shop.myshopify.com")  # nothing left to do, nothing written again
    assert platform.calls.count("apply") == applies


def test_alternatives_are_suggested_and_a_sold_out_one_disappears(flow, platform):
    client, services = flow
    platform.add_variant("gid://shopify/ProductVariant/2", available=5, title="Large",
                         options=(("Size", "Large"),), price="50")
    platform.add_variant(V1, available=-1, title="Small", options=(("Size", "Small"),), price="50")
    services.onboarding.setup("test-shop.myshopify.com")
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 3)]))
    work(services)
    assert [a["variant_id"] for a in line(services, 11).alternatives] == [
        "gid://shopify/ProductVariant/2"]
    order = platform.orders["gid://shopify/Order/1"]
    assert json.loads(order.metafields["alternatives"]) == ["gid://shopify/ProductVariant/2"]
    post_webhook(client, "inventory_levels/update", {
        "inventory_item_id": 2, "location_id": 1, "available": 0,
        "updated_at": "2026-11-20T12:30:00Z"})
    work(services)
    assert line(services, 11).alternatives == []
    assert json.loads(order.metafields["alternatives"]) == []


def test_an_overdue_restock_slips_the_etas_it_carried(flow, platform, clock):
    client, services = flow
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 3)]))
    work(services)
    with services.db.transaction() as s:
        s.add(RestockRow(id="r1", shop="test-shop.myshopify.com", pool=f"{V1}@*", variant_id=V1,
                         quantity=5, expected_on=clock().date().replace(day=24), source="merchant",
                         reference="PO-1", created_at=clock()))
        services.planning.replan(s, "test-shop.myshopify.com", {f"{V1}@*"}, "restock entered")
    promised = line(services, 11).eta
    assert not line(services, 11).eta_slipped
    clock.advance(days=5)  # the 24th has passed and nothing arrived
    with services.db.transaction() as s:
        assert services.planning.replan_overdue(s, "test-shop.myshopify.com")
    row = line(services, 11)
    assert row.eta_slipped and row.eta > promised
    assert row.first_eta not in (promised, row.eta)  # the first promise (lead time) is kept


def test_reconciliation_corrects_stock_drift_and_replans(flow, platform):
    client, services = flow
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 3)]))
    work(services)
    assert line(services, 11).backordered == 1
    platform.add_variant(V1, available=0)  # an inventory webhook was lost: one unit came in
    report = services.reconcile.run("test-shop.myshopify.com")
    assert report["stock_fixed"] == 1 and report["orders_to_sync"] == 1
    assert line(services, 11).backordered == 0
    assert services.reconcile.run("test-shop.myshopify.com")["stock_fixed"] == 0


def holds_due(services, order: str) -> bool:
    with services.db.transaction() as s:
        return s.get(OrderSync, ("test-shop.myshopify.com", order)).holds_due


def test_holds_stay_due_until_the_sync_places_them(flow, platform):
    """A newer plan that leaves the holds as they were (a new date only) keeps them due."""
    client, services = flow
    platform.route("gid://shopify/Order/1", {"gid://shopify/LineItem/11": 3})
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 3)]))
    huey = services.queue.huey
    services.queue.take_receipts()  # as the worker does
    while (task := huey.dequeue()) is not None:  # everything but the sync
        if task.name != "sync":
            huey.execute(task)
    assert holds_due(services, "gid://shopify/Order/1")

    services.restocks.create("test-shop.myshopify.com", {
        "variant_id": V1, "quantity": 1, "expected_date": "2026-12-04"})  # a new ETA, same holds
    assert holds_due(services, "gid://shopify/Order/1")

    services.sync.run("test-shop.myshopify.com")
    assert platform.held("gid://shopify/Order/1") == {"gid://shopify/LineItem/11": 1}
    assert not holds_due(services, "gid://shopify/Order/1")
