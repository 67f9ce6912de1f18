"""Alternatives: quality on the bundled catalogs; the service's latency in a 100,000-variant shop.

Quality, by the rules a merchant would use. Each variant in turn is made out of stock and its top-3
suggestions (default settings) are checked against the stock and prices read from the catalog, not
against the index:
  in_stock_rate              share of suggestions that can really ship (the service's suggestions
                             in the generated shop included)
  same_product_or_type_rate  over the cases where an eligible (in stock, in band, active) variant of
                             the same product or the same product type exists: share whose top
                             suggestion is one
  price_band_rate            share of suggestions priced within the band
Speed, on the production path: a generated shop of 100,000 variants and their stock at three
locations is stored in a SQLite file created by the app's migrations, with 1,000 lines already
waiting with suggestions (their claims count); then `Alternatives.for_lines` (the call planning
makes) suggests for 500 three-line orders, one session each, the shop's settings, stock and claims
read from the database every time. The first call, which builds the catalog index (as a process
does again after each change of the catalog), is reported apart as `index_build_s`. Data
generation is seeded and untimed.
  suggest_p95_ms_100k        p95 of one order's call (target <= 10 ms)

Run: python -m benchmarks.alternatives [--variants N] [--orders N] [--waiting N]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert

from app.domain.alternatives import (
    AlternativesSettings,
    CatalogIndex,
    CatalogVariant,
    Suggestion,
    suggest,
)
from devstore.catalog_csv import CsvProduct, bundled_catalog

LOCATION = "loc-1"
SEED = 20240611
SHOP = "bench-shop.myshopify.com"
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
TARGET_P95_MS = 10.0


def csv_records(products: list[CsvProduct], location: str = LOCATION) -> tuple[list[CatalogVariant], dict]:
    """Catalog records and one-location stock from a Shopify import CSV (the tests use it too).
    Variant ids are `handle/variant title`."""
    variants, stock = [], {}
    for product in products:
        for variant in product.variants:
            vid = f"{product.handle}/{variant.title}"
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
            stock[(vid, location)] = variant.quantity
    return variants, stock


class Checker:
    """Independent checks of suggestions against the catalog's own stock and prices."""

    def __init__(self, variants: list[CatalogVariant], stock: dict, settings: AlternativesSettings):
        self.by_id = {v.variant_id: v for v in variants}
        self.pools: dict[str, dict[str, int]] = {}
        for (variant_id, location_id), quantity in stock.items():
            self.pools.setdefault(variant_id, {})[location_id] = quantity
        self.band = Decimal(settings.price_band_percent) / 100
        self.suggestions = self.shippable = self.in_band = 0

    def set_stock(self, variant_id: str, location_id: str, quantity: int) -> None:
        self.pools.setdefault(variant_id, {})[location_id] = quantity

    def available(self, variant_id: str, location_id: str | None) -> int:
        pools = self.pools.get(variant_id, {})
        return sum(pools.values()) if location_id is None else pools.get(location_id, 0)

    def within_band(self, base: CatalogVariant, other: CatalogVariant) -> bool:
        return abs(other.price - base.price) <= base.price * self.band

    def record(self, base_id: str, location_id, quantity: int, found: list[Suggestion]) -> None:
        base = self.by_id[base_id]
        for suggestion in found:
            other = self.by_id[suggestion.variant_id]
            self.suggestions += 1
            self.shippable += (
                suggestion.variant_id != base_id
                and other.status == "ACTIVE"
                and self.available(other.variant_id, location_id) >= quantity
            )
            self.in_band += self.within_band(base, other)


def related_in_stock(checker: Checker, base: CatalogVariant) -> bool:
    """Whether an eligible variant of the same product or same (non-empty) type can ship."""
    for other in checker.by_id.values():
        related = other.product_id == base.product_id or (
            base.product_type and other.product_type == base.product_type
        )
        if (
            related
            and other.variant_id != base.variant_id
            and other.status == "ACTIVE"
            and checker.available(other.variant_id, LOCATION) >= 1
            and checker.within_band(base, other)
        ):
            return True
    return False


