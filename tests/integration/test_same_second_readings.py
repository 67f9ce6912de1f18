"""Orders and stock readings of one second, through the webhooks and the worker. Shopify's
times have whole seconds, so a reading may or may not include an order of its own second; what
the second's readings took out of the level before it tells how many such orders they can
include (shopify-fidelity.md, fact 2 and the delivery guarantees)."""

from __future__ import annotations

import pytest

from app.services.ports import StockReading
from app.storage.tables import OrderLine
from tests.conftest import SHOP
from tests.fakes import FakeGateway
from tests.integration.helpers import post_webhook
from tests.integration.test_backorder_flow import order_payload

V1 = "gid://shopify/ProductVariant/1"
ITEM = "gid://shopify/InventoryItem/1"
LOCATION = "gid://shopify/Location/1"


@pytest.fixture
def platform() -> FakeGateway:
    gateway = FakeGateway()
    gateway.add_variant(V1, available=1)  # read at 12:00:00, when the first order arrives
    return gateway


def order_at(number: int, second: int, quantity: int = 1) -> dict:
    payload = order_payload(number, [(number, 1, quantity)])
    payload["created_at"] = payload["updated_at"] = f"2026-11-20T12:00:{second:02d}Z"
    return payload


def stock_at(available: int, second: int) -> dict:
    return {"inventory_item_id": 1, "location_id": 1, "available": available,
            "updated_at": f"2026-11-20T12:00:{second:02d}Z"}


def send(flow, topic: str, payload: dict) -> None:
    client, services = flow
    post_webhook(client, topic, payload)
    services.queue.drain()


def waiting(flow, number: int) -> int:
    with flow[1].db.transaction() as s:
        return s.get(OrderLine, (SHOP, f"gid://shopify/LineItem/{number}")).backordered


def test_an_order_whose_own_update_is_late_is_not_on_hand_by_an_earlier_orders(flow, platform):
    """One unit; #1 and #2 in the same second. #1's update (0 left) is the newest reading when
    #2 arrives: it took one unit out, #1's, so #2 is not in it and waits."""
    send(flow, "orders/create", order_at(1, 20))
    send(flow, "inventory_levels/update", stock_at(0, 20))
    send(flow, "orders/create", order_at(2, 20))
    assert (waiting(flow, 1), waiting(flow, 2)) == (0, 1)
    platform.stock_by_item[ITEM] = [StockReading(V1, ITEM, LOCATION, -1)]
    send(flow, "inventory_levels/update", stock_at(-1, 20))  # #2's own, with its settling read
    assert (waiting(flow, 1), waiting(flow, 2)) == (0, 1)


def test_an_order_whose_update_came_first_is_in_it(flow):
    """The update that took one unit out comes before its order: the order is in the reading,
    covered by the unit, and no unit is counted twice."""
    send(flow, "orders/create", order_at(1, 10))
    send(flow, "inventory_levels/update", stock_at(1, 20))  # a restock of one
    send(flow, "inventory_levels/update", stock_at(0, 30))
    send(flow, "orders/create", order_at(2, 30))
    send(flow, "orders/create", order_at(3, 30))  # its update has not come: it is not in it
    assert [waiting(flow, n) for n in (1, 2, 3)] == [0, 0, 1]


def test_orders_between_the_base_and_the_reading_explain_its_units_first(flow):
    """#2 at :25 is in the :30 reading whatever came before; of the two units that reading took
    out since :20, one is #2's, so only one of #3 and #4 (both :30) is in it."""
    send(flow, "orders/create", order_at(1, 10))
    send(flow, "inventory_levels/update", stock_at(2, 20))  # a restock of two
    send(flow, "orders/create", order_at(2, 25))  # its own update is never seen alone
    send(flow, "orders/create", order_at(3, 30))
    send(flow, "inventory_levels/update", stock_at(0, 30))
    send(flow, "orders/create", order_at(4, 30))
    assert [waiting(flow, n) for n in (1, 2, 3, 4)] == [0, 0, 0, 1]


def test_a_late_update_of_the_bases_second_lowers_the_base(flow):
    """#3's update at :20 arrives after the :30 one, whose base was #2's update (2 left). Until
    it comes, #3's unit looks on hand; once it comes, only one of #4 and #5 (:30) is in it."""
    send(flow, "orders/create", order_at(1, 5))
    send(flow, "inventory_levels/update", stock_at(3, 10))  # a restock of three
    send(flow, "orders/create", order_at(2, 20))
    send(flow, "inventory_levels/update", stock_at(2, 20))
    send(flow, "orders/create", order_at(3, 20))
    send(flow, "orders/create", order_at(4, 30))
    send(flow, "inventory_levels/update", stock_at(0, 30))
    send(flow, "orders/create", order_at(5, 30))
    assert [waiting(flow, n) for n in (1, 2, 3, 4, 5)] == [0, 0, 0, 0, 0]
    services = flow[1]
    services.restocks.create(SHOP, {"variant_id": V1, "quantity": 1,
                                    "expected_date": "2026-11-27"})
    send(flow, "inventory_levels/update", stock_at(1, 20))  # above the level: nothing came in
    assert [waiting(flow, n) for n in (1, 2, 3, 4, 5)] == [0, 0, 0, 0, 1]
    assert services.restocks.page(SHOP, {})["total"] == 1  # still expected


def test_stock_that_came_in_within_the_second_leaves_its_orders_in_the_reading(flow, platform,
                                                                                clock):
    """#2 and #3 sold and three units came in, all at :20; the platform, read in that second,
    shows 1. What that second took out is unknown, so its orders are taken as in the reading
    (sales alone would have made it 0 less #2 and #3): four units, three orders, none waits."""
    send(flow, "orders/create", order_at(1, 10))
    send(flow, "inventory_levels/update", stock_at(0, 10))
    send(flow, "orders/create", order_at(2, 20))
    send(flow, "orders/create", order_at(3, 20))
    platform.stock_by_item[ITEM] = [StockReading(V1, ITEM, LOCATION, 1)]
    clock.now = clock.now.replace(second=20, microsecond=500_000)
    send(flow, "inventory_levels/update", stock_at(-1, 20))
    send(flow, "inventory_levels/update", stock_at(2, 20))  # disagrees: the platform is read
    send(flow, "inventory_levels/update", stock_at(1, 20))
    assert [waiting(flow, n) for n in (1, 2, 3)] == [0, 0, 0]
