"""Shops, locations, products and stock: everything that exists before anyone buys anything."""

from __future__ import annotations

from decimal import Decimal

from .catalog_csv import CsvProduct
from .core import Core, NotFound, StoreError, normalise_domain
from .model import Image, Level, Location, Product, Shop, Variant, parse_gid
from .payloads import inventory_item_payload, inventory_level_payload, product_payload


def create_shop(core: Core, domain: str, name: str | None = None, locations: list[str] | None = None,
                currency: str = "USD", timezone: str = "America/New_York",
                utc_offset_minutes: int = -300, country: str = "US") -> Shop:
    domain = normalise_domain(domain)
    if domain in core.shops:
        raise StoreError(f"shop {domain!r} already exists")
    shop = Shop(id=core.ids.next("Shop"), domain=domain, name=name or domain.split(".")[0].title(),
                currency=currency, timezone=timezone, utc_offset_minutes=utc_offset_minutes,
                country=country, email=f"owner@{domain}")
    for location_name in locations or ["Warehouse"]:
        add_location(core, shop, location_name)
    core.shops[domain] = shop
    return shop


def add_location(core: Core, shop: Shop, name: str, fulfillment_service: bool = False) -> Location:
    """A new location stocks nothing until stock is set there (no inventory levels yet)."""
    location = Location(id=core.ids.next("Location"), name=name, fulfillment_service=fulfillment_service)
    shop.locations[location.id] = location
    return location


def seed_catalog(core: Core, shop: Shop, products: list[CsvProduct],
                 location_id: int | None = None, csv_tracking: bool = False) -> list[Product]:
    """Imports CSV products; the CSV quantity becomes `available` at one location. With
    `csv_tracking`, a blank `Variant Inventory Tracker` makes the variant untracked, as Shopify's
    importer does; without it every variant is tracked (the bundled sample catalogs leave that
    column blank, yet carry stock to sell). Gift cards are never tracked and never ship."""
    location = resolve_location(shop, location_id)
    return [_import_product(core, shop, row, location.id, csv_tracking) for row in products]


def _import_product(core: Core, shop: Shop, row: CsvProduct, location_id: int, csv_tracking: bool) -> Product:
    now = core.now()
    product = Product(id=core.ids.next("Product"), handle=row.handle, title=row.title,
                      vendor=row.vendor, product_type=row.product_type, tags=list(row.tags),
                      status="ACTIVE" if row.published else "DRAFT", gift_card=row.gift_card,
                      created_at=now, updated_at=now)
    product.images = [Image(id=core.ids.next("ProductImage"), src=image.src, position=image.position, alt=image.alt)
                      for image in row.images]
    for csv_variant in row.variants:
        tracked = (csv_variant.tracked or not csv_tracking) and not row.gift_card
        variant = Variant(id=core.ids.next("ProductVariant"), product_id=product.id,
                          inventory_item_id=core.ids.next("InventoryItem"), title=csv_variant.title,
                          sku=csv_variant.sku, price=Decimal(csv_variant.price),
                          options=dict(csv_variant.options),
                          inventory_policy=csv_variant.inventory_policy.upper(), tracked=tracked,
                          requires_shipping=csv_variant.requires_shipping and not row.gift_card,
                          created_at=now, updated_at=now)
        shop.variants[variant.id] = variant
        product.variant_ids.append(variant.id)
        for location in shop.locations.values():
            shop.levels[(variant.inventory_item_id, location.id)] = Level(updated_at=now)
        shop.level(variant.inventory_item_id, location_id).available = csv_variant.quantity
    shop.products[product.id] = product
    core.emit(shop, "products/create", product_payload(shop, product))
    return product


def resolve_location(shop: Shop, location_id: int | str | None) -> Location:
    if location_id is None:
        return shop.primary_location
    number = _number(location_id, "Location")
    if number not in shop.locations:
        raise NotFound(f"location {location_id} not found in {shop.domain}")
    return shop.locations[number]


