"""REST-shaped webhook bodies for orders, refunds, products, inventory and the shop, as Shopify
serialises them in API 2026-07 (numeric ids plus admin_graphql_api_id, comma-separated tags,
lowercase enum values, money as strings with `_set` twins, timestamps with the shop's UTC offset).
Their keys and JSON types are checked against the published samples by
tests/contract/test_simulator_payloads.py."""

from __future__ import annotations

from decimal import Decimal

from .clock import rest_time
from .model import Fulfillment, LineItem, Order, Product, Refund, Shop, Variant, gid


def _t(shop: Shop, timestamp: float | None) -> str | None:
    return rest_time(timestamp, shop.utc_offset_minutes)


def _money(amount: Decimal | int) -> str:
    return f"{Decimal(amount):.2f}"


def money_set(shop: Shop, amount: Decimal | int) -> dict:
    money = {"amount": _money(amount), "currency_code": shop.currency}
    return {"shop_money": money, "presentment_money": dict(money)}


def customer_payload(shop: Shop, customer_id: int | None) -> dict | None:
    """The order's customer. No `tags`: order webhooks stopped carrying them in 2025-01 (fact 14)."""
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
        "note": None,
        "verified_email": True,
        "multipass_identifier": None,
        "tax_exempt": False,
        "tax_exemptions": [],
        "currency": shop.currency,
        "default_address": None,
        "created_at": _t(shop, customer.created_at),
        "updated_at": _t(shop, customer.created_at),
    }


def held_units(shop: Shop, line: LineItem) -> int:
    """Units of the line on fulfillment orders that are on hold."""
    fos = (shop.fulfillment_orders[fo_id] for fo_id in shop.fulfillment_orders_by_order.get(line.order_id, []))
    return sum(fo_line.remaining_quantity for fo in fos if fo.status == "ON_HOLD"
               for fo_line in fo.lines if fo_line.line_item_id == line.id)


def fulfillable_quantity(shop: Shop, line: LineItem) -> int:
    """Unfulfilled units minus those on hold: 0 for a line wholly held (fact 1)."""
    return max(0, line.unfulfilled - held_units(shop, line))


def _line_fields(shop: Shop, line: LineItem, quantity: int) -> dict:
    """The fields every serialised line item has (order, fulfillment and refund line items)."""
    variant = shop.variants.get(line.variant_id) if line.variant_id else None
    return {
        "id": line.id,
        "admin_graphql_api_id": gid("LineItem", line.id),
        "variant_id": line.variant_id,
        "product_id": line.product_id,
        "quantity": quantity,
        "fulfillable_quantity": fulfillable_quantity(shop, line),
        "fulfillment_status": None if line.fulfilled == 0 else ("fulfilled" if line.unfulfilled == 0 else "partial"),
        "fulfillment_service": "manual",
        "sku": line.sku,
        "title": line.title,
        "name": f"{line.title} - {line.variant_title}" if line.variant_title else line.title,
        "variant_title": line.variant_title or None,
        "vendor": line.vendor or None,
        "price": _money(line.price),
        "price_set": money_set(shop, line.price),
        "total_discount": "0.00",
        "total_discount_set": money_set(shop, 0),
        "requires_shipping": line.requires_shipping,
        "taxable": True,
        "gift_card": line.gift_card,
        "grams": 0,
        "product_exists": line.product_id in shop.products,
        "variant_inventory_management": "shopify" if variant is not None and variant.tracked else None,
        "properties": [],
        "discount_allocations": [],
        "tax_lines": [],
        "duties": [],
    }


def line_item_payload(shop: Shop, line: LineItem) -> dict:
    return {**_line_fields(shop, line, line.quantity), "current_quantity": line.current_quantity,
            "attributed_staffs": [], "sales_line_item_group_id": None}


def fulfillment_status(order: Order) -> str | None:
    fulfilled = sum(line.fulfilled for line in order.line_items)
    if fulfilled == 0:
        return None
    return "fulfilled" if all(line.unfulfilled == 0 for line in order.line_items) else "partial"


def financial_status(order: Order) -> str:
    refunded = sum(line.refunded_unshipped + line.refunded_shipped for line in order.line_items)
    if not refunded:
        return "paid"
    return "refunded" if all(line.current_quantity == 0 for line in order.line_items) else "partially_refunded"


