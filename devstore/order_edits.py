"""Order edits: units taken off a line, and lines added long after the order was placed.

An added line commits stock at the edit, not at order creation (fact 15), at the location routing
picks for it then, and goes on a new fulfillment order there. Each edit is announced as
orders/edited (shaped like the 2026-07 sample) and orders/updated."""

from __future__ import annotations

from . import fulfillment_orders, stock
from .catalog import resolve_location, resolve_variant
from .core import Core, StoreError
from .model import Order, Shop
from .orders import check_sellable, find_line, variant_line
from .payloads import order_edit_payload, order_payload
from .routing import Planner


def _editable(order: Order) -> None:
    if order.cancelled_at is not None:
        raise StoreError(f"order {order.name} is cancelled and cannot be edited")


def remove_units(core: Core, shop: Shop, order: Order, line_item_id: int, remove: int) -> Order:
    """Units removed from a line go back to available where they were committed."""
    _editable(order)
    line = find_line(order, line_item_id)
    if not 0 < remove <= line.unfulfilled:
        raise StoreError(f"can remove 1..{line.unfulfilled} units from line {line.id}, not {remove}")
    touched = stock.Touched()
    for location_id, units in fulfillment_orders.take_units(core, shop, order, line, remove):
        stock.release(core, shop, line, location_id, units, touched)
    line.removed += remove
    _announce(core, shop, order, additions=[], removals=[{"id": line.id, "delta": remove}], touched=touched)
    return order


def add_line(core: Core, shop: Shop, order: Order, variant_ref: int | str, quantity: int,
             location_id: int | str | None = None) -> Order:
    """Adds `quantity` of a variant as a new line, routed and committed now."""
    _editable(order)
    if quantity <= 0:
        raise StoreError("quantity must be greater than zero")
    variant = resolve_variant(shop, variant_ref)
    planner = Planner(shop, resolve_location(shop, location_id) if location_id is not None else None)
    location = planner.location_for(variant, quantity)
    check_sellable(variant, planner.available(variant, location.id) + quantity, quantity)
    line = variant_line(core, shop, variant, quantity, location.id, core.now())
    line.order_id = order.id
    order.line_items.append(line)
    touched = stock.Touched()
    stock.commit(core, shop, line, location.id, quantity, touched)
    fulfillment_orders.create(core, shop, order.id, location.id, fulfillment_orders.delivery_of(line),
                              [(line.id, quantity)])
    _announce(core, shop, order, additions=[{"id": line.id, "delta": quantity}], removals=[], touched=touched)
    return order


def _announce(core: Core, shop: Shop, order: Order, additions: list, removals: list, touched) -> None:
    order.updated_at = core.now()
    edit_id = core.ids.next("OrderEdit")
    core.emit(shop, "orders/edited", order_edit_payload(shop, order, edit_id, additions, removals))
    core.emit(shop, "orders/updated", order_payload(shop, order))
    touched.announce(core, shop)
