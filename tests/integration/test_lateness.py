"""Supplier lateness is learned from the restocks that actually came in: through the webhook
intake and the worker, against the in-memory platform, over several days."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.domain.lead_time import StockoutRestock, lead_time_for, summarise_history
from app.services.planning import shop_policy
from app.storage.tables import RestockRow, StockoutRow
from tests.integration.helpers import post_webhook
from tests.integration.test_backorder_flow import line, order_payload, work

SHOP = "test-shop.myshopify.com"
V1 = "gid://shopify/ProductVariant/1"
POOL = f"{V1}@*"
DAY = date(2026, 11, 20)  # a Friday: the order comes in and the variant runs short
EXPECTED = date(2026, 11, 24)  # the restock's date, as the supplier quoted it
ARRIVED = date(2026, 11, 27)  # three days late


def on(day: date, payload: dict, hour: int = 13) -> dict:
    """An order payload of another day (the helper's orders are all of the 20th)."""
    stamp = f"{day.isoformat()}T{hour}:00:00Z"
    return {**payload, "created_at": stamp, "updated_at": stamp}


def stock(available: int, day: date, hour: int = 12) -> dict:
    return {"inventory_item_id": 1, "location_id": 1, "available": available,
            "updated_at": f"{day.isoformat()}T{hour}:00:45Z"}


def restock(services, clock, restock_id: str, quantity: int, expected_on: date) -> None:
    with services.db.transaction() as s:
        s.add(RestockRow(id=restock_id, shop=SHOP, pool=POOL, variant_id=V1, quantity=quantity,
                         expected_on=expected_on, source="purchase_order",
                         reference=restock_id.upper(), created_at=clock()))
        services.planning.replan(s, SHOP, {POOL}, "restock entered")


def move_to(clock, day: date) -> None:
    clock.advance(days=(day - clock().date()).days)


def stockouts(services) -> list[StockoutRow]:
    with services.db.transaction() as s:
        return list(s.scalars(select(StockoutRow).order_by(StockoutRow.id)))


def learned(services):
    """The estimate planning uses for the variant, from the history the app recorded."""
    with services.db.transaction() as s:
        policy = shop_policy(s, SHOP)
    history = [StockoutRestock(r.variant_id, r.vendor, r.stockout_on, r.restocked_on, r.expected_on)
               for r in stockouts(services) if r.restocked_on is not None]
    return lead_time_for(policy, summarise_history(history), V1, "Shirts", "Acme")


def short_and_restocked(flow, clock, *restocks: tuple[str, int, date]) -> None:
    """Order 1 takes three units of two: one is owed from the 20th; the restocks are entered."""
    client, services = flow
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 3)]))
    work(services)
    assert line(services, 11).backordered == 1
    for restock_id, quantity, expected_on in restocks:
        restock(services, clock, restock_id, quantity, expected_on)


def test_a_late_restock_teaches_the_delay(flow, clock):
    client, services = flow
    short_and_restocked(flow, clock, ("po-1", 5, EXPECTED))
    assert learned(services).restock_delay_days == 0  # nothing learned yet
    move_to(clock, ARRIVED)
    post_webhook(client, "inventory_levels/update", stock(4, ARRIVED))  # the five units came
    work(services)
    assert line(services, 11).backordered == 0
    [row] = stockouts(services)
    assert (row.stockout_on, row.expected_on, row.restocked_on) == (DAY, EXPECTED, ARRIVED)
    estimate = learned(services)
    assert estimate.restock_delay_days == 3  # Acme runs three days late
    assert estimate.observations == 1 and estimate.scope == "variant"

    # The next shortage: the restock's date is no longer taken at its word.
    post_webhook(client, "orders/create",
                 on(ARRIVED, order_payload(2, [(21, 1, 10)]), hour=13))
    post_webhook(client, "inventory_levels/update", stock(-6, ARRIVED, hour=13))
    work(services)
    assert line(services, 21).backordered == 6
    restock(services, clock, "po-2", 10, date(2026, 12, 14))  # a Monday
    row = line(services, 21)
    assert row.eta_source == "restock" and row.eta_restock_id == "po-2"
    assert row.eta == date(2026, 12, 18)  # due the 14th, in on the 17th, shipped a day later


