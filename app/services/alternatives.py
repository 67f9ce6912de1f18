"""In-stock alternatives for backordered lines, from the mirrored catalog and stock.

The index is built per shop from the mirror and kept for a short while in this process; stock is
re-read for every call, so a suggestion that sold out disappears at the next plan."""

from __future__ import annotations

import threading
import time
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.alternatives import AlternativesSettings, CatalogIndex, CatalogVariant, suggest
from app.storage.tables import OrderLine, Shop, StockLevel, Variant

INDEX_TTL_S = 30.0


class Alternatives:
    def __init__(self):
        self._indexes: dict[str, tuple[float, CatalogIndex, dict[str, str]]] = {}
        self._lock = threading.Lock()

    def invalidate(self, shop: str) -> None:
        with self._lock:
            self._indexes.pop(shop, None)

    def for_lines(self, s: Session, shop: str, lines: list[OrderLine]) -> dict[str, list[str]]:
        """Suggested variant ids per backordered line."""
        if not lines:
            return {}
        row = s.get(Shop, shop)
        settings = AlternativesSettings.from_dict((row.alternatives if row else None) or {})
        if not settings.enabled:
            return {}
        index, items = self._index(s, shop)
        for (item, location), available in _stock(s, shop).items():
            if item in items:
                index.set_stock(items[item], location, available)
        return {line.line_id: [sg.variant_id for sg in suggest(
                    index, line.variant_id, None, max(1, line.backordered), settings)]
                for line in lines}

    def _index(self, s: Session, shop: str) -> tuple[CatalogIndex, dict[str, str]]:
        with self._lock:
            cached = self._indexes.get(shop)
        if cached and time.monotonic() - cached[0] < INDEX_TTL_S:
            return cached[1], cached[2]
        rows = list(s.scalars(select(Variant).where(Variant.shop == shop,
                                                    Variant.status != "DELETED")))
        index = CatalogIndex.build(_catalog_variant(r) for r in rows)
        items = {r.inventory_item_id: r.variant_id for r in rows if r.inventory_item_id}
        with self._lock:
            self._indexes[shop] = (time.monotonic(), index, items)
        return index, items


def _stock(s: Session, shop: str) -> dict[tuple[str, str], int]:
    return {(r.inventory_item_id, r.location_id): r.available
            for r in s.execute(select(StockLevel.inventory_item_id, StockLevel.location_id,
                                      StockLevel.available).where(StockLevel.shop == shop))}


def _catalog_variant(row: Variant) -> CatalogVariant:
    try:
        price = Decimal(row.price or "0")
    except InvalidOperation:
        price = Decimal(0)
    status = row.status if row.status in ("ACTIVE", "DRAFT", "ARCHIVED") else "ARCHIVED"
    return CatalogVariant(
        variant_id=row.variant_id, product_id=row.product_id, product_title=row.product_title,
        variant_title=row.title, options=tuple(tuple(o) for o in row.options or []),
        product_type=row.product_type, vendor=row.vendor, tags=frozenset(row.tags or []),
        collections=frozenset(row.collections or []), price=price, status=status,
        pinned_substitutes=tuple(row.substitutes or []))
