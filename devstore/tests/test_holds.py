"""fulfillmentOrderHold / ReleaseHold: partial holds split, handles stack up to 10, release reopens."""

from __future__ import annotations

from .helpers import SHOP, document, gql, variant


def _order(store, quantities=(3, 1)):
    lines = [(variant(store, i, "CONTINUE", 0), q) for i, q in enumerate(quantities)]
    order = store.place_order(SHOP, lines)
    return order, order["fulfillment_orders"][0]


def _hold(client, token, fo_gid, handle="backorders", lines=None):
    hold = {"reason": "INVENTORY_OUT_OF_STOCK", "handle": handle, "reasonNotes": "waiting for stock"}
    if lines is not None:
        hold["fulfillmentOrderLineItems"] = lines
    return gql(client, token, document("fulfillment_order_hold"), {"id": fo_gid, "hold": hold})["data"]["fulfillmentOrderHold"]


def _line(fo, index):
    return f"gid://shopify/FulfillmentOrderLineItem/{fo['lines'][index]['id']}"


def test_partial_hold_keeps_held_units_and_moves_the_rest(client, token, store, receiver):
    order, fo = _order(store)
    result = _hold(client, token, fo["gid"], lines=[{"id": _line(fo, 0), "quantity": 2}])
    assert result["userErrors"] == []
    assert result["fulfillmentOrder"] == {"id": fo["gid"], "status": "ON_HOLD"}
    fos = {f["gid"]: f for f in store.order_state(SHOP, order["id"])["fulfillment_orders"]}
    held, rest = fos[fo["gid"]], fos[result["remainingFulfillmentOrder"]["id"]]
    assert [(line["line_item_id"], line["remaining"]) for line in held["lines"]] == [(order["line_items"][0]["id"], 2)]
    assert sorted(line["remaining"] for line in rest["lines"]) == [1, 1]
    assert rest["status"] == "OPEN" and held["holds"][0]["handle"] == "backorders"
    store.drain_webhooks()
    assert receiver.topics()[-2:] == ["fulfillment_orders/split", "fulfillment_orders/placed_on_hold"]
    split = receiver.of("fulfillment_orders/split")[0]  # names what the hold's answer named
    assert split["fulfillment_order"]["id"] == fo["gid"]
    assert split["remaining_fulfillment_order"] == {"id": rest["gid"], "status": "open"}
    assert sorted(item["quantity"] for item in split["split_line_items"]) == [1, 1]
    assert split["replacement_fulfillment_order"] is None
    placed = receiver.of("fulfillment_orders/placed_on_hold")[0]
    assert placed["held_fulfillment_order_line_items"] == [{"id": _line(fo, 0), "quantity": 2}]
    assert placed["created_fulfillment_hold"]["reason"] == "inventory_out_of_stock"


def test_whole_hold_does_not_split(client, token, store):
    order, fo = _order(store)
    result = _hold(client, token, fo["gid"])
    assert result["remainingFulfillmentOrder"] is None
    assert len(store.order_state(SHOP, order["id"])["fulfillment_orders"]) == 1


def test_handles_stack_and_are_unique_and_limited(client, token, store):
    _, fo = _order(store)
    for i in range(10):
        assert _hold(client, token, fo["gid"], handle=f"h{i}")["userErrors"] == []
    assert _hold(client, token, fo["gid"], handle="h3")["userErrors"][0]["code"] == "DUPLICATE_FULFILLMENT_HOLD_HANDLE"
    assert _hold(client, token, fo["gid"], handle="h10")["userErrors"][0]["code"] == "FULFILLMENT_ORDER_HOLD_LIMIT_REACHED"


def test_line_items_on_an_already_held_fulfillment_order_cannot_split(client, token, store):
    _, fo = _order(store)
    _hold(client, token, fo["gid"], handle="a")
    errors = _hold(client, token, fo["gid"], handle="b", lines=[{"id": _line(fo, 0), "quantity": 1}])["userErrors"]
    assert errors[0]["code"] == "FULFILLMENT_ORDER_NOT_SPLITTABLE"


def test_quantity_checks(client, token, store):
    _, fo = _order(store)
    errors = _hold(client, token, fo["gid"], lines=[{"id": _line(fo, 0), "quantity": 9}])["userErrors"]
    assert errors[0]["code"] == "INVALID_LINE_ITEM_QUANTITY"
    errors = _hold(client, token, "gid://shopify/FulfillmentOrder/999999")["userErrors"]
    assert errors[0]["code"] == "FULFILLMENT_ORDER_NOT_FOUND"


def _release(client, token, fo_gid, hold_ids):
    return gql(client, token, document("fulfillment_order_release_hold"),
               {"id": fo_gid, "holdIds": hold_ids})["data"]["fulfillmentOrderReleaseHold"]


def test_release_last_hold_reopens_and_announces(client, token, store, receiver):
    _, fo = _order(store)
    first = _hold(client, token, fo["gid"], handle="a")["fulfillmentHold"]["id"]
    second = _hold(client, token, fo["gid"], handle="b")["fulfillmentHold"]["id"]
    assert _release(client, token, fo["gid"], [first])["fulfillmentOrder"]["status"] == "ON_HOLD"
    released = _release(client, token, fo["gid"], [second])["fulfillmentOrder"]
    assert released["status"] == "OPEN" and released["fulfillmentHolds"] == []
    store.drain_webhooks()
    assert receiver.topics().count("fulfillment_orders/hold_released") == 1


def test_app_cannot_release_the_merchants_hold(client, token, store):
    _, fo = _order(store)
    hold = store.merchant_hold(SHOP, fo["id"])["hold_id"]
    errors = _release(client, token, fo["gid"], [f"gid://shopify/FulfillmentHold/{hold}"])["userErrors"]
    assert errors[0]["code"] == "INVALID_ACCESS"
