"""Fulfillment orders beyond holds: supportedActions, merchant releases, moves and merges with
their webhooks, `displayable`, and real pagination of fulfillment orders and their lines (facts 7,
8 and 10)."""

from __future__ import annotations

import pytest

from devstore import StoreError

from .helpers import SHOP, gql, variant

ACTIONS = "query ($id: ID!) { fulfillmentOrder(id: $id) { status supportedActions { action } } }"
HOLD_LINES = """mutation ($id: ID!, $line: ID!) { fulfillmentOrderHold(id: $id, fulfillmentHold: {
    reason: OTHER, handle: "b", fulfillmentOrderLineItems: [{id: $line, quantity: 1}]}) { userErrors { code } } }"""


def _actions(client, token, fo_gid) -> list[str]:
    found = gql(client, token, ACTIONS, {"id": fo_gid})["data"]["fulfillmentOrder"]
    return [a["action"] for a in found["supportedActions"]]


def _order(store, quantities=(2, 1)):
    lines = [(variant(store, i, "CONTINUE", 5), q) for i, q in enumerate(quantities)]
    order = store.place_order(SHOP, lines)
    return order, order["fulfillment_orders"][0]


def test_supported_actions_follow_the_status(client, token, store):
    _, fo = _order(store)
    assert _actions(client, token, fo["gid"]) == ["CREATE_FULFILLMENT", "REPORT_PROGRESS", "HOLD", "MOVE", "SPLIT"]
    store.merchant_hold(SHOP, fo["id"])
    assert _actions(client, token, fo["gid"]) == ["RELEASE_HOLD", "HOLD"]
    line = f"gid://shopify/FulfillmentOrderLineItem/{fo['lines'][0]['id']}"
    errors = gql(client, token, HOLD_LINES, {"id": fo["gid"], "line": line})["data"]["fulfillmentOrderHold"]["userErrors"]
    assert errors[0]["code"] == "FULFILLMENT_ORDER_NOT_SPLITTABLE"


def test_merchant_release_announces_when_the_last_hold_goes(client, token, store, receiver):
    _, fo = _order(store)
    first = store.merchant_hold(SHOP, fo["id"], handle="one")["hold_id"]
    store.merchant_hold(SHOP, fo["id"], handle="two")
    assert store.merchant_release(SHOP, fo["id"], first) == {"status": "ON_HOLD", "holds": [first + 1]}
    store.drain_webhooks()
    assert "fulfillment_orders/hold_released" not in receiver.topics()
    assert store.merchant_release(SHOP, fo["id"])["status"] == "OPEN"
    store.drain_webhooks()
    assert receiver.of("fulfillment_orders/hold_released") == [{"fulfillment_order": {"id": fo["gid"], "status": "open"}}]


def test_merchant_may_release_the_apps_hold(client, token, store):
    _, fo = _order(store)
    gql(client, token, 'mutation ($id: ID!) { fulfillmentOrderHold(id: $id, fulfillmentHold: {reason: OTHER, handle: "app"}) { userErrors { code } } }',
        {"id": fo["gid"]})
    assert store.merchant_release(SHOP, fo["id"])["status"] == "OPEN"


def _second_location(store) -> int:
    return store.state(SHOP)["locations"][1]["id"]


def test_move_in_place_and_stock_follows(store, receiver):
    order, fo = _order(store)
    there = _second_location(store)
    result = store.move_fulfillment_order(SHOP, fo["id"], there)
    assert result["moved_fulfillment_order_id"] == fo["id"]
    assert result["order"]["fulfillment_orders"][0]["location_id"] == there
    here = fo["location_id"]
    levels = next(x for x in store.state(SHOP)["variants"] if x["id"] == order["line_items"][0]["variant_id"])["levels"]
    assert (levels[here]["committed"], levels[there]["committed"]) == (0, 2)
    store.drain_webhooks()
    moved = receiver.of("fulfillment_orders/moved")[0]
    assert moved["moved_fulfillment_order"]["assigned_location_id"] == f"gid://shopify/Location/{there}"
    assert moved["source_location"]["id"] != moved["destination_location_id"]


def test_move_next_to_another_fulfillment_order_closes_the_original(client, token, store, receiver):
    order, fo = _order(store)
    there = _second_location(store)
    store.place_order(SHOP, [(order["line_items"][1]["variant_id"], 1)], location=there)  # another order: no matter
    store.add_to_order(SHOP, order["id"], order["line_items"][1]["variant_id"], 1, location=there)
    result = store.move_fulfillment_order(SHOP, fo["id"], there)
    assert result["moved_fulfillment_order_id"] != fo["id"]
    original = next(f for f in result["order"]["fulfillment_orders"] if f["id"] == fo["id"])
    assert (original["status"], original["hidden"]) == ("CLOSED", True)
    query = """query ($id: ID!, $d: Boolean) { order(id: $id) { fulfillmentOrders(first: 10, displayable: $d) { nodes { id } } } }"""
    every = gql(client, token, query, {"id": order["gid"], "d": False})["data"]["order"]["fulfillmentOrders"]["nodes"]
    shown = gql(client, token, query, {"id": order["gid"], "d": True})["data"]["order"]["fulfillmentOrders"]["nodes"]
    assert fo["gid"] in [n["id"] for n in every] and fo["gid"] not in [n["id"] for n in shown]
    assert len(every) == len(shown) + 1
    store.drain_webhooks()
    moved = receiver.of("fulfillment_orders/moved")[-1]
    assert moved["original_fulfillment_order"]["status"] == "closed"


