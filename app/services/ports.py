"""What the services need from the outside world, as protocols the platform adapters implement.
The services and the domain never import a platform."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from app.domain.notices import Notice


@dataclass(frozen=True)
class TokenGrant:
    access_token: str
    scopes: str
    access_expires_at: datetime | None
    refresh_token: str | None
    refresh_expires_at: datetime | None


class TokenIssuer(Protocol):
    def refresh(self, shop: str, refresh_token: str) -> TokenGrant: ...



@dataclass(frozen=True)
class StockReading:
    """One inventory item at one location, in Shopify's quantity states. `updated_at` is the
    level's own last change on the platform (whole seconds), when the platform says it."""

    variant_id: str
    inventory_item_id: str
    location_id: str
    available: int
    committed: int | None = None
    on_hand: int | None = None
    incoming: int | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class VariantInfo:
    """What the mirror needs of a variant it has not seen in the catalog yet."""

    variant_id: str
    product_id: str
    inventory_item_id: str | None
    product_title: str = ""
    title: str = ""
    sku: str = ""
    vendor: str = ""
    product_type: str = ""
    status: str = "ACTIVE"
    price: str = "0"
    inventory_policy: str = "DENY"
    options: tuple[tuple[str, str], ...] = ()
    tags: tuple[str, ...] = ()
    collections: tuple[str, ...] = ()
    substitutes: tuple[str, ...] | None = None  # pinned products; None: not known here
    tracked: bool | None = None  # InventoryItem.tracked (None: not known here); untracked is never short
    # False: the platform's count is stock on hand as last set, orders not taken out of it
    counts_orders: bool | None = None


@dataclass(frozen=True)
class FulfillmentOrderLine:
    fulfillment_order_line_id: str
    line_id: str
    remaining: int


@dataclass(frozen=True)
class FulfillmentOrderState:
    fulfillment_order_id: str
    status: str
    lines: tuple[FulfillmentOrderLine, ...]
    hold_ids: tuple[str, ...]  # our own holds on this fulfillment order
    others_holds: int = 0  # holds of the merchant or of other apps: never ours to release
    can_hold: bool = True  # the platform accepts a hold on it in its present state


@dataclass(frozen=True)
class OrderState:
    """What the platform shows for an order now (its tags and fulfillment orders; our own
    fields are known from what we applied): the sync diffs its wishes against this.

    `hidden` says why the platform may be hiding an order it did not show (a permission the
    shop has not granted), when it hides only orders placed before `hidden_before`; an order
    the platform did not show for any other reason is simply left out. `unseen_fulfillment_orders`
    says why some of its fulfillment orders may be invisible to the app."""

    order_id: str
    tags: tuple[str, ...]
    fulfillment_orders: tuple[FulfillmentOrderState, ...]
    hidden: str | None = None
    hidden_before: datetime | None = None
    unseen_fulfillment_orders: str | None = None
    platform_holds: bool = True  # False: the platform cannot hold lines from fulfillment


Hold = tuple[str, tuple[tuple[str, int], ...], str]  # (fo, ((fo line, qty), ...) or () for all, note)


@dataclass(frozen=True)
class OrderChange:
    """The writes one order needs; empty parts are skipped. Tags are added and removed one by
    one, so the tags of the merchant, Flow and other apps are never rewritten."""

    order_id: str
    tags_add: tuple[str, ...] = ()
    tags_remove: tuple[str, ...] = ()
    fields: dict[str, str] = field(default_factory=dict)  # our fields (the domain's FIELDS)
    release: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (fulfillment order, hold ids)
    holds: tuple[Hold, ...] = ()  # no lines: the whole fulfillment order

    def is_empty(self) -> bool:
        return not (self.tags_add or self.tags_remove or self.fields or self.release
                    or self.holds)