def bundled_quality(name: str, settings: AlternativesSettings) -> dict:
    variants, stock = csv_records(bundled_catalog(name))
    index = CatalogIndex.build(variants, stock)
    checker = Checker(variants, stock, settings)
    cases = hits = empty = 0
    for base in variants:
        before = stock[(base.variant_id, LOCATION)]
        checker.set_stock(base.variant_id, LOCATION, 0)
        index.set_stock(base.variant_id, LOCATION, 0)
        found = suggest(index, base.variant_id, LOCATION, 1, settings)
        checker.record(base.variant_id, LOCATION, 1, found)
        empty += not found
        if related_in_stock(checker, base):
            cases += 1
            top = checker.by_id[found[0].variant_id] if found else None
            hits += top is not None and (
                top.product_id == base.product_id
                or (base.product_type != "" and top.product_type == base.product_type)
            )
        checker.set_stock(base.variant_id, LOCATION, before)
        index.set_stock(base.variant_id, LOCATION, before)
    return {
        "catalog": name,
        "variants": len(variants),
        "no_suggestion": empty,
        "suggestions": checker.suggestions,
        "shippable": checker.shippable,
        "in_band": checker.in_band,
        "related_cases": cases,
        "related_hits": hits,
    }


# --- generated catalog -------------------------------------------------------------------------

NOUNS = (
    "chair sofa table lamp rug vase mug bowl plate candle pillow blanket shelf mirror clock "
    "planter basket tray jar bottle shirt tee hoodie jacket coat dress skirt jeans shorts sock "
    "scarf hat cap bag wallet belt boot sneaker sandal glove watch"
).split()
QUALIFIERS = ("Indoor", "Outdoor", "Kids", "Premium", "Travel")
ADJECTIVES = (
    "classic modern rustic vintage soft bold urban coastal nordic cozy sleek bright calm wild "
    "golden silver midnight sunny misty royal simple grand little happy lucky noble quiet swift "
    "gentle fresh warm cool crisp smooth rough light heavy tall short round square slim wide"
).split()
MATERIALS = (
    "oak pine walnut bamboo linen cotton wool silk leather suede denim canvas velvet ceramic "
    "stone marble glass copper brass steel iron clay jute rattan wicker cork felt fleece "
    "cashmere hemp resin concrete porcelain terracotta teak cedar maple birch"
).split()
COLORS = ("Black", "White", "Grey", "Navy", "Red", "Green", "Sand", "Blue", "Pink", "Olive")
SIZES = ("XS", "S", "M", "L", "XL", "XXL")
BROAD_TAGS = ("sale", "new", "bestseller", "gift", "eco", "limited", "clearance", "summer", "winter")
LOCATIONS = ("loc-1", "loc-2", "loc-3")


