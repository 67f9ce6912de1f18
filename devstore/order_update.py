"""orderUpdate for the two inputs the app uses: `tags` (replaces the whole list) and `metafields`
(written like metafieldsSet, all or nothing). The order change is announced as orders/updated."""

from __future__ import annotations

from .core import Core
from .metafields import set_metafields
from .model import Order, Shop, gid, parse_gid
from .payloads import order_payload
from .tags import split_tags


def update_order(core: Core, shop: Shop, data: dict) -> tuple[Order | None, list[dict]]:
    parsed = parse_gid(data["id"], "Order")
    order = shop.orders.get(parsed[1]) if parsed else None
    if order is None:
        return None, [{"field": ["id"], "message": "Order does not exist"}]
    owner = gid("Order", order.id)
    inputs, errors = _metafield_inputs(shop, owner, data.get("metafields") or [])
    if errors:
        return None, errors
    _, errors = set_metafields(core, shop, inputs)
    if errors:
        return None, [{"field": ["input", *e["field"]], "message": e["message"]} for e in errors]
    if data.get("tags") is not None:
        order.tags = list(dict.fromkeys(split_tags(data["tags"])))
    order.updated_at = core.now()
    core.emit(shop, "orders/updated", order_payload(shop, order))
    return order, []


def _metafield_inputs(shop: Shop, owner: str, given: list[dict]) -> tuple[list[dict], list[dict]]:
    """MetafieldInput names a metafield by id or by namespace and key; metafieldsSet wants the latter."""
    converted, errors = [], []
    by_id = {gid("Metafield", m.id): m for m in shop.metafields.values() if m.owner_id == owner}
    for index, item in enumerate(given):
        entry = {"ownerId": owner, "namespace": item.get("namespace"), "key": item.get("key"),
                 "value": item.get("value"), "type": item.get("type")}
        if item.get("id"):
            existing = by_id.get(item["id"])
            if existing is None:
                errors.append({"field": ["input", "metafields", str(index), "id"], "message": "Metafield does not exist"})
                continue
            entry.update(namespace=existing.namespace, key=existing.key)
        if not entry["key"] or entry["value"] is None:
            errors.append({"field": ["input", "metafields", str(index)], "message": "Key and value are required"})
            continue
        converted.append({k: v for k, v in entry.items() if v is not None})
    return converted, errors
