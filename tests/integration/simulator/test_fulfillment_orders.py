"""Fulfillment orders as a real store has them: several per order, held by the merchant or
another app, moved, hidden by scopes the shop did not grant. Read back from the simulator."""

from __future__ import annotations

from sqlalchemy import select

from app.storage.tables import OrderSync

SMALL, MEDIUM, LARGE = 1, 2, 3
DAY = 86_400


def gid(kind: str, number: int) -> str:
    return f"gid://shopify/{kind}/{number}"


def line_ids(harness, order_id: int) -> list[int]:
    return [line["id"] for line in harness.order(order_id)["line_items"]]


def fulfillment_orders(harness, order_id: int) -> list[dict]:
    return harness.order(order_id)["fulfillment_orders"]


def only_fo(harness, order_id: int) -> int:
    (fo,) = fulfillment_orders(harness, order_id)
    return fo["id"]


def sync_row(harness, order_id: int) -> OrderSync:
    with harness.services.db.transaction() as s:
        return s.scalars(select(OrderSync).where(OrderSync.shop == harness.shop,
                                                 OrderSync.order_id == gid("Order", order_id))).one()


def holds_by(harness, order_id: int) -> list[tuple[str, bool]]:
    """(handle, placed by the app) of every hold on the order's fulfillment orders."""
    return sorted((h["handle"], h["by_app"]) for fo in fulfillment_orders(harness, order_id)
                  for h in fo["holds"])


# other parties' holds


def test_a_wholly_owed_order_the_merchant_holds_gets_our_hold_too_and_keeps_it(harness):
    short = harness.oversell(SMALL, available=0)
    order = harness.sell((short, 2))
    harness.store.merchant_hold(harness.shop, only_fo(harness, order))  # before the app syncs
    harness.settle()

    assert holds_by(harness, order) == [("backorder", True), ("merchant", False)]
    assert sync_row(harness, order).last_error is None

    merchant = next(h["id"] for h in fulfillment_orders(harness, order)[0]["holds"]
                    if not h["by_app"])
    harness.store.merchant_release(harness.shop, only_fo(harness, order), merchant)
    harness.settle()
    assert holds_by(harness, order) == [("backorder", True)]  # still owed: still held
    assert harness.held(order) == {line_ids(harness, order)[0]: 2}


def test_filling_an_order_releases_only_our_hold_never_the_merchants(harness):
    short = harness.oversell(SMALL, available=0)
    order = harness.sell((short, 2))
    harness.store.merchant_hold(harness.shop, only_fo(harness, order))
    harness.settle()

    harness.receive(short, 2)
    harness.settle()
    assert holds_by(harness, order) == [("merchant", False)]
    assert harness.order(order)["tags"] == []


def test_a_partly_owed_order_the_merchant_holds_is_held_when_the_merchant_releases(harness):
    short = harness.oversell(SMALL, available=1)
    other = harness.variants[LARGE]
    harness.store.set_stock(harness.shop, other, 50)
    order = harness.sell((short, 3), (other, 2))
    fo_id = only_fo(harness, order)
    harness.store.merchant_hold(harness.shop, fo_id)
    harness.settle()

    row = sync_row(harness, order)  # left, with the reason; not a failure retried forever
    assert holds_by(harness, order) == [("merchant", False)]
    assert (row.pending, row.attempts) == (False, 0)
    assert "held by the merchant or another app" in row.last_error
    assert harness.order(order)["tags"] == ["backordered"]

    harness.store.merchant_release(harness.shop, fo_id)  # fulfillment_orders/hold_released
    harness.settle()
    short_line, _ = line_ids(harness, order)
    assert harness.held(order) == {short_line: 2}
    assert holds_by(harness, order) == [("backorder", True)]
    assert sync_row(harness, order).last_error is None


def test_a_fulfillment_order_moved_away_is_read_again_and_our_hold_stays(harness):
    second = harness.store.add_location(harness.shop, "Second warehouse")
    short = harness.oversell(SMALL, available=1)
    other = harness.variants[LARGE]
    harness.store.set_stock(harness.shop, other, 50)
    for variant, units in ((short, 0), (other, 50)):  # the destination stocks both
        harness.store.set_stock(harness.shop, variant, units, second["id"])
    order = harness.sell((short, 3), (other, 2))
    harness.settle()
    short_line, _ = line_ids(harness, order)
    rest = next(fo for fo in fulfillment_orders(harness, order) if not fo["holds"])
    reads_before = harness.services.admin_client.stats.requests

    harness.store.move_fulfillment_order(harness.shop, rest["id"], second["id"])
    harness.settle()

    assert harness.held(order) == {short_line: 2}
    assert harness.services.admin_client.stats.requests > reads_before  # looked again
    row = sync_row(harness, order)
    assert (row.pending, row.last_error) == (False, None)


def test_a_hold_of_our_own_needs_no_second_look(harness):
    short = harness.oversell(SMALL, available=0)
    order = harness.sell((short, 2))
    harness.settle()
    assert holds_by(harness, order) == [("backorder", True)]
    assert not sync_row(harness, order).applied.get("recheck")


def state_reads(harness) -> int:
    """Reads of orders' fulfillment orders the app made (the sync's `OrdersSyncState`)."""
    return harness.store.counters.get("requests_by_operation", {}).get("OrdersSyncState", 0)


def held_in_part(harness) -> tuple[int, dict, dict]:
    """An order owing 2 of 3 units of a line, with another line in stock: our hold splits its
    fulfillment order. (order, the fulfillment order held, the one split off)."""
    short = harness.oversell(SMALL, available=1)
    other = harness.variants[LARGE]
    harness.store.set_stock(harness.shop, other, 50)
    order = harness.sell((short, 3), (other, 2))
    harness.settle()
    held = next(fo for fo in fulfillment_orders(harness, order) if fo["holds"])
    rest = next(fo for fo in fulfillment_orders(harness, order) if not fo["holds"])
    return order, held, rest


