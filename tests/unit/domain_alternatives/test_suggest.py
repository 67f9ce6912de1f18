import pytest

from app.domain import alternatives as alt
from app.domain.alternatives import AlternativesSettings, CatalogIndex, suggest
from app.domain.errors import InvalidInput

from .records import SHOP, WAREHOUSE, variant


def ids(found):
    return [s.variant_id for s in found]


def shirt(size, colour, price="20.00", **fields):
    fields = {"title": "Organic Tee", "product_type": "T-Shirt", **fields}
    options = (("Size", size), ("Colour", colour))
    return variant(f"tee-{colour}-{size}", "tee", options=options, price=price, **fields)


def in_stock(records, units=5, location=SHOP):
    return CatalogIndex.build(records, {(r.variant_id, location): units for r in records})


def test_another_colour_in_the_same_size_comes_first():
    records = [shirt(s, c) for s in ("S", "M", "L") for c in ("Blue", "Red")]
    found = suggest(in_stock(records), "tee-Blue-M", SHOP, 1)
    assert ids(found) == ["tee-Red-M", "tee-Blue-L", "tee-Blue-S"]
    assert found[0].reasons == ("same product, colour Red", "same size M", "same price")
    assert found[1].reasons == ("same product, size L", "same colour Blue", "same price")


def test_preference_order_same_product_then_pinned_then_type():
    lamp_a = {"title": "Arc Lamp", "product_type": "Lamp", "vendor": "Lux", "tags": ("Living",),
              "collections": ("lights",), "pinned": ("chair",)}
    records = [
        variant("lamp-a1", "lamp-a", **lamp_a),
        variant("lamp-a2", "lamp-a", price="11.60", **lamp_a),
        variant("lamp-b", "lamp-b", title="Arc Lamp Mini", product_type="Lamp", vendor="Lux",
                tags=("Living",), collections=("lights",)),
        variant("chair", "chair", title="Chair", product_type="Chair"),
        variant("rug", "rug", title="Rug", product_type="Rug", collections=("lights",)),
    ]
    found = suggest(in_stock(records), "lamp-a1", SHOP, 1, AlternativesSettings(max_suggestions=10))
    assert ids(found) == ["lamp-a2", "chair", "lamp-b", "rug"]
    assert found[0].reasons == ("same product", "16% more expensive")
    assert found[1].reasons == ("pinned substitute", "same price")
    assert found[2].reasons == (
        "same type", "same collection", "similar title", "shared tag Living", "same vendor", "same price",
    )
    assert found[3].reasons == ("same collection", "same price")


def test_a_pinned_substitute_comes_first_with_its_reason():
    """No other variant of the product is in stock: the product the merchant pinned is suggested
    first, ahead of a product much like the backordered one, and says why."""
    tee = {"product_type": "Shirts", "vendor": "Acme", "price": "20.00"}
    records = [
        variant("tee", "tee", title="Organic Tee", pinned=("socks",), **tee),
        variant("tee-deluxe", "tee-deluxe", title="Organic Tee Deluxe", **tee),
        variant("socks", "socks", title="Wool Socks", product_type="Socks", price="21.00"),
    ]
    found = suggest(in_stock(records), "tee", SHOP, 1)
    assert ids(found) == ["socks", "tee-deluxe"]
    assert found[0].reasons == ("pinned substitute", "5% more expensive")
    assert "pinned substitute" not in found[1].reasons


def test_score_is_the_weighted_sum_behind_the_reasons():
    records = [
        variant("a", "pa", title="Oak Side Table", product_type="Table", vendor="Nord",
                tags=("Wood", "Bedroom"), collections=("c1", "c2"), price="100"),
        variant("b", "pb", title="Oak Coffee Table", product_type="Table", vendor="Nord",
                tags=("wood",), collections=("c2",), price="92"),
    ]
    [found] = suggest(in_stock(records), "a", SHOP, 1)
    assert found.reasons == (
        "same type", "same collection", "similar title", "shared tag wood", "same vendor", "8% cheaper",
    )
    expected = (
        alt.W_TYPE
        + alt.W_COLLECTION * 1 / 2
        + alt.W_TITLE * 2 / 3  # "oak", "table" of "oak", "side", "table"
        + alt.W_TAGS * 1 / 2
        + alt.W_VENDOR
        + alt.W_PRICE * (1 - 8 / 25)
    )
    assert found.score == pytest.approx(expected)


