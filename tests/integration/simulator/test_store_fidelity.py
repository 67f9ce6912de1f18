"""The app on behaviours where a real store differs from what a naive simulator shows: several
locations, untracked items, held lines, customer tags, order edits, and the timing of webhooks
(out of order, whole-second timestamps). Each test failed against the app before it followed the
platform (facts of shopify-fidelity.md: 1, 2, 3, 14, 15 and the delivery guarantees)."""

from __future__ import annotations

from app.storage.tables import Shop
from tests.integration.simulator.conftest import ManualClock

SMALL, MEDIUM, LARGE = 1, 2, 3


def location_ids(harness) -> list[int]:
    return [loc["id"] for loc in harness.store.shop_info(harness.shop)["locations"]]


def deliver(harness, order=None, skip=()) -> None:
    """Deliver the pending webhooks in the order `order` gives (a key on (topic, body)), leaving
    the topics in `skip` undelivered for later; then let the app work."""
    sender = harness.store.webhooks
    harness.store.process_due()
    with sender._cond:
        batch = [d for d in sender._outbox if d.topic not in skip]
        sender._outbox = [d for d in sender._outbox if d.topic in skip]
        sender._in_flight += len(batch)
    if order is not None:
        batch.sort(key=lambda d: order(d.topic, d.body))
    for delivery in batch:
        sender._send(delivery, retry_now=True)
    harness.services.queue.drain()


def no_holds(harness, *orders: int) -> bool:
    return all(harness.held(o) == {} and "backordered" not in harness.order(o)["tags"]
               for o in orders)


def test_a_second_location_does_not_make_covered_orders_wait(harnesses):
    """Two locations (5 units and none): four one-unit orders are all covered, though only the
    first location's stock moves and the other's reading stays old."""
    harness = harnesses(locations=("Warehouse", "Shop floor"))
    warehouse, floor = location_ids(harness)
    variant = harness.oversell(SMALL, available=5)
    harness.store.set_stock(harness.shop, variant, 0, location=floor)
    harness.settle()
    orders = [harness.sell((variant, 1)) for _ in range(4)]
    harness.settle()
    assert no_holds(harness, *orders)
    sixth = [harness.sell((variant, 1)) for _ in range(2)][-1]
    harness.settle()
    assert harness.held(sixth) == {harness.order(sixth)["line_items"][0]["id"]: 1}


def test_an_untracked_item_never_waits(harness):
    variant = harness.variants[SMALL]
    harness.store.set_stock(harness.shop, variant, 0)
    harness.store.set_tracked(harness.shop, variant, False)
    harness.settle()
    order = harness.sell((variant, 3))
    harness.settle()
    assert no_holds(harness, order)


def test_a_held_line_stays_held_when_the_order_is_updated(harness):
    """A held line reports `fulfillable_quantity: 0`; shipping the order's other line sends
    `orders/updated`, which must not read as "nothing owed" and release the hold."""
    short = harness.oversell(SMALL, available=0)
    other = harness.variants[LARGE]
    harness.store.set_stock(harness.shop, other, 10)
    order = harness.sell((short, 2), (other, 1))
    harness.settle()
    short_line = harness.order(order)["line_items"][0]["id"]
    assert harness.held(order) == {short_line: 2}
    harness.tick()
    harness.store.fulfil_order(harness.shop, order)  # ships the line that is not held
    harness.settle()
    assert harness.held(order) == {short_line: 2}
    assert harness.order(order)["tags"] == ["backordered"]


def test_customer_tags_read_from_the_platform_rank_the_queue(harness):
    with harness.services.db.transaction() as s:
        s.get(Shop, harness.shop).policy = {"priority_tags": ["VIP"]}
    variant = harness.oversell(SMALL, available=0)
    harness.tick()
    regular = harness.store.place_order(harness.shop, [(variant, 1)],
                                        customer={"email": "a@example.com"})["id"]
    harness.tick()
    vip = harness.store.place_order(harness.shop, [(variant, 1)],
                                    customer={"email": "b@example.com", "tags": ["VIP"]})["id"]
    harness.settle()
    harness.receive(variant, 1)
    harness.settle()
    assert harness.held(vip) == {} and harness.held(regular) != {}


def test_a_line_added_by_an_edit_took_stock_at_the_edit(harness):
    """A stock reading between the order and the edit does not yet count the added line out."""
    variant = harness.oversell(SMALL, available=2)
    other = harness.variants[LARGE]
    harness.store.set_stock(harness.shop, other, 10)
    order = harness.sell((other, 1))
    harness.settle()
    harness.tick()
    harness.store.set_stock(harness.shop, variant, 2)  # a reading after the order was placed
    harness.settle()
    harness.tick()
    harness.store.add_to_order(harness.shop, order, variant, 3)
    deliver(harness, skip={"inventory_levels/update"})  # the edit's own stock update is late
    added = harness.order(order)["line_items"][-1]["id"]
    assert harness.held(order) == {added: 1}
    harness.settle()
    assert harness.held(order) == {added: 1}