class Applied(dict):
    """What `apply` answers: per order, None when everything was written, else what was
    refused (a plain mapping of that); and what the platform said it made of the writes: per
    fulfillment order a hold of some of its lines split, the fulfillment order it split off with
    the units not held (`split_off`), and the fulfillment orders a release of our holds left
    open (`reopened`). A platform that does not say (or never holds) leaves both empty."""

    def __init__(self, errors=(), split_off: dict[str, str] | None = None,
                 reopened: set[str] | None = None):
        super().__init__(errors)
        self.split_off: dict[str, str] = dict(split_off or {})
        self.reopened: set[str] = set(reopened or ())


@dataclass(frozen=True)
class FulfillmentOrderSplit:
    """The platform's word that a fulfillment order was split: `fulfillment_order_id` kept some
    units, `split_off_id` took the others, `units` the units it took per line (sorted; which
    line is which is not compared: the new lines have ids of their own). `replaced`: the
    platform made a replacement instead of splitting it as asked."""

    fulfillment_order_id: str
    split_off_id: str | None
    units: tuple[int, ...]
    replaced: bool = False


@dataclass(frozen=True)
class ParsedLine:
    """A line that waits on stock: a tracked variant that ships. `open_quantity` is what is still
    owed: its quantity less what was fulfilled (never what the platform says is left to
    fulfil now: a held line shows none).
    `committed_at` is when the line took stock, if not at the order's creation (an edit)."""

    line_id: str
    variant_id: str
    open_quantity: int
    title: str
    committed_at: datetime | None = None
    shipped: int | None = None  # units fulfilled so far, where the platform says


@dataclass(frozen=True)
class ParsedOrder:
    order_id: str
    name: str
    created_at: datetime
    updated_at: datetime
    cancelled_at: datetime | None
    customer_id: str | None
    customer_tags: tuple[str, ...] | None  # None: not in the source (webhooks since 2025-01)
    lines: tuple[ParsedLine, ...]
    number: int = 0  # the order's number, which breaks ties between orders of one second
    # The customer as the merchant finds them in the queue's search; kept only with a customer
    # id, which the privacy requests erase them by.
    customer_name: str = ""
    customer_email: str = ""


@dataclass(frozen=True)
class CatalogSeen:
    """Variants and stock a platform's payload carried along, as of `at`."""

    variants: tuple[VariantInfo, ...]
    readings: tuple[StockReading, ...]
    at: datetime


@dataclass(frozen=True)
class DiscountCode:
    """A single-use code for one customer: `kind` percentage (amount in percent), fixed_amount
    (money off the next order) or free_shipping (shipping up to the amount made free)."""

    code: str
    customer_id: str
    kind: str
    amount: str
    starts_at: datetime
    title: str = "Thank you for waiting"


@dataclass(frozen=True)
class ShopProfile:
    country_code: str | None
    timezone: str | None


@dataclass(frozen=True)
class UnitsRefund:
    """What became of a refund of units: refused (nothing done, and why), else done, with the
    money sent back to the customer with them, and why none (or not all) of it was when the
    units went back without their full money (left to staff)."""

    refused: str | None = None
    money: Decimal = Decimal(0)
    money_left: str | None = None


@dataclass(frozen=True)
class NoticeMessage:
    """What the platform is sent for a notice, as `notify` would send it: where it goes (a
    Shopify Flow trigger's handle), its payload, and its size against the platform's limit."""

    target: str
    payload: dict
    size: int
    limit: int