def test_the_weights_make_the_preference_order_strict():
    others = (alt.W_TYPE + alt.W_COLLECTION + alt.W_TITLE + alt.W_TAGS + alt.W_VENDOR
              + alt.W_OPTIONS + alt.W_PRICE)
    assert alt.W_PINNED > others
    assert alt.W_SAME_PRODUCT > alt.W_PINNED + others


def test_only_variants_that_can_ship_now_from_the_line_location():
    records = [variant(v, v, product_type="Vase") for v in ("base", "zero", "away", "few", "ok")]
    stock = {("zero", SHOP): 0, ("away", WAREHOUSE): 9, ("few", SHOP): 1, ("ok", SHOP): 2,
             ("few", WAREHOUSE): 5}
    index = CatalogIndex.build(records, stock)
    assert ids(suggest(index, "base", SHOP, 2)) == ["ok"]
    assert ids(suggest(index, "base", SHOP, 1)) == ["few", "ok"]
    # Shipping from any location: the pools are summed.
    assert ids(suggest(index, "base", None, 6)) == ["away", "few"]
    assert ids(suggest(index, "base", WAREHOUSE, 1)) == ["away", "few"]


def test_never_the_backordered_variant_itself():
    records = [shirt("M", "Blue"), shirt("L", "Blue")]
    index = in_stock(records)  # the backordered variant has stock elsewhere in the index
    assert ids(suggest(index, "tee-Blue-M", SHOP, 1)) == ["tee-Blue-L"]


def test_never_inactive_products_or_excluded_tags():
    records = [
        variant("base", "base", product_type="Vase"),
        variant("draft", "draft", product_type="Vase", status="DRAFT"),
        variant("archived", "archived", product_type="Vase", status="ARCHIVED"),
        variant("final", "final", product_type="Vase", tags=("Final Sale",)),
        variant("pinned-final", "pinned-final", tags=("final sale",)),
        variant("ok", "ok", product_type="Vase"),
    ]
    records[0] = variant("base", "base", product_type="Vase", pinned=("pinned-final", "draft"))
    settings = AlternativesSettings(excluded_tags=("FINAL SALE",), max_suggestions=10)
    assert ids(suggest(in_stock(records), "base", SHOP, 1, settings)) == ["ok"]


def test_other_variants_of_an_excluded_product_are_not_suggested():
    records = [shirt("M", "Blue", tags=("preorder",)), shirt("L", "Blue", tags=("preorder",))]
    settings = AlternativesSettings(excluded_tags=("preorder",))
    assert suggest(in_stock(records), "tee-Blue-M", SHOP, 1, settings) == []


def test_price_band_is_a_rule_for_every_candidate():
    records = [
        variant("base", "base", product_type="Vase", price="100", pinned=("dear",)),
        variant("edge-low", "edge-low", product_type="Vase", price="75"),
        variant("edge-high", "edge-high", product_type="Vase", price="125"),
        variant("cheap", "cheap", product_type="Vase", price="74.99"),
        variant("dear", "dear", product_type="Bowl", price="125.01"),
        shirt("M", "Blue", price="100"),
        shirt("L", "Blue", price="140"),
    ]
    index = in_stock(records)
    wide = AlternativesSettings(max_suggestions=10)
    assert sorted(ids(suggest(index, "base", SHOP, 1, wide))) == ["edge-high", "edge-low"]
    assert suggest(index, "tee-Blue-M", SHOP, 1, wide) == []
    exact = AlternativesSettings(price_band_percent=0)
    assert suggest(index, "base", SHOP, 1, exact) == []
    anything = AlternativesSettings(price_band_percent=100, max_suggestions=10)
    assert ids(suggest(index, "base", SHOP, 1, anything))[0] == "dear"  # pinned, now in band


def test_price_closeness_breaks_ties_inside_the_band():
    records = [variant(v, v, product_type="Vase", price=p)
               for v, p in (("base", "50"), ("far", "60"), ("near", "48"), ("same", "50"))]
    found = suggest(in_stock(records), "base", SHOP, 1)
    assert ids(found) == ["same", "near", "far"]
    assert [r[-1] for r in (s.reasons for s in found)] == ["same price", "4% cheaper", "20% more expensive"]


