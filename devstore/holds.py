"""Fulfillment holds, as the 2026-10 Admin API applies them.

A hold naming some fulfillment-order lines splits the fulfillment order: the held quantities stay
on the original, which goes ON_HOLD, and everything else moves to a new OPEN fulfillment order
returned as `remainingFulfillmentOrder` (schema: "the remaining fulfillment order containing the line
items to which the hold wasn't applied"; fact 8). Naming lines on a fulfillment order already on
hold is refused (FULFILLMENT_ORDER_NOT_SPLITTABLE). Each app may hold up to 10 holds per fulfillment
order, with unique handles (fact 9). Releasing the last hold reopens the fulfillment order and sends
fulfillment_orders/hold_released (fact 10); split fulfillment orders are never merged back.

Apps act only on fulfillment orders their scopes reach (fact 11): one they may not see, or may see
but not write, is answered as not found. Holds by the merchant (`app_id` None) have no such limit."""

from __future__ import annotations

from dataclasses import dataclass, field

from .access import fulfillment_order_visible, fulfillment_order_writable
from .core import Core
from .fulfillment_orders import create
from .fulfillment_payloads import hold_released_payload, placed_on_hold_payload, split_payload
from .model import FulfillmentOrder, Hold, Shop, gid, parse_gid

HOLD_LIMIT_PER_APP = 10
HOLDABLE = ("OPEN", "ON_HOLD", "SCHEDULED")
NOT_FOUND = ("Fulfillment order does not exist.", "FULFILLMENT_ORDER_NOT_FOUND")


@dataclass
class HoldResult:
    hold: Hold | None = None
    fulfillment_order: FulfillmentOrder | None = None
    remaining: FulfillmentOrder | None = None
    user_errors: list[dict] = field(default_factory=list)


def user_error(field_path: list, message: str, code: str | None = None) -> dict:
    return {"field": [str(p) for p in field_path], "message": message, "code": code}


def find_fulfillment_order(shop: Shop, fo_gid: str) -> FulfillmentOrder | None:
    parsed = parse_gid(fo_gid, "FulfillmentOrder")
    fo = shop.fulfillment_orders.get(parsed[1]) if parsed else None
    if fo is None or not shop.orders[fo.order_id].routed:
        return None
    return fo


def _reachable(shop: Shop, fo_gid: str, app_id: int | None) -> FulfillmentOrder | None:
    """The fulfillment order, if the caller may change it (the merchant always may)."""
    fo = find_fulfillment_order(shop, fo_gid)
    if fo is None or app_id is None:
        return fo
    return fo if fulfillment_order_visible(shop, fo) and fulfillment_order_writable(shop, fo) else None


def place_hold(core: Core, shop: Shop, fo_gid: str, spec: dict, app_id: int | None) -> HoldResult:
    fo = _reachable(shop, fo_gid, app_id)
    if fo is None:
        return HoldResult(user_errors=[user_error(["id"], *NOT_FOUND)])
    errors = _hold_errors(fo, spec, app_id)
    if errors:
        return HoldResult(user_errors=errors)
    was_held = fo.status == "ON_HOLD"
    requested = _requested(spec)
    remaining = _split(core, shop, fo, requested) if requested else None
    hold = Hold(id=core.ids.next("FulfillmentHold"), handle=spec.get("handle") or "",
                reason=spec["reason"], reason_notes=spec.get("reasonNotes"), app_id=app_id,
                external_id=spec.get("externalId"))
    fo.holds.append(hold)
    fo.status, fo.updated_at = "ON_HOLD", core.now()
    if not was_held:
        held = [(line.id, line.remaining_quantity) for line in fo.lines if not requested or line.id in requested]
        core.emit(shop, "fulfillment_orders/placed_on_hold",
                  placed_on_hold_payload(fo, hold, remaining, held, core.app_id))
    return HoldResult(hold=hold, fulfillment_order=fo, remaining=remaining)


def _requested(spec: dict) -> dict[int, int]:
    requested: dict[int, int] = {}
    for entry in spec.get("fulfillmentOrderLineItems") or []:
        number = parse_gid(entry["id"], "FulfillmentOrderLineItem")
        key = number[1] if number else -1
        requested[key] = requested.get(key, 0) + entry["quantity"]
    return requested


