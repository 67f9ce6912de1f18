"""Small hand-made catalog records for the ranking tests."""

from __future__ import annotations

from decimal import Decimal

from app.domain.alternatives import CatalogVariant

SHOP = "loc-shop"
WAREHOUSE = "loc-warehouse"


def variant(
    variant_id: str,
    product_id: str,
    *,
    title: str = "",
    options: tuple[tuple[str, str], ...] = (),
    product_type: str = "",
    vendor: str = "",
    tags: tuple[str, ...] = (),
    collections: tuple[str, ...] = (),
    price: str = "10.00",
    status: str = "ACTIVE",
    pinned: tuple[str, ...] = (),
) -> CatalogVariant:
    return CatalogVariant(
        variant_id=variant_id,
        product_id=product_id,
        product_title=title or product_id.replace("-", " ").title(),
        variant_title=" / ".join(value for _, value in options) or "Default Title",
        options=options,
        product_type=product_type,
        vendor=vendor,
        tags=frozenset(tags),
        collections=frozenset(collections),
        price=Decimal(price),
        status=status,
        pinned_substitutes=pinned,
    )
