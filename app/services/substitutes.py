"""Merchant-pinned substitutes: for a product, the products to suggest first when it is short.

The list lives on the platform as an app-owned `list.product_reference` product metafield (so it
survives a re-install and the catalog export brings it back); the mirror keeps a copy on every
variant of the product for ranking."""

from __future__ import annotations

from typing import Any

from app.domain.errors import InvalidInput, NotFound
from app.services import object_sync
from app.services.planning import Planning, shop_policy
from app.storage import objects as object_store
from app.storage import shops as shop_store
from app.storage.db import Tx
from app.storage.tables import Variant

MAX_SUBSTITUTES = 10


def get(s: Tx, shop: str, product_id: str) -> dict:
    row = _any_variant(s, shop, product_id)
    return {"product_id": product_id, "substitutes": list(row.substitutes or [])}


def set_substitutes(s: Tx, planning: Planning, shop: str, product_id: str, body: Any,
                    today) -> tuple[list[str], set[str]]:
    """Validate and store, and want the platform to show it; returns the list and the orders
    whose suggestions changed."""
    _any_variant(s, shop, product_id)
    products = _validated(s, shop, product_id, body)
    object_store.set_substitutes(s, shop, product_id, products)
    shop_store.catalog_changed(s, shop)  # the pinned products rank first: the index holds them
    object_sync.want(s, shop, object_sync.SUBSTITUTES, product_id, {"products": products})
    variants = object_store.variant_ids_of(s, shop, product_id)
    orders = object_store.orders_waiting_on(s, shop, variants)
    return products, planning.refresh_orders(s, shop, orders, shop_policy(s, shop), today)


def _any_variant(s: Tx, shop: str, product_id: str) -> Variant:
    row = object_store.any_variant_of(s, shop, product_id)
    if row is None:
        raise NotFound(f"no product {product_id!r} in this shop's catalog", field="product_id")
    return row


def _validated(s: Tx, shop: str, product_id: str, body: Any) -> list[str]:
    if not isinstance(body, dict) or not isinstance(body.get("substitutes"), list):
        raise InvalidInput("substitutes must be a list of product ids", field="substitutes")
    products = list(dict.fromkeys(body["substitutes"]))
    if len(products) > MAX_SUBSTITUTES:
        raise InvalidInput(f"at most {MAX_SUBSTITUTES} substitutes", field="substitutes")
    if product_id in products:
        raise InvalidInput("a product cannot substitute for itself", field="substitutes")
    known = object_store.known_products(s, shop, [p for p in products if isinstance(p, str)])
    unknown = [p for p in products if p not in known]
    if unknown:
        raise InvalidInput(f"unknown product {unknown[0]!r}", field="substitutes")
    return products
