"""The bundled Shopify import CSVs as catalog records and stock, one location, for the tests."""

from __future__ import annotations

from app.domain.alternatives import CatalogIndex, CatalogVariant
from devstore.catalog_csv import CsvProduct, bundled_catalog

LOCATION = "gid://shopify/Location/1"


def variant_id(handle: str, title: str) -> str:
    return f"{handle}/{title}"


def records(products: list[CsvProduct]) -> tuple[list[CatalogVariant], dict[tuple[str, str], int]]:
    variants, stock = [], {}
    for product in products:
        for variant in product.variants:
            vid = variant_id(product.handle, variant.title)
            variants.append(
                CatalogVariant(
                    variant_id=vid,
                    product_id=product.handle,
                    product_title=product.title,
                    variant_title=variant.title,
                    options=tuple(variant.options.items()),
                    product_type=product.product_type,
                    vendor=product.vendor,
                    tags=frozenset(product.tags),
                    collections=frozenset(),
                    price=variant.price,
                    status="ACTIVE" if product.published else "DRAFT",
                )
            )
            stock[(vid, LOCATION)] = variant.quantity
    return variants, stock


def bundled_index(name: str) -> CatalogIndex:
    variants, stock = records(bundled_catalog(name))
    return CatalogIndex.build(variants, stock)