class PlatformGateway(Protocol):
    """The platform as the services see it. Shopify implements it over the Admin GraphQL API;
    tests use an in-memory fake."""

    def variants(self, shop: str, variant_ids: list[str]) -> list[VariantInfo]: ...

    def stock(self, shop: str, inventory_item_ids: list[str]) -> list[StockReading]: ...

    def order(self, shop: str, order_id: str) -> ParsedOrder: ...

    def customer_tags(self, shop: str, customer_ids: list[str]) -> dict[str, tuple[str, ...]]:
        """Tags of these customers (GIDs), which order webhooks no longer carry."""
        ...

    def order_states(self, shop: str, order_ids: list[str]) -> list[OrderState]: ...

    def order_of_fulfillment_order(self, shop: str, fulfillment_order_id: str) -> str | None:
        """The order a fulfillment order belongs to; None when the platform does not show it."""
        ...

    def apply(self, shop: str, changes: list[OrderChange]) -> dict[str, str | None]:
        """Send the changes (batched as the platform allows); per order, None on success or the
        error that stopped it. May be an `Applied`, which also says how holds split
        fulfillment orders."""
        ...

    def busy_for(self, shop: str, holds_coming: int = 0) -> float:
        """Seconds until writes that can wait should go: a platform with a shared rate limit
        keeps it for the reads and holds that stop a short line from being picked while they
        come, and for the holds of `holds_coming` orders whose plans are still settling (0: go
        now)."""
        ...

    def notify(self, shop: str, notices: list[tuple[str, Notice]]) -> list[str | None]:
        """Tell the customer's side of the platform (order id, notice), one call each; per
        notice, in order, None when the platform took it or why it refused. A platform with
        nothing to tell takes every one."""
        ...

    def names_listeners(self, shop: str) -> bool:
        """Whether the platform tells the app which kinds of notice the shop listens to (what
        it says is kept in `notice_listeners`): then only those are sent. Otherwise every
        kind is."""
        ...

    def sends_notices(self, shop: str) -> bool:
        """Whether `notify` sends anything: False on a platform that takes every notice as told
        and sends nothing, so nothing is counted as a message sent."""
        ...

    def notice_message(self, shop: str, order_id: str | None,
                       notice: Notice) -> NoticeMessage | None:
        """What `notify` would send for this notice of this order (None: an order of the
        platform's own choosing, for a sample); None when the platform is sent nothing."""
        ...

    def set_inventory_policy(self, shop: str, variant_id: str, product_id: str, policy: str) -> None: ...

    def take_off_units(self, shop: str, order_id: str, line_id: str, variant_id: str,
                       units: int, note: str, replace_with: str | None = None) -> str | None:
        """Edit the order to take `units` unshipped units off the line, returned to stock (and,
        with `replace_with`, as many units of that variant added in one edit), the customer
        told by the platform; None when done, else why the platform refused."""
        ...

    def set_product_substitutes(self, shop: str, product_id: str, products: list[str]) -> None: ...

    def set_ships_by(self, shop: str, dates: dict[str, str | None]) -> dict[str, str | None]:
        """Per variant, the date (ISO) a new order would ship, shown on the product page, or
        None to show none (in stock); per variant, None when written, else why it was refused."""
        ...

    def create_discount_code(self, shop: str, code: DiscountCode) -> None:
        """Make the code on the platform, usable once, by its customer only. A code the
        platform has already (made before a crash cut the record short) counts as made."""
        ...

    def refund_units(self, shop: str, order_id: str, line_id: str, units: int, note: str,
                     key: str) -> UnitsRefund:
        """Refund `units` unshipped units of the line, returned to stock, with what the customer
        paid for them sent back, the customer told; `key` makes a retry one refund. When there
        is no payment to send the money back from, the units are refunded alone and the
        answer says why the money was not."""
        ...

    def refund_money(self, shop: str, order_id: str, amount: Decimal, note: str,
                     key: str) -> str | None:
        """Refund `amount` (the shop's currency) of what the customer paid for the order, the
        customer told; `key` makes a retry one refund. None when done, else why not."""
        ...

    def shop_profile(self, shop: str) -> ShopProfile: ...

    def ensure_definitions(self, shop: str) -> None:
        """The app-owned order metafields are defined, so the merchant sees them on the order."""
        ...

    def catalog(self, shop: str) -> list[VariantInfo]:
        """Every variant of the shop (a bulk export on Shopify)."""
        ...
