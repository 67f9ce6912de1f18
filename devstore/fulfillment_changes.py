"""Moving a fulfillment order to another location, merging fulfillment orders and splitting one,
as the merchant does in the admin (schema, `fulfillmentOrderMove`, `fulfillmentOrderMerge` and
`fulfillmentOrderSplit`).

Move: a fulfillment order with no progress, moved to a location where the order has no other
active fulfillment order, is re-assigned in place. Otherwise its unfulfilled units are recreated
on a new fulfillment order at the destination and the original closes. The commitment moves with
the units (fact 2). Merge: the units of the others join the first, and the others close. A
fulfillment order closed by either is hidden from `displayable: true` (fact 7). Split: the
schema's `fulfillmentOrderSplit` "moves the specified line items and quantities into a new
fulfillment order" at the same location, which `fulfillment_orders/split` names as the
`remaining_fulfillment_order`, with the units moved as `split_line_items` (the 2026-07 sample's
keys; no replacement is made, as the fulfillment order is OPEN)."""

from __future__ import annotations

from .core import Core, StoreError
from .fulfillment_actions import merge_partners, supported_actions
from .fulfillment_orders import ACTIVE, create, of_order
from .fulfillment_payloads import merged_payload, moved_payload, split_payload
from .model import FulfillmentOrder, FulfillmentOrderLine, Location, Shop
from .stock import Touched, transfer


def move(core: Core, shop: Shop, fo: FulfillmentOrder, destination: Location) -> FulfillmentOrder:
    """Returns the fulfillment order now at `destination` (the same one when moved in place)."""
    _check_move(shop, fo, destination)
    source = fo.location_id
    requested = [(line.id, line.remaining_quantity) for line in fo.lines if line.remaining_quantity]
    moved = _move_in_place(shop, fo, destination) if _in_place(shop, fo, destination) \
        else _move_to_new(core, shop, fo, destination)
    touched = Touched()
    lines = {line.id: line for line in shop.orders[fo.order_id].line_items}
    for fo_line in moved.lines:
        if fo_line.remaining_quantity:
            transfer(core, shop, lines[fo_line.line_item_id], source, destination.id,
                     fo_line.remaining_quantity, touched)
    fo.updated_at = moved.updated_at = core.now()
    core.emit(shop, "fulfillment_orders/moved", moved_payload(fo, moved, requested, source))
    touched.announce(core, shop)
    return moved


def _check_move(shop: Shop, fo: FulfillmentOrder, destination: Location) -> None:
    if "MOVE" not in supported_actions(shop, fo):
        raise StoreError(f"fulfillment order {fo.id} with status {fo.status} cannot be moved")
    if destination.id == fo.location_id:
        raise StoreError(f"fulfillment order {fo.id} is already assigned to {destination.name}")
    order = shop.orders[fo.order_id]
    lines = {line.id: line for line in order.line_items}
    for fo_line in fo.lines:
        variant = shop.variants.get(lines[fo_line.line_item_id].variant_id)
        if fo_line.remaining_quantity and variant is not None and variant.tracked \
                and (variant.inventory_item_id, destination.id) not in shop.levels:
            raise StoreError(f"{destination.name} does not stock {variant.sku or variant.title}")


def _in_place(shop: Shop, fo: FulfillmentOrder, destination: Location) -> bool:
    untouched = all(line.remaining_quantity == line.total_quantity for line in fo.lines)
    busy = any(other.location_id == destination.id and other.status in ACTIVE
               for other in of_order(shop, fo.order_id) if other.id != fo.id)
    return untouched and not busy


def _move_in_place(shop: Shop, fo: FulfillmentOrder, destination: Location) -> FulfillmentOrder:
    fo.location_id = destination.id
    return fo


