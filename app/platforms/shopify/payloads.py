"""Shopify's webhook payloads (REST shapes) parsed into the app's own types.

Every word of Shopify's payloads (`admin_graphql_api_id`, `variant_inventory_management`, numeric
ids that stand for `gid://shopify/...` ids) stays in this module: the services get orders, lines,
stock readings and variants, and the ids the Admin API names them by."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime

from app.domain.errors import InvalidInput
from app.services.events import PREPARED
from app.services.mirror import timestamp
from app.services.ports import (
    FulfillmentOrderSplit,
    ParsedLine,
    ParsedOrder,
    StockReading,
    VariantInfo,
)

FULFILLMENT_ORDER = "gid://shopify/FulfillmentOrder/"


def gid(kind: str, value) -> str:
    text = str(value)
    return text if text.startswith("gid://") else f"gid://shopify/{kind}/{text}"


# orders/create, orders/updated, orders/cancelled


def parse_order(payload: dict) -> ParsedOrder:
    """An `orders/*` payload (REST shape). Only lines that wait on stock are kept: custom items
    (no variant), lines that need no shipping, gift cards and untracked items never do."""
    if payload.get("id") is None:
        raise InvalidInput("order payload has no id", field="id")
    cancelled = payload.get("cancelled_at")
    customer = payload.get("customer") or {}
    created = timestamp(payload.get("created_at"), "created_at")
    fulfilled = _fulfilled_units(payload)
    return ParsedOrder(
        order_id=payload.get("admin_graphql_api_id") or gid("Order", payload["id"]),
        name=str(payload.get("name") or ""),
        created_at=created,
        updated_at=timestamp(payload.get("updated_at") or payload.get("created_at"), "updated_at"),
        cancelled_at=timestamp(cancelled, "cancelled_at") if cancelled else None,
        customer_id=str(customer["id"]) if customer.get("id") is not None else None,
        customer_tags=None,  # not in order webhooks since 2025-01: read from the platform
        lines=tuple(_line(item, bool(cancelled), fulfilled)
                    for item in payload.get("line_items") or [] if waits_on_stock(item)),
        number=_int(payload.get("order_number")),
        **_customer(customer),
    )


def _customer(customer: dict) -> dict[str, str]:
    """The customer's name and email as the order shows them, for the queue's search. Only a
    customer with an id: the compliance webhooks name the customer to erase by that id, and a
    guest's details would have nothing to be found by. Shopify leaves them out of the payload
    unless the app was granted protected customer data (name, email); then they are blank."""
    if customer.get("id") is None:
        return {}
    address = customer.get("default_address") or {}
    name = " ".join(str(customer.get(part) or "").strip() for part in ("first_name", "last_name"))
    name = " ".join(name.split()) or str(address.get("name") or "").strip()
    return {"customer_name": name[:255], "customer_email": str(customer.get("email") or "")[:255]}


def customer_gid(payload: dict) -> str | None:
    """The order's customer as the Admin API names it (its tags are read by that id). The
    mirror keeps the numeric id, which the compliance webhooks name the customer by."""
    customer = payload.get("customer") or {}
    return gid("Customer", customer["id"]) if customer.get("id") is not None else None


def prepared_order(payload: dict) -> ParsedOrder:
    """The order with what its prepare step read from the platform (the customer's tags)."""
    order = parse_order(payload)
    tags = (payload.get(PREPARED) or {}).get("customer_tags")
    if tags is None:
        return order
    return replace(order, customer_tags=tuple(tags))


def waits_on_stock(item: dict) -> bool:
    """A tracked variant that ships. `variant_inventory_management` is "shopify" only for items
    whose inventory Shopify tracks; an untracked item's `available` never moves."""
    return (item.get("variant_id") is not None and item.get("requires_shipping") is not False
            and not item.get("gift_card") and item.get("variant_inventory_management") == "shopify")


def _line(item: dict, cancelled: bool, fulfilled: dict[int, int]) -> ParsedLine:
    owed = 0 if cancelled else _current_quantity(item) - fulfilled.get(_int(item.get("id")), 0)
    return ParsedLine(
        line_id=item.get("admin_graphql_api_id") or gid("LineItem", item["id"]),
        variant_id=gid("ProductVariant", item["variant_id"]),
        open_quantity=max(0, owed),
        title=str(item.get("name") or item.get("title") or ""),
        shipped=fulfilled.get(_int(item.get("id")), 0),  # a fully shipped order was delivered
    )


def _current_quantity(item: dict) -> int:
    """What the customer still has on the line after edits and refunds. Never
    `fulfillable_quantity`: it reads 0 while the line is held, which is not "nothing owed"."""
    for key in ("current_quantity", "quantity"):
        if item.get(key) is not None:
            return _int(item[key])
    return 0


def _fulfilled_units(payload: dict) -> dict[int, int]:
    """Units shipped per line item id, from the order's successful fulfillments."""
    shipped: dict[int, int] = {}
    for fulfillment in payload.get("fulfillments") or []:
        if fulfillment.get("status") not in (None, "success"):
            continue
        for item in fulfillment.get("line_items") or []:
            key = _int(item.get("id"))
            shipped[key] = shipped.get(key, 0) + _int(item.get("quantity"))
    return shipped


# orders/edited: the payload lists the edit only; the order itself is read again.


@dataclass(frozen=True)
class OrderEdit:
    order_id: str
    committed_at: datetime | None  # read only when the edit added lines: nothing else is stamped
    added_line_ids: frozenset[str]


def parse_order_edit(payload: dict) -> OrderEdit:
    """An `orders/edited` payload: the order, and the lines the edit added with its time."""
    edit = payload.get("order_edit") or {}
    moment = edit.get("committed_at") or edit.get("created_at")
    added = frozenset(gid("LineItem", item.get("id")) for item in
                      (edit.get("line_items") or {}).get("additions") or []
                      if item.get("id") is not None)
    at = timestamp(moment, "order_edit.committed_at") if moment and added else None
    return OrderEdit(gid("Order", edit.get("order_id", "")), at, added)


# inventory_levels/update


def parse_inventory_level(payload: dict) -> tuple[StockReading, datetime | None]:
    for key in ("inventory_item_id", "location_id"):
        if payload.get(key) is None:
            raise InvalidInput(f"inventory level payload has no {key}", field=key)
    available = payload.get("available")  # null where the item is not stocked
    updated = payload.get("updated_at")
    return StockReading(
        variant_id="",
        inventory_item_id=gid("InventoryItem", payload["inventory_item_id"]),
        location_id=gid("Location", payload["location_id"]),
        available=_int(available),
    ), timestamp(updated, "updated_at") if updated else None


# products/create, products/update, products/delete


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


def deleted_product_id(payload: dict) -> str:
    """A `products/delete` payload names the product by its numeric id only."""
    return gid("Product", payload.get("id", ""))


# fulfillment_orders/*


def parse_split(payload: dict) -> FulfillmentOrderSplit | None:
    """A `fulfillment_orders/split` body (2026-07 sample): the fulfillment order split, the
    `remaining_fulfillment_order` that took the `split_line_items`, and a
    `replacement_fulfillment_order` when the original could not be split. None for the other
    topics' bodies."""
    if "split_line_items" not in payload:
        return None
    original = (payload.get("fulfillment_order") or {}).get("id")
    if not original:
        return None
    units = sorted(_int(item.get("quantity")) for item in payload.get("split_line_items") or ()
                   if isinstance(item, dict))
    return FulfillmentOrderSplit(
        fulfillment_order_id=gid("FulfillmentOrder", original),
        split_off_id=_fo_gid((payload.get("remaining_fulfillment_order") or {}).get("id")),
        units=tuple(units),
        replaced=bool((payload.get("replacement_fulfillment_order") or {}).get("id")))


def parse_released(payload: dict) -> str | None:
    """The fulfillment order a `fulfillment_orders/hold_released` body (2026-07 sample: the
    fulfillment order alone, open again) names; None for the other topics' bodies."""
    if set(payload) - {PREPARED} != {"fulfillment_order"}:
        return None
    fo = payload.get("fulfillment_order") or {}
    if not fo.get("id") or str(fo.get("status") or "").lower() == "on_hold":
        return None
    return gid("FulfillmentOrder", fo["id"])


def _fo_gid(value) -> str | None:
    return gid("FulfillmentOrder", value) if value else None


def placed_by_us(payload: dict) -> bool:
    return bool((payload.get("created_fulfillment_hold") or {}).get("held_by_requesting_app"))


def fulfillment_order_ids(payload: dict) -> list[str]:
    """Every fulfillment order a payload names, first mention first: `id`s under the
    fulfillment order keys, and the numeric `fulfillment_order_id`s of a merge."""
    found: list[str] = []
    for value in _ids(payload):
        if value not in found:
            found.append(value)
    return found


def _ids(value, key: str | None = None) -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            if k != PREPARED:
                yield from _ids(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from _ids(item, key)
    elif key == "id" and isinstance(value, str) and value.startswith(FULFILLMENT_ORDER):
        yield value
    elif key == "fulfillment_order_id" and value is not None:
        yield gid("FulfillmentOrder", value)


def prepared_order_id(payload: dict) -> str | None:
    """The order a prepare step found for the payload's fulfillment orders, if any."""
    return (payload.get(PREPARED) or {}).get("order_id")


def _int(value) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0
