"""Merchant-pinned substitutes: for a product, the products to suggest first when it is short.

The list lives on the platform as an app-owned `list.product_reference` product metafield (so it
survives a re-install and the catalog export brings it back); the mirror keeps a copy on every
variant of the product for ranking."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.domain.errors import InvalidInput, NotFound
from app.services import object_sync
from app.services.planning import Planning, shop_policy
from app.storage.tables import OrderLine, Variant

MAX_SUBSTITUTES = 10


def get(s: Session, shop: str, product_id: str) -> dict:
    row = _any_variant(s, shop, product_id)
    return {"product_id": product_id, "substitutes": list(row.substitutes or [])}


def set_substitutes(s: Session, planning: Planning, shop: str, product_id: str, body: Any,
                    today) -> tuple[list[str], set[str]]:
    """Validate and store, and want the platform to show it; returns the list and the orders
    whose suggestions changed."""
    _any_variant(s, shop, product_id)
    products = _validated(s, shop, product_id, body)
    s.execute(update(Variant).where(Variant.shop == shop, Variant.product_id == product_id)
              .values(substitutes=products))
    object_sync.want(s, shop, object_sync.SUBSTITUTES, product_id, {"products": products})
    variants = set(s.scalars(select(Variant.variant_id).where(
        Variant.shop == shop, Variant.product_id == product_id)))
    orders = set(s.scalars(select(OrderLine.order_id).where(
        OrderLine.shop == shop, OrderLine.backordered > 0, OrderLine.variant_id.in_(variants))))
    return products, planning.refresh_orders(s, shop, orders, shop_policy(s, shop), today)


def _any_variant(s: Session, shop: str, product_id: str) -> Variant:
    row = s.scalars(select(Variant).where(Variant.shop == shop, Variant.product_id == product_id)
                    .limit(1)).first()
    if row is None:
        raise NotFound(f"no product {product_id!r} in this shop's catalog", field="product_id")
    return row


def _validated(s: Session, shop: str, product_id: str, body: Any) -> list[str]:
    if not isinstance(body, dict) or not isinstance(body.get("substitutes"), list):
        raise InvalidInput("substitutes must be a list of product ids", field="substitutes")
    products = list(dict.fromkeys(body["substitutes"]))
    if len(products) > MAX_SUBSTITUTES:
        raise InvalidInput(f"at most {MAX_SUBSTITUTES} substitutes", field="substitutes")
    if product_id in products:
        raise InvalidInput("a product cannot substitute for itself", field="substitutes")
    known = set(s.scalars(select(Variant.product_id).where(
        Variant.shop == shop, Variant.product_id.in_([p for p in products if isinstance(p, str)]))))
    unknown = [p for p in products if p not in known]
    if unknown:
        raise InvalidInput(f"unknown product {unknown[0]!r}", field="substitutes")
    return products
