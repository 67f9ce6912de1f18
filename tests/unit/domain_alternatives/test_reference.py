"""The pruned lookup returns exactly what scoring every variant of the catalog would."""

import random
from collections import Counter
from decimal import Decimal

import pytest

from app.domain import alternatives as alt
from app.domain.alternatives import AlternativesSettings, CatalogIndex, suggest

from .records import SHOP, WAREHOUSE, variant

TYPES = ("Lamp", "Vase", "Rug", "")
WORDS = ("oak", "arc", "blue", "round", "tall", "set", "mini")


def catalog(seed: int):
    rng = random.Random(seed)
    records, stock = [], {}
    for p in range(120):
        fields = {
            "title": " ".join(rng.sample(WORDS, rng.randint(1, 3))),
            "product_type": rng.choice(TYPES),
            "vendor": rng.choice(("Lux", "Nord", "")),
            "tags": tuple(rng.sample(("a", "b", "c", "d", "e"), rng.randint(0, 2))),
            "collections": tuple(rng.sample(("c1", "c2", "c3"), rng.randint(0, 2))),
            "status": rng.choices(("ACTIVE", "DRAFT"), (9, 1))[0],
            "pinned": (f"p{rng.randrange(120)}",) if rng.random() < 0.1 else (),
        }
        for size in rng.sample(("S", "M", "L"), rng.randint(1, 3)):
            vid = f"p{p}-{size}"
            price = str(Decimal(rng.randint(50, 150)))
            records.append(variant(vid, f"p{p}", options=(("Size", size),), price=price, **fields))
            for location in (SHOP, WAREHOUSE):
                stock[(vid, location)] = rng.choice((0, 0, 1, 2, 5))
    return records, stock


def reference(records, stock, base, location, quantity, settings, max_link_products):
    """Score every linked, eligible variant with the documented formula, sort, and keep the best
    with at most MAX_WEAK weak matches (another type, neither the same product nor pinned)."""
    products = {r.product_id: r for r in records}  # newest record of each product
    words = {p: alt.title_words(r.product_title) for p, r in products.items()}
    word_df = {w: sum(w in ws for ws in words.values()) for w in set().union(*words.values())}
    coll_df = Counter(c for r in products.values() for c in r.collections)
    tag_df = Counter(t.lower() for r in products.values() for t in r.tags)
    bp = products[base.product_id]
    excluded = settings.excluded_tag_keys
    scored = []
    for r in records:
        p = products[r.product_id]
        pool = sum(q for (v, loc), q in stock.items() if v == r.variant_id and location in (None, loc))
        in_band = abs(r.price - base.price) <= base.price * settings.price_band_percent / 100
        if r.variant_id == base.variant_id or not in_band or pool < quantity:
            continue
        if p.status != "ACTIVE" or {t.lower() for t in p.tags} & excluded:
            continue
        same = r.product_id == base.product_id
        pinned = r.product_id in bp.pinned_substitutes and not same
        same_type = bool(bp.product_type) and p.product_type.lower() == bp.product_type.lower()
        shared_words = words[bp.product_id] & words[r.product_id]
        linked_words = {w for w in shared_words if word_df[w] <= max_link_products}
        colls = bp.collections & p.collections
        tags = {t.lower() for t in bp.tags} & {t.lower() for t in p.tags}
        linked = linked_words or {c for c in colls if coll_df[c] <= max_link_products} or {
            t for t in tags if tag_df[t] <= max_link_products}
        if not (same or pinned or same_type or linked):
            continue
        if settings.same_type_only and not (same or pinned or same_type):
            continue
        score = alt.W_SAME_PRODUCT if same else (
            alt.W_PINNED * pinned
            + alt.W_TYPE * same_type
            + (alt.W_COLLECTION * len(colls) / len(bp.collections) if colls else 0)
            + (alt.W_TITLE * len(shared_words) / len(words[bp.product_id]) if shared_words else 0)
            + (alt.W_TAGS * len(tags) / len(bp.tags) if tags else 0)
            + alt.W_VENDOR * (bool(bp.vendor) and p.vendor == bp.vendor)
        )
        score += alt.W_OPTIONS * (r.options == base.options)
        width = base.price * settings.price_band_percent / 100
        score += alt.W_PRICE * (1.0 if width == 0 else float(1 - abs(r.price - base.price) / width))
        weak = bool(bp.product_type) and not (same or pinned or same_type)
        scored.append((-round(score, 4), abs(r.price - base.price), r.product_id, r.variant_id, weak))
    scored.sort()
    kept, weak_kept = [], 0
    for s, _, _, v, weak in scored:
        if weak and weak_kept >= alt.MAX_WEAK:
            continue
        weak_kept += weak
        kept.append((v, -s, weak))
    return kept[: settings.max_suggestions]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("max_link_products", [alt.MAX_LINK_PRODUCTS, 15])
@pytest.mark.parametrize("told", ["nothing", "stocked", "stocked and more"])
def test_pruned_lookup_equals_exhaustive_scoring(seed, max_link_products, told, monkeypatch):
    """Also when the stock says which products may have stock: exactly those that do, or those
    and some that do not (asked early here, so that it matters)."""
    monkeypatch.setattr(alt, "MAX_LINK_PRODUCTS", max_link_products)
    monkeypatch.setattr(alt, "LOOKED_AT_BEFORE_ASKING", 4)
    records, stock = catalog(seed)
    index = CatalogIndex.build(records, stock)
    rng = random.Random(seed)
    stocked = {r.product_id for r in records
               if any(q > 0 for (v, _), q in stock.items() if v == r.variant_id)}
    among = {"nothing": None, "stocked": stocked,
             "stocked and more": stocked | {r.product_id for r in rng.sample(records, 20)}}[told]
    for _ in range(40):
        base = rng.choice(records)
        location = rng.choice((SHOP, WAREHOUSE, None))
        quantity = rng.choice((1, 1, 2, 4))
        settings = AlternativesSettings(
            max_suggestions=rng.randint(1, 10),
            price_band_percent=rng.choice((0, 10, 25, 60, 100)),
            same_type_only=rng.random() < 0.3,
            excluded_tags=tuple(rng.sample(("a", "b"), rng.randint(0, 1))),
        )
        found = suggest(index, base.variant_id, location, quantity, settings,
                        TellingStock(index, among))
        expected = reference(records, stock, base, location, quantity, settings, max_link_products)
        assert [s.variant_id for s in found] == [v for v, _, _ in expected]
        assert [s.score for s in found] == [score for _, score, _ in expected]
        assert [s.weak for s in found] == [weak for _, _, weak in expected]


class TellingStock:
    """The index's stock, and a list of the products that may have some."""

    def __init__(self, index, among):
        self.index, self.among = index, among

    def available(self, variant_id, location_id):
        return self.index.available(variant_id, location_id)

    def prefetch(self, variant_ids):
        pass

    def stocked_products(self, looked):
        return self.among
