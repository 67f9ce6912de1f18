"""Orders and their fulfillment orders: placing (with Shopify's quantity semantics), routing,
editing, cancelling and fulfilling."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .catalog import resolve_location, resolve_variant
from .core import Core, NotFound, StoreError
from .model import Customer, FulfillmentOrder, FulfillmentOrderLine, LineItem, Order, Shop, gid
from .payloads import inventory_level_payload, order_payload


@dataclass
class OrderLineRequest:
    variant: int | str
    quantity: int


def place_order(core: Core, shop: Shop, lines: list[OrderLineRequest],
                customer: dict | None = None, location_id: int | str | None = None) -> Order:
    """Sells from one location: `available` falls and `committed` rises by each line's quantity.
    A DENY variant refuses to sell more than is available; a CONTINUE variant goes negative."""
    if not lines:
        raise StoreError("an order needs at least one line")
    location = resolve_location(shop, location_id)
    resolved = [(resolve_variant(shop, line.variant), int(line.quantity)) for line in lines]
    _check_sellable(shop, resolved, location.id)
    now = core.now()
    order = Order(id=core.ids.next("Order"), number=shop.next_order_number,
                  customer_id=_customer(core, shop, customer), location_id=location.id,
                  line_items=[], created_at=now, updated_at=now)
    shop.next_order_number += 1
    order.email = shop.customers[order.customer_id].email if order.customer_id else ""
    for variant, quantity in resolved:
        order.line_items.append(_line_item(core, shop, variant, quantity))
        level = shop.level(variant.inventory_item_id, location.id)
        level.available -= quantity
        level.committed += quantity
        level.updated_at = now
    shop.orders[order.id] = order
    core.emit(shop, "orders/create", order_payload(shop, order))
    for variant, _ in resolved:
        core.emit(shop, "inventory_levels/update",
                  inventory_level_payload(shop, variant.inventory_item_id, location.id))
    if core.routing_delay <= 0:
        route_order(core, shop, order)
    return order


def _check_sellable(shop: Shop, resolved: list, location_id: int) -> None:
    wanted: dict[int, int] = {}
    for variant, quantity in resolved:
        if quantity <= 0:
            raise StoreError(f"quantity for variant {variant.id} must be greater than zero")
        wanted[variant.id] = wanted.get(variant.id, 0) + quantity
    for variant_id, quantity in wanted.items():
        variant = shop.variants[variant_id]
        available = shop.level(variant.inventory_item_id, location_id).available
        if variant.inventory_policy == "DENY" and variant.tracked and quantity > available:
            raise StoreError(
                f"variant {variant.id} ({variant.sku or variant.title}) is sold out: "
                f"{available} available, {quantity} wanted, inventory policy DENY", status=409)


def _customer(core: Core, shop: Shop, data: dict | None) -> int | None:
    if not data:
        return None
    email = data.get("email") or f"customer{len(shop.customers) + 1}@example.com"
    customer = next((c for c in shop.customers.values() if c.email == email), None)
    if customer is None:
        customer = Customer(id=core.ids.next("Customer"), email=email,
                            first_name=data.get("first_name", ""), last_name=data.get("last_name", ""),
                            phone=data.get("phone"), created_at=core.now())
        shop.customers[customer.id] = customer
    for tag in data.get("tags", []):
        if tag not in customer.tags:
            customer.tags.append(tag)
    return customer.id


def _line_item(core: Core, shop: Shop, variant, quantity: int) -> LineItem:
    product = shop.products[variant.product_id]
    return LineItem(id=core.ids.next("LineItem"), variant_id=variant.id, product_id=product.id,
                    quantity=quantity, title=product.title,
                    variant_title="" if variant.title == "Default Title" else variant.title,
                    sku=variant.sku, vendor=product.vendor, price=variant.price)


def route_order(core: Core, shop: Shop, order: Order) -> FulfillmentOrder | None:
    """Creates the order's fulfillment order at its location, then announces routing complete."""
    if order.routed:
        return None
    order.routed = True
    if order.cancelled_at is not None:
        return None
    now = core.now()
    lines = [FulfillmentOrderLine(id=core.ids.next("FulfillmentOrderLineItem"), line_item_id=line.id,
                                  total_quantity=line.unfulfilled, remaining_quantity=line.unfulfilled)
             for line in order.line_items if line.unfulfilled > 0]
    fo = FulfillmentOrder(id=core.ids.next("FulfillmentOrder"), order_id=order.id,
                          location_id=order.location_id, status="OPEN", lines=lines,
                          created_at=now, updated_at=now)
    shop.fulfillment_orders[fo.id] = fo
    core.emit(shop, "fulfillment_orders/order_routing_complete",
              {"fulfillment_order": {"id": gid("FulfillmentOrder", fo.id), "status": "open"}})
    return fo


