"""Stock per location (fact 2): routing of each line, one fulfillment order per assigned location,
commitments and inventory_levels/update at exactly the line's location, and fulfilment,
cancellation and edits acting where the line's fulfillment order is assigned."""

from __future__ import annotations

import pytest

from devstore import StoreError

from .helpers import SHOP


@pytest.fixture
def two(store, receiver):
    """Two variants: `a` stocked only at the second location, `b` only at the first."""
    shop = store.shop(SHOP)
    first, second = list(shop.locations)
    a, b = sorted(shop.variants)[:2]
    for variant, stocked in ((a, second), (b, first)):
        store.set_inventory_policy(SHOP, variant, "DENY")
        for location in (first, second):
            store.set_stock(SHOP, variant, 5 if location == stocked else 0, location)
    store.drain_webhooks()
    receiver.received.clear()
    return {"first": first, "second": second, "a": a, "b": b}


def level(store, variant_id: int, location_id: int) -> dict:
    found = next(v for v in store.state(SHOP)["variants"] if v["id"] == variant_id)
    return found["levels"][location_id]


def test_each_line_goes_to_the_first_location_with_enough_stock(store, receiver, two):
    order = store.place_order(SHOP, [(two["a"], 2), (two["b"], 1)])
    fos = {fo["location_id"]: fo for fo in order["fulfillment_orders"]}
    assert set(fos) == {two["first"], two["second"]}
    a_line, b_line = order["line_items"]
    assert [line["line_item_id"] for line in fos[two["second"]]["lines"]] == [a_line["id"]]
    assert [line["line_item_id"] for line in fos[two["first"]]["lines"]] == [b_line["id"]]
    assert level(store, two["a"], two["second"]) == {"available": 3, "committed": 2, "on_hand": 5, "incoming": 0}
    assert level(store, two["a"], two["first"]) == {"available": 0, "committed": 0, "on_hand": 0, "incoming": 0}
    store.drain_webhooks()
    items = store.shop(SHOP).variants
    announced = {(u["inventory_item_id"], u["location_id"]) for u in receiver.of("inventory_levels/update")}
    assert announced == {(items[two["a"]].inventory_item_id, two["second"]),
                         (items[two["b"]].inventory_item_id, two["first"])}


def test_assigned_location_is_visible_over_graphql(client, token, store, two):
    from .helpers import gql

    order = store.place_order(SHOP, [(two["a"], 1), (two["b"], 1)])
    body = gql(client, token, """query ($id: ID!) { order(id: $id) { fulfillmentOrders(first: 5) { nodes {
        assignedLocation { location { id } } lineItems(first: 5) { nodes { lineItem { id } } } } } } }""",
               {"id": order["gid"]})
    seen = {fo["assignedLocation"]["location"]["id"]: fo["lineItems"]["nodes"][0]["lineItem"]["id"]
            for fo in body["data"]["order"]["fulfillmentOrders"]["nodes"]}
    assert seen == {f"gid://shopify/Location/{two['second']}": f"gid://shopify/LineItem/{order['line_items'][0]['id']}",
                    f"gid://shopify/Location/{two['first']}": f"gid://shopify/LineItem/{order['line_items'][1]['id']}"}


def test_an_explicit_location_wins_and_deny_checks_that_location(store, two):
    with pytest.raises(StoreError, match="sold out"):
        store.place_order(SHOP, [(two["a"], 1)], location=two["first"])
    order = store.place_order(SHOP, [(two["b"], 1)], location=two["first"])
    assert order["fulfillment_orders"][0]["location_id"] == two["first"]


def test_no_location_with_enough_goes_to_the_first(store, two):
    store.set_inventory_policy(SHOP, two["a"], "CONTINUE")
    order = store.place_order(SHOP, [(two["a"], 9)])
    assert order["fulfillment_orders"][0]["location_id"] == two["first"]
    assert level(store, two["a"], two["first"])["available"] == -9


def test_earlier_lines_count_against_later_ones(store, two):
    store.set_stock(SHOP, two["a"], 3, two["first"])
    order = store.place_order(SHOP, [(two["a"], 2), (two["a"], 2)])
    assert [line["location_id"] for line in order["line_items"]] == [two["first"], two["second"]]


def test_fulfil_cancel_and_edit_act_at_the_assigned_location(store, receiver, two):
    order = store.place_order(SHOP, [(two["a"], 3), (two["b"], 2)])
    a_line, b_line = order["line_items"]
    store.edit_order(SHOP, order["id"], a_line["id"], 1)
    assert level(store, two["a"], two["second"]) == {"available": 3, "committed": 2, "on_hand": 5, "incoming": 0}
    store.fulfil_order(SHOP, order["id"], [b_line["id"]])
    assert level(store, two["b"], two["first"]) == {"available": 3, "committed": 0, "on_hand": 3, "incoming": 0}
    store.drain_webhooks()
    receiver.received.clear()
    store.cancel_order(SHOP, order["id"])
    assert level(store, two["a"], two["second"]) == {"available": 5, "committed": 0, "on_hand": 5, "incoming": 0}
    assert level(store, two["a"], two["first"])["committed"] == 0
    store.drain_webhooks()
    item = store.shop(SHOP).variants[two["a"]].inventory_item_id
    assert [(u["inventory_item_id"], u["location_id"]) for u in receiver.of("inventory_levels/update")] == [(item, two["second"])]