def _move_to_new(core: Core, shop: Shop, fo: FulfillmentOrder, destination: Location) -> FulfillmentOrder:
    units = [(line.line_item_id, line.remaining_quantity) for line in fo.lines if line.remaining_quantity]
    for line in fo.lines:
        line.total_quantity -= line.remaining_quantity
        line.remaining_quantity = 0
    fo.status, fo.hidden = "CLOSED", True
    return create(core, shop, fo.order_id, destination.id, fo.delivery, units)


def merge(core: Core, shop: Shop, fos: list[FulfillmentOrder]) -> FulfillmentOrder:
    """Merges into the first fulfillment order; returns it."""
    _check_merge(shop, fos)
    target, others = fos[0], fos[1:]
    intents = [_intent(fo) for fo in fos]
    for other in others:
        for line in other.lines:
            if line.remaining_quantity:
                _join(core, target, line.line_item_id, line.remaining_quantity)
                line.total_quantity -= line.remaining_quantity
                line.remaining_quantity = 0
        other.status, other.hidden, other.updated_at = "CLOSED", True, core.now()
    target.updated_at = core.now()
    core.emit(shop, "fulfillment_orders/merged", merged_payload(target, intents))
    return target


def _check_merge(shop: Shop, fos: list[FulfillmentOrder]) -> None:
    if len(fos) < 2 or len({fo.id for fo in fos}) != len(fos):
        raise StoreError("merging needs at least two different fulfillment orders")
    partners = {other.id for other in merge_partners(shop, fos[0])}
    for fo in fos[1:]:
        if fo.id not in partners:
            raise StoreError(f"fulfillment order {fo.id} cannot be merged with {fos[0].id}: it must be OPEN, "
                             "of the same order, at the same location, with the same delivery method")
    if fos[0].status != "OPEN":
        raise StoreError(f"fulfillment order {fos[0].id} with status {fos[0].status} cannot be merged")


def _intent(fo: FulfillmentOrder) -> dict:
    return {"fulfillment_order_id": fo.id,
            "fulfillment_order_line_items": [{"id": line.id, "quantity": line.remaining_quantity}
                                             for line in fo.lines if line.remaining_quantity]}


def _join(core: Core, target: FulfillmentOrder, line_item_id: int, quantity: int) -> None:
    existing = next((line for line in target.lines if line.line_item_id == line_item_id), None)
    if existing is None:
        existing = FulfillmentOrderLine(id=core.ids.next("FulfillmentOrderLineItem"), line_item_id=line_item_id,
                                        total_quantity=0, remaining_quantity=0)
        target.lines.append(existing)
    existing.total_quantity += quantity
    existing.remaining_quantity += quantity


def split(core: Core, shop: Shop, fo: FulfillmentOrder, moves: dict[int, int]) -> FulfillmentOrder:
    """Moves `moves` (fulfillment order line id -> units) to a new fulfillment order; returns it."""
    if "SPLIT" not in supported_actions(shop, fo):
        raise StoreError(f"fulfillment order {fo.id} with status {fo.status} cannot be split")
    lines = {line.id: line for line in fo.lines}
    for line_id, units in moves.items():
        line = lines.get(line_id)
        if line is None or units <= 0 or units > line.remaining_quantity:
            raise StoreError(f"cannot split {units} units of line {line_id} off fulfillment order {fo.id}")
    if sum(moves.values()) >= sum(line.remaining_quantity for line in fo.lines):
        raise StoreError(f"splitting every unit off fulfillment order {fo.id} leaves nothing to split from")
    moved = []
    for line_id, units in moves.items():
        line = lines[line_id]
        line.total_quantity -= units
        line.remaining_quantity -= units
        moved.append((line.line_item_id, units))
    fo.lines = [line for line in fo.lines if line.total_quantity > 0]
    new = create(core, shop, fo.order_id, fo.location_id, fo.delivery, moved)
    fo.updated_at = new.updated_at = core.now()
    core.emit(shop, "fulfillment_orders/split",
              split_payload(fo, new, [(line.id, line.total_quantity) for line in new.lines]))
    return new
