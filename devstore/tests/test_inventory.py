"""Shopify's quantity semantics: selling moves available to committed, CONTINUE oversells into
negative available, DENY refuses, cancelling restocks, fulfilling ships committed units."""

from __future__ import annotations

import pytest

from devstore import StoreError

from .helpers import SHOP, levels, variant


def test_continue_variant_oversells_into_negative_available(store):
    v = variant(store, policy="CONTINUE", available=2)
    store.place_order(SHOP, [(v, 5)])
    assert levels(store, v) == {"available": -3, "committed": 5, "on_hand": 2, "incoming": 0}


def test_deny_variant_refuses_to_oversell(store):
    v = variant(store, policy="DENY", available=2)
    with pytest.raises(StoreError, match="sold out"):
        store.place_order(SHOP, [(v, 3)])
    assert levels(store, v)["available"] == 2
    store.place_order(SHOP, [(v, 2)])
    assert levels(store, v) == {"available": 0, "committed": 2, "on_hand": 2, "incoming": 0}


def test_cancel_restocks_unfulfilled_units(store, receiver):
    v = variant(store, available=1)
    order = store.place_order(SHOP, [(v, 3)])
    store.cancel_order(SHOP, order["id"])
    assert levels(store, v) == {"available": 1, "committed": 0, "on_hand": 1, "incoming": 0}
    store.drain_webhooks()
    assert receiver.of("orders/cancelled")[0]["cancelled_at"] is not None
    assert receiver.of("inventory_levels/update")[-1]["available"] == 1


def test_fulfil_ships_only_lines_not_on_hold(store):
    v1, v2 = variant(store, 0, available=5), variant(store, 1, available=5)
    order = store.place_order(SHOP, [(v1, 2), (v2, 1)])
    fo = order["fulfillment_orders"][0]
    store.merchant_hold(SHOP, fo["id"])
    assert store.fulfil_order(SHOP, order["id"])["shipped"] == 0
    store.shop(SHOP).fulfillment_orders[fo["id"]].holds.clear()
    store.shop(SHOP).fulfillment_orders[fo["id"]].status = "OPEN"
    result = store.fulfil_order(SHOP, order["id"])
    assert result["shipped"] == 3
    assert levels(store, v1) == {"available": 3, "committed": 0, "on_hand": 3, "incoming": 0}
    assert result["order"]["fulfillment_orders"][0]["status"] == "CLOSED"


def test_receive_stock_raises_available_and_announces_it(store, receiver):
    v = variant(store, available=0)
    store.place_order(SHOP, [(v, 2)])
    store.receive_stock(SHOP, v, 5)
    assert levels(store, v)["available"] == 3
    store.drain_webhooks()
    last = receiver.of("inventory_levels/update")[-1]
    item = store.shop(SHOP).variants[v].inventory_item_id
    assert last["inventory_item_id"] == item and last["available"] == 3
    assert last["admin_graphql_api_id"].endswith(f"inventory_item_id={item}")


def test_flash_sale_is_seeded_and_counts_refusals(store):
    deny = variant(store, 0, "DENY", 3)
    first = store.flash_sale(SHOP, 20, variants=[deny], max_quantity=1, seed=7)
    assert len(first["placed"]) == 3 and first["refused"] == 17


def test_flash_sale_buyers_have_names_in_the_order_webhook(store, receiver):
    """The app's queue finds orders by the customer's name, which the order webhook carries."""
    store.flash_sale(SHOP, 5, variants=[variant(store)], seed=3)
    store.drain_webhooks()
    customers = [o["customer"] for o in receiver.of("orders/create")]
    assert len(customers) == 5
    for customer in customers:
        assert customer["first_name"] and customer["last_name"]
        assert customer["email"].startswith(
            f"{customer['first_name']}.{customer['last_name']}.".lower())


