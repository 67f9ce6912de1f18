"""REST-shaped webhook bodies, as Shopify serialises them (numeric ids plus admin_graphql_api_id,
comma-separated tags, lowercase enum values, timestamps with the shop's UTC offset)."""

from __future__ import annotations

from .clock import rest_time
from .model import FulfillmentOrder, Hold, LineItem, Order, Product, Shop, Variant, gid


def _t(shop: Shop, timestamp: float | None) -> str | None:
    return rest_time(timestamp, shop.utc_offset_minutes)


def customer_payload(shop: Shop, customer_id: int | None) -> dict | None:
    customer = shop.customers.get(customer_id) if customer_id else None
    if customer is None:
        return None
    return {
        "id": customer.id,
        "admin_graphql_api_id": gid("Customer", customer.id),
        "email": customer.email,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "phone": customer.phone,
        "state": "enabled",
        "tags": ", ".join(customer.tags),
        "currency": shop.currency,
        "created_at": _t(shop, customer.created_at),
        "updated_at": _t(shop, customer.created_at),
    }


def line_item_payload(shop: Shop, line: LineItem) -> dict:
    held = line.fulfilled
    return {
        "id": line.id,
        "admin_graphql_api_id": gid("LineItem", line.id),
        "variant_id": line.variant_id,
        "product_id": line.product_id,
        "quantity": line.quantity,
        "current_quantity": line.current_quantity,
        "fulfillable_quantity": line.unfulfilled,
        "fulfillment_status": None if held == 0 else ("fulfilled" if line.unfulfilled == 0 else "partial"),
        "fulfillment_service": "manual",
        "sku": line.sku,
        "title": line.title,
        "name": f"{line.title} - {line.variant_title}" if line.variant_title else line.title,
        "variant_title": line.variant_title,
        "vendor": line.vendor,
        "price": str(line.price),
        "requires_shipping": True,
        "taxable": True,
        "gift_card": False,
        "grams": 0,
        "product_exists": line.product_id in shop.products,
        "variant_inventory_management": "shopify",
        "properties": [],
        "discount_allocations": [],
        "tax_lines": [],
        "duties": [],
    }


def fulfillment_status(order: Order) -> str | None:
    fulfilled = sum(line.fulfilled for line in order.line_items)
    if fulfilled == 0:
        return None
    return "fulfilled" if all(line.unfulfilled == 0 for line in order.line_items) else "partial"


def order_payload(shop: Shop, order: Order) -> dict:
    total = sum(line.price * line.current_quantity for line in order.line_items)
    return {
        "id": order.id,
        "admin_graphql_api_id": gid("Order", order.id),
        "name": order.name,
        "number": order.number - 1000,
        "order_number": order.number,
        "email": order.email,
        "contact_email": order.email,
        "created_at": _t(shop, order.created_at),
        "updated_at": _t(shop, order.updated_at),
        "processed_at": _t(shop, order.created_at),
        "cancelled_at": _t(shop, order.cancelled_at),
        "cancel_reason": "customer" if order.cancelled_at else None,
        "closed_at": _t(shop, order.closed_at),
        "confirmed": True,
        "test": False,
        "currency": shop.currency,
        "presentment_currency": shop.currency,
        "financial_status": "refunded" if order.cancelled_at else "paid",
        "fulfillment_status": fulfillment_status(order),
        "tags": ", ".join(order.tags),
        "note": None,
        "note_attributes": [],
        "source_name": "web",
        "location_id": None,
        "total_price": str(total),
        "subtotal_price": str(total),
        "customer": customer_payload(shop, order.customer_id),
        "line_items": [line_item_payload(shop, line) for line in order.line_items],
        "fulfillments": [],
        "refunds": [],
        "shipping_lines": [],
        "billing_address": None,
        "shipping_address": None,
    }


def inventory_level_payload(shop: Shop, item_id: int, location_id: int) -> dict:
    level = shop.level(item_id, location_id)
    return {
        "inventory_item_id": item_id,
        "location_id": location_id,
        "available": level.available,
        "updated_at": _t(shop, level.updated_at),
        "admin_graphql_api_id": f"gid://shopify/InventoryLevel/{location_id}?inventory_item_id={item_id}",
    }


def variant_payload(shop: Shop, variant: Variant, position: int) -> dict:
    options = list(variant.options.values()) + [None, None, None]
    quantity = sum(level.available for (item, _), level in shop.levels.items() if item == variant.inventory_item_id)
    return {
        "id": variant.id,
        "admin_graphql_api_id": gid("ProductVariant", variant.id),
        "product_id": variant.product_id,
        "title": variant.title,
        "sku": variant.sku or None,
        "price": str(variant.price),
        "position": position,
        "inventory_policy": variant.inventory_policy.lower(),
        "inventory_item_id": variant.inventory_item_id,
        "inventory_quantity": quantity,
        "option1": options[0] if variant.options else "Default Title",
        "option2": options[1],
        "option3": options[2],
        "created_at": _t(shop, variant.created_at),
        "updated_at": _t(shop, variant.updated_at),
    }


def product_payload(shop: Shop, product: Product) -> dict:
    variants = [shop.variants[v] for v in product.variant_ids if v in shop.variants]
    return {
        "id": product.id,
        "admin_graphql_api_id": gid("Product", product.id),
        "title": product.title,
        "handle": product.handle,
        "status": product.status.lower(),
        "product_type": product.product_type,
        "vendor": product.vendor,
        "tags": ", ".join(product.tags),
        "created_at": _t(shop, product.created_at),
        "updated_at": _t(shop, product.updated_at),
        "published_at": _t(shop, product.created_at),
        "variants": [variant_payload(shop, v, i) for i, v in enumerate(variants[:100], start=1)],
        "variant_gids": [
            {"admin_graphql_api_id": gid("ProductVariant", v.id), "updated_at": _t(shop, v.updated_at)}
            for v in variants
        ],
    }


def hold_payload(hold: Hold, app_id: int) -> dict:
    return {
        "id": gid("FulfillmentHold", hold.id),
        "reason": hold.reason.lower(),
        "reason_notes": hold.reason_notes,
        "handle": hold.handle,
        "held_by_requesting_app": hold.app_id == app_id,
        "held_by_app": {"id": gid("App", hold.app_id)} if hold.app_id else None,
    }


def fulfillment_order_brief(fo: FulfillmentOrder | None) -> dict | None:
    if fo is None:
        return None
    return {"id": gid("FulfillmentOrder", fo.id), "status": fo.status.lower()}


def shop_payload(shop: Shop) -> dict:
    return {
        "id": shop.id,
        "name": shop.name,
        "email": shop.email,
        "domain": shop.domain,
        "myshopify_domain": shop.domain,
        "primary_location_id": shop.primary_location.id if shop.locations else None,
        "plan_name": shop.plan,
        "currency": shop.currency,
        "iana_timezone": shop.timezone,
        "country_code": shop.country,
    }