def test_held_fulfillment_orders_cannot_move(store):
    _, fo = _order(store)
    store.merchant_hold(SHOP, fo["id"])
    with pytest.raises(StoreError, match="cannot be moved"):
        store.move_fulfillment_order(SHOP, fo["id"], _second_location(store))


def test_merge_joins_open_fulfillment_orders_of_one_location(client, token, store, receiver):
    order, fo = _order(store)
    edited = store.add_to_order(SHOP, order["id"], order["line_items"][0]["variant_id"], 1, location=fo["location_id"])
    fos = edited["fulfillment_orders"]
    assert len(fos) == 2 and "MERGE" in _actions(client, token, fo["gid"])
    result = store.merge_fulfillment_orders(SHOP, [f["id"] for f in fos])
    merged = next(f for f in result["order"]["fulfillment_orders"] if f["id"] == fo["id"])
    assert [(line["line_item_id"], line["remaining"]) for line in merged["lines"]] == \
        [(line["id"], line["quantity"]) for line in edited["line_items"]]
    closed = next(f for f in result["order"]["fulfillment_orders"] if f["id"] != fo["id"])
    assert (closed["status"], closed["hidden"]) == ("CLOSED", True)
    store.drain_webhooks()
    body = receiver.of("fulfillment_orders/merged")[0]
    assert body["fulfillment_order_merges"]["fulfillment_order"] == {"id": fo["gid"], "status": "open"}
    assert [intent["fulfillment_order_id"] for intent in body["merge_intents"]] == [f["id"] for f in fos]


def test_merchant_split_moves_the_units_named_to_a_new_fulfillment_order(store, receiver):
    order, fo = _order(store)
    first, second = fo["lines"]
    result = store.merchant_split(SHOP, fo["id"], {first["id"]: 1})
    fos = {f["id"]: f for f in result["order"]["fulfillment_orders"]}
    new = fos[result["fulfillment_order_id"]]
    assert [(line["line_item_id"], line["remaining"]) for line in new["lines"]] == [(first["line_item_id"], 1)]
    assert [(line["line_item_id"], line["remaining"]) for line in fos[fo["id"]]["lines"]] == \
        [(first["line_item_id"], 1), (second["line_item_id"], 1)]
    assert new["status"] == fos[fo["id"]]["status"] == "OPEN" and new["location_id"] == fo["location_id"]
    store.drain_webhooks()
    (body,) = receiver.of("fulfillment_orders/split")
    assert body == {"split_line_items": [{"id": f"gid://shopify/FulfillmentOrderLineItem/{new['lines'][0]['id']}",
                                          "quantity": 1}],
                    "fulfillment_order": {"id": fo["gid"], "status": "open"},
                    "remaining_fulfillment_order": {"id": new["gid"], "status": "open"},
                    "replacement_fulfillment_order": None}


def test_a_held_fulfillment_order_cannot_be_split_nor_split_to_nothing(store):
    _, fo = _order(store)
    with pytest.raises(StoreError, match="leaves nothing"):
        store.merchant_split(SHOP, fo["id"], {line["id"]: line["remaining"] for line in fo["lines"]})
    store.merchant_hold(SHOP, fo["id"])
    with pytest.raises(StoreError, match="cannot be split"):
        store.merchant_split(SHOP, fo["id"], {fo["lines"][0]["id"]: 1})


def test_fulfillment_orders_and_their_lines_page(client, token, store):
    order, fo = _order(store, (1, 1, 1))
    for _ in range(3):
        store.add_to_order(SHOP, order["id"], order["line_items"][0]["variant_id"], 1)
    query = """query ($id: ID!, $after: String) { order(id: $id) { fulfillmentOrders(first: 2, after: $after) {
        pageInfo { hasNextPage endCursor } nodes { id lineItems(first: 2) { pageInfo { hasNextPage } nodes { id } } } } } }"""
    seen, after, pages = [], None, 0
    while True:
        page = gql(client, token, query, {"id": order["gid"], "after": after})["data"]["order"]["fulfillmentOrders"]
        seen += [n["id"] for n in page["nodes"]]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages == 2 and len(seen) == len(set(seen)) == 4
    first = gql(client, token, query, {"id": order["gid"], "after": None})["data"]["order"]["fulfillmentOrders"]["nodes"][0]
    assert first["id"] == fo["gid"] and first["lineItems"]["pageInfo"]["hasNextPage"] is True