def test_order_edit_returns_units(store, receiver):
    v = variant(store, available=0)
    order = store.place_order(SHOP, [(v, 3)])
    store.edit_order(SHOP, order["id"], order["line_items"][0]["id"], 2)
    assert levels(store, v) == {"available": -1, "committed": 1, "on_hand": 0, "incoming": 0}
    store.drain_webhooks()
    assert receiver.of("orders/edited")[0]["order_edit"]["line_items"]["removals"][0]["delta"] == 2


def test_routing_delay_defers_fulfillment_orders(clock, receiver):
    from devstore import DevStore
    store = DevStore(app_url="http://app.test", api_key="k", api_secret="s", clock=clock,
                     routing_delay=5, webhook_client=receiver.app.test_client())
    store.create_shop(SHOP)
    store.seed_catalog(SHOP, "apparel")
    store.install(SHOP)
    order = store.place_order(SHOP, [(variant(store), 1)])
    assert order["fulfillment_orders"] == []
    store.process_due()
    assert store.order_state(SHOP, order["id"])["fulfillment_orders"] == []
    clock.advance(5)
    store.drain_webhooks()
    assert len(store.order_state(SHOP, order["id"])["fulfillment_orders"]) == 1
    assert receiver.topics()[-1] == "fulfillment_orders/order_routing_complete"


def test_lines_added_by_an_edit_commit_stock_at_the_edit(store, receiver, clock):
    """Fact 15: the added line commits stock when the order is edited, and gets a fulfillment order."""
    first, added = variant(store, 0, available=5), variant(store, 1, available=4)
    order = store.place_order(SHOP, [(first, 1)])
    assert levels(store, added)["committed"] == 0
    clock.advance(86_400)
    store.drain_webhooks()
    receiver.received.clear()
    edited = store.add_to_order(SHOP, order["id"], added, 3)
    assert levels(store, added) == {"available": 1, "committed": 3, "on_hand": 4, "incoming": 0}
    new_line = edited["line_items"][-1]
    assert [fo["lines"][0]["line_item_id"] for fo in edited["fulfillment_orders"]][-1] == new_line["id"]
    store.drain_webhooks()
    assert receiver.topics() == ["orders/edited", "orders/updated", "inventory_levels/update"]
    edit = receiver.of("orders/edited")[0]["order_edit"]
    assert edit["line_items"] == {"additions": [{"id": new_line["id"], "delta": 3}], "removals": []}
    assert receiver.of("orders/updated")[0]["line_items"][-1]["quantity"] == 3


def test_partial_refund_restocks_at_the_line_location(store, receiver):
    v = variant(store, available=5)
    order = store.place_order(SHOP, [(v, 3)])
    line = order["line_items"][0]
    store.drain_webhooks()
    receiver.received.clear()
    result = store.refund_order(SHOP, order["id"], line["id"], 2)
    assert levels(store, v) == {"available": 4, "committed": 1, "on_hand": 5, "incoming": 0}
    assert result["order"]["line_items"][0]["current_quantity"] == 1
    assert result["order"]["fulfillment_orders"][0]["lines"][0]["remaining"] == 1
    store.drain_webhooks()
    assert receiver.topics() == ["refunds/create", "orders/updated", "inventory_levels/update"]
    refund_line = receiver.of("refunds/create")[0]["refund_line_items"][0]
    assert (refund_line["quantity"], refund_line["restock_type"], refund_line["location_id"]) == \
        (2, "cancel", result["order"]["fulfillment_orders"][0]["location_id"])
    assert receiver.of("orders/updated")[0]["line_items"][0]["current_quantity"] == 1


def test_refund_of_shipped_units_is_a_return(store):
    v = variant(store, available=5)
    order = store.place_order(SHOP, [(v, 2)])
    store.fulfil_order(SHOP, order["id"])
    store.refund_order(SHOP, order["id"], order["line_items"][0]["id"], 1)
    assert levels(store, v) == {"available": 4, "committed": 0, "on_hand": 4, "incoming": 0}
    store.refund_order(SHOP, order["id"], order["line_items"][0]["id"], 1, restock=False)
    assert levels(store, v)["available"] == 4