def fulfillment_payload(shop: Shop, order: Order, fulfillment: Fulfillment) -> dict:
    lines = {line.id: line for line in order.line_items}
    return {
        "id": fulfillment.id,
        "admin_graphql_api_id": gid("Fulfillment", fulfillment.id),
        "order_id": order.id,
        "location_id": fulfillment.location_id,
        "name": f"{order.name}.{fulfillment.number}",
        "status": "success",
        "service": "manual",
        "shipment_status": None,
        "origin_address": None,
        "receipt": {},
        "tracking_company": None,
        "tracking_number": None,
        "tracking_numbers": [],
        "tracking_url": None,
        "tracking_urls": [],
        "created_at": _t(shop, fulfillment.created_at),
        "updated_at": _t(shop, fulfillment.created_at),
        "line_items": [_line_fields(shop, lines[line_id], units) for line_id, units in fulfillment.lines.items()],
    }


def refund_payload(shop: Shop, order: Order, refund: Refund) -> dict:
    """refunds/create, and each entry of an order's `refunds`, with the money it moved."""
    lines = {line.id: line for line in order.line_items}
    return {
        "id": refund.id,
        "admin_graphql_api_id": gid("Refund", refund.id),
        "order_id": order.id,
        "created_at": _t(shop, refund.created_at),
        "processed_at": _t(shop, refund.created_at),
        "note": refund.note,
        "user_id": None,
        "restock": refund.restock,
        "duties": [],
        "total_duties_set": money_set(shop, 0),
        "return": None,
        "refund_shipping_lines": [],
        "order_adjustments": [],
        "transactions": [{
            "id": t.id,
            "admin_graphql_api_id": gid("OrderTransaction", t.id),
            "order_id": order.id,
            "kind": t.kind.lower(),
            "status": t.status.lower(),
            "gateway": t.gateway,
            "amount": _money(t.amount),
            "currency": shop.currency,
            "parent_id": t.parent_id,
            "created_at": _t(shop, t.created_at),
        } for t in refund.transactions],
        "refund_line_items": [{
            "id": item.id,
            "line_item_id": item.line_item_id,
            "quantity": item.quantity,
            "restock_type": item.restock_type,
            "location_id": item.location_id,
            "subtotal": float(item.subtotal),
            "subtotal_set": money_set(shop, item.subtotal),
            "total_tax": 0,
            "total_tax_set": money_set(shop, 0),
            "line_item": _line_fields(shop, lines[item.line_item_id], lines[item.line_item_id].quantity),
        } for item in refund.lines],
    }


def _totals(shop: Shop, order: Order) -> dict:
    placed = sum(line.price * (line.quantity - line.removed) for line in order.line_items)
    current = sum(line.price * line.current_quantity for line in order.line_items)
    money = {}
    for name, amount in (("total_price", placed), ("subtotal_price", placed), ("total_line_items_price", placed),
                         ("total_discounts", 0), ("total_tax", 0), ("current_total_price", current),
                         ("current_subtotal_price", current), ("current_total_discounts", 0),
                         ("current_total_tax", 0)):
        money[name] = _money(amount)
        money[f"{name}_set"] = money_set(shop, amount)
    money["total_shipping_price_set"] = money["current_shipping_price_set"] = money_set(shop, 0)
    money["total_outstanding"] = "0.00"
    return money


def order_payload(shop: Shop, order: Order) -> dict:
    return {
        "id": order.id,
        "admin_graphql_api_id": gid("Order", order.id),
        "app_id": None,
        "name": order.name,
        "number": order.number - 1000,
        "order_number": order.number,
        "email": order.email,
        "contact_email": order.email,
        "phone": None,
        "buyer_accepts_marketing": False,
        "customer_locale": "en",
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
        "financial_status": financial_status(order),
        "fulfillment_status": fulfillment_status(order),
        "tags": ", ".join(order.tags),
        "note": None,
        "note_attributes": [],
        "source_name": "web",
        "location_id": None,
        "user_id": None,
        "taxes_included": False,
        "tax_exempt": False,
        "tax_lines": [],
        "estimated_taxes": False,
        "duties_included": False,
        "total_weight": 0,
        **_totals(shop, order),
        "discount_codes": [],
        "discount_applications": [],
        "customer": customer_payload(shop, order.customer_id),
        "line_items": [line_item_payload(shop, line) for line in order.line_items],
        "line_item_groups": [],
        "fulfillments": [fulfillment_payload(shop, order, f) for f in order.fulfillments],
        "refunds": [refund_payload(shop, order, refund) for refund in order.refunds],
        "returns": [],
        "shipping_lines": [],
        "billing_address": None,
        "shipping_address": None,
    }


