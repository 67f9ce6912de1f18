"""The store's state as plain JSON, for tests and the demo to check what the app wrote back."""

from __future__ import annotations

from .fulfillment_orders import routed_of_order
from .model import FulfillmentOrder, Order, Shop, gid


def shop_state(shop: Shop, app_id: int, only_order: int | None = None) -> dict:
    chosen = [shop.orders[only_order]] if only_order is not None else list(shop.orders.values())
    return {
        "shop": {"id": shop.id, "domain": shop.domain, "installed": shop.installed, "scopes": shop.scopes},
        "locations": [{"id": loc.id, "name": loc.name, "fulfillment_service": loc.fulfillment_service}
                      for loc in shop.locations.values()],
        "variants": [_variant(shop, v) for v in shop.variants.values()],
        "orders": [_order(shop, order, app_id) for order in chosen],
        "metafields": [_metafield(m) for m in shop.metafields.values()],
        "metafield_definitions": [
            {"owner_type": d.owner_type, "namespace": d.namespace, "key": d.key, "type": d.type}
            for d in shop.definitions.values()],
        "products": [{"id": p.id, "title": p.title, "tags": list(p.tags)} for p in shop.products.values()],
    }


def _variant(shop: Shop, variant) -> dict:
    levels = {}
    for (item, location), level in shop.levels.items():
        if item == variant.inventory_item_id:
            levels[location] = {"available": level.available, "committed": level.committed,
                                "on_hand": level.on_hand, "incoming": level.incoming}
    return {"id": variant.id, "gid": gid("ProductVariant", variant.id), "product_id": variant.product_id,
            "sku": variant.sku, "title": variant.title, "inventory_policy": variant.inventory_policy,
            "tracked": variant.tracked, "requires_shipping": variant.requires_shipping,
            "inventory_item_id": variant.inventory_item_id, "levels": levels}


def _order(shop: Shop, order: Order, app_id: int) -> dict:
    fos = routed_of_order(shop, order)
    owner = gid("Order", order.id)
    return {
        "id": order.id, "gid": owner, "name": order.name, "tags": list(order.tags),
        "cancelled": order.cancelled_at is not None, "customer_id": order.customer_id,
        "location_id": order.location_id,
        "line_items": [{"id": li.id, "variant_id": li.variant_id, "title": li.title, "quantity": li.quantity,
                        "current_quantity": li.current_quantity, "fulfilled": li.fulfilled,
                        "unfulfilled": li.unfulfilled, "location_id": li.location_id,
                        "requires_shipping": li.requires_shipping, "tracked": li.tracked}
                       for li in order.line_items],
        "fulfillments": [{"id": f.id, "location_id": f.location_id, "lines": dict(f.lines)}
                         for f in order.fulfillments],
        "refunds": [{"id": r.id, "lines": [{"line_item_id": x.line_item_id, "quantity": x.quantity,
                                            "restock_type": x.restock_type, "location_id": x.location_id}
                                           for x in r.lines],
                     "transactions": [{"kind": t.kind, "amount": str(t.amount), "gateway": t.gateway,
                                       "parent_id": t.parent_id} for t in r.transactions]}
                    for r in order.refunds],
        "transactions": [{"id": t.id, "kind": t.kind, "status": t.status, "amount": str(t.amount),
                          "gateway": t.gateway, "parent_id": t.parent_id} for t in order.transactions],
        "fulfillment_orders": [_fulfillment_order(fo, app_id) for fo in fos],
        "metafields": [_metafield(m) for m in shop.metafields.values() if m.owner_id == owner],
    }


def _fulfillment_order(fo: FulfillmentOrder, app_id: int) -> dict:
    return {
        "id": fo.id, "gid": gid("FulfillmentOrder", fo.id), "status": fo.status, "location_id": fo.location_id,
        "delivery": fo.delivery, "hidden": fo.hidden,
        "lines": [{"id": line.id, "line_item_id": line.line_item_id, "total": line.total_quantity,
                   "remaining": line.remaining_quantity} for line in fo.lines],
        "holds": [{"id": h.id, "gid": gid("FulfillmentHold", h.id), "handle": h.handle, "reason": h.reason,
                   "reason_notes": h.reason_notes, "by_app": h.app_id == app_id} for h in fo.holds],
    }


def _metafield(m) -> dict:
    return {"owner_id": m.owner_id, "namespace": m.namespace, "key": m.key, "type": m.type, "value": m.value}
