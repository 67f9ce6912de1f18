"""The topics we handle. app.toml subscribes exactly these (a test keeps the two equal); the worker
dispatches each receipt to the service named here."""

from __future__ import annotations

# topic -> what the worker does with it (a handler registered on app.services.events.Events)
TOPICS: dict[str, str] = {
    "app/uninstalled": "uninstall",
    "app/scopes_update": "scopes_update",
    "customers/data_request": "data_request",
    "customers/redact": "customer_redact",
    "shop/redact": "shop_redact",
    "orders/create": "order",
    "orders/updated": "order",
    "orders/edited": "order_edited",
    "orders/cancelled": "order",
    "fulfillment_orders/order_routing_complete": "fulfillment_order_routed",
    "fulfillment_orders/hold_released": "fulfillment_order_changed",
    "fulfillment_orders/placed_on_hold": "fulfillment_order_changed",
    "fulfillment_orders/split": "fulfillment_order_changed",
    "fulfillment_orders/merged": "fulfillment_order_changed",
    "fulfillment_orders/moved": "fulfillment_order_changed",
    "inventory_levels/update": "inventory_level",
    "products/create": "product",
    "products/update": "product",
    "products/delete": "product_deleted",
}

# Saleor events (the `Saleor-Event` header, lower case), recorded under "saleor/<event>".
SALEOR_TOPICS: dict[str, str] = {
    "saleor/order_created": "saleor_order",
    "saleor/order_confirmed": "saleor_order",
    "saleor/order_updated": "saleor_order",
    "saleor/product_variant_out_of_stock": "saleor_stock",
    "saleor/product_variant_back_in_stock": "saleor_stock",
    "saleor/product_variant_stock_updated": "saleor_stock",
    "saleor/app_deleted": "uninstall",
}
