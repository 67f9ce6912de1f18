"""A hold of some lines splits the fulfillment order, and releasing our hold reopens it; the
platform tells the app of either as of anyone's. What our own write made is known already: it
must not cost a second read of the order. Any other split or release (the merchant's, other
units, a replacement) is read again, and so is a change that comes while the sync is writing the
order."""

from __future__ import annotations

from app.services.fulfillment_events import FulfillmentEvents
from app.services.ports import FulfillmentOrderSplit
from app.services.sync import Sync
from app.storage.tables import OrderSync
from tests.conftest import SHOP
from tests.integration.helpers import install, post_webhook

ORDER = "gid://shopify/Order/7"
SHORT, STOCKED = "gid://shopify/LineItem/71", "gid://shopify/LineItem/72"


def held_in_part(services, platform, clock) -> None:
    """An order owing 2 of its 3 units of one line, with a second line in stock: the hold of the
    2 units splits its fulfillment order, moving 1 unit and the other line's 2."""
    platform.route(ORDER, {SHORT: 3, STOCKED: 2})
    with services.db.transaction() as s:
        s.add(OrderSync(shop=SHOP, order_id=ORDER, pending=True, holds_due=True, version=1,
                        updated_at=clock(), applied={},
                        desired={"tags": ["backordered"], "fields": {"status": "waiting"},
                                 "holds": {SHORT: 2}, "hold_note": "Backordered"}))


def fulfillment_orders(platform) -> tuple:
    """The held fulfillment order and the one our hold split off."""
    held, rest = platform.orders[ORDER].fulfillment_orders
    return held, rest


def split_webhook(fo_id: str, split_off, units) -> dict:
    """A `fulfillment_orders/split` body of the 2026-07 sample's shape."""
    return {"split_line_items": [{"id": f"gid://shopify/FulfillmentOrderLineItem/{900 + n}",
                                  "quantity": q} for n, q in enumerate(units)],
            "fulfillment_order": {"id": fo_id, "status": "on_hold"},
            "remaining_fulfillment_order": {"id": split_off.id, "status": "open"},
            "replacement_fulfillment_order": None}


def row(services) -> OrderSync:
    with services.db.transaction() as s:
        return s.get(OrderSync, (SHOP, ORDER))


def test_the_split_of_our_own_hold_is_not_read_again(services, platform, clock, client):
    install(services)
    held_in_part(services, platform, clock)
    services.sync.run(SHOP)
    held, rest = fulfillment_orders(platform)
    assert platform.held(ORDER) == {SHORT: 2}
    assert platform.calls.count("order_states") == 1

    post_webhook(client, "fulfillment_orders/split", split_webhook(held.id, rest, [2, 1]))
    services.queue.drain()

    assert platform.calls.count("order_states") == 1  # no second read
    assert "order_of_fulfillment_order" not in platform.calls  # its order was kept: no lookup
    synced = row(services)
    assert not synced.pending and not synced.applied.get("recheck")
    assert not synced.applied.get("own_splits")  # its webhook came: nothing left to expect


def test_a_split_of_other_units_is_read_again(services, platform, clock, client):
    install(services)
    held_in_part(services, platform, clock)
    services.sync.run(SHOP)
    held, rest = fulfillment_orders(platform)

    post_webhook(client, "fulfillment_orders/split", split_webhook(held.id, rest, [3]))
    services.queue.drain()

    assert platform.calls.count("order_states") == 2
    assert platform.held(ORDER) == {SHORT: 2}
    assert not row(services).pending


def test_the_merchants_split_of_the_rest_is_read_again(services, platform, clock, client):
    install(services)
    held_in_part(services, platform, clock)
    services.sync.run(SHOP)
    _, rest = fulfillment_orders(platform)
    platform.route(ORDER, {STOCKED: 1})  # what the merchant split off the rest
    merchant = platform.orders[ORDER].fulfillment_orders[-1]

    post_webhook(client, "fulfillment_orders/split", split_webhook(rest.id, merchant, [1]))
    services.queue.drain()

    assert platform.calls.count("order_states") == 2
    assert "order_of_fulfillment_order" in platform.calls  # not one our writes changed
    assert not row(services).pending


