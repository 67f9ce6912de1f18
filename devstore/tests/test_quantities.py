"""What order webhooks and GraphQL say about a line's quantities (fact 1), the fulfillments and
refunds order payloads carry, and customer tags, which only GraphQL gives (fact 14)."""

from __future__ import annotations

from .helpers import SHOP, gql, variant

LINES = """query ($id: ID!) { order(id: $id) { lineItems(first: 5) { nodes {
    quantity currentQuantity unfulfilledQuantity fulfillableQuantity requiresShipping } } } }"""


HOLD = """mutation ($id: ID!, $hold: FulfillmentOrderHoldInput!) {
    fulfillmentOrderHold(id: $id, fulfillmentHold: $hold) { userErrors { code } } }"""


def test_held_lines_have_no_fulfillable_quantity(client, token, store, receiver):
    order = store.place_order(SHOP, [(variant(store, 0), 2), (variant(store, 1), 1)])
    fo = order["fulfillment_orders"][0]
    held, free = order["line_items"]
    line_gid = f"gid://shopify/FulfillmentOrderLineItem/{fo['lines'][0]['id']}"
    hold = {"reason": "OTHER", "handle": "h", "fulfillmentOrderLineItems": [{"id": line_gid, "quantity": 2}]}
    assert gql(client, token, HOLD, {"id": fo["gid"], "hold": hold})["data"]["fulfillmentOrderHold"]["userErrors"] == []
    gql(client, token, 'mutation ($id: ID!) { tagsAdd(id: $id, tags: ["x"]) { userErrors { message } } }',
        {"id": order["gid"]})
    store.drain_webhooks()
    lines = {line["id"]: line for line in receiver.of("orders/updated")[-1]["line_items"]}
    assert (lines[held["id"]]["fulfillable_quantity"], lines[held["id"]]["current_quantity"]) == (0, 2)
    assert lines[free["id"]]["fulfillable_quantity"] == 1
    nodes = gql(client, token, LINES, {"id": order["gid"]})["data"]["order"]["lineItems"]["nodes"]
    assert nodes[0] == {"quantity": 2, "currentQuantity": 2, "unfulfilledQuantity": 2, "fulfillableQuantity": 0,
                        "requiresShipping": True}
    assert nodes[1]["fulfillableQuantity"] == 1


def test_fulfillments_and_refunds_in_order_payloads(store, receiver):
    order = store.place_order(SHOP, [(variant(store, 0, available=5), 3)])
    line_id = order["line_items"][0]["id"]
    store.refund_order(SHOP, order["id"], line_id, 1)
    store.fulfil_order(SHOP, order["id"])
    store.drain_webhooks()
    body = receiver.of("orders/fulfilled")[-1]
    assert [(f["line_items"][0]["id"], f["line_items"][0]["quantity"]) for f in body["fulfillments"]] == [(line_id, 2)]
    assert body["fulfillments"][0]["location_id"] == order["fulfillment_orders"][0]["location_id"]
    refund = body["refunds"][0]
    assert [(r["line_item_id"], r["quantity"], r["restock_type"]) for r in refund["refund_line_items"]] == [(line_id, 1, "cancel")]
    assert body["line_items"][0]["current_quantity"] == 2 and body["financial_status"] == "partially_refunded"


def test_order_webhooks_carry_no_customer_tags_but_graphql_does(client, token, store, receiver):
    order = store.place_order(SHOP, [(variant(store), 1)], customer={"email": "vip@example.com", "tags": ["VIP"]})
    store.drain_webhooks()
    assert "tags" not in receiver.of("orders/create")[0]["customer"]
    customer_gid = f"gid://shopify/Customer/{order['customer_id']}"
    body = gql(client, token, "query ($ids: [ID!]!) { nodes(ids: $ids) { ... on Customer { id tags } } }",
               {"ids": [customer_gid]})
    assert body["data"]["nodes"] == [{"id": customer_gid, "tags": ["VIP"]}]