def route_due(core: Core) -> int:
    """Routes every order whose routing delay has passed; returns how many were routed."""
    routed = 0
    deadline = core.now() - core.routing_delay
    for shop in core.shops.values():
        for order in list(shop.orders.values()):
            if not order.routed and order.created_at <= deadline:
                route_order(core, shop, order)
                routed += 1
    return routed


def order_fulfillment_orders(shop: Shop, order_id: int) -> list[FulfillmentOrder]:
    return [fo for fo in shop.fulfillment_orders.values() if fo.order_id == order_id]


def find_order(shop: Shop, order_id: int | str) -> Order:
    number = int(str(order_id).rsplit("/", 1)[-1]) if str(order_id).rsplit("/", 1)[-1].isdigit() else None
    order = shop.orders.get(number) if number is not None else None
    if order is None:
        order = next((o for o in shop.orders.values() if o.name == str(order_id)), None)
    if order is None:
        raise NotFound(f"order {order_id} not found in {shop.domain}")
    return order


def cancel_order(core: Core, shop: Shop, order: Order) -> Order:
    """Restocks every unfulfilled unit (committed back to available) and closes open work."""
    if order.cancelled_at is not None:
        raise StoreError(f"order {order.name} is already cancelled")
    now = core.now()
    touched = []
    for line in order.line_items:
        if line.unfulfilled > 0 and line.variant_id in shop.variants:
            item_id = shop.variants[line.variant_id].inventory_item_id
            level = shop.level(item_id, order.location_id)
            level.committed -= line.unfulfilled
            level.available += line.unfulfilled
            level.updated_at = now
            touched.append(item_id)
    for fo in order_fulfillment_orders(shop, order.id):
        if fo.status not in ("CLOSED", "CANCELLED"):
            fo.status, fo.holds, fo.updated_at = "CLOSED", [], now
            for fo_line in fo.lines:
                fo_line.remaining_quantity = 0
    order.cancelled_at = order.closed_at = order.updated_at = now
    order.routed = True
    core.emit(shop, "orders/cancelled", order_payload(shop, order))
    core.emit(shop, "orders/updated", order_payload(shop, order))
    for item_id in touched:
        core.emit(shop, "inventory_levels/update", inventory_level_payload(shop, item_id, order.location_id))
    return order


def fulfil_order(core: Core, shop: Shop, order: Order, line_item_ids: list[int] | None = None) -> int:
    """Ships what is not held: committed units leave the building (on_hand falls with them).
    Returns the number of units shipped."""
    if order.cancelled_at is not None:
        raise StoreError(f"order {order.name} is cancelled")
    shipped = 0
    lines = {line.id: line for line in order.line_items}
    for fo in order_fulfillment_orders(shop, order.id):
        if fo.status not in ("OPEN", "IN_PROGRESS"):
            continue
        shipped += _fulfil_fo(core, shop, order, fo, lines, line_item_ids)
    if shipped:
        order.updated_at = core.now()
        core.emit(shop, "orders/updated", order_payload(shop, order))
    return shipped


