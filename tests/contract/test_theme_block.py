"""The product page block: "In stock" or "Ships by <date>" from the variant's ships-by
metafield, in the shop's language, rendered by a real Liquid engine."""

from __future__ import annotations

import tomllib

from tests.theme_block import EXTENSION, block, locales, render


def page(ships_by: str | None, available: bool = True) -> dict:
    metafields = {"$app:backorders": {"ships_by": {"value": ships_by}}} if ships_by else {}
    variant = {"available": available, "metafields": metafields}
    return {"product": {"selected_or_first_available_variant": variant}}


def test_the_extension_is_a_theme_extension_with_a_product_block():
    config = tomllib.loads((EXTENSION / "shopify.extension.toml").read_text())
    assert config["type"] == "theme" and config["name"]
    _, schema = block("ships_by")
    assert schema["target"] == "section" and schema["templates"] == ["product"]


def test_every_language_has_every_word():
    tables = locales()
    assert None in tables and len({id(t) for t in tables.values()}) >= 2
    keys = set(tables[None]["backorders"])
    for language, table in tables.items():
        assert set(table["backorders"]) == keys, language


def test_a_date_reads_ships_by_in_the_shops_language():
    assert render("ships_by", "en", **page("2026-05-04")) == "<p class=\"backorders-ships-by backorders-ships-by--later\" >Ships by May 4, 2026</p>"
    assert "Expédié d’ici le 04/05/2026" in render("ships_by", "fr", **page("2026-05-04"))
    assert "Versand bis 04.05.2026" in render("ships_by", "de", **page("2026-05-04"))


def test_no_date_reads_in_stock_and_a_language_without_a_file_falls_back():
    assert ">In stock<" in render("ships_by", "en", **page(None))
    assert ">En stock<" in render("ships_by", "fr", **page(None))
    assert ">In stock<" in render("ships_by", "ja", **page(None))


def test_nothing_shows_for_a_variant_that_cannot_be_bought_or_when_turned_off():
    assert render("ships_by", "en", **page(None, available=False)) == ""
    off = {"settings": {"show_in_stock": False}, "shopify_attributes": ""}
    assert render("ships_by", "en", block=off, **page(None)) == ""
    assert "Ships by" in render("ships_by", "en", block=off, **page("2026-05-04"))