def test_the_split_our_own_hold_makes_is_not_read_again(harness):
    reads = state_reads(harness)
    order, held, rest = held_in_part(harness)

    assert harness.held(order) == {line_ids(harness, order)[0]: 2}
    assert sorted(line["remaining"] for line in rest["lines"]) == [1, 2]  # the split happened
    assert state_reads(harness) == reads + 1  # its webhooks came: no second read
    row = sync_row(harness, order)
    assert not row.pending and not row.applied.get("recheck")


def test_the_merchants_split_is_read_again_and_our_hold_stays(harness):
    order, held, rest = held_in_part(harness)
    reads = state_reads(harness)

    line = next(line for line in rest["lines"] if line["remaining"] == 2)
    harness.store.merchant_split(harness.shop, rest["id"], {line["id"]: 1})
    harness.settle()

    assert state_reads(harness) == reads + 1  # looked again
    assert harness.held(order) == {line_ids(harness, order)[0]: 2}
    assert len(fulfillment_orders(harness, order)) == 3
    row = sync_row(harness, order)
    assert (row.pending, row.last_error) == (False, None)


def test_a_smaller_hold_after_a_delivery_is_read_once(harness):
    """Our release, the new hold's split and its hold are announced: all ours, none read."""
    order, held, rest = held_in_part(harness)
    short = harness.variants[SMALL]
    reads = state_reads(harness)

    harness.receive(short, 1)
    harness.settle()

    assert harness.held(order) == {line_ids(harness, order)[0]: 1}
    assert state_reads(harness) == reads + 1  # the new plan's read, nothing more
    row = sync_row(harness, order)
    assert not row.pending and not row.applied.get("recheck")


def test_our_hold_released_by_hand_is_read_again_and_placed_again(harness):
    order, held, rest = held_in_part(harness)
    harness.receive(harness.variants[SMALL], 1)  # a release and a hold of ours first
    harness.settle()
    held = next(fo for fo in fulfillment_orders(harness, order) if fo["holds"])
    reads = state_reads(harness)

    harness.store.merchant_release(harness.shop, held["id"])
    harness.settle()

    assert state_reads(harness) == reads + 1
    assert harness.held(order) == {line_ids(harness, order)[0]: 1}


# many fulfillment orders, many lines


def test_owed_units_on_a_sixth_fulfillment_order_are_held(harness):
    """One line per location: the short one is routed last, to the sixth fulfillment order."""
    locations = [harness.store.add_location(harness.shop, f"Store {n}")["id"] for n in range(5)]
    stocked = harness.variants[4:9]
    for variant, location in zip(stocked, locations, strict=True):
        harness.store.set_stock(harness.shop, variant, 0)  # none at the first warehouse
        harness.store.set_stock(harness.shop, variant, 10, location)
    short = harness.oversell(SMALL, available=0)
    order = harness.sell(*[(variant, 1) for variant in stocked], (short, 2))
    harness.settle()

    assert len(fulfillment_orders(harness, order)) == 6
    assert harness.held(order) == {line_ids(harness, order)[-1]: 2}
    assert sync_row(harness, order).awaiting_fulfillment_orders is False


def test_owed_units_after_the_tenth_line_of_a_fulfillment_order_are_held(harness):
    stocked = harness.variants[4:16]
    for variant in stocked:
        harness.store.set_stock(harness.shop, variant, 10)
    short = harness.oversell(SMALL, available=0)
    order = harness.sell(*[(variant, 1) for variant in stocked], (short, 1))
    harness.settle()

    assert harness.held(order) == {line_ids(harness, order)[-1]: 1}


# scopes the shop did not grant


def test_an_order_older_than_60_days_is_kept_until_read_all_orders_is_granted(harness):
    short = harness.oversell(SMALL, available=0)
    order = harness.sell((short, 2))
    harness.settle()
    assert harness.order(order)["tags"] == ["backordered"]

    harness.tick(61 * DAY)
    harness.receive(short, 2)  # the order is ready now, but the store no longer shows it
    harness.settle()
    row = sync_row(harness, order)
    assert row.pending and "read_all_orders" in row.last_error
    assert harness.order(order)["tags"] == ["backordered"]  # nothing written, nothing dropped

    scopes = harness.store.state(harness.shop)["shop"]["scopes"]
    harness.store.update_scopes(harness.shop, [*scopes, "read_all_orders"])
    harness.settle()
    assert harness.order(order)["tags"] == []
    assert holds_by(harness, order) == []
    row = sync_row(harness, order)
    assert (row.pending, row.last_error) == (False, None)


def test_fulfillment_orders_of_a_3pl_are_not_awaited_silently(harness):
    third_party = harness.store.add_location(harness.shop, "3PL", fulfillment_service=True)
    short = harness.oversell(SMALL, available=0)
    order = harness.store.place_order(harness.shop, [(short, 2)], location=third_party["id"])["id"]
    harness.settle()

    row = sync_row(harness, order)
    assert row.awaiting_fulfillment_orders and not row.pending
    assert "read_third_party_fulfillment_orders" in row.last_error
    assert holds_by(harness, order) == []

    scopes = harness.store.state(harness.shop)["shop"]["scopes"]
    harness.store.update_scopes(harness.shop, [*scopes, "read_third_party_fulfillment_orders",
                                               "write_third_party_fulfillment_orders"])
    harness.settle()
    assert harness.held(order) == {line_ids(harness, order)[0]: 2}
    assert sync_row(harness, order).last_error is None
