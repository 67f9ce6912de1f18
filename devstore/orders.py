"""Placing orders (with Shopify's quantity semantics), fulfilling and cancelling them.

Each line is routed to a location (see routing.py) and commits stock there: `available` falls and
`committed` rises at that location only (fact 2). A DENY variant refuses to sell more than its
location has; a CONTINUE variant goes negative; untracked items and custom lines move nothing
(facts 3 and 4)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from . import fulfillment_orders, refunds, stock
from .catalog import resolve_location, resolve_variant
from .core import Core, NotFound, StoreError
from .model import Customer, Fulfillment, LineItem, Order, Shop, Transaction, Variant
from .payloads import order_payload
from .routing import Planner, build_fulfillment_orders, complete_routing

# Every order is paid when placed (its financial status is "paid"): one successful SALE of its
# total, through Shopify's test gateway ("bogus"), the parent of any refund of money.
TEST_GATEWAY = "bogus"


@dataclass
class OrderLineRequest:
    """A variant line (`variant` by id, GID or SKU) or a custom line (`variant` None, with a title
    and price). `requires_shipping` None means: as the variant says (custom lines: True)."""

    variant: int | str | None
    quantity: int
    title: str | None = None
    price: str | None = None
    requires_shipping: bool | None = None
    sku: str = ""


def place_order(core: Core, shop: Shop, lines: list[OrderLineRequest],
                customer: dict | None = None, location_id: int | str | None = None) -> Order:
    if not lines:
        raise StoreError("an order needs at least one line")
    planner = Planner(shop, resolve_location(shop, location_id) if location_id is not None else None)
    now = core.now()
    planned = [_plan_line(core, shop, planner, request, now) for request in lines]
    order = Order(id=core.ids.next("Order"), number=shop.next_order_number,
                  customer_id=_customer(core, shop, customer), location_id=planned[0].location_id,
                  line_items=planned, created_at=now, updated_at=now)
    shop.next_order_number += 1
    order.email = shop.customers[order.customer_id].email if order.customer_id else ""
    order.transactions.append(Transaction(
        id=core.ids.next("OrderTransaction"), order_id=order.id, kind="SALE",
        amount=sum((line.price * line.quantity for line in planned), Decimal(0)),
        gateway=TEST_GATEWAY, created_at=now))
    touched = stock.Touched()
    for line in planned:
        line.order_id = order.id
        stock.commit(core, shop, line, line.location_id, line.quantity, touched)
    shop.orders[order.id] = order
    build_fulfillment_orders(core, shop, order)
    core.emit(shop, "orders/create", order_payload(shop, order))
    touched.announce(core, shop)
    if core.routing_delay <= 0:
        complete_routing(core, shop, order)
    return order


def _plan_line(core: Core, shop: Shop, planner: Planner, request: OrderLineRequest, now: float) -> LineItem:
    quantity = int(request.quantity)
    if quantity <= 0:
        raise StoreError(f"quantity for {request.variant or request.title!r} must be greater than zero")
    if request.variant is None:
        return custom_line(core, planner.location_for(None, quantity).id, request, quantity, now)
    variant = resolve_variant(shop, request.variant)
    location = planner.location_for(variant, quantity)
    check_sellable(variant, planner.available(variant, location.id) + quantity, quantity)
    return variant_line(core, shop, variant, quantity, location.id, now)


def check_sellable(variant: Variant, available: int, quantity: int) -> None:
    """DENY refuses more than the location has; an untracked item is never sold out (fact 3)."""
    if variant.inventory_policy == "DENY" and variant.tracked and quantity > available:
        raise StoreError(
            f"variant {variant.id} ({variant.sku or variant.title}) is sold out: "
            f"{available} available, {quantity} wanted, inventory policy DENY", status=409)


def custom_line(core: Core, location_id: int, request: OrderLineRequest, quantity: int, now: float) -> LineItem:
    """A custom item: no variant, no product, no stock (fact 4)."""
    if not request.title or request.price is None:
        raise StoreError("a custom line needs a title and a price")
    shipping = True if request.requires_shipping is None else bool(request.requires_shipping)
    return LineItem(id=core.ids.next("LineItem"), variant_id=None, product_id=None, quantity=quantity,
                    title=request.title, variant_title="", sku=request.sku, vendor="",
                    price=Decimal(str(request.price)), location_id=location_id, tracked=False,
                    requires_shipping=shipping, created_at=now)


def variant_line(core: Core, shop: Shop, variant: Variant, quantity: int, location_id: int, now: float) -> LineItem:
    product = shop.products[variant.product_id]
    return LineItem(id=core.ids.next("LineItem"), variant_id=variant.id, product_id=product.id,
                    quantity=quantity, title=product.title,
                    variant_title="" if variant.title == "Default Title" else variant.title,
                    sku=variant.sku, vendor=product.vendor, price=variant.price, location_id=location_id,
                    tracked=variant.tracked, requires_shipping=variant.requires_shipping and not product.gift_card,
                    gift_card=product.gift_card, created_at=now)


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


def find_order(shop: Shop, order_id: int | str) -> Order:
    number = int(str(order_id).rsplit("/", 1)[-1]) if str(order_id).rsplit("/", 1)[-1].isdigit() else None
    order = shop.orders.get(number) if number is not None else None
    if order is None:
        order = next((o for o in shop.orders.values() if o.name == str(order_id)), None)
    if order is None:
        raise NotFound(f"order {order_id} not found in {shop.domain}")
    return order


def find_line(order: Order, line_item_id: int) -> LineItem:
    line = next((li for li in order.line_items if li.id == int(line_item_id)), None)
    if line is None:
        raise NotFound(f"line item {line_item_id} not on order {order.name}")
    return line


def cancel_order(core: Core, shop: Shop, order: Order) -> Order:
    """Cancels with a refund that restocks every unfulfilled unit at the location it was committed
    at (restock type `cancel`), and closes the fulfillment orders."""
    if order.cancelled_at is not None:
        raise StoreError(f"order {order.name} is already cancelled")
    now = core.now()
    touched = stock.Touched()
    refund = refunds.refund_unshipped(core, shop, order, touched, note="Order canceled")
    for fo in fulfillment_orders.of_order(shop, order.id):
        if fo.status in fulfillment_orders.ACTIVE:
            fo.status, fo.holds, fo.updated_at = "CLOSED", [], now
    order.cancelled_at = order.closed_at = order.updated_at = now
    order.routed = True
    core.emit(shop, "orders/cancelled", order_payload(shop, order))
    if refund is not None:
        refunds.announce(core, shop, order, refund)
    core.emit(shop, "orders/updated", order_payload(shop, order))
    touched.announce(core, shop)
    return order


def fulfil_order(core: Core, shop: Shop, order: Order, line_item_ids: list[int] | None = None) -> int:
    """Ships what is not held, one fulfillment per fulfillment order: committed units leave the
    fulfillment order's location (on_hand falls with them). Returns the number of units shipped."""
    if order.cancelled_at is not None:
        raise StoreError(f"order {order.name} is cancelled")
    touched = stock.Touched()
    shipped = 0
    for fo in fulfillment_orders.routed_of_order(shop, order):
        if fo.status in ("OPEN", "IN_PROGRESS"):
            shipped += _fulfil_fo(core, shop, order, fo, line_item_ids, touched)
    if shipped:
        order.updated_at = core.now()
        core.emit(shop, "orders/updated", order_payload(shop, order))
        done = all(line.unfulfilled == 0 for line in order.line_items)
        core.emit(shop, "orders/fulfilled" if done else "orders/partially_fulfilled", order_payload(shop, order))
        touched.announce(core, shop)
    return shipped


