from decimal import Decimal

import pytest

from app.domain.alternatives import CatalogIndex, suggest
from app.domain.errors import InvalidInput

from .records import SHOP, WAREHOUSE, variant


def ids(found):
    return [s.variant_id for s in found]


def test_stock_per_pool_and_summed_over_locations():
    index = CatalogIndex.build([variant("v1", "p1")], {("v1", SHOP): 2, ("v1", WAREHOUSE): 5})
    assert index.available("v1", SHOP) == 2
    assert index.available("v1", WAREHOUSE) == 5
    assert index.available("v1", None) == 7
    index.set_stock("v1", SHOP, -3)  # oversold
    assert index.available("v1", None) == 2
    assert index.available("v1", "elsewhere") == 0
    assert index.available("unknown", None) == 0


def test_stock_may_arrive_before_the_catalog_record():
    index = CatalogIndex()
    index.set_stock("v2", SHOP, 4)
    index.upsert_variant(variant("v1", "p1", product_type="Mug"))
    index.upsert_variant(variant("v2", "p2", product_type="Mug"))
    assert ids(suggest(index, "v1", SHOP, 1)) == ["v2"]


@pytest.mark.parametrize("available", [1.5, "3", True, None])
def test_stock_must_be_a_whole_number(available):
    with pytest.raises(InvalidInput) as caught:
        CatalogIndex().set_stock("v1", SHOP, available)
    assert caught.value.field == "available"


def test_stock_needs_a_location():
    with pytest.raises(InvalidInput) as caught:
        CatalogIndex().set_stock("v1", None, 1)
    assert caught.value.field == "location_id"


def test_invalid_records_are_rejected():
    with pytest.raises(InvalidInput) as caught:
        CatalogIndex().upsert_variant(variant("v1", "p1", status="LIVE"))
    assert caught.value.field == "status"
    with pytest.raises(InvalidInput) as caught:
        CatalogIndex().upsert_variant(variant("v1", "p1", price="-1"))
    assert caught.value.field == "price"
    with pytest.raises(InvalidInput):
        CatalogIndex().upsert_variant(variant("", "p1"))


def test_a_suggestion_that_sells_out_disappears_and_returns_on_restock():
    index = CatalogIndex.build(
        [variant("v1", "p1", product_type="Lamp"), variant("v2", "p2", product_type="Lamp")],
        {("v2", SHOP): 1},
    )
    assert ids(suggest(index, "v1", SHOP, 1)) == ["v2"]
    index.set_stock("v2", SHOP, 0)
    assert suggest(index, "v1", SHOP, 1) == []
    index.set_stock("v2", SHOP, 3)
    assert ids(suggest(index, "v1", SHOP, 1)) == ["v2"]


def test_upsert_replaces_the_record_and_reindexes_changed_product_fields():
    index = CatalogIndex.build(
        [variant("v1", "p1", product_type="Lamp"), variant("v2", "p2", product_type="Lamp")],
        {("v2", SHOP): 1},
    )
    index.upsert_variant(variant("v2", "p2", product_type="Rug", price="11.00"))
    assert index.variant("v2").price == Decimal("11.00")
    assert suggest(index, "v1", SHOP, 1) == []  # no longer linked by type
    index.upsert_variant(variant("v2", "p2", product_type="lamp"))  # case does not matter
    assert ids(suggest(index, "v1", SHOP, 1)) == ["v2"]


def test_the_newest_record_of_a_product_defines_it():
    index = CatalogIndex.build(
        [
            variant("v1", "p1", product_type="Lamp"),
            variant("v2", "p2", product_type="Lamp"),
            variant("v3", "p2", product_type="Lamp"),
        ],
        {("v2", SHOP): 1, ("v3", SHOP): 1},
    )
    index.upsert_variant(variant("v3", "p2", product_type="Lamp", status="ARCHIVED"))
    assert suggest(index, "v1", SHOP, 1) == []  # the whole product is archived now


def test_a_variant_can_move_to_another_product():
    index = CatalogIndex.build(
        [variant("v1", "p1", product_type="Lamp"), variant("v2", "p1", product_type="Lamp")],
        {("v2", SHOP): 1},
    )
    index.upsert_variant(variant("v2", "p9", product_type="Lamp"))
    found = suggest(index, "v1", SHOP, 1)
    assert [(s.variant_id, s.product_id) for s in found] == [("v2", "p9")]
    assert "same type" in found[0].reasons
    assert index.available("v2", SHOP) == 1  # stock follows the variant


def test_remove_variant_and_product():
    index = CatalogIndex.build(
        [
            variant("v1", "p1", product_type="Lamp"),
            variant("v2", "p2", product_type="Lamp"),
            variant("v3", "p3", product_type="Lamp"),
            variant("v4", "p3", product_type="Lamp"),
        ],
        {("v2", SHOP): 1, ("v3", SHOP): 1, ("v4", SHOP): 1},
    )
    index.remove_variant("v2")
    assert "v2" not in index and index.available("v2", SHOP) == 0
    assert ids(suggest(index, "v1", SHOP, 1)) == ["v3", "v4"]
    index.remove_product("p3")
    index.remove_product("p3")  # deletes can be delivered twice
    index.remove_variant("v2")
    assert len(index) == 1
    assert suggest(index, "v1", SHOP, 1) == []
    assert index._by_type == {"lamp": {"p1"}}  # no empty postings left behind


def test_replace_product_drops_variants_the_update_no_longer_has():
    index = CatalogIndex.build(
        [variant("v1", "p1", product_type="Lamp")]
        + [variant(f"p2-{n}", "p2", product_type="Lamp") for n in range(3)],
        {(f"p2-{n}", SHOP): 1 for n in range(3)},
    )
    index.replace_product("p2", [variant("p2-1", "p2", product_type="Lamp", price="9.00")])
    assert ids(suggest(index, "v1", SHOP, 1)) == ["p2-1"]
    assert "p2-0" not in index and "p2-2" not in index
    with pytest.raises(InvalidInput):
        index.replace_product("p2", [variant("x", "p3")])


def test_build_equals_incremental_updates():
    records = [variant(f"v{n}", f"p{n % 4}", product_type="Lamp", price=f"{10 + n}") for n in range(8)]
    stock = {(f"v{n}", SHOP): n % 3 for n in range(8)}
    built = CatalogIndex.build(records, stock)
    grown = CatalogIndex()
    for key, quantity in stock.items():
        grown.set_stock(*key, quantity)
    grown.upsert_variant(variant("v99", "p9", product_type="Lamp"))
    for record in reversed(records):
        grown.upsert_variant(record)
    grown.remove_product("p9")
    for n in range(8):
        assert suggest(built, f"v{n}", SHOP, 1) == suggest(grown, f"v{n}", SHOP, 1)
