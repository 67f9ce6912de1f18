"""Shopify's product CSV format: rows with only image columns are more images of the product
above, not variants."""

from __future__ import annotations

from devstore.catalog_csv import parse_catalog

from .helpers import SHOP

CSV = """Handle,Title,Vendor,Type,Tags,Published,Option1 Name,Option1 Value,Variant SKU,Variant Inventory Tracker,Variant Inventory Qty,Variant Inventory Policy,Variant Price,Variant Requires Shipping,Image Src,Image Position,Image Alt Text,Gift Card
tee,Tee,Acme,Shirts,summer,true,Size,Small,TEE-S,shopify,3,deny,20.00,true,https://cdn.example/tee-front.jpg,1,Front,false
tee,,,,,,,Medium,TEE-M,shopify,2,deny,20.00,true,,,,
tee,,,,,,,,,,,,,,https://cdn.example/tee-back.jpg,2,Back,
tee,,,,,,,,,,,,,,https://cdn.example/tee-side.jpg,,,
mug,Mug,Acme,Kitchen,,true,Title,Default Title,MUG,shopify,1,deny,8.00,true,https://cdn.example/mug.jpg,1,,false
"""


def test_image_only_rows_are_images_not_variants():
    tee, mug = parse_catalog(CSV.splitlines())
    assert [v.sku for v in tee.variants] == ["TEE-S", "TEE-M"]
    assert [(i.src.rsplit("/", 1)[-1], i.position, i.alt) for i in tee.images] == [
        ("tee-front.jpg", 1, "Front"), ("tee-back.jpg", 2, "Back"), ("tee-side.jpg", 3, None)]
    assert [v.sku for v in mug.variants] == ["MUG"] and len(mug.images) == 1


def test_seeded_products_carry_their_images(store, receiver):
    seeded = store.seed_catalog(SHOP, csv_text=CSV)
    assert [len(p["variant_ids"]) for p in seeded] == [2, 1]
    store.drain_webhooks()
    created = [b for b in receiver.of("products/create") if b["handle"] == "tee"][0]
    assert [i["position"] for i in created["images"]] == [1, 2, 3]
    assert created["image"]["src"].endswith("tee-front.jpg")
    assert all(v["price"] == "20.00" for v in created["variants"])