def test_ties_break_deterministically_by_ids():
    records = [variant(v, v, product_type="Vase") for v in ("base", "c", "a", "b", "d")]
    first = ids(suggest(in_stock(records), "base", SHOP, 1))
    again = ids(suggest(in_stock(list(reversed(records))), "base", SHOP, 1))
    assert first == again == ["a", "b", "c"]


def test_same_type_only_keeps_the_product_and_pinned_substitutes():
    base = {"title": "Blue Vase", "product_type": "Vase", "tags": ("blue",), "pinned": ("bowl",)}
    records = [
        variant("base", "base", **base),
        variant("base-2", "base", **base),
        variant("vase", "vase", title="Vase", product_type="Vase"),
        variant("bowl", "bowl", title="Bowl", product_type="Bowl"),
        variant("jug", "jug", title="Blue Jug", product_type="Jug", tags=("blue",)),
    ]
    index = in_stock(records)
    settings = AlternativesSettings(same_type_only=True, max_suggestions=10)
    assert ids(suggest(index, "base", SHOP, 1, settings)) == ["base-2", "bowl", "vase"]
    assert "jug" in ids(suggest(index, "base", SHOP, 1, AlternativesSettings(max_suggestions=10)))


def test_same_type_only_with_an_empty_type_keeps_only_the_product():
    records = [shirt("M", "Blue", product_type=""), shirt("L", "Blue", product_type=""),
               variant("other", "other", title="Organic Tee")]
    index = in_stock(records)
    settings = AlternativesSettings(same_type_only=True)
    assert ids(suggest(index, "tee-Blue-M", SHOP, 1, settings)) == ["tee-Blue-L"]


def test_a_shared_vendor_alone_is_no_reason():
    records = [variant("slats", "slats", title="Fence Slats", vendor="Rustic", product_type="Fence"),
               variant("sofa", "sofa", title="Grey Sofa", vendor="Rustic", product_type="Sofa")]
    assert suggest(in_stock(records), "slats", SHOP, 1) == []


def test_an_empty_type_or_vendor_does_not_link_products():
    records = [variant("a", "a", title="Alpha"), variant("b", "b", title="Beta")]
    assert suggest(in_stock(records), "a", SHOP, 1) == []


def test_how_many_and_disabled():
    records = [variant(f"v{n}", f"p{n}", product_type="Vase") for n in range(12)]
    index = in_stock(records)
    assert len(suggest(index, "v0", SHOP, 1, AlternativesSettings(max_suggestions=1))) == 1
    assert len(suggest(index, "v0", SHOP, 1, AlternativesSettings(max_suggestions=10))) == 10
    assert suggest(index, "v0", SHOP, 1, AlternativesSettings(enabled=False)) == []


def test_an_unknown_variant_has_no_suggestions():
    assert suggest(in_stock([variant("a", "a", product_type="Vase")]), "gone", SHOP, 1) == []


@pytest.mark.parametrize("quantity", [0, -1, 1.0, True, "2"])
def test_quantity_must_be_a_positive_whole_number(quantity):
    with pytest.raises(InvalidInput) as caught:
        suggest(CatalogIndex(), "a", SHOP, quantity)
    assert caught.value.field == "quantity"


def test_a_zero_priced_variant_only_matches_free_ones():
    records = [variant(v, v, product_type="Sample", price=p)
               for v, p in (("base", "0"), ("free", "0.00"), ("paid", "0.01"))]
    found = suggest(in_stock(records), "base", SHOP, 1)
    assert ids(found) == ["free"]
    assert found[0].reasons[-1] == "same price"


def earrings_and_other_jewellery(*more):
    """Silver hoop earrings sold out; the only other earrings are far outside the price band."""
    silver = {"title": "Silver Hoop", "collections": ("silver",), "tags": ("silver",)}
    return [
        variant("earrings", "earrings", product_type="Earrings", price="40", **silver),
        variant("gold-earrings", "gold-earrings", product_type="Earrings", price="400", **silver),
        variant("necklace", "necklace", product_type="Necklace", price="40", **silver),
        variant("bracelet", "bracelet", product_type="Bracelet", price="41", **silver),
        variant("anklet", "anklet", product_type="Anklet", price="42", **silver),
        *more,
    ]