def test_an_order_delivered_late_is_still_first_in_line(harness):
    variant = harness.oversell(SMALL, available=1)
    first = harness.sell((variant, 1))
    second = harness.sell((variant, 1))
    # the second order's webhook first: it takes the unit in a plan nobody is told about
    deliver(harness, order=lambda topic, body: topic != "orders/create" or b'"#1002"' not in body)
    harness.settle()
    assert harness.held(first) == {}
    assert harness.held(second) == {harness.order(second)["line_items"][0]["id"]: 1}


def test_two_stock_updates_of_one_second_are_settled_by_the_platform(harness):
    """An order and a restock of 5 in the same second; their updates arrive newest first. The
    older must not win: the restock covers everyone."""
    variant = harness.oversell(SMALL, available=0)
    waiting = harness.sell((variant, 3))
    harness.settle()
    harness.tick()
    late = harness.store.place_order(harness.shop, [(variant, 1)])["id"]  # same second
    harness.store.receive_stock(harness.shop, variant, 5)
    reads = stock_reads(harness)
    deliver(harness, order=lambda topic, body: (topic == "inventory_levels/update",
                                                b'"available": -4' in body))
    harness.settle()
    assert no_holds(harness, waiting, late)
    assert stock_reads(harness) > reads


def stock_reads(harness) -> int:
    return harness.store.counters.get("requests_by_operation", {}).get("InventoryItemLevels", 0)


def test_stock_updates_of_one_second_lower_after_higher_need_no_read(harness):
    """Two orders in one second, their stock updates in the order they were made: sales only
    lower a level, so the lower, coming after, is the later, and the store need not be asked.
    With 3 units both orders are covered; a third order waits."""
    variant = harness.oversell(SMALL, available=3)
    harness.settle()
    harness.tick()
    orders = [harness.store.place_order(harness.shop, [(variant, n)])["id"] for n in (1, 2)]
    reads = stock_reads(harness)
    deliver(harness, order=lambda topic, body: (topic == "inventory_levels/update",
                                                b'"available": 0' in body))
    harness.settle()
    assert stock_reads(harness) == reads
    assert no_holds(harness, *orders)
    third = harness.sell((variant, 1))
    harness.settle()
    assert harness.held(third) == {harness.order(third)["line_items"][0]["id"]: 1}


def test_an_order_in_the_second_of_our_own_read_is_not_counted_twice(harness):
    """Reconciliation reads the stock at T.5; an order at T.8 is not in that reading."""
    clock: ManualClock = harness.sim_clock
    variant = harness.oversell(SMALL, available=2)
    earlier = harness.sell((variant, 1))  # reconciliation checks variants with open lines
    harness.settle()
    state = harness.store.shop(harness.shop)
    item = state.variants[variant].inventory_item_id
    (level,) = [lv for (it, _), lv in state.levels.items() if it == item]
    level.available = 2  # a restock's webhook was lost: the platform has 2, the app thinks 1
    clock.advance(2.5)
    assert harness.services.reconcile.run(harness.shop)["stock_fixed"] == 1
    clock.advance(0.3)
    order = harness.store.place_order(harness.shop, [(variant, 3)])["id"]
    harness.settle()
    assert harness.held(earlier) == {}
    assert harness.held(order) == {harness.order(order)["line_items"][0]["id"]: 1}


def test_an_order_of_the_readings_second_whose_own_update_is_late_is_not_counted_in_it(harness):
    """Two one-unit orders in one second, one unit on hand. The first order's stock update
    (0 left) took out one unit; the second order, delivered before its own update, is not in
    that reading, so it waits: the unit is the first order's."""
    variant = harness.oversell(SMALL, available=1)
    first = harness.sell((variant, 1))
    deliver(harness)
    second = harness.store.place_order(harness.shop, [(variant, 1)])["id"]  # the same second
    deliver(harness, skip={"inventory_levels/update"})
    assert harness.held(first) == {}
    assert harness.held(second) == {harness.order(second)["line_items"][0]["id"]: 1}
    harness.settle()
    assert harness.held(first) == {}
    assert harness.held(second) == {harness.order(second)["line_items"][0]["id"]: 1}


def test_an_order_whose_update_came_first_is_in_the_reading(harness):
    """The stock-first case of the same second: the reading that took one unit out is the
    order's own, so the order is covered by the unit left, and nobody else waits for it."""
    variant = harness.oversell(SMALL, available=2)
    harness.tick()
    order = harness.store.place_order(harness.shop, [(variant, 1)])["id"]
    deliver(harness, order=lambda topic, body: topic != "inventory_levels/update")
    assert no_holds(harness, order)
    harness.tick()
    second = harness.store.place_order(harness.shop, [(variant, 1)])["id"]
    deliver(harness, order=lambda topic, body: topic != "inventory_levels/update")
    assert no_holds(harness, order, second)
    third = harness.sell((variant, 1))
    harness.settle()
    assert harness.held(third) == {harness.order(third)["line_items"][0]["id"]: 1}
