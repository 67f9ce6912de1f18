"""One realistic shop, end to end through the store simulator: two locations, an untracked gift
wrap, a merchant's own hold, an order edit and a partial refund. After each step the store shows
what a person running it would expect: a hold on every owed unit, none on a covered one, the
merchant's hold left alone, and nothing ever held for the gift wrap.

The app plans one pool per variant across all locations (the merchant's "all locations" choice):
units at the shop floor can serve an order routed to the warehouse."""

from __future__ import annotations

from app.storage.tables import OrderLine

SMALL, MEDIUM, LARGE = 1, 2, 3


def lines(harness, order: int) -> list[int]:
    return [line["id"] for line in harness.order(order)["line_items"]]


def merchant_holds(harness, order: int) -> list[str]:
    return [h["handle"] for fo in harness.order(order)["fulfillment_orders"]
            for h in fo["holds"] if not h["by_app"]]


def test_a_shop_with_two_locations_a_gift_wrap_a_merchant_hold_an_edit_and_a_refund(harnesses):
    harness = harnesses(locations=("Warehouse", "Shop floor"))
    store, shop = harness.store, harness.shop
    warehouse, floor = (loc["id"] for loc in store.shop_info(shop)["locations"])
    tee, wrap, hoodie = (harness.variants[i] for i in (SMALL, MEDIUM, LARGE))
    store.set_inventory_policy(shop, tee, "CONTINUE")
    store.set_stock(shop, tee, 3, location=warehouse)
    store.set_stock(shop, tee, 1, location=floor)
    store.set_stock(shop, hoodie, 10, location=warehouse)
    store.set_stock(shop, wrap, 0)
    store.set_tracked(shop, wrap, False)
    harness.settle()

    a = harness.sell((tee, 2), (wrap, 1))  # warehouse: 3 -> 1
    b = harness.sell((tee, 2))  # no location has 2: warehouse, 1 -> -1; the floor's unit serves it
    c = harness.sell((tee, 1))  # warehouse -2: one short
    harness.settle()
    assert [harness.held(o) for o in (a, b)] == [{}, {}]
    assert harness.held(c) == {lines(harness, c)[0]: 1}

    harness.tick()
    d = store.place_order(shop, [(hoodie, 1), (tee, 1)])["id"]
    (d_fo,) = harness.order(d)["fulfillment_orders"]
    store.merchant_hold(shop, d_fo["id"], handle="fraud-check")  # before the app sees the order
    harness.settle()
    assert merchant_holds(harness, d) == ["fraud-check"]  # theirs stops the hoodie and the tee
    assert harness.held(d) == {} and harness.order(d)["tags"] == ["backordered"]

    harness.tick()
    store.merchant_release(shop, d_fo["id"])  # hold_released: the owed tee is held now
    harness.settle()
    assert merchant_holds(harness, d) == []
    assert harness.held(d) == {lines(harness, d)[1]: 1}

    harness.tick()
    store.add_to_order(shop, a, tee, 1)  # an edit: the new line queues from the edit
    harness.settle()
    a_new = lines(harness, a)[-1]
    assert harness.held(a) == {a_new: 1}

    harness.tick()
    store.refund_order(shop, b, lines(harness, b)[0], 1, restock=True)  # one back to the shelf
    harness.settle()
    assert harness.held(c) == {} and "backordered" not in harness.order(c)["tags"]

    harness.tick()
    store.receive_stock(shop, tee, 1, location=floor)
    harness.settle()
    assert harness.held(d) == {} and "backordered" not in harness.order(d)["tags"]
    assert harness.held(a) == {a_new: 1} and harness.order(a)["tags"] == ["backordered"]
    assert [harness.held(o) for o in (b, c)] == [{}, {}]
    wrap_line = f"gid://shopify/LineItem/{lines(harness, a)[1]}"
    with harness.services.db.transaction() as s:  # the gift wrap never waited on anything
        assert s.get(OrderLine, (shop, wrap_line)) is None