def resolve_variant(shop: Shop, ref: int | str) -> Variant:
    """A variant by numeric id, GID or SKU: the driving API accepts whichever the caller has."""
    if isinstance(ref, str) and not ref.isdigit() and not ref.startswith("gid://"):
        found = next((v for v in shop.variants.values() if v.sku and v.sku == ref), None)
        if found is None:
            raise NotFound(f"no variant with SKU {ref!r} in {shop.domain}")
        return found
    number = _number(ref, "ProductVariant")
    if number not in shop.variants:
        raise NotFound(f"variant {ref} not found in {shop.domain}")
    return shop.variants[number]


def _number(ref: int | str, kind: str) -> int:
    if isinstance(ref, int):
        return ref
    if ref.isdigit():
        return int(ref)
    parsed = parse_gid(ref, kind)
    if parsed is None:
        raise StoreError(f"{ref!r} is not a {kind} id")
    return parsed[1]


def set_stock(core: Core, shop: Shop, variant_ref: int | str, available: int,
              location_id: int | str | None = None) -> Level:
    """Sets `available` outright, as an inventory count correction in the admin would."""
    variant = resolve_variant(shop, variant_ref)
    location = resolve_location(shop, location_id)
    level = shop.level(variant.inventory_item_id, location.id)
    level.available = int(available)
    _touched(core, shop, variant.inventory_item_id, location.id)
    return level


def receive_stock(core: Core, shop: Shop, variant_ref: int | str, quantity: int,
                  location_id: int | str | None = None) -> Level:
    """A delivery arrives: `available` (and so `on_hand`) rises; `incoming` falls by what was due."""
    if quantity <= 0:
        raise StoreError("quantity must be greater than zero")
    variant = resolve_variant(shop, variant_ref)
    location = resolve_location(shop, location_id)
    level = shop.level(variant.inventory_item_id, location.id)
    level.available += quantity
    level.incoming = max(0, level.incoming - quantity)
    _touched(core, shop, variant.inventory_item_id, location.id)
    return level


def set_incoming(core: Core, shop: Shop, variant_ref: int | str, quantity: int,
                 location_id: int | str | None = None) -> Level:
    variant = resolve_variant(shop, variant_ref)
    location = resolve_location(shop, location_id)
    level = shop.level(variant.inventory_item_id, location.id)
    level.incoming = max(0, int(quantity))
    level.updated_at = core.now()
    return level


def _touched(core: Core, shop: Shop, item_id: int, location_id: int) -> None:
    shop.level(item_id, location_id).updated_at = core.now()
    core.emit(shop, "inventory_levels/update", inventory_level_payload(shop, item_id, location_id))


def set_tracked(core: Core, shop: Shop, variant: Variant, tracked: bool) -> None:
    """Turns inventory tracking on or off (InventoryItem.tracked). Quantities already committed
    stay as they are."""
    _set_item_field(core, shop, variant, "tracked", tracked)


def set_requires_shipping(core: Core, shop: Shop, variant: Variant, requires_shipping: bool) -> None:
    _set_item_field(core, shop, variant, "requires_shipping", requires_shipping)


def _set_item_field(core: Core, shop: Shop, variant: Variant, name: str, value: bool) -> None:
    """A field of the variant's inventory item, announced as inventory_items/update."""
    if getattr(variant, name) == value:
        return
    setattr(variant, name, value)
    variant.updated_at = core.now()
    core.emit(shop, "inventory_items/update", inventory_item_payload(shop, variant))


def set_inventory_policy(core: Core, shop: Shop, variant: Variant, policy: str) -> None:
    if policy not in ("DENY", "CONTINUE"):
        raise StoreError(f"inventory policy must be DENY or CONTINUE, not {policy!r}")
    if variant.inventory_policy == policy:
        return
    variant.inventory_policy = policy
    variant.updated_at = core.now()
    product = shop.products[variant.product_id]
    product.updated_at = variant.updated_at
    core.emit(shop, "products/update", product_payload(shop, product))


def delete_product(core: Core, shop: Shop, product_id: int) -> None:
    product = shop.products.pop(product_id, None)
    if product is None:
        raise NotFound(f"product {product_id} not found in {shop.domain}")
    for variant_id in product.variant_ids:
        variant = shop.variants.pop(variant_id)
        for key in [k for k in shop.levels if k[0] == variant.inventory_item_id]:
            del shop.levels[key]
    core.emit(shop, "products/delete", {"id": product.id})
