"""The app's copy of the store: orders and their open lines, variants, stock per location.

The platform adapters parse their payloads into the values of `ports`; each `apply_*` writes them
through the open session and returns the pools whose plan they may change. A delivery older than
what is stored (`updated_at`) changes nothing: platforms retry, replaying old payloads out of
order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from app.domain.errors import InvalidInput
from app.services.ports import ParsedOrder, StockReading, VariantInfo
from app.storage import orders as order_store
from app.storage import shops as shop_store
from app.storage import stock as stock_store
from app.storage.db import Tx
from app.storage.tables import Order, OrderLine, StockLevel, Variant

ALL_LOCATIONS = "*"


def pool_of(variant_id: str) -> str:
    """One pool per variant, across all locations (the merchant's "all locations" choice)."""
    return f"{variant_id}@{ALL_LOCATIONS}"


def timestamp(value, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInput(f"{field} is not an ISO timestamp: {value!r}", field=field) from exc
    if moment.tzinfo is None:
        raise InvalidInput(f"{field} has no time zone", field=field)
    return moment


def order_pools(s: Tx, shop: str, order: ParsedOrder) -> set[str]:
    """Every pool the order has or had a line in."""
    existing = order_store.line_pools(s, shop, order.order_id)
    return existing | {pool_of(line.variant_id) for line in order.lines}


def item_pools(s: Tx, shop: str, inventory_item_id: str) -> set[str]:
    variant = order_store.variant_of_item(s, shop, inventory_item_id)
    return {pool_of(variant)} if variant else set()


def item_available(s: Tx, shop: str, inventory_item_id: str) -> int:
    """The item's `available` over every location, as last read."""
    return order_store.item_available(s, shop, inventory_item_id)


def apply_order(s: Tx, shop: str, order: ParsedOrder) -> set[str] | None:
    """Mirror the order; the pools it touches, or None when the payload is stale.

    A line new to a known order was added by an edit: it took stock at the edit, not when the
    order was placed, so it is stamped with the update that first shows it (or the edit's own
    time, when known)."""
    row = order_store.order_for_update(s, shop, order.order_id)
    if row is not None and order.updated_at < row.updated_at:
        return None
    known = row is not None
    if row is None:
        row = Order(shop=shop, order_id=order.order_id, created_at=order.created_at,
                    customer_tags=[])
        order_store.add(s, row)
    row.name, row.updated_at, row.cancelled_at = order.name, order.updated_at, order.cancelled_at
    row.number = order.number or row.number or 0
    if row.customer_id != order.customer_id:
        row.customer_id, row.customer_tags = order.customer_id, []
        row.customer_name = row.customer_email = None
    if order.customer_tags is not None:
        row.customer_tags = list(order.customer_tags)
    if order.customer_id is not None and (order.customer_name or order.customer_email):
        # a payload without them (protected customer data not granted) keeps what was known
        row.customer_name = order.customer_name or None
        row.customer_email = order.customer_email or None
    existing = {r.line_id: r for r in order_store.order_lines(s, shop, order.order_id)}
    pools: set[str] = set()
    for line in order.lines:
        current = existing.pop(line.line_id, None)
        if current is None:
            stamp = order.updated_at if known else order.created_at
            current = OrderLine(shop=shop, line_id=line.line_id, order_id=order.order_id,
                                variant_id=line.variant_id, pool=pool_of(line.variant_id),
                                ordered_at=line.committed_at or stamp, covered=0, backordered=0,
                                manual_priority=0, alternatives=[])
            order_store.add(s, current)
        elif line.committed_at is not None:
            current.ordered_at = line.committed_at
        current.open_quantity, current.title = line.open_quantity, line.title
        _count_shipped(s, shop, current, line.shipped)
        pools.add(current.pool)
    for gone in existing.values():  # removed by an order edit
        gone.open_quantity = 0
        pools.add(gone.pool)
    return pools


def _count_shipped(s: Tx, shop: str, row: OrderLine, shipped: int | None) -> None:
    """Units newly shipped leave the stock of a variant whose count ignores orders: until its
    count is set again, the mirror takes them off."""
    if shipped is None or shipped <= (row.shipped or 0):
        return
    variant = order_store.variant(s, shop, row.variant_id)
    if variant is not None and not variant.counts_orders:
        variant.shipped_since = (variant.shipped_since or 0) + shipped - (row.shipped or 0)
    row.shipped = shipped


def known_variants(s: Tx, shop: str, variant_ids: set[str]) -> set[str]:
    if not variant_ids:
        return set()
    return order_store.known_variant_ids(s, shop, variant_ids)


def items_without_stock(s: Tx, shop: str, variant_ids: set[str]) -> set[str]:
    """Inventory items of these variants for which no stock has been mirrored yet."""
    items = order_store.items_of_variants(s, shop, variant_ids)
    if not items:
        return set()
    return items - order_store.items_with_stock(s, shop, items)


def upsert_variants(s: Tx, shop: str, variants: Iterable[VariantInfo],
                    updated_at: datetime | None) -> None:
    """The variants as of `updated_at`; the shop's catalog version raised when what
    alternatives are drawn from changed."""
    changed = [upsert_variant(s, shop, info, updated_at) for info in variants]
    if any(changed):
        shop_store.catalog_changed(s, shop)


def product_deleted(s: Tx, shop: str, product_id: str) -> None:
    """The product's variants stay in the mirror, marked deleted: none is offered any more."""
    if order_store.mark_product_deleted(s, shop, product_id):
        shop_store.catalog_changed(s, shop)


def upsert_variant(s: Tx, shop: str, info: VariantInfo, updated_at: datetime | None) -> bool:
    """Whether what alternatives are drawn from changed: a new variant, or one of the fields
    a catalog index holds. Shopify sends `products/update` for every sale of a product too,
    with nothing of that changed."""
    row = order_store.variant(s, shop, info.variant_id)
    if row is not None and updated_at and row.updated_at and updated_at < row.updated_at:
        return False
    before = stock_store.catalog_values(row) if row is not None else None
    if row is None:
        row = Variant(shop=shop, variant_id=info.variant_id)
        order_store.add(s, row)
    row.product_id, row.inventory_item_id = info.product_id, info.inventory_item_id
    row.product_title, row.title, row.sku = info.product_title, info.title, info.sku
    row.vendor, row.product_type, row.status = info.vendor, info.product_type, info.status
    row.price, row.inventory_policy = info.price, info.inventory_policy
    row.options = [list(o) for o in info.options]
    row.tags, row.collections = list(info.tags), list(info.collections)
    if info.tracked is not None:
        row.tracked = info.tracked
    if info.counts_orders is not None:
        row.counts_orders = info.counts_orders
    if info.substitutes is not None:
        row.substitutes = list(info.substitutes)
    row.updated_at = updated_at
    return stock_store.catalog_values(row) != before


@dataclass(frozen=True)
class Stamp:
    """The second a stock reading is as of. The platform's times have whole seconds, so a line
    committed in that very second may or may not be in the reading, unless `exact`: our own read,
    taken when the level had not changed yet in that second, so such a line is certainly not in it.
    `read`: the platform was read (rather than a webhook received)."""

    at: datetime
    exact: bool = False
    read: bool = False


def webhook_stamp(updated_at: datetime | None, now: datetime) -> Stamp:
    return Stamp(whole_second(updated_at or now))


def read_stamp(reading: StockReading, started: datetime) -> Stamp:
    """Our own read, begun at `started`. Every line committed before that second is in it. If the
    level last changed before that second, nothing changed in it before the read either, so the
    lines of that second are not in it (exact); otherwise the reading is as of its own change."""
    second = whole_second(started)
    changed = whole_second(reading.updated_at) if reading.updated_at else None
    if changed is not None and changed < second:
        return Stamp(second, exact=True, read=True)
    return Stamp(changed or second, read=True)


def whole_second(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.replace(microsecond=0)


TAKE, DROP, SAME, CONFLICT = "take", "drop", "same", "conflict"


def _verdict(row: StockLevel | None, stamp: Stamp, available: int) -> str:
    """Whether a reading replaces the stored one. Deliveries and workers reorder readings, so
    arrival order says nothing; their seconds do, and a tie is decided by what each one is."""
    old = whole_second(row.updated_at) if row is not None and row.updated_at else None
    if old is None or stamp.at > old:
        return TAKE
    if stamp.at < old:
        return DROP
    if stamp.read:  # a read sees every change made so far, unless it is exact: then the
        return DROP if stamp.exact and not row.exact else TAKE  # webhook's change came after it
    if row.exact:  # a change after our own read, in the same second
        return TAKE
    return SAME if row.available == available else CONFLICT


def apply_stock(s: Tx, shop: str, reading: StockReading, stamp: Stamp) -> set[str]:
    """Mirror one (item, location) reading; the pools it belongs to, or nothing when stale.

    Two webhooks of one second that disagree: sales only lower a level, so a lower one that
    comes after a higher one is the later. Otherwise (a higher one after, a reading above the
    base, or no base) they cannot be ordered: the lower value is kept (no unit is promised twice
    meanwhile) and the level is marked unsettled, for a read of the platform.
    A stale webhook of the base's second only lowers the base."""
    row = order_store.stock_level_for_update(s, shop, reading.inventory_item_id,
                                             reading.location_id)
    verdict = _verdict(row, stamp, reading.available)
    if verdict == DROP and _lowers_base(row, stamp, reading.available):
        row.base_available = reading.available
        return _pools(s, shop, reading)
    if verdict in (DROP, SAME):
        return set()
    if row is None:
        row = StockLevel(shop=shop, inventory_item_id=reading.inventory_item_id,
                         location_id=reading.location_id)
        order_store.add(s, row)
    else:
        if row.available != reading.available:
            _count_set_again(s, shop, reading)
        _rebase(row, stamp, reading.available)
    if verdict == CONFLICT:
        # Sales only lower a level: a lower update after a higher one is the later. The platform
        # is asked when a higher one comes after (late, or stock came in), when stock came in
        # during the second (above the base), or when there is no base.
        row.unsettled = (row.unsettled or row.base_available is None
                         or reading.available > row.available)
        row.available = min(row.available, reading.available)
    else:
        row.available, row.exact, row.unsettled = reading.available, stamp.exact, False
        row.updated_at = stamp.at
    for name in ("committed", "on_hand", "incoming"):
        if getattr(reading, name) is not None:
            setattr(row, name, getattr(reading, name))
    return _pools(s, shop, reading)


def _pools(s: Tx, shop: str, reading: StockReading) -> set[str]:
    if reading.variant_id:
        return {pool_of(reading.variant_id)}
    return item_pools(s, shop, reading.inventory_item_id)


def _rebase(row: StockLevel, stamp: Stamp, available: int) -> None:
    """The base is the last reading known to come before every change of the current second:
    the stored one when this reading opens a new second, or when it is our own exact read."""
    old = whole_second(row.updated_at) if row.updated_at else None
    if old is not None and (row.exact or stamp.at > old):
        row.base_available, row.base_at = row.available, old
    if row.base_available is not None and available > row.base_available:
        row.base_available = None  # stock came in this second: what sold in it is unknown


def _lowers_base(row: StockLevel, stamp: Stamp, available: int) -> bool:
    """A webhook of the base's second delivered after a newer one: the base must be that
    second's last reading, and sales only lower a level, so the lowest is the latest."""
    return (row.base_at is not None and row.base_available is not None and not stamp.read
            and stamp.at == whole_second(row.base_at) and available < row.base_available)


def _count_set_again(s: Tx, shop: str, reading: StockReading) -> None:
    """A new count of a variant that ignores orders includes every shipment before it. Its
    count moves only when it is set, so a reading that differs from the last is a new count;
    one that repeats it (a read, or a count that came out the same) changes nothing."""
    for variant in order_store.variants_ignoring_orders(s, shop, reading.variant_id,
                                                        reading.inventory_item_id):
        variant.shipped_since = 0


def unsettled_items(s: Tx, shop: str, items: set[str]) -> set[str]:
    if not items:
        return set()
    return order_store.unsettled_items(s, shop, items)

