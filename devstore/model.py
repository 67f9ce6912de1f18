"""The store's records. Plain dataclasses: the state modules change them, the GraphQL views and
webhook payloads read them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


def gid(kind: str, number: int) -> str:
    return f"gid://shopify/{kind}/{number}"


def parse_gid(value: str, kind: str | None = None) -> tuple[str, int] | None:
    """(kind, number) of a `gid://shopify/Kind/123` string, or None when it is not one."""
    prefix = "gid://shopify/"
    if not isinstance(value, str) or not value.startswith(prefix):
        return None
    found, _, rest = value[len(prefix):].partition("/")
    number = rest.split("?", 1)[0]
    if not number.isdigit() or (kind is not None and found != kind):
        return None
    return found, int(number)


class IdSequence:
    """Shopify ids are large integers unique per resource type; one counter per type."""

    def __init__(self, start: int = 1000):
        self._start = start
        self._counters: dict[str, itertools.count] = {}

    def next(self, kind: str) -> int:
        counter = self._counters.setdefault(kind, itertools.count(self._start + 1))
        return next(counter)


@dataclass
class Location:
    id: int
    name: str
    active: bool = True
    fulfillment_service: bool = False  # run by a fulfillment service (3PL), not by the merchant


@dataclass
class Level:
    """Quantities of one inventory item at one location. on_hand = available + committed."""

    available: int = 0
    committed: int = 0
    incoming: int = 0
    updated_at: float = 0.0

    @property
    def on_hand(self) -> int:
        return self.available + self.committed


@dataclass
class Variant:
    id: int
    product_id: int
    inventory_item_id: int
    title: str
    sku: str
    price: Decimal
    options: dict[str, str]
    inventory_policy: str  # DENY | CONTINUE
    tracked: bool = True  # InventoryItem.tracked: untracked items never change quantities
    requires_shipping: bool = True  # InventoryItem.requiresShipping
    created_at: float = 0.0
    updated_at: float = 0.0


@dataclass
class Image:
    id: int
    src: str
    position: int
    alt: str | None = None


@dataclass
class Product:
    id: int
    handle: str
    title: str
    vendor: str
    product_type: str
    tags: list[str]
    status: str  # ACTIVE | DRAFT | ARCHIVED
    variant_ids: list[int] = field(default_factory=list)
    collection_ids: list[int] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    gift_card: bool = False
    created_at: float = 0.0
    updated_at: float = 0.0


@dataclass
class Customer:
    id: int
    email: str
    first_name: str = ""
    last_name: str = ""
    phone: str | None = None
    tags: list[str] = field(default_factory=list)
    created_at: float = 0.0


@dataclass
class LineItem:
    """One line of an order. `location_id` is where routing sent it (stock is committed there until
    fulfillment orders exist; from then on each fulfillment order's location holds its units).
    `tracked` records whether the sale committed stock: custom lines and untracked items do not."""

    id: int
    variant_id: int | None
    product_id: int | None
    quantity: int
    title: str
    variant_title: str
    sku: str
    vendor: str
    price: Decimal
    order_id: int = 0
    location_id: int = 0
    tracked: bool = True
    requires_shipping: bool = True
    gift_card: bool = False
    created_at: float = 0.0
    removed: int = 0  # taken out by an order edit
    fulfilled: int = 0
    refunded_unshipped: int = 0  # refunded before they were fulfilled
    refunded_shipped: int = 0  # refunded after they were fulfilled (returns)

    @property
    def current_quantity(self) -> int:
        return self.quantity - self.removed - self.refunded_unshipped - self.refunded_shipped

    @property
    def unfulfilled(self) -> int:
        return self.quantity - self.removed - self.refunded_unshipped - self.fulfilled


@dataclass
class Fulfillment:
    """A shipment: units of lines that left one location."""

    id: int
    order_id: int
    location_id: int
    number: int
    lines: dict[int, int]  # line item id -> units shipped
    created_at: float


@dataclass
class RefundLine:
    id: int
    line_item_id: int
    quantity: int
    restock_type: str  # no_restock | cancel | return
    location_id: int | None
    subtotal: Decimal


@dataclass
class Transaction:
    """Money moved on an order: the SALE made when it was placed (every order is paid), and
    each REFUND against it, with the SALE as its parent."""

    id: int
    order_id: int
    kind: str  # SALE | REFUND
    amount: Decimal
    gateway: str
    created_at: float
    status: str = "SUCCESS"
    parent_id: int | None = None


@dataclass
class Refund:
    id: int
    order_id: int
    lines: list[RefundLine]
    restock: bool
    note: str | None
    created_at: float
    transactions: list[Transaction] = field(default_factory=list)


@dataclass
class Order:
    id: int
    number: int
    customer_id: int | None
    location_id: int
    line_items: list[LineItem]
    created_at: float
    updated_at: float
    email: str = ""
    tags: list[str] = field(default_factory=list)
    cancelled_at: float | None = None
    closed_at: float | None = None
    routed: bool = False
    fulfillments: list[Fulfillment] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"#{self.number}"


@dataclass
class FulfillmentOrderLine:
    id: int
    line_item_id: int
    total_quantity: int
    remaining_quantity: int


@dataclass
class Hold:
    id: int
    handle: str
    reason: str
    reason_notes: str | None
    app_id: int | None  # None: placed by the merchant
    external_id: str | None = None


@dataclass
class FulfillmentOrder:
    id: int
    order_id: int
    location_id: int
    status: str  # OPEN | ON_HOLD | CLOSED | CANCELLED | IN_PROGRESS
    lines: list[FulfillmentOrderLine]
    created_at: float
    updated_at: float
    holds: list[Hold] = field(default_factory=list)
    delivery: str = "SHIPPING"  # DeliveryMethodType: SHIPPING, or NONE for lines that do not ship
    hidden: bool = False  # closed by a merge or a move: `displayable: true` leaves it out (fact 7)

    @property
    def remaining(self) -> int:
        return sum(line.remaining_quantity for line in self.lines)


@dataclass
class Metafield:
    id: int
    owner_id: str
    namespace: str
    key: str
    type: str
    value: str
    created_at: float
    updated_at: float


@dataclass
class MetafieldDefinition:
    id: int
    owner_type: str
    namespace: str
    key: str
    name: str
    type: str
    description: str | None = None
    # {"admin", "customerAccount", "storefront"}: who besides the owning app reads the values
    access: dict[str, str | None] = field(default_factory=dict)


@dataclass
class BulkOperation:
    id: int
    query: str
    status: str  # CREATED | RUNNING | COMPLETED | FAILED
    created_at: float
    completed_at: float | None = None
    lines: list[str] = field(default_factory=list)
    error_code: str | None = None
    type: str = "QUERY"  # QUERY | MUTATION
    variables: list[dict] = field(default_factory=list)  # a bulk mutation's input, one per run


@dataclass
class Shop:
    id: int
    domain: str
    name: str
    currency: str = "USD"
    timezone: str = "America/New_York"
    utc_offset_minutes: int = -300
    country: str = "US"
    email: str = ""
    plan: str = "basic"
    locations: dict[int, Location] = field(default_factory=dict)
    products: dict[int, Product] = field(default_factory=dict)
    variants: dict[int, Variant] = field(default_factory=dict)
    levels: dict[tuple[int, int], Level] = field(default_factory=dict)  # (item id, location id)
    customers: dict[int, Customer] = field(default_factory=dict)
    orders: dict[int, Order] = field(default_factory=dict)
    fulfillment_orders: dict[int, FulfillmentOrder] = field(default_factory=dict)
    fulfillment_orders_by_order: dict[int, list[int]] = field(default_factory=dict)  # order id -> FO ids
    metafields: dict[tuple[str, str, str], Metafield] = field(default_factory=dict)
    definitions: dict[tuple[str, str, str], MetafieldDefinition] = field(default_factory=dict)
    bulk_operations: dict[int, BulkOperation] = field(default_factory=dict)
    flow_triggers_received: list[dict] = field(default_factory=list)  # {handle, payload, at}
    flow_workflows: set[str] = field(default_factory=set)  # handles of triggers enabled workflows use
    edit_sessions: dict[int, Any] = field(default_factory=dict)  # order_edit_sessions.EditSession
    discounts: dict[str, Any] = field(default_factory=dict)  # code -> discounts.CodeDiscount
    refunds_by_key: dict[str, int] = field(default_factory=dict)  # idempotency key -> refund id
    installed: bool = False
    scopes: list[str] = field(default_factory=list)
    next_order_number: int = 1001

    @property
    def primary_location(self) -> Location:
        return next(iter(self.locations.values()))

    def variant_by_item(self, item_id: int) -> Variant | None:
        return next((v for v in self.variants.values() if v.inventory_item_id == item_id), None)

    def level(self, item_id: int, location_id: int) -> Level:
        return self.levels.setdefault((item_id, location_id), Level())
