"""What the app's scopes reach: orders older than 60 days need `read_all_orders` (fact 13), and
fulfillment orders at fulfillment-service locations need the third-party scopes (fact 11)."""

from __future__ import annotations

from devstore.store import DEFAULT_SCOPES

from .helpers import SHOP, gql, variant

DAY = 86_400
ORDER = "query ($id: ID!) { order(id: $id) { id } nodes(ids: [$id]) { id } }"
FULFILLMENT_ORDERS = """query ($id: ID!) { order(id: $id) { fulfillmentOrders(first: 5) { nodes { id } } } }"""
ONE_FO = "query ($id: ID!) { fulfillmentOrder(id: $id) { id } nodes(ids: [$id]) { id } }"
HOLD = """mutation ($id: ID!) { fulfillmentOrderHold(id: $id, fulfillmentHold: {reason: OTHER, handle: "x"}) {
    fulfillmentHold { id } userErrors { code message } } }"""


def _scopes(*extra: str) -> list[str]:
    return [*DEFAULT_SCOPES.split(","), *extra]


def test_orders_older_than_60_days_need_read_all_orders(client, store, clock):
    token = store.issue_token(SHOP, expiring=False)["access_token"]  # outlives the 60 days
    order = store.place_order(SHOP, [(variant(store), 1)])
    clock.advance(59 * DAY)
    assert gql(client, token, ORDER, {"id": order["gid"]})["data"]["order"] == {"id": order["gid"]}
    clock.advance(2 * DAY)
    assert gql(client, token, ORDER, {"id": order["gid"]})["data"] == {"order": None, "nodes": [None]}
    tagged = gql(client, token, 'mutation ($id: ID!) { tagsAdd(id: $id, tags: ["x"]) { node { id } userErrors { message } } }',
                 {"id": order["gid"]})["data"]["tagsAdd"]
    assert tagged["node"] is None and tagged["userErrors"]
    written = gql(client, token, """mutation ($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) {
        userErrors { code } } }""", {"m": [{"ownerId": order["gid"], "namespace": "$app:b", "key": "status",
                                           "type": "single_line_text_field", "value": "x"}]})
    assert written["data"]["metafieldsSet"]["userErrors"] == [{"code": "INVALID_VALUE"}]
    store.update_scopes(SHOP, _scopes("read_all_orders"))
    assert gql(client, token, ORDER, {"id": order["gid"]})["data"]["nodes"] == [{"id": order["gid"]}]


def _third_party_order(store):
    location = store.add_location(SHOP, "Fulfilment partner", fulfillment_service=True)
    v = variant(store, policy="DENY", available=0)
    store.set_stock(SHOP, v, 0, store.state(SHOP)["locations"][1]["id"])
    store.set_stock(SHOP, v, 4, location["id"])
    order = store.place_order(SHOP, [(v, 1), (variant(store, 1, available=3), 1)])
    third = next(fo for fo in order["fulfillment_orders"] if fo["location_id"] == location["id"])
    return order, third


def test_third_party_fulfillment_orders_need_their_scopes(client, token, store):
    order, third = _third_party_order(store)
    seen = gql(client, token, FULFILLMENT_ORDERS, {"id": order["gid"]})["data"]["order"]["fulfillmentOrders"]["nodes"]
    assert len(order["fulfillment_orders"]) == 2 and third["gid"] not in [fo["id"] for fo in seen] and len(seen) == 1
    assert gql(client, token, ONE_FO, {"id": third["gid"]})["data"] == {"fulfillmentOrder": None, "nodes": [None]}
    hold = gql(client, token, HOLD, {"id": third["gid"]})["data"]["fulfillmentOrderHold"]
    assert hold["userErrors"][0]["code"] == "FULFILLMENT_ORDER_NOT_FOUND"
    store.update_scopes(SHOP, _scopes("read_third_party_fulfillment_orders"))
    assert gql(client, token, ONE_FO, {"id": third["gid"]})["data"]["fulfillmentOrder"] == {"id": third["gid"]}
    assert gql(client, token, HOLD, {"id": third["gid"]})["data"]["fulfillmentOrderHold"]["userErrors"][0]["code"] \
        == "FULFILLMENT_ORDER_NOT_FOUND"
    store.update_scopes(SHOP, _scopes("write_third_party_fulfillment_orders"))
    assert gql(client, token, HOLD, {"id": third["gid"]})["data"]["fulfillmentOrderHold"]["fulfillmentHold"]["id"]


def test_holding_needs_a_write_fulfillment_order_scope(client, token, store):
    order = store.place_order(SHOP, [(variant(store), 1)])
    store.update_scopes(SHOP, ["read_orders", "read_merchant_managed_fulfillment_orders"])
    body = gql(client, token, HOLD, {"id": order["fulfillment_orders"][0]["gid"]})
    assert body["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
    assert "write_merchant_managed_fulfillment_orders" in body["errors"][0]["message"]
