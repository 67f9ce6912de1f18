"""tagsAdd / tagsRemove on orders, products and customers. Changing an order's or product's tags
is a change Shopify announces (orders/updated, products/update)."""

from __future__ import annotations

from .core import Core
from .model import Shop, parse_gid
from .payloads import order_payload, product_payload

TAGGABLE = {"Order": "orders", "Product": "products", "Customer": "customers"}


def split_tags(tags: list[str]) -> list[str]:
    """Each element may itself be a comma-separated list, as the Admin API accepts."""
    return [part.strip() for tag in tags for part in tag.split(",") if part.strip()]


def change_tags(core: Core, shop: Shop, owner_gid: str, tags: list[str], add: bool) -> tuple[dict | None, list[dict]]:
    parsed = parse_gid(owner_gid)
    record = getattr(shop, TAGGABLE[parsed[0]]).get(parsed[1]) if parsed and parsed[0] in TAGGABLE else None
    if record is None:
        return None, [{"field": ["id"], "message": f"Resource {owner_gid} not found or not taggable.", "code": None}]
    wanted = split_tags(tags)
    before = list(record.tags)
    if add:
        record.tags.extend(t for t in dict.fromkeys(wanted) if t.lower() not in {x.lower() for x in record.tags})
    else:
        drop = {t.lower() for t in wanted}
        record.tags[:] = [t for t in record.tags if t.lower() not in drop]
    if record.tags != before:
        _announce(core, shop, parsed[0], record)
    return {"__typename": parsed[0], "id": owner_gid}, []


def _announce(core: Core, shop: Shop, kind: str, record) -> None:
    if hasattr(record, "updated_at"):
        record.updated_at = core.now()
    if kind == "Order":
        core.emit(shop, "orders/updated", order_payload(shop, record))
    elif kind == "Product":
        core.emit(shop, "products/update", product_payload(shop, record))
