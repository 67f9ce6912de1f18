"""The worker's handlers of Shopify's webhooks: parse the payload into the app's types, hand it to
the same services as Saleor's. The kinds are those `webhooks.registry.TOPICS` names."""

from __future__ import annotations

from app.platforms.shopify.payloads import (
    customer_gid,
    deleted_product_id,
    fulfillment_order_ids,
    parse_inventory_level,
    parse_order,
    parse_order_edit,
    parse_product,
    parse_released,
    parse_split,
    placed_by_us,
    prepared_order,
    prepared_order_id,
)
from app.platforms.shopify.privacy import customer_request, granted_scopes, scrubbed
from app.services.fulfillment_events import KIND as FULFILLMENT_ORDER_CHANGED
from app.services.privacy import redact_customer


def register(events, backorders, fulfillment=None) -> None:
    """`fulfillment`: the fulfillment order events, when the fulfillment order topics (and the
    scopes a change of which may show hidden orders) are handled too."""

    def prepare_order(shop: str, payload: dict) -> dict | None:
        return backorders.prepare_order(shop, parse_order(payload), customer_gid(payload))

    def prepare_order_edited(shop: str, payload: dict) -> None:
        edit = parse_order_edit(payload)
        backorders.order_edit_seen(shop, edit.order_id, edit.committed_at, edit.added_line_ids)

    events.register("order",
                    lambda s, shop, payload: backorders.order_seen(s, shop,
                                                                   prepared_order(payload)),
                    prepare=prepare_order)
    events.register("order_edited", lambda s, shop, payload: backorders.order_edited(s, shop),
                    prepare=prepare_order_edited)
    def inventory_level(s, shop: str, payload: dict):
        reading, updated_at = parse_inventory_level(payload)
        return backorders.stock_seen(s, shop, [reading], updated_at)

    events.register("inventory_level", inventory_level)
    events.register("product",
                    lambda s, shop, payload: backorders.variants_seen(s, shop,
                                                                      *parse_product(payload)))
    events.register("product_deleted",
                    lambda s, shop, payload: backorders.product_gone(s, shop,
                                                                     deleted_product_id(payload)))
    events.register("fulfillment_order_routed",
                    lambda s, shop, payload: backorders.fulfillment_order_routed(s, shop))
    _register_privacy(events)
    if fulfillment is None:
        return
    events.register(FULFILLMENT_ORDER_CHANGED,
                    lambda s, shop, payload: fulfillment.changed(
                        s, shop, prepared_order_id(payload), parse_split(payload),
                        parse_released(payload)),
                    prepare=lambda shop, payload: fulfillment.prepare(
                        shop, fulfillment_order_ids(payload), placed_by_us(payload)))
    events.register("scopes_update", lambda s, shop, payload: fulfillment.scopes_updated(
        s, shop, events.record_scopes(s, shop, granted_scopes(payload))))


def _register_privacy(events) -> None:
    """The scopes granted, and the mandatory compliance requests about a customer."""
    events.register("scopes_update",
                    lambda s, shop, payload: events.record_scopes(s, shop, granted_scopes(payload)))
    events.register("data_request", lambda s, shop, payload: events.export_customer(
        s, shop, customer_request(payload)))
    events.register("customer_redact", lambda s, shop, payload: redact_customer(
        s, shop, customer_request(payload), scrubbed))
