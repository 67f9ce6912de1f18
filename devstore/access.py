"""What the app's granted scopes let it see and change, beyond the field-level checks.

Two rules hide records rather than refusing the request, as the platform does:
- orders created more than 60 days ago are readable only with `read_all_orders` (fact 13; schema,
  `Order`: "Only the last 60 days' worth of orders from a store are accessible ... by default");
- fulfillment orders are visible only with the scope of their location's kind (fact 11; schema,
  `FulfillmentOrder`, "API access scopes"): merchant-managed locations need
  `read_merchant_managed_fulfillment_orders`, fulfillment-service (3PL) locations need
  `read_third_party_fulfillment_orders`; holding one needs the matching `write_` scope."""

from __future__ import annotations

from .model import FulfillmentOrder, Order, Shop

ORDER_WINDOW_SECONDS = 60 * 86_400


def has_scope(shop: Shop, scope: str) -> bool:
    """A `write_` scope implies its `read_` scope, as Shopify grants them."""
    granted = set(shop.scopes)
    if scope in granted:
        return True
    return scope.startswith("read_") and "write_" + scope[len("read_"):] in granted


def order_visible(shop: Shop, order: Order, now: float) -> bool:
    return has_scope(shop, "read_all_orders") or order.created_at >= now - ORDER_WINDOW_SECONDS


def _kind(shop: Shop, fo: FulfillmentOrder) -> str:
    location = shop.locations.get(fo.location_id)
    return "third_party" if location is not None and location.fulfillment_service else "merchant_managed"


def fulfillment_order_visible(shop: Shop, fo: FulfillmentOrder) -> bool:
    return has_scope(shop, f"read_{_kind(shop, fo)}_fulfillment_orders")


def fulfillment_order_writable(shop: Shop, fo: FulfillmentOrder) -> bool:
    return has_scope(shop, f"write_{_kind(shop, fo)}_fulfillment_orders")


def may_hold_any(shop: Shop) -> bool:
    """`fulfillmentOrderHold` itself requires one of the two write scopes (schema docs)."""
    return has_scope(shop, "write_merchant_managed_fulfillment_orders") or \
        has_scope(shop, "write_third_party_fulfillment_orders")
