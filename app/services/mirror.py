"""The app's copy of the store: orders and their open lines, variants, stock per location.

Webhook payloads are parsed here into plain values; each `apply_*` writes them through the open
session and returns the pools whose plan they may change. A delivery older than what is stored
(`updated_at`) changes nothing: Shopify retries replay old payloads, out of order."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.errors import InvalidInput
from app.services.ports import ParsedLine, ParsedOrder, StockReading, VariantInfo
from app.storage.tables import Order, OrderLine, StockLevel, Variant

ALL_LOCATIONS = "*"


def gid(kind: str, value) -> str:
    text = str(value)
    return text if text.startswith("gid://") else f"gid://shopify/{kind}/{text}"


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


def parse_order(payload: dict) -> ParsedOrder:
    """An `orders/*` payload (REST shape). Lines without a variant (custom items) are skipped:
    there is no stock to plan for them."""
    if payload.get("id") is None:
        raise InvalidInput("order payload has no id", field="id")
    cancelled = payload.get("cancelled_at")
    customer = payload.get("customer") or {}
    tags = customer.get("tags") or ""
    tags = tags.split(",") if isinstance(tags, str) else tags
    created = timestamp(payload.get("created_at"), "created_at")
    return ParsedOrder(
        order_id=payload.get("admin_graphql_api_id") or gid("Order", payload["id"]),
        name=str(payload.get("name") or ""),
        created_at=created,
        updated_at=timestamp(payload.get("updated_at") or payload.get("created_at"), "updated_at"),
        cancelled_at=timestamp(cancelled, "cancelled_at") if cancelled else None,
        customer_id=str(customer["id"]) if customer.get("id") is not None else None,
        customer_tags=tuple(t.strip() for t in tags if t and t.strip()),
        lines=tuple(_line(item, bool(cancelled)) for item in payload.get("line_items") or []
                    if item.get("variant_id")),
    )


def _line(item: dict, cancelled: bool) -> ParsedLine:
    open_quantity = 0 if cancelled else _open_quantity(item)
    return ParsedLine(
        line_id=item.get("admin_graphql_api_id") or gid("LineItem", item["id"]),
        variant_id=gid("ProductVariant", item["variant_id"]),
        open_quantity=max(0, open_quantity),
        title=str(item.get("name") or item.get("title") or ""),
    )


def _open_quantity(item: dict) -> int:
    for key in ("fulfillable_quantity", "current_quantity", "quantity"):
        if item.get(key) is not None:
            return int(item[key])
    return 0


def order_pools(s: Session, shop: str, order: ParsedOrder) -> set[str]:
    """Every pool the order has or had a line in."""
    existing = set(s.scalars(select(OrderLine.pool).where(
        OrderLine.shop == shop, OrderLine.order_id == order.order_id)))
    return existing | {pool_of(line.variant_id) for line in order.lines}


def item_pools(s: Session, shop: str, inventory_item_id: str) -> set[str]:
    variant = s.scalar(select(Variant.variant_id).where(
        Variant.shop == shop, Variant.inventory_item_id == inventory_item_id))
    return {pool_of(variant)} if variant else set()


def apply_order(s: Session, shop: str, order: ParsedOrder) -> set[str] | None:
    """Mirror the order; the pools it touches, or None when the payload is stale."""
    row = s.get(Order, (shop, order.order_id), with_for_update=True)
    if row is not None and order.updated_at < row.updated_at:
        return None
    if row is None:
        row = Order(shop=shop, order_id=order.order_id, created_at=order.created_at)
        s.add(row)
    row.name, row.updated_at, row.cancelled_at = order.name, order.updated_at, order.cancelled_at
    row.customer_id, row.customer_tags = order.customer_id, list(order.customer_tags)
    existing = {r.line_id: r for r in s.scalars(
        select(OrderLine).where(OrderLine.shop == shop, OrderLine.order_id == order.order_id))}
    pools: set[str] = set()
    for line in order.lines:
        current = existing.pop(line.line_id, None)
        if current is None:
            current = OrderLine(shop=shop, line_id=line.line_id, order_id=order.order_id,
                                variant_id=line.variant_id, pool=pool_of(line.variant_id),
                                ordered_at=order.created_at, covered=0, backordered=0,
                                manual_priority=0, alternatives=[])
            s.add(current)
        current.open_quantity, current.title = line.open_quantity, line.title
        pools.add(current.pool)
    for gone in existing.values():  # removed by an order edit
        gone.open_quantity = 0
        pools.add(gone.pool)
    return pools


def known_variants(s: Session, shop: str, variant_ids: set[str]) -> set[str]:
    if not variant_ids:
        return set()
    return set(s.scalars(select(Variant.variant_id).where(
        Variant.shop == shop, Variant.variant_id.in_(variant_ids))))


def items_without_stock(s: Session, shop: str, variant_ids: set[str]) -> set[str]:
    """Inventory items of these variants for which no stock has been mirrored yet."""
    items = set(s.scalars(select(Variant.inventory_item_id).where(
        Variant.shop == shop, Variant.variant_id.in_(variant_ids),
        Variant.inventory_item_id.is_not(None))))
    if not items:
        return set()
    seen = set(s.scalars(select(StockLevel.inventory_item_id).where(
        StockLevel.shop == shop, StockLevel.inventory_item_id.in_(items))))
    return items - seen


def upsert_variant(s: Session, shop: str, info: VariantInfo, updated_at: datetime | None) -> None:
    row = s.get(Variant, (shop, info.variant_id))
    if row is not None and updated_at and row.updated_at and updated_at < row.updated_at:
        return
    if row is None:
        row = Variant(shop=shop, variant_id=info.variant_id)
        s.add(row)
    row.product_id, row.inventory_item_id = info.product_id, info.inventory_item_id
    row.product_title, row.title, row.sku = info.product_title, info.title, info.sku
    row.vendor, row.product_type, row.status = info.vendor, info.product_type, info.status
    row.price, row.inventory_policy = info.price, info.inventory_policy
    row.options = [list(o) for o in info.options]
    row.tags, row.collections = list(info.tags), list(info.collections)
    if info.substitutes is not None:
        row.substitutes = list(info.substitutes)
    row.updated_at = updated_at


def apply_stock(s: Session, shop: str, reading: StockReading, updated_at: datetime | None) -> set[str]:
    """Mirror one (item, location) reading; the pool it belongs to, or nothing when stale."""
    row = s.get(StockLevel, (shop, reading.inventory_item_id, reading.location_id),
                with_for_update=True)
    if row is not None and updated_at and row.updated_at and updated_at < row.updated_at:
        return set()
    if row is None:
        row = StockLevel(shop=shop, inventory_item_id=reading.inventory_item_id,
                         location_id=reading.location_id)
        s.add(row)
    row.available = reading.available
    for name in ("committed", "on_hand", "incoming"):
        if getattr(reading, name) is not None:
            setattr(row, name, getattr(reading, name))
    row.updated_at = updated_at or row.updated_at
    if reading.variant_id:
        return {pool_of(reading.variant_id)}
    return item_pools(s, shop, reading.inventory_item_id)


def parse_inventory_level(payload: dict) -> tuple[StockReading, datetime | None]:
    for key in ("inventory_item_id", "location_id"):
        if payload.get(key) is None:
            raise InvalidInput(f"inventory level payload has no {key}", field=key)
    available = payload.get("available")
    updated = payload.get("updated_at")
    return StockReading(
        variant_id="",
        inventory_item_id=gid("InventoryItem", payload["inventory_item_id"]),
        location_id=gid("Location", payload["location_id"]),
        available=int(available or 0),
    ), timestamp(updated, "updated_at") if updated else None


def parse_product(payload: dict) -> tuple[list[VariantInfo], datetime | None]:
    """A `products/create|update` payload: every variant, with product-level fields."""
    if payload.get("id") is None:
        raise InvalidInput("product payload has no id", field="id")
    product_id = payload.get("admin_graphql_api_id") or gid("Product", payload["id"])
    tags = payload.get("tags") or ""
    tags = tuple(t.strip() for t in (tags.split(",") if isinstance(tags, str) else tags) if t.strip())
    names = [o.get("name", "") for o in payload.get("options") or []]
    variants = []
    for v in payload.get("variants") or []:
        values = [v.get(f"option{i}") for i in (1, 2, 3)]
        options = tuple((n, val) for n, val in zip(names, values, strict=False)
                        if val and not (n == "Title" and val == "Default Title"))
        variants.append(VariantInfo(
            variant_id=v.get("admin_graphql_api_id") or gid("ProductVariant", v["id"]),
            product_id=product_id,
            inventory_item_id=gid("InventoryItem", v["inventory_item_id"])
            if v.get("inventory_item_id") else None,
            product_title=str(payload.get("title") or ""), title=str(v.get("title") or ""),
            sku=str(v.get("sku") or ""), vendor=str(payload.get("vendor") or ""),
            product_type=str(payload.get("product_type") or ""),
            status=str(payload.get("status") or "active").upper(), price=str(v.get("price") or "0"),
            inventory_policy=str(v.get("inventory_policy") or "deny").upper(),
            options=options, tags=tags,
        ))
    updated = payload.get("updated_at")
    return variants, timestamp(updated, "updated_at") if updated else None