def test_a_replacement_is_read_again(services, platform, clock, client):
    install(services)
    held_in_part(services, platform, clock)
    services.sync.run(SHOP)
    held, rest = fulfillment_orders(platform)
    body = split_webhook(held.id, rest, [2, 1])
    body["replacement_fulfillment_order"] = {"id": "gid://shopify/FulfillmentOrder/999",
                                             "status": "open"}

    post_webhook(client, "fulfillment_orders/split", body)
    services.queue.drain()

    assert platform.calls.count("order_states") == 2


def test_our_split_reported_before_the_sync_records_its_answer_is_ours(services, platform,
                                                                       clock):
    """The webhook may come while the sync is still writing: the split it expects is recorded
    before the write."""
    held_in_part(services, platform, clock)
    events = FulfillmentEvents(services.db, platform, clock)
    outcomes = []

    def webhook_now(changes) -> None:
        platform.after_apply = None
        held, rest = fulfillment_orders(platform)
        split = FulfillmentOrderSplit(held.id, rest.id, (1, 2))
        with services.db.transaction() as s:
            outcomes.append(events.changed(s, SHOP, ORDER, split))

    platform.after_apply = webhook_now
    Sync(services.db, platform, clock).run(SHOP)

    assert outcomes[0].follow_ups == []
    assert platform.calls.count("order_states") == 1
    synced = row(services)
    assert not synced.pending and not synced.applied.get("recheck")


def test_a_change_that_comes_while_the_sync_writes_is_read_again(services, platform, clock):
    """What the sync read predates the merchant's change: the re-check it asks for outlives the
    sync's record of what it wrote."""
    held_in_part(services, platform, clock)
    events = FulfillmentEvents(services.db, platform, clock)

    def merchant_splits_meanwhile(changes) -> None:
        if changes[0].holds:
            return  # the holds went first; the merchant's split comes as the fields go
        platform.after_apply = None
        _, rest = fulfillment_orders(platform)
        split = FulfillmentOrderSplit(rest.id, "gid://shopify/FulfillmentOrder/998", (1,))
        with services.db.transaction() as s:
            events.changed(s, SHOP, ORDER, split)

    platform.after_apply = merchant_splits_meanwhile
    Sync(services.db, platform, clock).run(SHOP)

    assert platform.calls.count("order_states") == 2  # read again, in the same run
    synced = row(services)
    assert not synced.pending and not synced.applied.get("recheck")


def released_webhook(fo_id: str) -> dict:
    """A `fulfillment_orders/hold_released` body of the 2026-07 sample's shape."""
    return {"fulfillment_order": {"id": fo_id, "status": "open"}}


def owe(services, clock, units: int) -> None:
    """The order's plan now holds `units` of the short line (stock came)."""
    with services.db.transaction() as s:
        synced = s.get(OrderSync, (SHOP, ORDER))
        synced.desired = {**synced.desired, "holds": {SHORT: units} if units else {},
                          "tags": ["backordered"] if units else []}
        synced.pending, synced.holds_due = True, True
        synced.version += 1
        synced.updated_at = clock()


def test_a_release_and_a_new_hold_of_fewer_units_are_both_ours(services, platform, clock,
                                                                client):
    install(services)
    held_in_part(services, platform, clock)
    services.sync.run(SHOP)
    held, _ = fulfillment_orders(platform)
    owe(services, clock, 1)  # one unit came: our hold of 2 becomes a hold of 1
    services.sync.run(SHOP)
    assert platform.held(ORDER) == {SHORT: 1}
    split_off = platform.orders[ORDER].fulfillment_orders[-1]

    post_webhook(client, "fulfillment_orders/hold_released", released_webhook(held.id))
    post_webhook(client, "fulfillment_orders/split", split_webhook(held.id, split_off, [1]))
    services.queue.drain()

    assert platform.calls.count("order_states") == 2
    assert "order_of_fulfillment_order" not in platform.calls


def test_a_release_by_hand_is_read_again_and_our_hold_placed_again(services, platform, clock,
                                                                   client):
    install(services)
    held_in_part(services, platform, clock)
    services.sync.run(SHOP)
    held, _ = fulfillment_orders(platform)
    held.holds, held.status = [], "OPEN"  # the merchant released our hold in the admin

    post_webhook(client, "fulfillment_orders/hold_released", released_webhook(held.id))
    services.queue.drain()

    assert platform.calls.count("order_states") == 2
    assert platform.held(ORDER) == {SHORT: 2}  # the plan still holds them
