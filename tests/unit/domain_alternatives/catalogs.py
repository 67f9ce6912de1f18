"""The bundled Shopify import CSVs as catalog records and stock, one location, for the tests."""

from __future__ import annotations

from app.domain.alternatives import CatalogIndex, CatalogVariant
from benchmarks.alternatives import csv_records
from devstore.catalog_csv import CsvProduct, bundled_catalog

LOCATION = "gid://shopify/Location/1"


def variant_id(handle: str, title: str) -> str:
    return f"{handle}/{title}"


def records(products: list[CsvProduct]) -> tuple[list[CatalogVariant], dict[tuple[str, str], int]]:
    return csv_records(products, LOCATION)


def bundled_index(name: str) -> CatalogIndex:
    variants, stock = records(bundled_catalog(name))
    return CatalogIndex.build(variants, stock)
