"""Fulfillment orders as containers of a line's units: creating them, finding them, and taking
units out of them when an order is edited, refunded or cancelled.

Once an order is routed, the units a line still owes live on fulfillment-order lines, each at its
fulfillment order's location; that is where they are committed (fact 2)."""

from __future__ import annotations

from .core import Core
from .model import FulfillmentOrder, FulfillmentOrderLine, LineItem, Order, Shop

ACTIVE = ("OPEN", "IN_PROGRESS", "ON_HOLD", "SCHEDULED")


def of_order(shop: Shop, order_id: int) -> list[FulfillmentOrder]:
    """All of an order's fulfillment orders, in creation order (hidden ones included)."""
    return [shop.fulfillment_orders[fo_id] for fo_id in shop.fulfillment_orders_by_order.get(order_id, [])]


def routed_of_order(shop: Shop, order: Order) -> list[FulfillmentOrder]:
    """What anyone outside the store sees: nothing until routing has completed."""
    return of_order(shop, order.id) if order.routed else []


def delivery_of(line: LineItem) -> str:
    """Lines that need no shipping go to their own fulfillment order, delivery method NONE."""
    return "SHIPPING" if line.requires_shipping else "NONE"


def create(core: Core, shop: Shop, order_id: int, location_id: int, delivery: str,
           units: list[tuple[int, int]], status: str = "OPEN") -> FulfillmentOrder:
    """A fulfillment order holding `units`: (line item id, quantity) pairs."""
    now = core.now()
    lines = [FulfillmentOrderLine(id=core.ids.next("FulfillmentOrderLineItem"), line_item_id=line_id,
                                  total_quantity=quantity, remaining_quantity=quantity)
             for line_id, quantity in units if quantity > 0]
    fo = FulfillmentOrder(id=core.ids.next("FulfillmentOrder"), order_id=order_id, location_id=location_id,
                          status=status, lines=lines, created_at=now, updated_at=now, delivery=delivery)
    shop.fulfillment_orders[fo.id] = fo
    shop.fulfillment_orders_by_order.setdefault(order_id, []).append(fo.id)
    return fo


def _taking_order(fos: list[FulfillmentOrder]) -> list[FulfillmentOrder]:
    """Units leave fulfillment orders that are not held before held ones."""
    active = [fo for fo in fos if fo.status in ACTIVE]
    return [fo for fo in active if fo.status != "ON_HOLD"] + [fo for fo in active if fo.status == "ON_HOLD"]


def take_units(core: Core, shop: Shop, order: Order, line: LineItem, quantity: int) -> list[tuple[int, int]]:
    """Removes `quantity` unfulfilled units of `line` from its fulfillment orders; returns the
    (location id, units) they were committed at. A fulfillment order left with nothing to do
    closes."""
    taken: list[tuple[int, int]] = []
    left = quantity
    for fo in _taking_order(of_order(shop, order.id)):
        for fo_line in fo.lines:
            if left and fo_line.line_item_id == line.id and fo_line.remaining_quantity:
                units = min(left, fo_line.remaining_quantity)
                fo_line.remaining_quantity -= units
                fo_line.total_quantity -= units
                left -= units
                taken.append((fo.location_id, units))
                fo.updated_at = core.now()
        close_if_done(fo)
    if left:
        taken.append((line.location_id, left))  # not on any fulfillment order (never routed)
    return taken


def close_if_done(fo: FulfillmentOrder) -> None:
    if fo.status in ACTIVE and fo.remaining == 0:
        fo.status, fo.holds = "CLOSED", []