def generated_catalog(variant_target: int, seed: int = SEED) -> tuple[list[CatalogVariant], dict]:
    """A seeded catalog shaped like a large store: ~200 types, ~500 vendors, tags tied to types
    plus a few broad ones ("sale" on a fifth of products), collections by theme and by promotion,
    Size x Color variants, 10% of products not active, stock spread over three locations."""
    rng = random.Random(seed)
    types = [f"{q} {n.title()}" for n in NOUNS for q in QUALIFIERS]
    vendors = [f"{rng.choice(ADJECTIVES).title()} {rng.choice(MATERIALS).title()} Co {i}" for i in range(500)]
    type_tags = {t: [f"{t.split()[1].lower()}-{k}" for k in range(12)] for t in types}
    themes = [f"theme-{i}" for i in range(300)]
    variants: list[CatalogVariant] = []
    stock: dict[tuple[str, str], int] = {}
    product_no = 0
    while len(variants) < variant_target:
        product_no += 1
        pid = f"gid://shopify/Product/{product_no}"
        ptype = rng.choice(types)
        noun = ptype.split()[1]
        title = f"{rng.choice(ADJECTIVES).title()} {rng.choice(MATERIALS).title()} {noun}"
        tags = set(rng.sample(type_tags[ptype], 2))
        tags.update(t for t in BROAD_TAGS if rng.random() < 0.2 / (1 + BROAD_TAGS.index(t) * 0.5))
        collections = {themes[(types.index(ptype) * 7 + rng.randrange(7)) % len(themes)]}
        if rng.random() < 0.15:
            collections.add("promo-featured")
        vendor = rng.choice(vendors)
        status = rng.choices(("ACTIVE", "DRAFT", "ARCHIVED"), (90, 7, 3))[0]
        base_price = Decimal(str(round(rng.lognormvariate(3.6, 0.8), 2)))
        sizes = rng.sample(SIZES, rng.randint(1, 4))
        colors = rng.sample(COLORS, rng.randint(1, 3))
        pinned = ()
        if product_no > 10 and rng.random() < 0.05:
            pinned = (f"gid://shopify/Product/{rng.randint(1, product_no - 1)}",)
        for size in sizes:
            for color in colors:
                vid = f"gid://shopify/ProductVariant/{len(variants) + 1}"
                price = base_price + Decimal(SIZES.index(size))
                variants.append(
                    CatalogVariant(
                        vid, pid, title, f"{size} / {color}", (("Size", size), ("Color", color)),
                        ptype, vendor,
                        frozenset(tags), frozenset(collections), price, status, pinned,
                    )
                )
                for location in rng.sample(LOCATIONS, rng.randint(1, 3)):
                    stock[(vid, location)] = 0 if rng.random() < 0.3 else rng.randint(1, 20)
    return variants, stock


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def item_of(variant_id: str) -> str:
    return variant_id.replace("ProductVariant", "InventoryItem")


def stored_shop(db, variants: list[CatalogVariant], stock: dict) -> None:
    """The generated catalog and its stock as the mirror stores them (untimed)."""
    from app.storage.tables import Shop, StockLevel, Variant

    with db.transaction() as s:
        s.add(Shop(shop=SHOP, installed=True, policy={}, alternatives={}))
    rows = [{"shop": SHOP, "variant_id": v.variant_id, "product_id": v.product_id,
             "inventory_item_id": item_of(v.variant_id), "product_title": v.product_title,
             "title": v.variant_title, "vendor": v.vendor, "product_type": v.product_type,
             "status": v.status, "price": str(v.price), "options": [list(o) for o in v.options],
             "tags": sorted(v.tags), "collections": sorted(v.collections),
             "substitutes": list(v.pinned_substitutes)} for v in variants]
    levels = [{"shop": SHOP, "inventory_item_id": item_of(vid), "location_id": location,
               "available": units} for (vid, location), units in stock.items()]
    for table, values in ((Variant, rows), (StockLevel, levels)):
        for start in range(0, len(values), 10_000):
            with db.transaction() as s:
                s.execute(insert(table), values[start:start + 10_000])


def order_lines(rng: random.Random, active: list[CatalogVariant], order: str, count: int) -> list:
    """Backordered lines of one order, as planning hands them to the service."""
    from app.storage.tables import OrderLine

    lines = []
    for n in range(count):
        base = rng.choice(active)
        quantity = rng.choices((1, 2, 3), (70, 20, 10))[0]
        lines.append(OrderLine(shop=SHOP, line_id=f"{order}-{n}", order_id=order,
                               variant_id=base.variant_id, pool=f"{base.variant_id}@all",
                               open_quantity=quantity, backordered=quantity,
                               ordered_at=NOW, alternatives=[]))
    return lines


def waiting_lines(db, alternatives, rng: random.Random, active: list, count: int) -> None:
    """Lines already waiting, each with the suggestions the service gave it: what they claim is
    taken out of the stock the timed orders see (untimed)."""
    for start in range(0, count, 100):
        with db.transaction() as s:
            for n in range(start, min(count, start + 100)):
                (row,) = order_lines(rng, active, f"waiting-{n}", 1)
                row.alternatives = alternatives.suggestions_for_lines(s, SHOP, [row])[row.line_id]
                s.add(row)


