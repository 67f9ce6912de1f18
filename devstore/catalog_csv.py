"""Read a Shopify product-import CSV into plain product records.

The format is the one merchants use in Admin > Products > Import: one row per variant, rows of one
product share a `Handle`, and product-level columns (title, vendor, type, tags) are filled on the
first row only. A row that carries only image columns (`Image Src`, `Image Position`, `Image Alt
Text`: no option value, price or SKU) is one more image of the product above, not a variant.
`Variant Inventory Tracker` is `shopify` for a tracked variant and blank for an untracked one;
`Variant Requires Shipping` and `Gift Card` say whether the item ships and is a gift card.
Standard library only, so the simulator, tests and benchmarks can all use it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

CATALOG_DIR = Path(__file__).parent / "data" / "catalogs"


@dataclass
class CsvVariant:
    sku: str
    options: dict[str, str]
    price: Decimal
    quantity: int
    inventory_policy: str  # "deny" or "continue", as in the CSV
    tracker: str = "shopify"  # Variant Inventory Tracker: "shopify", another service, or "" (untracked)
    requires_shipping: bool = True

    @property
    def tracked(self) -> bool:
        return bool(self.tracker)

    @property
    def title(self) -> str:
        return " / ".join(self.options.values()) or "Default Title"


@dataclass
class CsvImage:
    src: str
    position: int
    alt: str | None = None


@dataclass
class CsvProduct:
    handle: str
    title: str
    vendor: str
    product_type: str
    tags: list[str]
    published: bool
    variants: list[CsvVariant] = field(default_factory=list)
    images: list[CsvImage] = field(default_factory=list)
    gift_card: bool = False


class CatalogCsvError(ValueError):
    """A row the importer cannot use; carries the 1-based line number of the file."""

    def __init__(self, line: int, message: str):
        super().__init__(f"line {line}: {message}")
        self.line = line


def read_catalog(path: str | Path) -> list[CsvProduct]:
    with open(path, newline="", encoding="utf-8") as handle:
        return parse_catalog(handle.read().splitlines())


def bundled_catalog(name: str) -> list[CsvProduct]:
    """One of the catalogs shipped with the simulator: `apparel` or `home-and-garden`."""
    return read_catalog(CATALOG_DIR / f"{name}.csv")


def parse_catalog(lines) -> list[CsvProduct]:
    reader = csv.DictReader(lines)
    products: dict[str, CsvProduct] = {}
    option_names: dict[str, list[str]] = {}
    for line_no, row in enumerate(reader, start=2):
        handle = (row.get("Handle") or "").strip()
        if not handle:
            raise CatalogCsvError(line_no, "Handle is empty")
        product = products.get(handle)
        if product is None:
            title = (row.get("Title") or "").strip()
            if not title:
                raise CatalogCsvError(line_no, f"first row of '{handle}' has no Title")
            product = CsvProduct(
                handle=handle,
                title=title,
                vendor=(row.get("Vendor") or "").strip(),
                product_type=(row.get("Type") or "").strip(),
                tags=[t.strip() for t in (row.get("Tags") or "").split(",") if t.strip()],
                published=(row.get("Published") or "true").strip().lower() != "false",
                gift_card=_flag(row, "Gift Card", False),
            )
            products[handle] = product
            option_names[handle] = [
                (row.get(f"Option{i} Name") or "").strip() for i in (1, 2, 3)
            ]
        elif _image_only(row):
            product.images.append(_image(row, product, line_no))
            continue
        product.variants.append(_variant(row, option_names[handle], line_no))
        if _text(row, "Image Src"):
            product.images.append(_image(row, product, line_no))
    return list(products.values())


def _text(row: dict, column: str) -> str:
    return (row.get(column) or "").strip()


def _flag(row: dict, column: str, default: bool) -> bool:
    value = _text(row, column).lower()
    return default if not value else value == "true"


VARIANT_COLUMNS = ("Option1 Value", "Option2 Value", "Option3 Value", "Variant SKU", "Variant Price")


def _image_only(row: dict) -> bool:
    """An extra image of the product above: image columns filled, variant columns blank."""
    return bool(_text(row, "Image Src")) and not any(_text(row, column) for column in VARIANT_COLUMNS)


def _image(row: dict, product: CsvProduct, line_no: int) -> CsvImage:
    position = _text(row, "Image Position")
    if position and not position.isdigit():
        raise CatalogCsvError(line_no, f"Image Position must be a whole number, not {position!r}")
    return CsvImage(src=_text(row, "Image Src"), alt=_text(row, "Image Alt Text") or None,
                    position=int(position) if position else len(product.images) + 1)


def _variant(row: dict, names: list[str], line_no: int) -> CsvVariant:
    options = {}
    for i, name in enumerate(names, start=1):
        value = (row.get(f"Option{i} Value") or "").strip()
        if name and value and not (name == "Title" and value == "Default Title"):
            options[name] = value
    try:
        price = Decimal((row.get("Variant Price") or "0").strip() or "0")
        quantity = int((row.get("Variant Inventory Qty") or "0").strip() or "0")
    except (ArithmeticError, ValueError) as exc:
        raise CatalogCsvError(line_no, f"bad price or quantity: {exc}") from exc
    policy = (row.get("Variant Inventory Policy") or "deny").strip().lower() or "deny"
    if policy not in ("deny", "continue"):
        raise CatalogCsvError(line_no, f"Variant Inventory Policy must be deny or continue, not {policy!r}")
    return CsvVariant(
        sku=(row.get("Variant SKU") or "").strip(),
        options=options,
        price=price,
        quantity=quantity,
        inventory_policy=policy,
        tracker=_text(row, "Variant Inventory Tracker").lower(),
        requires_shipping=_flag(row, "Variant Requires Shipping", True),
    )