def _hold_errors(fo: FulfillmentOrder, spec: dict, app_id: int | None) -> list[dict]:
    handle = spec.get("handle") or ""
    mine = [h for h in fo.holds if h.app_id == app_id]
    if fo.status not in HOLDABLE:
        return [user_error(["id"], f"Fulfillment order with status {fo.status} cannot be placed on hold.")]
    if len(handle) > 64:
        return [user_error(["fulfillmentHold", "handle"], "Handle is too long (maximum is 64 characters).")]
    if any(h.handle == handle for h in mine):
        return [user_error(["fulfillmentHold", "handle"], "The handle provided for this fulfillment hold is already in use by this app for another hold on this fulfillment order.", "DUPLICATE_FULFILLMENT_HOLD_HANDLE")]
    if len(mine) >= HOLD_LIMIT_PER_APP:
        return [user_error(["id"], "The maximum number of fulfillment holds for this fulfillment order has been reached for this app.", "FULFILLMENT_ORDER_HOLD_LIMIT_REACHED")]
    lines = spec.get("fulfillmentOrderLineItems") or []
    if lines and fo.status == "ON_HOLD":
        return [user_error(["fulfillmentHold", "fulfillmentOrderLineItems"], "The fulfillment order is not in a splittable state.", "FULFILLMENT_ORDER_NOT_SPLITTABLE")]
    return _line_errors(fo, lines)


def _line_errors(fo: FulfillmentOrder, lines: list[dict]) -> list[dict]:
    by_id = {gid("FulfillmentOrderLineItem", line.id): line for line in fo.lines}
    errors = []
    for index, entry in enumerate(lines):
        path = ["fulfillmentHold", "fulfillmentOrderLineItems", index]
        line = by_id.get(entry["id"])
        if line is None:
            errors.append(user_error(path + ["id"], f"Fulfillment order line item {entry['id']} does not belong to this fulfillment order.", "INVALID_LINE_ITEM_QUANTITY"))
        elif entry["quantity"] <= 0:
            errors.append(user_error(path + ["quantity"], "Quantity must be greater than zero.", "GREATER_THAN_ZERO"))
        elif entry["quantity"] > line.remaining_quantity:
            errors.append(user_error(path + ["quantity"], f"Quantity {entry['quantity']} exceeds the remaining quantity {line.remaining_quantity}.", "INVALID_LINE_ITEM_QUANTITY"))
    return errors


def _split(core: Core, shop: Shop, fo: FulfillmentOrder, requested: dict[int, int]) -> FulfillmentOrder | None:
    """Keeps the held quantities on `fo`; moves the rest to a new fulfillment order (or None)."""
    moved: list[tuple[int, int]] = []
    kept = []
    for line in fo.lines:
        held = requested.get(line.id, 0)
        rest = line.remaining_quantity - held
        if rest > 0:
            moved.append((line.line_item_id, rest))
        if held > 0 or line.remaining_quantity == 0:
            line.total_quantity -= rest
            line.remaining_quantity = held
            kept.append(line)
    if not moved:
        return None
    fo.lines = kept
    remaining = create(core, shop, fo.order_id, fo.location_id, fo.delivery, moved)
    core.emit(shop, "fulfillment_orders/split",
              split_payload(fo, remaining, [(line.id, line.total_quantity) for line in remaining.lines]))
    return remaining


def release_holds(core: Core, shop: Shop, fo_gid: str, hold_ids: list[str] | None,
                  app_id: int | None, merchant: bool = False) -> HoldResult:
    """Releases the named holds (all when None). An app may release only its own holds; the
    merchant (`merchant=True`) may release any."""
    fo = find_fulfillment_order(shop, fo_gid) if merchant else _reachable(shop, fo_gid, app_id)
    if fo is None:
        return HoldResult(user_errors=[user_error(["id"], *NOT_FOUND)])
    if fo.status != "ON_HOLD":
        return HoldResult(user_errors=[user_error(["id"], f"Fulfillment order with status {fo.status} is not on hold.")])
    chosen = fo.holds if hold_ids is None else [h for h in fo.holds if gid("FulfillmentHold", h.id) in hold_ids]
    foreign = [h for h in chosen if not merchant and hold_ids is not None and h.app_id != app_id]
    if foreign:
        return HoldResult(user_errors=[user_error(["holdIds"], "The app cannot release a hold placed by another app or the merchant.", "INVALID_ACCESS")])
    fo.holds = [h for h in fo.holds if h not in chosen]
    fo.updated_at = core.now()
    if not fo.holds:
        fo.status = "OPEN"
        core.emit(shop, "fulfillment_orders/hold_released", hold_released_payload(fo))
    return HoldResult(fulfillment_order=fo)
