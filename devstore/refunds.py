"""Refunds of line units, partial or whole, with or without restocking.

Unshipped units leave their fulfillment orders; restocked, they go back to available at the
location they were committed at (restock type `cancel`); not restocked, their commitment simply
ends. Shipped units restocked are returns: available rises at the location that shipped them
(`return`). `current_quantity` falls by every refunded unit."""

from __future__ import annotations

from .core import Core, StoreError
from .fulfillment_orders import take_units
from .model import LineItem, Order, Refund, RefundLine, Shop
from .payloads import order_payload, refund_payload
from .stock import Touched, adjust, release


def refund_line(core: Core, shop: Shop, order: Order, line: LineItem, quantity: int, restock: bool,
                touched: Touched, note: str | None = None) -> Refund:
    if order.cancelled_at is not None:
        raise StoreError(f"order {order.name} is cancelled")
    if not 0 < quantity <= line.current_quantity:
        raise StoreError(f"can refund 1..{line.current_quantity} units of line {line.id}, not {quantity}")
    unshipped = min(quantity, line.unfulfilled)
    lines = _refund_unshipped(core, shop, order, line, unshipped, restock, touched)
    lines += _refund_shipped(core, shop, order, line, quantity - unshipped, restock, touched)
    return _record(core, order, lines, restock, note)


def refund_unshipped(core: Core, shop: Shop, order: Order, touched: Touched, note: str) -> Refund | None:
    """Every unfulfilled unit of the order, restocked (what cancelling an order does)."""
    lines = []
    for line in order.line_items:
        if line.unfulfilled > 0:
            lines += _refund_unshipped(core, shop, order, line, line.unfulfilled, True, touched)
    return _record(core, order, lines, True, note) if lines else None


def _refund_unshipped(core, shop, order, line, quantity, restock, touched) -> list[RefundLine]:
    if quantity <= 0:
        return []
    refunded = []
    for location_id, units in take_units(core, shop, order, line, quantity):
        if restock:
            release(core, shop, line, location_id, units, touched)
        else:
            adjust(core, shop, line, location_id, touched, committed=-units)
        refunded.append(_refund_line(core, line, units, "cancel" if restock else "no_restock",
                                     location_id if restock else None))
    line.refunded_unshipped += quantity
    return refunded


def _refund_shipped(core, shop, order, line, quantity, restock, touched) -> list[RefundLine]:
    if quantity <= 0:
        return []
    line.refunded_shipped += quantity
    if not restock:
        return [_refund_line(core, line, quantity, "no_restock", None)]
    location_id = _shipped_from(order, line)
    adjust(core, shop, line, location_id, touched, available=quantity)
    return [_refund_line(core, line, quantity, "return", location_id)]


def _shipped_from(order: Order, line: LineItem) -> int:
    shipped = [f.location_id for f in order.fulfillments if line.id in f.lines]
    return shipped[-1] if shipped else line.location_id


def _refund_line(core: Core, line: LineItem, quantity: int, restock_type: str, location_id: int | None) -> RefundLine:
    return RefundLine(id=core.ids.next("RefundLineItem"), line_item_id=line.id, quantity=quantity,
                      restock_type=restock_type, location_id=location_id, subtotal=line.price * quantity)


def _record(core: Core, order: Order, lines: list[RefundLine], restock: bool, note: str | None) -> Refund:
    refund = Refund(id=core.ids.next("Refund"), order_id=order.id, lines=lines, restock=restock,
                    note=note, created_at=core.now())
    order.refunds.append(refund)
    order.updated_at = refund.created_at
    return refund


def announce(core: Core, shop: Shop, order: Order, refund: Refund) -> None:
    core.emit(shop, "refunds/create", refund_payload(shop, order, refund))


def refund_order(core: Core, shop: Shop, order: Order, line: LineItem, quantity: int, restock: bool,
                 note: str | None = None) -> Refund:
    """A partial refund of one line: refunds/create, orders/updated, then the stock it moved."""
    touched = Touched()
    refund = refund_line(core, shop, order, line, quantity, restock, touched, note)
    announce(core, shop, order, refund)
    core.emit(shop, "orders/updated", order_payload(shop, order))
    touched.announce(core, shop)
    return refund
