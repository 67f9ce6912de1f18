"""First come, first served, whatever the webhooks do: random sequences of orders, restocks,
cancellations and fulfilments through the store simulator, at two locations, on the wall clock
(so events share seconds and timestamps tie), with every webhook delivered twice and out of order.

After each step the store must never leave a unit free to ship that is not on hand; at the end,
the app's holds must be exactly what first come, first served gives, as stated below from the
store's own records, not from anything the app computed."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.integration.simulator.conftest import open_harness

VARIANTS = 2
_shops = itertools.count(1)

orders = st.tuples(st.just("order"), st.integers(0, VARIANTS - 1), st.integers(1, 3))
restocks = st.tuples(st.just("restock"), st.integers(0, VARIANTS - 1), st.integers(1, 4),
                     st.integers(0, 1))
cancels = st.tuples(st.just("cancel"), st.integers(0, 50))
fulfils = st.tuples(st.just("fulfil"), st.integers(0, 50))
steps = st.lists(st.lists(st.one_of(orders, orders, restocks, cancels, fulfils),
                          min_size=1, max_size=4), min_size=1, max_size=6)


def expected_holds(store, shop: str, variants: list[int]) -> dict[int, int]:
    """First come, first served over the store's own records: per variant, the units on hand
    (available + committed, across locations) go to the open lines in the order the orders were
    placed (then by order number); whatever a line still lacks must be held."""
    state = store.shop(shop)
    holds: dict[int, int] = {}
    for variant_id in variants:
        item = state.variants[variant_id].inventory_item_id
        supply = sum(level.available + level.committed
                     for (level_item, _), level in state.levels.items() if level_item == item)
        lines = sorted((int(order.created_at), order.number, line.id, line.unfulfilled)
                        for order in state.orders.values() if order.cancelled_at is None
                        for line in order.line_items
                        if line.variant_id == variant_id and line.unfulfilled > 0)
        for _, _, line_id, owed in lines:
            covered = min(owed, max(0, supply))
            supply -= covered
            if owed - covered:
                holds[line_id] = owed - covered
    return holds


def free_beyond_on_hand(harness, variants: list[int]) -> dict[int, tuple[int, int]]:
    """Variants with more unheld open units than units on hand: (free to ship, on hand)."""
    state = harness.store.shop(harness.shop)
    found = {}
    for variant_id in variants:
        item = state.variants[variant_id].inventory_item_id
        on_hand = sum(level.on_hand for (level_item, _), level in state.levels.items()
                      if level_item == item)
        free = 0
        for order in state.orders.values():
            if order.cancelled_at is not None:
                continue
            held = harness.held(order.id)
            free += sum(max(0, line.unfulfilled - held.get(line.id, 0))
                        for line in order.line_items if line.variant_id == variant_id)
        if free > max(0, on_hand):
            found[variant_id] = (free, on_hand)
    return found


def play(harness, event: tuple, placed: list[int]) -> None:
    store, shop, variants = harness.store, harness.shop, harness.variants[:VARIANTS]
    kind = event[0]
    if kind == "order":
        placed.append(store.place_order(shop, [(variants[event[1]], event[2])])["id"])
    elif kind == "restock":
        locations = [loc["id"] for loc in store.shop_info(shop)["locations"]]
        store.receive_stock(shop, variants[event[1]], event[2], location=locations[event[3]])
    elif placed:
        order = store.shop(shop).orders[placed[event[1] % len(placed)]]
        if order.cancelled_at is not None:
            return
        if kind == "cancel":
            store.cancel_order(shop, order.id)
        else:
            store.fulfil_order(shop, order.id)


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=steps)
# Found by this test: units told ready and shipped since must not keep their place.
@example(steps=[[("restock", 1, 3, 0)], [("order", 1, 3), ("fulfil", 0)], [("order", 1, 1)],
                [("order", 1, 3)], [("order", 0, 1)], [("fulfil", 18)]])
def test_holds_follow_first_come_first_served_under_shuffled_duplicated_deliveries(env, steps):
    harness = open_harness(env, f"fcfs-{next(_shops)}.myshopify.com", real_clock=True,
                           locations=("Warehouse", "Shop floor"))
    try:
        variants = harness.variants[:VARIANTS]
        for variant in variants:
            harness.store.set_inventory_policy(harness.shop, variant, "CONTINUE")
            harness.store.set_stock(harness.shop, variant, 2)
        harness.settle()
        harness.store.set_webhook_switches(reorder=True, duplicates="new-id")
        placed: list[int] = []
        for step in steps:
            for event in step:
                play(harness, event, placed)
            harness.settle()
            assert free_beyond_on_hand(harness, variants) == {}
        held = {line: units for order in placed for line, units in harness.held(order).items()}
        assert held == expected_holds(harness.store, harness.shop, variants)
    finally:
        harness.close()
