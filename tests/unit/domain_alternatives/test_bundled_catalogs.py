"""Suggestions on the catalogs shipped with the store simulator, as a merchant would judge them."""

from dataclasses import replace
from decimal import Decimal

import pytest

from app.domain import alternatives as alt
from app.domain.alternatives import AlternativesSettings, suggest
from devstore.catalog_csv import bundled_catalog

from .catalogs import LOCATION, bundled_index, records, variant_id

GREY_SOFA = variant_id("grey-sofa", "Default Title")
YELLOW_SOFA = variant_id("yellow-sofa", "Default Title")
WIDE = AlternativesSettings(price_band_percent=100, max_suggestions=10)


def sold_out(index, vid):
    index.set_stock(vid, LOCATION, 0)
    return index


def ids(found):
    return [s.variant_id for s in found]


def test_varsity_top_small_out_suggests_its_other_sizes_first():
    index = sold_out(bundled_index("apparel"), variant_id("classic-varsity-top", "Small"))
    found = suggest(index, variant_id("classic-varsity-top", "Small"), LOCATION, 1)
    assert {s.variant_id for s in found[:2]} == {
        variant_id("classic-varsity-top", "Medium"),
        variant_id("classic-varsity-top", "Large"),
    }
    assert {s.reasons[0] for s in found[:2]} == {"same product, size Medium", "same product, size Large"}
    assert found[2].product_id != "classic-varsity-top"


def test_a_shirt_out_suggests_another_shirt_for_men():
    vid = variant_id("ocean-blue-shirt", "Default Title")
    found = suggest(sold_out(bundled_index("apparel"), vid), vid, LOCATION, 1)
    assert found[0].product_id == "chequered-red-shirt"
    assert found[0].reasons == ("similar title", "shared tag men", "same vendor", "same price")


def test_a_sofa_out_suggests_the_other_sofa_when_the_band_allows():
    found = suggest(sold_out(bundled_index("home-and-garden"), YELLOW_SOFA), YELLOW_SOFA, LOCATION, 1, WIDE)
    assert found[0].variant_id == GREY_SOFA
    assert found[0].reasons == ("same type", "similar title", "shared tag Sofa", "70% cheaper")
    same_type = ["same type" in s.reasons for s in found]
    assert sum(same_type) >= 3 and same_type == sorted(same_type, reverse=True)  # Indoor items next
    closeness = 1 - (Decimal("99.99") - Decimal("29.99")) / Decimal("99.99")
    expected = alt.W_TYPE + alt.W_TITLE / 2 + alt.W_TAGS + alt.W_PRICE * float(closeness)
    assert found[0].score == round(expected, 4)


def test_a_sofa_out_with_the_default_band_suggests_indoor_items_at_its_price():
    found = suggest(sold_out(bundled_index("home-and-garden"), GREY_SOFA), GREY_SOFA, LOCATION, 1)
    assert [(s.product_id, s.reasons) for s in found] == [
        ("white-bed-clothes", ("same type", "same price"))
    ]


def test_a_pinned_substitute_comes_first_with_its_reason():
    index = sold_out(bundled_index("home-and-garden"), YELLOW_SOFA)
    index.upsert_variant(replace(index.variant(YELLOW_SOFA), pinned_substitutes=("black-bean-bag",)))
    found = suggest(index, YELLOW_SOFA, LOCATION, 1, AlternativesSettings(price_band_percent=50))
    assert found[0].product_id == "black-bean-bag"
    assert found[0].reasons == ("pinned substitute", "same type", "30% cheaper")


@pytest.mark.parametrize("catalog", ["apparel", "home-and-garden"])
@pytest.mark.parametrize("band", [25, 100])
def test_every_suggestion_can_ship_and_is_in_band(catalog, band):
    variants, stock = records(bundled_catalog(catalog))
    index = bundled_index(catalog)
    settings = AlternativesSettings(price_band_percent=band, max_suggestions=10)
    by_id = {v.variant_id: v for v in variants}
    for base in variants:
        index.set_stock(base.variant_id, LOCATION, 0)
        for found in suggest(index, base.variant_id, LOCATION, 1, settings):
            other = by_id[found.variant_id]
            assert found.variant_id != base.variant_id
            assert stock[(found.variant_id, LOCATION)] >= 1
            assert abs(other.price - base.price) <= base.price * Decimal(band) / 100
        index.set_stock(base.variant_id, LOCATION, stock[(base.variant_id, LOCATION)])


def test_out_of_stock_products_are_never_suggested():
    index = bundled_index("home-and-garden")
    for vid in list(index._variants):
        found = ids(suggest(index, vid, LOCATION, 1, WIDE))
        assert variant_id("pink-armchair", "Default Title") not in found  # 0 in the CSV
        assert variant_id("wooden-outdoor-slats", "Default Title") not in found  # 0 in the CSV


def test_stock_at_another_location_only_does_not_count():
    index = sold_out(bundled_index("home-and-garden"), YELLOW_SOFA)
    index.set_stock(GREY_SOFA, LOCATION, 0)
    index.set_stock(GREY_SOFA, "gid://shopify/Location/2", 6)
    assert GREY_SOFA not in ids(suggest(index, YELLOW_SOFA, LOCATION, 1, WIDE))
    assert ids(suggest(index, YELLOW_SOFA, None, 1, WIDE))[0] == GREY_SOFA


def test_a_quantity_larger_than_the_stock_is_not_suggested():
    candle = variant_id("vanilla-candle", "Default Title")
    pot = variant_id("white-ceramic-pot", "Default Title")  # 1 unit in the CSV
    index = sold_out(bundled_index("home-and-garden"), candle)
    assert pot in ids(suggest(index, candle, LOCATION, 1))
    assert pot not in ids(suggest(index, candle, LOCATION, 2))


def test_excluded_tags_and_drafts_are_never_suggested():
    index = sold_out(bundled_index("home-and-garden"), YELLOW_SOFA)
    assert ids(suggest(index, YELLOW_SOFA, LOCATION, 1, WIDE))[0] == GREY_SOFA
    no_sofas = AlternativesSettings(price_band_percent=100, excluded_tags=("sofa",))
    assert "grey-sofa" not in {s.product_id for s in suggest(index, YELLOW_SOFA, LOCATION, 1, no_sofas)}
    index.upsert_variant(replace(index.variant(GREY_SOFA), status="DRAFT"))
    assert "grey-sofa" not in {s.product_id for s in suggest(index, YELLOW_SOFA, LOCATION, 1, WIDE)}
