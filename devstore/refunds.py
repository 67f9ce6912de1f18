"""Refunds of line units, partial or whole, with or without restocking.

Unshipped units leave their fulfillment orders; restocked, they go back to available at the
location they were committed at (restock type `cancel`); not restocked, their commitment simply
ends. Shipped units restocked are returns: available rises at the location that shipped them
(`return`). `current_quantity` falls by every refunded unit."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from .core import Core, StoreError
from .fulfillment_orders import take_units
from .model import LineItem, Order, Refund, RefundLine, Shop, Transaction
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


# refundCreate through the Admin API. Facts relied on (2026-10 schema): `refundCreate` takes an
# idempotency key in the `@idempotent` directive and, as of 2026-04, requires it; a key "cannot be
# an empty string or whitespace only" (the directive's description). A request repeated with a
# key already used is the first refund, not a second. `RefundLineItemInput` names the line,
# `quantity` and `restockType` (CANCEL: "use this when restocking unfulfilled line items";
# RETURN: for fulfilled ones; NO_RESTOCK: not restocked); a line's refundable quantity excludes
# units already refunded and units an edit removed (`LineItem.refundableQuantity`). Refunds need
# the orders write scope (shopify.dev, refundCreate access requirements).
#
# Money. `RefundInput.transactions` lists `OrderTransactionInput`s, each with `orderId`, `kind`,
# `gateway`, `amount` (all required) and the optional `parentId` (2026-10 schema). Money leaves
# only through them: a refund of line items without transactions moves no money. The parent of a
# refund is a CAPTURE or a SALE of the order (shopify.dev, ReturnRefundOrderTransactionInput:
# "The transaction must be of kind CAPTURE or a SALE"), and the total refunded may not pass what
# was paid unless `allowOverRefunding` says so (RefundInput), which the simulator does not take:
# an amount above what is left of the parent is a user error, and so is a parent that is not a
# transaction of that order. Only REFUND transactions are modelled here.

WRITE_SCOPE = "write_orders"
RESTOCKS = {"CANCEL": True, "RETURN": True, "LEGACY_RESTOCK": True, "NO_RESTOCK": False}


PARENT_KINDS = frozenset({"SALE", "CAPTURE"})


def refundable(order: Order, parent: Transaction) -> Decimal:
    """What is left to refund of a SALE or CAPTURE: its amount less the refunds made from it."""
    refunded = sum((t.amount for t in order.transactions
                    if t.kind == "REFUND" and t.status == "SUCCESS" and t.parent_id == parent.id),
                   Decimal(0))
    return parent.amount - refunded


# Order.suggestedRefund(refundLineItems:) (2026-10 schema: "a calculated refund suggestion for
# the order based on specified line items, shipping, and duties"; SuggestedRefund.amountSet is
# "the total monetary value to be refunded", suggestedTransactions "a list of suggested order
# transactions", each of kind SUGGESTED_REFUND with its `parentTransaction` and `gateway`). The
# simulator models no discounts and no taxes, so a line's units are refunded at its price; the
# quantity asked for counts up to the line's refundable quantity. The amount is drawn from the
# order's successful SALEs and CAPTUREs with something left (most left first), never past what
# is left of them: an order with no payment has no suggested transactions. Shipping, duties and
# the other arguments are not modelled.

def suggest(order: Order, given: list[tuple[LineItem, int]]) -> tuple[Decimal, list[tuple[Transaction, Decimal]]]:
    """(the amount to refund for these (line, quantity), [(parent, amount)] to refund it from)."""
    amount = sum((line.price * max(0, min(quantity, line.current_quantity))
                  for line, quantity in given), Decimal(0))
    parents = sorted((t for t in order.transactions if t.kind in PARENT_KINDS and t.status == "SUCCESS"),
                     key=lambda t: refundable(order, t), reverse=True)
    drawn, wanted = [], amount
    for parent in parents:
        share = min(wanted, refundable(order, parent))
        if share > 0:
            drawn.append((parent, share))
            wanted -= share
    return amount, drawn


def _money(order: Order, given: list[dict]) -> tuple[list[tuple[Transaction, Decimal, str]], list[dict]]:
    """((parent, amount, gateway) per transaction asked for, userErrors)."""
    from .model import parse_gid

    wanted: list[tuple[Transaction, Decimal, str]] = []
    left: dict[int, Decimal] = {}
    for index, item in enumerate(given):
        path = ["transactions", str(index)]
        if item.get("kind") != "REFUND":
            return [], [{"field": [*path, "kind"], "message": "Only REFUND transactions can be "
                                                              "created with a refund"}]
        order_gid = parse_gid(item.get("orderId") or "", "Order")
        if not order_gid or order_gid[1] != order.id:
            return [], [{"field": [*path, "orderId"],
                         "message": "Transaction must belong to the order being refunded"}]
        parent_gid = parse_gid(item.get("parentId") or "", "OrderTransaction")
        parent = next((t for t in order.transactions if parent_gid and t.id == parent_gid[1]
                       and t.kind in PARENT_KINDS and t.status == "SUCCESS"), None)
        if parent is None:
            return [], [{"field": [*path, "parentId"],
                         "message": "Parent transaction is not a successful sale or capture of "
                                    "this order"}]
        try:
            amount = Decimal(str(item.get("amount")))
        except InvalidOperation:
            amount = Decimal(0)
        left.setdefault(parent.id, refundable(order, parent))
        if not amount.is_finite() or amount <= 0 or amount > left[parent.id]:
            return [], [{"field": [*path, "amount"],
                         "message": f"Refund amount must be more than 0 and at most "
                                    f"{left[parent.id]:.2f}, what is left to refund"}]
        left[parent.id] -= amount
        wanted.append((parent, amount, str(item.get("gateway") or parent.gateway)))
    return wanted, []


def create_from_api(core: Core, shop: Shop, given: dict, key: str) -> tuple[Order | None, Refund | None, list[dict]]:
    """(order, refund, userErrors): every line refunded, or nothing and why."""
    from .model import parse_gid

    parsed = parse_gid(given.get("orderId") or "", "Order")
    order = shop.orders.get(parsed[1]) if parsed else None
    if order is None:
        return None, None, [{"field": ["orderId"], "message": "Order does not exist"}]
    if key in shop.refunds_by_key:
        earlier = next(r for r in order.refunds if r.id == shop.refunds_by_key[key]) \
            if any(r.id == shop.refunds_by_key[key] for r in order.refunds) else None
        if earlier is not None:
            return order, earlier, []
        return None, None, [{"field": None, "message": "The idempotency key was used for another order"}]
    if order.cancelled_at is not None:
        return None, None, [{"field": ["orderId"], "message": "Order is cancelled"}]
    wanted = []
    for index, item in enumerate(given.get("refundLineItems") or ()):
        path = ["refundLineItems", str(index)]
        line_gid = parse_gid(item.get("lineItemId") or "", "LineItem")
        line = next((li for li in order.line_items if line_gid and li.id == line_gid[1]), None)
        if line is None:
            return None, None, [{"field": [*path, "lineItemId"], "message": "Line item does not exist"}]
        quantity = int(item.get("quantity") or 0)
        if not 0 < quantity <= line.current_quantity:
            return None, None, [{"field": [*path, "quantity"],
                                 "message": f"Quantity cannot refund more items than were purchased "
                                            f"({line.current_quantity} refundable)"}]
        wanted.append((line, quantity, RESTOCKS.get(item.get("restockType") or "NO_RESTOCK", False)))
    money, errors = _money(order, list(given.get("transactions") or ()))
    if errors:
        return None, None, errors
    if not wanted and not money:
        return None, None, [{"field": ["refundLineItems"], "message": "Nothing to refund"}]
    touched = Touched()
    lines = []
    for line, quantity, restock in wanted:
        unshipped = min(quantity, line.unfulfilled)
        lines += _refund_unshipped(core, shop, order, line, unshipped, restock, touched)
        lines += _refund_shipped(core, shop, order, line, quantity - unshipped, restock, touched)
    refund = _record(core, order, lines, any(r for _, _, r in wanted), given.get("note"))
    for parent, amount, gateway in money:
        made = Transaction(id=core.ids.next("OrderTransaction"), order_id=order.id, kind="REFUND",
                           amount=amount, gateway=gateway, created_at=refund.created_at,
                           parent_id=parent.id)
        order.transactions.append(made)
        refund.transactions.append(made)
    shop.refunds_by_key[key] = refund.id
    announce(core, shop, order, refund)
    core.emit(shop, "orders/updated", order_payload(shop, order))
    touched.announce(core, shop)
    return order, refund, []