def service_speed(variant_target: int, orders: int, waiting: int, tmp: Path) -> dict:
    """Suggestions for 3-line orders through `Alternatives.for_lines` on a migrated SQLite file:
    a session per order, the shop's settings and stock read from the database each time."""
    from app.services.alternatives import Alternatives
    from app.storage.db import Database
    from app.storage.migrate import upgrade

    variants, stock = generated_catalog(variant_target)
    url = f"sqlite:///{tmp / 'alternatives.db'}"
    upgrade(url)
    db = Database(url)
    stored_shop(db, variants, stock)
    alternatives = Alternatives()
    active = [v for v in variants if v.status == "ACTIVE"]
    rng = random.Random(SEED + 1)
    started = time.perf_counter()
    with db.transaction() as s:
        alternatives.for_lines(s, SHOP, order_lines(rng, active, "warm-up", 1))
    build_s = time.perf_counter() - started
    waiting_lines(db, alternatives, rng, active, waiting)
    checker = Checker(variants, stock, AlternativesSettings())
    by_id = {v.variant_id: v for v in variants}
    timings, counts = [], []
    for n in range(orders):
        lines = order_lines(rng, active, f"order-{n}", 3)
        started = time.perf_counter()
        with db.transaction() as s:
            found = alternatives.for_lines(s, SHOP, lines)
        timings.append((time.perf_counter() - started) * 1000)
        for line in lines:
            kept = [Suggestion(v, by_id[v].product_id, 0.0, ()) for v in found[line.line_id]]
            counts.append(len(kept))
            checker.record(line.variant_id, None, line.backordered, kept)
    db.engine.dispose()
    return {
        "variants": len(variants), "stock_rows": len(stock), "waiting": waiting,
        "build_s": build_s, "p50_ms": percentile(timings, 0.50),
        "p95_ms": percentile(timings, 0.95), "p99_ms": percentile(timings, 0.99),
        "mean_suggestions": statistics.fmean(counts), "suggestions": checker.suggestions,
        "shippable": checker.shippable, "in_band": checker.in_band,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--waiting", type=int, default=1_000)
    args = parser.parse_args()
    settings = AlternativesSettings()
    quality = [bundled_quality(name, settings) for name in ("apparel", "home-and-garden")]
    for row in quality:
        print(
            f"{row['catalog']}: {row['variants']} variants, {row['suggestions']} suggestions, "
            f"{row['shippable']} shippable, {row['in_band']} in band, {row['no_suggestion']} with none; "
            f"top is same product/type in {row['related_hits']}/{row['related_cases']} cases where one exists"
        )
    with tempfile.TemporaryDirectory() as tmp:
        speed = service_speed(args.variants, args.orders, args.waiting, Path(tmp))
    print(
        f"generated shop: {speed['variants']} variants, {speed['stock_rows']} stock levels, "
        f"{speed['waiting']} waiting lines with suggestions; index build {speed['build_s']:.2f} s"
    )
    print(
        f"for_lines over {args.orders} 3-line orders: p50 {speed['p50_ms']:.2f} ms, "
        f"p95 {speed['p95_ms']:.2f} ms, p99 {speed['p99_ms']:.2f} ms; "
        f"{speed['mean_suggestions']:.2f} suggestions per line, "
        f"{speed['shippable']}/{speed['suggestions']} shippable"
    )
    suggestions = sum(r["suggestions"] for r in quality) + speed["suggestions"]
    shippable = sum(r["shippable"] for r in quality) + speed["shippable"]
    in_band = sum(r["in_band"] for r in quality) + speed["in_band"]
    cases = sum(r["related_cases"] for r in quality)
    figures = {
        "in_stock_rate": round(shippable / suggestions, 4) if suggestions else None,
        "same_product_or_type_rate": round(sum(r["related_hits"] for r in quality) / cases, 4)
        if cases
        else None,
        "related_cases": cases,
        "price_band_rate": round(in_band / suggestions, 4) if suggestions else None,
        "suggest_p95_ms_100k": round(speed["p95_ms"], 3),
        "suggest_p50_ms_100k": round(speed["p50_ms"], 3),
        "suggest_p99_ms_100k": round(speed["p99_ms"], 3),
        "index_build_s": round(speed["build_s"], 3),
        "target_met": speed["p95_ms"] <= TARGET_P95_MS,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