def test_the_restock_that_came_is_recorded_not_the_one_still_expected(flow, clock):
    client, services = flow
    short_and_restocked(flow, clock, ("po-1", 5, EXPECTED), ("po-2", 5, date(2026, 12, 10)))
    move_to(clock, ARRIVED)
    post_webhook(client, "inventory_levels/update", stock(4, ARRIVED))
    work(services)
    [row] = stockouts(services)
    assert (row.expected_on, row.restocked_on) == (EXPECTED, ARRIVED)
    with services.db.transaction() as s:
        pending = s.scalars(select(RestockRow.id).where(RestockRow.arrived_at.is_(None))).all()
    assert pending == ["po-2"]


def test_a_restock_that_came_in_part_is_recorded_and_the_rest_still_expected(flow, clock):
    client, services = flow
    short_and_restocked(flow, clock, ("po-1", 10, EXPECTED))
    move_to(clock, ARRIVED)
    post_webhook(client, "inventory_levels/update", stock(3, ARRIVED))  # four of ten
    work(services)
    assert line(services, 11).backordered == 0
    [row] = stockouts(services)
    assert (row.expected_on, row.restocked_on) == (EXPECTED, ARRIVED)
    with services.db.transaction() as s:
        rows = {(r.id == "po-1", r.quantity, r.expected_on, r.reference, r.arrived_at is not None)
                for r in s.scalars(select(RestockRow))}
    assert rows == {(True, 6, EXPECTED, "PO-1", False), (False, 4, EXPECTED, "PO-1", True)}


def test_stock_nobody_entered_leaves_a_restock_still_far_off_expected(flow, clock):
    client, services = flow
    far = date(2026, 12, 21)
    short_and_restocked(flow, clock, ("po-1", 5, far))
    move_to(clock, EXPECTED)
    post_webhook(client, "inventory_levels/update", stock(2, EXPECTED))  # three units, unentered
    work(services)
    assert line(services, 11).backordered == 0
    with services.db.transaction() as s:
        [row] = s.scalars(select(RestockRow)).all()
    assert (row.quantity, row.arrived_at) == (5, None)


def test_a_late_restock_teaches_the_delay_without_a_shortage(flow, clock):
    client, services = flow
    restock(services, clock, "po-1", 5, EXPECTED)  # nothing is owed: no stockout to close
    move_to(clock, ARRIVED)
    post_webhook(client, "inventory_levels/update", stock(7, ARRIVED))  # two on hand, five came
    work(services)
    assert stockouts(services) == []
    post_webhook(client, "orders/create", on(ARRIVED, order_payload(2, [(21, 1, 17)]), hour=13))
    post_webhook(client, "inventory_levels/update", stock(-10, ARRIVED, hour=13))
    work(services)
    assert line(services, 21).backordered == 10
    restock(services, clock, "po-2", 10, date(2026, 12, 14))  # a Monday
    row = line(services, 21)
    assert row.eta_restock_id == "po-2"
    assert row.eta == date(2026, 12, 18)  # three days late, as po-1 was, then a day to ship


def test_a_shortage_over_within_its_day_teaches_no_lead_time(flow, clock):
    """Stock comes back the day the variant ran short (an order cancelled, or stock events that
    reached us out of order): its stockout is forgotten, not learned as a restock in 0 days."""
    client, services = flow
    move_to(clock, DAY)
    short_and_restocked(flow, clock)
    post_webhook(client, "inventory_levels/update", stock(1, DAY, hour=14))
    work(services)
    assert line(services, 11).backordered == 0
    assert stockouts(services) == []


def test_a_pass_over_the_whole_shop_plans_with_the_history_an_event_would(flow, clock):
    """The job a settings change queues reads the shop's lead-time history once for all its
    pools: the vendor's past stockouts, which lasted 40 days, date the owed unit as a re-plan
    of its pool alone does."""
    client, services = flow
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 3)]))
    work(services)
    before = line(services, 11).eta
    with services.db.transaction() as s:
        for n in range(6):
            other = f"gid://shopify/ProductVariant/{900 + n}"
            s.add(StockoutRow(shop=SHOP, pool=f"{other}@*", variant_id=other, vendor="Acme",
                              stockout_on=date(2026, 6, 1), restocked_on=date(2026, 7, 11)))

    services.backorders.replan_shop(SHOP, "settings changed")
    whole_shop = line(services, 11).eta
    with services.db.transaction() as s:
        services.planning.replan(s, SHOP, {POOL}, "restock overdue")

    assert whole_shop > before
    assert line(services, 11).eta == whole_shop