def order_edit_payload(shop: Shop, order: Order, edit_id: int, additions: list, removals: list) -> dict:
    """orders/edited: the edit's line changes as {id, delta} (line ids are numeric)."""
    at = _t(shop, order.updated_at)
    return {"order_edit": {
        "id": edit_id, "app_id": None, "created_at": at, "committed_at": at, "notify_customer": False,
        "order_id": order.id, "staff_note": "", "user_id": None,
        "line_items": {"additions": additions, "removals": removals},
        "discounts": {"line_item": {"additions": [], "removals": []}},
        "shipping_lines": {"additions": [], "removals": []},
    }}


def inventory_level_payload(shop: Shop, item_id: int, location_id: int) -> dict:
    level = shop.level(item_id, location_id)
    return {
        "inventory_item_id": item_id,
        "location_id": location_id,
        "available": level.available,
        "updated_at": _t(shop, level.updated_at),
        "admin_graphql_api_id": f"gid://shopify/InventoryLevel/{location_id}?inventory_item_id={item_id}",
    }


def inventory_item_payload(shop: Shop, variant: Variant) -> dict:
    return {
        "id": variant.inventory_item_id,
        "admin_graphql_api_id": gid("InventoryItem", variant.inventory_item_id),
        "sku": variant.sku or None,
        "tracked": variant.tracked,
        "requires_shipping": variant.requires_shipping,
        "cost": None,
        "country_code_of_origin": None,
        "province_code_of_origin": None,
        "harmonized_system_code": None,
        "country_harmonized_system_codes": [],
        "weight_value": 0,
        "weight_unit": "kg",
        "created_at": _t(shop, variant.created_at),
        "updated_at": _t(shop, variant.updated_at),
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
        "barcode": None,
        "price": str(variant.price),
        "compare_at_price": None,
        "taxable": True,
        "position": position,
        "inventory_policy": variant.inventory_policy.lower(),
        "inventory_item_id": variant.inventory_item_id,
        "inventory_quantity": quantity,
        "old_inventory_quantity": quantity,
        "image_id": None,
        "option1": options[0] if variant.options else "Default Title",
        "option2": options[1],
        "option3": options[2],
        "created_at": _t(shop, variant.created_at),
        "updated_at": _t(shop, variant.updated_at),
    }


def _image_payload(shop: Shop, product: Product, image) -> dict:
    return {"id": image.id, "admin_graphql_api_id": gid("ProductImage", image.id), "product_id": product.id,
            "position": image.position, "src": image.src, "alt": image.alt, "variant_ids": [],
            "created_at": _t(shop, product.created_at), "updated_at": _t(shop, product.updated_at)}


def _options_payload(shop: Shop, product: Product, variants: list[Variant]) -> list[dict]:
    names = list(dict.fromkeys(name for v in variants for name in v.options)) or ["Title"]
    return [{"id": product.id * 10 + position, "product_id": product.id, "name": name, "position": position,
             "values": list(dict.fromkeys(v.options.get(name, "Default Title") for v in variants))}
            for position, name in enumerate(names, start=1)]


def product_payload(shop: Shop, product: Product) -> dict:
    variants = [shop.variants[v] for v in product.variant_ids if v in shop.variants]
    images = [_image_payload(shop, product, image) for image in product.images]
    return {
        "id": product.id,
        "admin_graphql_api_id": gid("Product", product.id),
        "title": product.title,
        "body_html": "",
        "handle": product.handle,
        "status": product.status.lower(),
        "product_type": product.product_type,
        "vendor": product.vendor,
        "tags": ", ".join(product.tags),
        "template_suffix": None,
        "published_scope": "web",
        "created_at": _t(shop, product.created_at),
        "updated_at": _t(shop, product.updated_at),
        "published_at": _t(shop, product.created_at),
        "variants": [variant_payload(shop, v, i) for i, v in enumerate(variants[:100], start=1)],
        "options": _options_payload(shop, product, variants),
        "images": images,
        "image": images[0] if images else None,
        "media": [],
        "has_variants_that_requires_components": False,
        "category": None,
        "variant_gids": [
            {"admin_graphql_api_id": gid("ProductVariant", v.id), "updated_at": _t(shop, v.updated_at)}
            for v in variants
        ],
    }


def shop_payload(shop: Shop) -> dict:
    return {
        "id": shop.id,
        "name": shop.name,
        "email": shop.email,
        "customer_email": shop.email,
        "domain": shop.domain,
        "myshopify_domain": shop.domain,
        "primary_location_id": shop.primary_location.id if shop.locations else None,
        "multi_location_enabled": len(shop.locations) > 1,
        "plan_name": shop.plan,
        "currency": shop.currency,
        "enabled_presentment_currencies": [shop.currency],
        "iana_timezone": shop.timezone,
        "country": shop.country,
        "country_code": shop.country,
        "created_at": None,
        "updated_at": None,
    }
