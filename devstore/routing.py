"""Order routing: which location each line is fulfilled from, and the fulfillment orders that
result (fact 7: one per assigned location, and one more for lines that need no shipping).

A line goes to the location the caller names; otherwise to the first location, in creation order,
with enough available for it; otherwise to the first location. This is Shopify's default order
routing reduced to one shop without delivery addresses (help center, "Understanding order
routing": prefer locations that have the items in stock, minimise split fulfillments, then rank
locations; the "closest location" and "destination market" rules need an address the simulator
does not model, so creation order stands for the merchant's location ranking). Custom lines and untracked items
have no stock to look for and go to the first location (facts 3 and 4)."""

from __future__ import annotations

from .core import Core
from .fulfillment_orders import create, delivery_of, of_order
from .model import FulfillmentOrder, Location, Order, Shop, Variant, gid


class Planner:
    """Chooses locations for the lines of one order, counting what earlier lines already took."""

    def __init__(self, shop: Shop, explicit: Location | None):
        self.shop = shop
        self.explicit = explicit
        self.planned: dict[tuple[int, int], int] = {}

    def location_for(self, variant: Variant | None, quantity: int) -> Location:
        location = self.explicit or self._first_with_stock(variant, quantity)
        if variant is not None and variant.tracked:
            key = (variant.inventory_item_id, location.id)
            self.planned[key] = self.planned.get(key, 0) + quantity
        return location

    def available(self, variant: Variant, location_id: int) -> int:
        """Available at the location once the order's earlier lines are taken out."""
        key = (variant.inventory_item_id, location_id)
        level = self.shop.levels.get(key)
        return (level.available if level else 0) - self.planned.get(key, 0)

    def _first_with_stock(self, variant: Variant | None, quantity: int) -> Location:
        locations = [loc for loc in self.shop.locations.values() if loc.active]
        if variant is not None and variant.tracked:
            for location in locations:
                if self.available(variant, location.id) >= quantity:
                    return location
        return locations[0] if locations else self.shop.primary_location


def build_fulfillment_orders(core: Core, shop: Shop, order: Order) -> list[FulfillmentOrder]:
    """One fulfillment order per (location, delivery method) of the lines still owed."""
    groups: dict[tuple[int, str], list[tuple[int, int]]] = {}
    for line in order.line_items:
        if line.unfulfilled > 0:
            groups.setdefault((line.location_id, delivery_of(line)), []).append((line.id, line.unfulfilled))
    return [create(core, shop, order.id, location_id, delivery, units)
            for (location_id, delivery), units in groups.items()]


def complete_routing(core: Core, shop: Shop, order: Order) -> None:
    """The fulfillment orders become visible and each is announced."""
    if order.routed:
        return
    order.routed = True
    for fo in of_order(shop, order.id):
        if fo.status == "OPEN":
            core.emit(shop, "fulfillment_orders/order_routing_complete",
                      {"fulfillment_order": {"id": gid("FulfillmentOrder", fo.id), "status": "open"}})


def route_due(core: Core) -> int:
    """Completes routing of every order whose routing delay has passed; returns how many."""
    routed = 0
    deadline = core.now() - core.routing_delay
    for shop in core.shops.values():
        for order in list(shop.orders.values()):
            if not order.routed and order.created_at <= deadline:
                complete_routing(core, shop, order)
                routed += 1
    return routed
