"""Lines with no stock to wait for (facts 3 and 4): untracked items, custom lines without a
variant, and lines that need no shipping (a variant flagged so, or a gift card)."""

from __future__ import annotations

from .helpers import SHOP, gql, levels, variant

GIFT_CARD_CSV = """Handle,Title,Vendor,Option1 Name,Option1 Value,Variant SKU,Variant Inventory Tracker,Variant Inventory Qty,Variant Inventory Policy,Variant Price,Variant Requires Shipping,Gift Card
gift-card,Gift card,Shop,Title,Default Title,GC-25,,0,deny,25.00,false,true
"""


def test_untracked_items_move_no_stock_and_never_sell_out(store, receiver):
    v = variant(store, policy="DENY", available=0)
    store.set_tracked(SHOP, v, False)
    store.drain_webhooks()
    assert receiver.of("inventory_items/update")[-1]["tracked"] is False
    receiver.received.clear()
    order = store.place_order(SHOP, [(v, 3)])
    assert levels(store, v) == {"available": 0, "committed": 0, "on_hand": 0, "incoming": 0}
    store.fulfil_order(SHOP, order["id"])
    store.drain_webhooks()
    assert "inventory_levels/update" not in receiver.topics()
    line = receiver.of("orders/create")[0]["line_items"][0]
    assert line["variant_inventory_management"] is None


def test_tracked_items_are_managed_by_shopify(store, receiver):
    store.place_order(SHOP, [(variant(store), 1)])
    store.drain_webhooks()
    assert receiver.of("orders/create")[0]["line_items"][0]["variant_inventory_management"] == "shopify"


def test_tracked_is_readable_over_graphql(client, token, store):
    v = variant(store)
    store.set_tracked(SHOP, v, False)
    body = gql(client, token, "query ($ids: [ID!]!) { nodes(ids: $ids) { ... on ProductVariant { inventoryItem { tracked } } } }",
               {"ids": [f"gid://shopify/ProductVariant/{v}"]})
    assert body["data"]["nodes"][0]["inventoryItem"]["tracked"] is False


def test_custom_line_has_no_variant_and_no_stock(store, receiver):
    order = store.place_order(SHOP, [{"title": "Gift wrap", "price": "5.00", "quantity": 1}])
    store.drain_webhooks()
    line = receiver.of("orders/create")[0]["line_items"][0]
    assert (line["variant_id"], line["product_id"], line["requires_shipping"], line["price"]) == (None, None, True, "5.00")
    assert line["variant_inventory_management"] is None
    assert "inventory_levels/update" not in receiver.topics()
    assert order["fulfillment_orders"][0]["delivery"] == "SHIPPING"


def test_non_shipping_lines_get_their_own_fulfillment_order(client, token, store, receiver):
    physical, digital = variant(store, 0, available=5), variant(store, 1, available=5)
    store.set_requires_shipping(SHOP, digital, False)
    order = store.place_order(SHOP, [(physical, 1), (digital, 1),
                                     {"title": "E-book", "price": "3.00", "quantity": 1, "requires_shipping": False}])
    by_delivery = {fo["delivery"]: fo for fo in order["fulfillment_orders"]}
    assert set(by_delivery) == {"SHIPPING", "NONE"}
    assert len(by_delivery["NONE"]["lines"]) == 2
    body = gql(client, token, """query ($id: ID!) { order(id: $id) {
        lineItems(first: 5) { nodes { requiresShipping } }
        fulfillmentOrders(first: 5) { nodes { deliveryMethod { methodType } lineItems(first: 5) { nodes { requiresShipping } } } } } }""",
               {"id": order["gid"]})["data"]["order"]
    assert [n["requiresShipping"] for n in body["lineItems"]["nodes"]] == [True, False, False]
    methods = {fo["deliveryMethod"]["methodType"]: [n["requiresShipping"] for n in fo["lineItems"]["nodes"]]
               for fo in body["fulfillmentOrders"]["nodes"]}
    assert methods == {"SHIPPING": [True], "NONE": [False, False]}


def test_gift_cards_from_csv_are_untracked_and_do_not_ship(store, receiver):
    product = store.seed_catalog(SHOP, csv_text=GIFT_CARD_CSV)[0]
    store.place_order(SHOP, [(product["variant_ids"][0], 2)])
    store.drain_webhooks()
    line = receiver.of("orders/create")[-1]["line_items"][0]
    assert (line["gift_card"], line["requires_shipping"], line["variant_inventory_management"]) == (True, False, None)


def test_csv_tracking_follows_the_inventory_tracker_column(store):
    csv = GIFT_CARD_CSV.replace(",true\n", ",false\n").replace("gift-card,Gift card", "mug,Mug")
    untracked = store.seed_catalog(SHOP, csv_text=csv, csv_tracking=True)[0]["variant_ids"][0]
    tracked = store.seed_catalog(SHOP, csv_text=csv.replace("GC-25,,", "MUG-2,shopify,"), csv_tracking=True)[0]["variant_ids"][0]
    default = store.seed_catalog(SHOP, csv_text=csv.replace("GC-25", "MUG-3"))[0]["variant_ids"][0]
    shop = store.shop(SHOP)
    assert [shop.variants[v].tracked for v in (untracked, tracked, default)] == [False, True, True]