def _fulfil_fo(core, shop, order, fo, line_item_ids, touched) -> int:
    lines = {line.id: line for line in order.line_items}
    sent: dict[int, int] = {}
    for fo_line in fo.lines:
        if fo_line.remaining_quantity == 0 or (line_item_ids and fo_line.line_item_id not in line_item_ids):
            continue
        line, quantity = lines[fo_line.line_item_id], fo_line.remaining_quantity
        line.fulfilled += quantity
        fo_line.remaining_quantity = 0
        sent[line.id] = sent.get(line.id, 0) + quantity
        stock.adjust(core, shop, line, fo.location_id, touched, committed=-quantity)
    if sent:
        order.fulfillments.append(Fulfillment(id=core.ids.next("Fulfillment"), order_id=order.id,
                                              location_id=fo.location_id, number=len(order.fulfillments) + 1,
                                              lines=sent, created_at=core.now()))
        fo.updated_at = core.now()
        fulfillment_orders.close_if_done(fo)
    return sum(sent.values())


# The sale's buyers, named as a real store's are: the order webhook's customer has `first_name`,
# `last_name` and `email` (the 2026-07 `orders/create` sample payload), so a person trying the app
# can look an order up by its customer.
FIRST_NAMES = ("Amara", "Bruno", "Chen", "Dalia", "Emeka", "Freya", "Gustavo", "Hana", "Ivan",
               "Jasmine", "Kofi", "Leila", "Mateo", "Nadia", "Oscar", "Priya", "Quentin", "Rosa",
               "Sven", "Tomoko")
LAST_NAMES = ("Okafor", "Lindqvist", "Moreau", "Tanaka", "Kowalski", "Haddad", "Fernandes",
              "Novak", "Byrne", "Castillo", "Yilmaz", "Schmidt", "Osei", "Petrov", "Rossi",
              "Nakamura", "Silva", "Andersen", "Mehta", "Walsh")


def buyer(number: int) -> dict:
    """A named buyer for a number: one person per number, so a number's orders share a customer."""
    first = FIRST_NAMES[number % len(FIRST_NAMES)]
    last = LAST_NAMES[number // len(FIRST_NAMES) % len(LAST_NAMES)]
    return {"first_name": first, "last_name": last,
            "email": f"{first}.{last}.{number}@example.com".lower()}


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
        customer = {**buyer(rng.randrange(10**6)), "tags": list(customer_tags or [])}
        line = OrderLineRequest(variant.id, rng.randint(1, max(1, max_quantity)))
        try:
            result.placed.append(place_order(core, shop, [line], customer, location_id).id)
        except StoreError as refused:
            if refused.status != 409:
                raise
            result.refused += 1
    return result
