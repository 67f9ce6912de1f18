"""The app's manifest, as Saleor reads it when a staff user installs the app (`GET`, no redirect).

Saleor creates the webhooks listed here once, at install, without a secret key: their deliveries
are signed with the instance's key (JWS). Each subscription asks for exactly what planning needs."""

from __future__ import annotations

from app.platforms.saleor.api import document

APP_ID = "app.backorders"
VERSION = "1.0.0"
PERMISSIONS = ("MANAGE_ORDERS", "MANAGE_PRODUCTS")
# webhook name -> (subscription document, events it is sent for)
WEBHOOKS = {
    "backorders-order-events": ("order_events", ("ORDER_CREATED", "ORDER_CONFIRMED",
                                                 "ORDER_UPDATED")),
    "backorders-stock-events": ("stock_events", ("PRODUCT_VARIANT_OUT_OF_STOCK",
                                                 "PRODUCT_VARIANT_BACK_IN_STOCK",
                                                 "PRODUCT_VARIANT_STOCK_UPDATED")),
    "backorders-app-deleted": ("app_deleted", ("APP_DELETED",)),
}


def manifest(base_url: str, name: str) -> dict:
    base = base_url.rstrip("/")
    return {
        "id": APP_ID,
        "version": VERSION,
        "name": name,
        "about": "Marks order lines sold past zero as backorders with estimated ship dates, "
                 "fills them in queue order when stock arrives, and suggests in-stock "
                 "alternatives.",
        "author": name,
        "requiredSaleorVersion": ">=3.21 <4",
        "permissions": list(PERMISSIONS),
        "appUrl": f"{base}/saleor/app",
        "tokenTargetUrl": f"{base}/saleor/register",
        "homepageUrl": base,
        "supportUrl": base,
        "dataPrivacyUrl": base,
        # On each order's page: its backorder state, rendered at once from the posted form.
        "extensions": [
            {"label": name, "mount": "ORDER_DETAILS_WIDGETS", "target": "WIDGET",
             "permissions": ["MANAGE_ORDERS"], "url": f"{base}/saleor/widget/order",
             "options": {"widgetTarget": {"method": "POST"}}},
        ],
        "webhooks": [
            {"name": name_, "asyncEvents": list(events), "query": document(doc),
             "targetUrl": f"{base}/saleor/webhooks", "isActive": True}
            for name_, (doc, events) in WEBHOOKS.items()
        ],
    }
