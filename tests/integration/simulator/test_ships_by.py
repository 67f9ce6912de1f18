"""The product page's ship date through the store simulator: a variant that sells past zero gets
the date a new order would be promised as its ships-by metafield, the storefront reads it (its
definition grants it), a restock entered moves it, stock arriving removes it, and the theme
block renders each in turn."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from devstore.metafields import storefront_value
from tests.theme_block import render

SMALL = 1


def today(harness) -> date:
    return datetime.fromtimestamp(harness.sim_clock.now(), UTC).date()


def shown(harness, variant: int) -> str | None:
    """What the storefront reads of the variant's ships-by date."""
    shop = harness.store.shop(harness.shop)
    namespace = f"app--{harness.store.core.app_id}--backorders"
    return storefront_value(shop, f"gid://shopify/ProductVariant/{variant}", namespace, "ships_by")


def product_page(harness, variant: int, language: str = "en") -> str:
    ships_by = shown(harness, variant)
    metafields = {"$app:backorders": {"ships_by": {"value": ships_by}}} if ships_by else {}
    return render("ships_by", language, product={"selected_or_first_available_variant": {
        "available": True, "metafields": metafields}})


def test_the_ships_by_date_follows_the_queue_and_the_restocks(harness):
    variant = harness.oversell(SMALL, available=1)
    harness.settle()
    assert shown(harness, variant) is None
    assert "In stock" in product_page(harness, variant)

    harness.sell((variant, 2))  # one unit from stock, one waits: the next order would wait too
    harness.settle()
    before = shown(harness, variant)
    assert before is not None and date.fromisoformat(before) > today(harness)
    assert f"Ships by {date.fromisoformat(before):%B} " in product_page(harness, variant)

    expected = today(harness) + timedelta(days=3)
    harness.services.restocks.create(harness.shop, {
        "variant_id": f"gid://shopify/ProductVariant/{variant}", "quantity": 5,
        "expected_date": expected.isoformat()})
    harness.settle()
    after = shown(harness, variant)
    assert after is not None and expected <= date.fromisoformat(after) < date.fromisoformat(before)
    page = product_page(harness, variant)
    assert f"Ships by {date.fromisoformat(after):%B} {date.fromisoformat(after).day}," in page
    assert f"{date.fromisoformat(after):%d/%m/%Y}" in product_page(harness, variant, "fr")

    harness.receive(variant, 5)  # the restock comes: units are free again
    harness.settle()
    assert shown(harness, variant) is None
    assert "In stock" in product_page(harness, variant)


def test_the_date_is_written_only_when_it_moves(harness):
    variant = harness.oversell(SMALL, available=0)
    harness.sell((variant, 1))
    harness.settle()
    first = shown(harness, variant)
    assert first is not None
    counters = harness.services.shopify_gateway.counters
    written = counters["ships_by"]
    assert written == 1
    harness.sell((variant, 1))  # the queue grows; beyond every restock the date stays
    harness.settle()
    harness.sync()
    assert shown(harness, variant) == first
    assert counters["ships_by"] == written


def test_the_definition_lets_customers_and_the_storefront_read(harness):
    shop = harness.store.shop(harness.shop)
    by_key = {(d.owner_type, d.key): d.access for d in shop.definitions.values()}
    assert by_key[("PRODUCTVARIANT", "ships_by")]["storefront"] == "PUBLIC_READ"
    assert by_key[("PRODUCTVARIANT", "ships_by")]["customerAccount"] == "READ"
    for key in ("status", "eta", "lines"):
        assert by_key[("ORDER", key)]["customerAccount"] == "READ", key
        assert by_key[("ORDER", key)]["storefront"] == "NONE", key
    assert by_key[("ORDER", "alternatives")]["customerAccount"] == "NONE"
