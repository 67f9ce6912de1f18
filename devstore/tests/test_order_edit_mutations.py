"""orderEditBegin / orderEditSetQuantity / orderEditCommit: a session on an order, a line's
quantity staged, then applied once, with the stock returned and orders/edited announced."""

from __future__ import annotations

from .helpers import SHOP, document, gql, levels, variant


def _begin(client, token, order_id):
    body = gql(client, token, document("order_edit_begin"),
               {"id": f"gid://shopify/Order/{order_id}"})
    assert "errors" not in body, body
    return body["data"]["orderEditBegin"]


def _set(client, token, session, line, quantity):
    return gql(client, token, document("order_edit_set_quantity"),
               {"id": session, "lineItemId": line, "quantity": quantity}
               )["data"]["orderEditSetQuantity"]["userErrors"]


def _commit(client, token, session):
    return gql(client, token, document("order_edit_commit"),
               {"id": session, "staffNote": "taken off"})["data"]["orderEditCommit"]


def test_units_taken_off_a_line_return_to_stock_and_the_edit_is_announced(client, token, store,
                                                                        receiver):
    item = variant(store, 0, "CONTINUE", 0)
    order = store.place_order(SHOP, [(item, 3)])
    before = levels(store, item)["available"]
    begun = _begin(client, token, order["id"])
    (line,) = begun["calculatedOrder"]["lineItems"]["nodes"]
    assert (line["quantity"], line["editableQuantity"]) == (3, 3)
    assert line["variant"]["id"] == f"gid://shopify/ProductVariant/{item}"
    session = begun["orderEditSession"]["id"]

    assert _set(client, token, session, line["id"], 1) == []
    assert store.order_state(SHOP, order["id"])["line_items"][0]["current_quantity"] == 3  # staged
    committed = _commit(client, token, session)

    assert committed["userErrors"] == [] and committed["order"]["id"].endswith(str(order["id"]))
    assert store.order_state(SHOP, order["id"])["line_items"][0]["current_quantity"] == 1
    assert levels(store, item)["available"] == before + 2
    store.drain_webhooks()
    assert receiver.of("orders/edited")[0]["order_edit"]["line_items"]["removals"][0]["delta"] == 2
    again = _commit(client, token, session)
    assert again["order"] is None and "already committed" in again["userErrors"][0]["message"]


def test_fulfilled_units_and_negative_quantities_cannot_be_staged(client, token, store):
    item = variant(store, 0, "CONTINUE", 5)
    order = store.place_order(SHOP, [(item, 2)])
    store.fulfil_order(SHOP, order["id"])
    begun = _begin(client, token, order["id"])
    (line,) = begun["calculatedOrder"]["lineItems"]["nodes"]
    assert line["editableQuantity"] == 0
    session = begun["orderEditSession"]["id"]

    assert "fulfilled" in _set(client, token, session, line["id"], 1)[0]["message"]
    assert _set(client, token, session, line["id"], -1)[0]["field"] == ["quantity"]
    assert _set(client, token, session, "gid://shopify/CalculatedLineItem/1", 0)[0]["field"] == [
        "lineItemId"]


def test_editing_needs_the_order_edits_scope(client, store):
    store.install(SHOP, scopes=["read_orders", "write_orders"])
    token = store.issue_token(SHOP)["access_token"]
    order = store.place_order(SHOP, [(variant(store, 0, "CONTINUE", 1), 1)])
    body = gql(client, token, document("order_edit_begin"),
               {"id": f"gid://shopify/Order/{order['id']}"})
    assert body["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"


def _add(client, token, session, variant_id, quantity):
    return gql(client, token, document("order_edit_add_variant"),
               {"id": session, "variantId": f"gid://shopify/ProductVariant/{variant_id}",
                "quantity": quantity})["data"]["orderEditAddVariant"]["userErrors"]


def _staged_swap(client, token, store, units: int, spare_stock: int) -> tuple[int, int, dict, str]:
    """An order of `units` of a short variant, with an edit staged that swaps them all for a
    variant that does not sell past zero: (short, spare, order, session)."""
    short, spare = variant(store, 0, "CONTINUE", 0), variant(store, 1, "DENY", spare_stock)
    order = store.place_order(SHOP, [(short, units)])
    begun = _begin(client, token, order["id"])
    (line,) = begun["calculatedOrder"]["lineItems"]["nodes"]
    session = begun["orderEditSession"]["id"]
    assert _add(client, token, session, spare, units) == []
    assert _set(client, token, session, line["id"], 0) == []
    return short, spare, order, session


def test_a_swap_adds_a_line_of_another_variant_and_takes_the_old_units_off(client, token, store):
    short, spare, order, session = _staged_swap(client, token, store, units=2, spare_stock=2)

    assert _commit(client, token, session)["userErrors"] == []

    lines = store.order_state(SHOP, order["id"])["line_items"]
    assert [(x["variant_id"], x["current_quantity"]) for x in lines] == [(short, 0), (spare, 2)]
    assert levels(store, spare)["available"] == 0


def test_a_variant_sold_out_by_the_commit_is_refused_and_nothing_changes(client, token, store):
    short, spare, order, session = _staged_swap(client, token, store, units=1, spare_stock=1)
    store.place_order(SHOP, [(spare, 1)])  # the last one goes to someone else meanwhile

    committed = _commit(client, token, session)

    assert committed["order"] is None and "out of stock" in committed["userErrors"][0]["message"]
    lines = store.order_state(SHOP, order["id"])["line_items"]
    assert [(x["variant_id"], x["current_quantity"]) for x in lines] == [(short, 1)]
