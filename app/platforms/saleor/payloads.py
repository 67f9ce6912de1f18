"""Saleor's payloads (our subscriptions' selections) parsed into the app's own types.

How a Saleor line can wait on stock:
- A variant sold with `trackInventory: false` gets no allocation and sells past zero: Saleor's
  backorder. Its `Stock.quantity` is the stock on hand as the merchant last set it; neither
  orders nor fulfilments move it. So its count does not take out what orders hold
  (`counts_orders=False`), and its stock reading is that quantity.
- A tracked variant is allocated at checkout, which Saleor refuses past its stock; its lines wait
  only when staff lower the stock below what is allocated. Its reading is what is left to sell,
  quantity less allocated, which goes below zero then: Shopify's `available`, so it is planned
  as Shopify's stock is (its lines covered in queue order up to the quantity). It is also what
  alternatives are offered from.
Saleor has no inventory items: the variant's id stands for its item, and each warehouse is a
location; a product's category counts as one of its collections."""

from __future__ import annotations

from datetime import datetime

from app.domain.errors import InvalidInput
from app.services.mirror import timestamp
from app.services.ports import CatalogSeen, ParsedLine, ParsedOrder, StockReading, VariantInfo

CLOSED = frozenset({"CANCELED", "EXPIRED", "DRAFT"})


def parse_order_event(payload: dict) -> tuple[ParsedOrder, CatalogSeen]:
    order = payload.get("order")
    if not isinstance(order, dict) or not order.get("id"):
        raise InvalidInput("order event has no order id", field="order.id")
    updated = timestamp(order.get("updatedAt") or order.get("created"), "order.updatedAt")
    closed = str(order.get("status") or "").upper() in CLOSED
    lines, variants, readings = [], {}, {}
    for line in order.get("lines") or []:
        variant = line.get("variant") or {}
        if not line.get("id") or not variant.get("id"):
            continue  # its variant was deleted: nothing to wait for
        variants[variant["id"]] = _variant(variant, line)
        readings.update({(r.variant_id, r.location_id): r for r in _readings(variant)})
        owed = 0 if closed else _int(line.get("quantityToFulfill"))
        lines.append(ParsedLine(
            line_id=str(line["id"]), variant_id=str(variant["id"]), open_quantity=max(0, owed),
            title=" / ".join(p for p in (line.get("productName"), line.get("variantName")) if p),
            shipped=_int(line.get("quantityFulfilled"))))
    parsed = ParsedOrder(
        order_id=str(order["id"]), name=f"#{order.get('number')}" if order.get("number") else "",
        created_at=timestamp(order.get("created"), "order.created"), updated_at=updated,
        cancelled_at=updated if str(order.get("status") or "").upper() == "CANCELED" else None,
        customer_id=None, customer_tags=None, lines=tuple(lines), number=_int(order.get("number")))
    return parsed, CatalogSeen(tuple(variants.values()), tuple(readings.values()), _issued(payload, updated))


def parse_stock_event(payload: dict) -> CatalogSeen:
    """A stock event of one variant: its stock at every warehouse."""
    variant = payload.get("productVariant")
    if not isinstance(variant, dict) or not variant.get("id"):
        raise InvalidInput("stock event has no productVariant id", field="productVariant.id")
    return CatalogSeen((_variant(variant, {}),), tuple(_readings(variant)), _issued(payload, None))


def variant_info(variant: dict) -> VariantInfo:
    """A variant as the `Variants` query answers it."""
    return _variant(variant, {})


def readings_of(variant: dict) -> list[StockReading]:
    return _readings(variant)


def _variant(variant: dict, line: dict) -> VariantInfo:
    product = variant.get("product") or {}
    product_type = product.get("productType") or {}
    untracked = variant.get("trackInventory") is False
    groups = [c.get("id") for c in product.get("collections") or []]
    groups.append((product.get("category") or {}).get("id"))
    prices = [(listing.get("price") or {}).get("amount")
              for listing in variant.get("channelListings") or []]
    return VariantInfo(
        variant_id=str(variant["id"]), product_id=str(product.get("id") or ""),
        inventory_item_id=str(variant["id"]),
        product_title=str(product.get("name") or line.get("productName") or ""),
        title=str(variant.get("name") or line.get("variantName") or ""),
        sku=str(variant.get("sku") or line.get("productSku") or ""),
        product_type=str(product_type.get("name") or product_type.get("id") or ""),
        price=str(next((p for p in prices if p is not None), "0")),
        inventory_policy="CONTINUE" if untracked else "DENY",
        collections=tuple(str(g) for g in groups if g),
        tracked=True, counts_orders=not untracked)


def _readings(variant: dict) -> list[StockReading]:
    untracked = variant.get("trackInventory") is False
    return [StockReading(variant_id=str(variant["id"]), inventory_item_id=str(variant["id"]),
                         location_id=str((stock.get("warehouse") or {}).get("id") or ""),
                         available=_int(stock.get("quantity")) - (
                             0 if untracked else _int(stock.get("quantityAllocated"))),
                         committed=_int(stock.get("quantityAllocated")),
                         on_hand=_int(stock.get("quantity")))
            for stock in variant.get("stocks") or [] if (stock.get("warehouse") or {}).get("id")]


def _issued(payload: dict, default: datetime | None) -> datetime:
    issued = payload.get("issuedAt")
    if issued:
        return timestamp(issued, "issuedAt")
    if default is None:
        raise InvalidInput("event has no issuedAt", field="issuedAt")
    return default


def _int(value) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0