def test_with_nothing_of_the_same_type_in_band_one_weak_match_is_offered_and_says_so():
    found = suggest(in_stock(earrings_and_other_jewellery()), "earrings", SHOP, 1)
    assert ids(found) == ["necklace"]
    assert found[0].weak
    assert found[0].reason.startswith(alt.WEAK_REASON + ", ")
    assert found[0].to_entry() == {"variant_id": "necklace", "reason": found[0].reason, "weak": True}


def test_strong_matches_are_not_marked_weak_and_a_weak_one_only_fills_a_place():
    records = earrings_and_other_jewellery(
        variant("studs", "studs", title="Silver Studs", product_type="Earrings", price="38"),
        variant("pinned", "pinned", title="Gift Card", product_type="Card", price="40"))
    records[0] = variant("earrings", "earrings", title="Silver Hoop", product_type="Earrings",
                         price="40", collections=("silver",), tags=("silver",), pinned=("pinned",))
    found = suggest(in_stock(records), "earrings", SHOP, 1, AlternativesSettings(max_suggestions=5))
    assert ids(found) == ["pinned", "necklace", "studs"]  # by score; one weak among them
    assert [s.weak for s in found] == [False, True, False]
    assert not any(alt.WEAK_REASON in s.reason for s in (found[0], found[2]))


class CountingStock:
    """Stock kept outside the index: a lookup must read it through `prefetch` before asking."""

    def __init__(self, units):
        self.units, self.fetched, self.batches = units, set(), []

    def prefetch(self, variant_ids):
        batch = set(variant_ids)
        self.batches.append(batch)
        self.fetched |= batch

    def available(self, variant_id, location_id):
        assert variant_id in self.fetched, f"{variant_id} asked before it was read"
        return self.units.get(variant_id, 0)

    def stocked_products(self, looked):
        return None


def test_stock_given_by_the_caller_decides_what_can_ship():
    records = [variant(v, v, product_type="Vase") for v in ("base", "a", "b", "c")]
    index = in_stock(records, units=5)  # the index's own stock is not used
    stock = CountingStock({"a": 0, "b": 1, "c": 3})
    assert ids(suggest(index, "base", SHOP, 2, stock=stock)) == ["c"]
    assert stock.batches and {"a", "b", "c"} <= stock.fetched


def test_stock_is_read_in_a_few_growing_batches_not_for_the_whole_catalog():
    records = [variant("base", "base", product_type="Vase", price="100")]
    records += [variant(f"v{n}", f"p{n}", product_type="Vase", price=str(100 + n % 20))
                for n in range(200)]
    records += [variant(f"rug{n}", f"rug{n}", product_type="Rug") for n in range(200)]
    stock = CountingStock({f"v{n}": 1 for n in range(200)})
    found = suggest(in_stock(records), "base", SHOP, 1, stock=stock)
    assert ids(found) == ["v0", "v100", "v120"]  # same price first, then by product id
    assert len(stock.batches) <= 2 + (201 // alt.FIRST_STOCK_BATCH).bit_length()  # doubling
    assert not any(v.startswith("rug") for v in stock.fetched)


def test_a_price_changed_after_a_lookup_brings_the_variant_into_the_band():
    records = [variant("base", "base", product_type="Vase", price="100"),
               variant("near", "near", product_type="Vase", price="300")]
    index = in_stock(records)
    assert suggest(index, "base", SHOP, 1) == []
    index.upsert_variant(variant("near", "near", product_type="Vase", price="110"))
    assert ids(suggest(index, "base", SHOP, 1)) == ["near"]


def test_a_lookup_in_a_sold_out_shop_asks_which_products_have_stock_and_skips_the_rest():
    records = [variant("base", "base", product_type="Vase", price="100")]
    records += [variant(f"v{n}", f"p{n}", product_type="Vase", price="100") for n in range(500)]

    class MostlySoldOut(CountingStock):
        def stocked_products(self, looked):
            return {"p499"}

    stock = MostlySoldOut({"v499": 2})
    assert ids(suggest(in_stock(records), "base", SHOP, 1, stock=stock)) == ["v499"]
    assert len(stock.fetched) < 2 * alt.LOOKED_AT_BEFORE_ASKING  # not all 500