def _fulfil_fo(core, shop, order, fo, lines, line_item_ids) -> int:
    shipped = 0
    for fo_line in fo.lines:
        if fo_line.remaining_quantity == 0 or (line_item_ids and fo_line.line_item_id not in line_item_ids):
            continue
        line = lines[fo_line.line_item_id]
        quantity = fo_line.remaining_quantity
        line.fulfilled += quantity
        fo_line.remaining_quantity = 0
        shipped += quantity
        if line.variant_id in shop.variants:
            item_id = shop.variants[line.variant_id].inventory_item_id
            level = shop.level(item_id, fo.location_id)
            level.committed -= quantity
            level.updated_at = core.now()
            core.emit(shop, "inventory_levels/update", inventory_level_payload(shop, item_id, fo.location_id))
    fo.updated_at = core.now()
    if all(fo_line.remaining_quantity == 0 for fo_line in fo.lines):
        fo.status = "CLOSED"
    return shipped


def edit_order(core: Core, shop: Shop, order: Order, line_item_id: int, remove: int) -> Order:
    """An order edit that takes units off a line: they go back to available stock."""
    line = next((li for li in order.line_items if li.id == line_item_id), None)
    if line is None:
        raise NotFound(f"line item {line_item_id} not on order {order.name}")
    if not 0 < remove <= line.unfulfilled:
        raise StoreError(f"can remove 1..{line.unfulfilled} units from line {line.id}, not {remove}")
    left = remove
    for fo in order_fulfillment_orders(shop, order.id):
        for fo_line in fo.lines:
            if fo_line.line_item_id == line.id and left:
                taken = min(left, fo_line.remaining_quantity)
                fo_line.remaining_quantity -= taken
                fo_line.total_quantity -= taken
                left -= taken
    line.removed += remove
    item_id = shop.variants[line.variant_id].inventory_item_id if line.variant_id in shop.variants else None
    if item_id is not None:
        level = shop.level(item_id, order.location_id)
        level.committed -= remove
        level.available += remove
        level.updated_at = core.now()
    order.updated_at = core.now()
    edit = {"order_edit": {"id": core.ids.next("OrderEdit"), "app_id": None,
                           "created_at": order_payload(shop, order)["updated_at"],
                           "notify_customer": False, "order_id": order.id, "staff_note": "",
                           "user_id": None,
                           "line_items": {"additions": [], "removals": [{"id": line.id, "delta": remove}]},
                           "discounts": {"additions": [], "removals": []},
                           "shipping_lines": {"additions": [], "removals": []}}}
    core.emit(shop, "orders/edited", edit)
    core.emit(shop, "orders/updated", order_payload(shop, order))
    if item_id is not None:
        core.emit(shop, "inventory_levels/update", inventory_level_payload(shop, item_id, order.location_id))
    return order


@dataclass
class FlashSaleResult:
    placed: list[int] = field(default_factory=list)
    refused: int = 0


def flash_sale(core: Core, shop: Shop, orders: int, variants: list[int | str] | None = None,
               max_quantity: int = 2, seed: int = 0, customer_tags: list[str] | None = None,
               location_id: int | str | None = None) -> FlashSaleResult:
    """A burst of single-line orders over a set of variants; DENY refusals are counted, not raised."""
    rng = random.Random(seed)
    pool = [resolve_variant(shop, ref) for ref in variants] if variants else list(shop.variants.values())
    if not pool:
        raise StoreError("the shop has no variants to sell")
    result = FlashSaleResult()
    for _ in range(orders):
        variant = rng.choice(pool)
        customer = {"email": f"buyer{rng.randrange(10**6)}@example.com", "tags": list(customer_tags or [])}
        line = OrderLineRequest(variant.id, rng.randint(1, max(1, max_quantity)))
        try:
            result.placed.append(place_order(core, shop, [line], customer, location_id).id)
        except StoreError as refused:
            if refused.status != 409:
                raise
            result.refused += 1
    return result

