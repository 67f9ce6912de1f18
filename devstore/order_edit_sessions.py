"""Order editing through the Admin API: `orderEditBegin` opens a session on an order and answers
its calculated order; `orderEditSetQuantity` stages a line's new quantity; `orderEditAddVariant`
stages a new line of a variant (a positive quantity); `orderEditCommit` applies what was staged,
once.

As the 2026-10 schema describes them: the session is an `OrderEditSession`, and the calculated
order and its lines are `CalculatedOrder` / `CalculatedLineItem`, whose ids the staging mutation
takes (`id`: "the calculated order or the order edit session"; `lineItemId`: the calculated
line). A quantity "cannot be negative" (orderEditSetQuantity), an added variant's quantity "must
be a positive value" and its location is where "inventory availability" is checked
(orderEditAddVariant). Editing "works on unfulfilled lines only" and needs `write_order_edits`
(reference/backorder-practice.md, order editing): a line's editable quantity is what is still
unfulfilled.

The simulator stages decreases of existing lines only (an increase is refused by name) and new
lines. At commit a new line is routed and its stock committed as at checkout: a variant that
does not sell past zero and has too few units left is refused (`userErrors`, nothing applied),
as the stock is at that moment, not when the edit began. Then each decrease goes through
`order_edits.remove_units`, which returns the units' committed stock; each change announces
orders/edited and orders/updated."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import order_edits
from .core import Core
from .model import Order, Shop, gid, parse_gid
from .views import connection

SCOPE = "write_order_edits"


@dataclass
class EditSession:
    id: int
    order_id: int
    staged: dict[int, int] = field(default_factory=dict)  # line item id -> new quantity
    added: list[tuple[int, int]] = field(default_factory=list)  # (variant id, quantity)
    committed: bool = False


def begin(core: Core, shop: Shop, order_gid: str) -> tuple[EditSession | None, list[dict]]:
    parsed = parse_gid(order_gid, "Order")
    order = shop.orders.get(parsed[1]) if parsed else None
    if order is None:
        return None, [_error(["id"], "The order does not exist.")]
    if order.cancelled_at is not None:
        return None, [_error(["id"], "The order is cancelled and cannot be edited.")]
    session = EditSession(core.ids.next("OrderEditSession"), order.id)
    shop.edit_sessions[session.id] = session
    return session, []


def set_quantity(shop: Shop, session_gid: str, line_gid: str, quantity: int,
                 restock: bool | None) -> tuple[EditSession | None, list[dict]]:
    session, errors = _open_session(shop, session_gid)
    if session is None:
        return None, errors
    order = shop.orders[session.order_id]
    line = _line(order, line_gid)
    if line is None:
        return None, [_error(["lineItemId"], "The line item does not exist on the order.")]
    if quantity < 0:
        return None, [_error(["quantity"], "Quantity must be greater than or equal to 0.")]
    if quantity < line.fulfilled:
        return None, [_error(["quantity"], "Quantity can't be less than the fulfilled quantity.")]
    if quantity > line.current_quantity:
        return None, [_error(["quantity"], "The store simulator stages decreases only.")]
    if not restock and quantity < line.current_quantity:
        return None, [_error(["restock"], "The store simulator removes unfulfilled units with "
                                          "restock: true only.")]
    session.staged[line.id] = quantity
    return session, []


def add_variant(shop: Shop, session_gid: str, variant_gid: str,
                quantity: int) -> tuple[EditSession | None, list[dict]]:
    session, errors = _open_session(shop, session_gid)
    if session is None:
        return None, errors
    parsed = parse_gid(variant_gid, "ProductVariant")
    if parsed is None or parsed[1] not in shop.variants:
        return None, [_error(["variantId"], "The variant does not exist.")]
    if quantity <= 0:
        return None, [_error(["quantity"], "Quantity must be greater than 0.")]
    session.added.append((parsed[1], quantity))
    return session, []


def commit(core: Core, shop: Shop, session_gid: str) -> tuple[Order | None, list[dict]]:
    session, errors = _open_session(shop, session_gid)
    if session is None:
        return None, errors
    order = shop.orders[session.order_id]
    if order.cancelled_at is not None:
        return None, [_error(["id"], "The order is cancelled and cannot be edited.")]
    for line_id, quantity in session.staged.items():
        line = next(x for x in order.line_items if x.id == line_id)
        if quantity < line.fulfilled:  # shipped since it was staged
            return None, [_error(["id"], "Units of a line were fulfilled since the edit began.")]
    refused = [_sold_out(shop, variant_id, quantity) for variant_id, quantity in session.added]
    if any(refused):
        return None, [e for e in refused if e]
    session.committed = True
    for variant_id, quantity in session.added:
        order_edits.add_line(core, shop, order, variant_id, quantity)
    for line_id, quantity in session.staged.items():
        line = next(x for x in order.line_items if x.id == line_id)
        if line.current_quantity > quantity:
            order_edits.remove_units(core, shop, order, line_id, line.current_quantity - quantity)
    return order, []


def calculated_order_view(shop: Shop, session: EditSession) -> dict:
    order = shop.orders[session.order_id]

    def line_view(line) -> dict:
        quantity = session.staged.get(line.id, line.current_quantity)
        return {"__typename": "CalculatedLineItem", "id": gid("CalculatedLineItem", line.id),
                "quantity": quantity, "editableQuantity": max(0, quantity - line.fulfilled),
                "editableQuantityBeforeChanges": line.unfulfilled, "sku": line.sku,
                "title": line.title, "variantTitle": line.variant_title,
                "variant": (lambda info: {"__typename": "ProductVariant",
                                          "id": gid("ProductVariant", line.variant_id)})
                if line.variant_id else None}

    return {"__typename": "CalculatedOrder", "id": gid("CalculatedOrder", session.id),
            "committed": session.committed,
            "lineItems": connection(lambda: [line_view(x) for x in order.line_items])}


def session_view(session: EditSession) -> dict:
    return {"__typename": "OrderEditSession", "id": gid("OrderEditSession", session.id)}


def _sold_out(shop: Shop, variant_id: int, quantity: int) -> dict | None:
    """The refusal of a new line whose variant cannot sell that many now, at any location."""
    variant = shop.variants[variant_id]
    if variant.inventory_policy != "DENY" or not variant.tracked:
        return None
    available = max((level.available for (item, _), level in shop.levels.items()
                     if item == variant.inventory_item_id), default=0)
    if available >= quantity:
        return None
    return _error(["id"], f"{variant.title} is out of stock: {available} available, "
                          f"{quantity} wanted.")


def _open_session(shop: Shop, session_gid: str) -> tuple[EditSession | None, list[dict]]:
    parsed = parse_gid(session_gid)
    session = None
    if parsed and parsed[0] in ("CalculatedOrder", "OrderEditSession"):
        session = shop.edit_sessions.get(parsed[1])
    if session is None:
        return None, [_error(["id"], "The order edit session does not exist.")]
    if session.committed:
        return None, [_error(["id"], "The order edit session was already committed.")]
    return session, []


def _line(order: Order, line_gid: str):
    parsed = parse_gid(line_gid, "CalculatedLineItem")
    if parsed is None or parsed[0] != "CalculatedLineItem":
        return None
    return next((x for x in order.line_items if x.id == parsed[1]), None)


def _error(field_path: list[str], message: str) -> dict:
    return {"field": field_path, "message": message}
