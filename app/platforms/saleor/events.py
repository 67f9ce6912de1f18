"""The worker's handlers of Saleor's events: parse the payload into the app's types, hand it to
the same services as Shopify's."""

from __future__ import annotations

from app.platforms.saleor.payloads import parse_order_event, parse_stock_event


def register(events, backorders) -> None:
    events.register("saleor_order",
                    lambda s, shop, payload: backorders.order_seen(s, shop,
                                                                   *parse_order_event(payload)))
    events.register("saleor_stock",
                    lambda s, shop, payload: backorders.stock_event(s, shop,
                                                                    parse_stock_event(payload)))
