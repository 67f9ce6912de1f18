"""One platform port over several platforms: each call goes to the adapter of the shop's own
platform, as its row records it. The services keep seeing one gateway."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from app.services.ports import PlatformGateway

_CALLS = ("variants", "stock", "order", "customer_tags", "order_states",
          "order_of_fulfillment_order", "apply", "busy_for", "notify", "sends_notices",
          "names_listeners",
          "notice_message", "set_inventory_policy", "set_product_substitutes", "set_ships_by",
          "shop_profile", "ensure_definitions", "catalog", "take_off_units",
          "create_discount_code", "refund_units", "refund_money")


class PlatformRouter:
    def __init__(self, gateways: Mapping[str, PlatformGateway],
                 platform_of: Callable[[str], str]):
        self._gateways = dict(gateways)
        self._platform_of = platform_of

    def gateway_for(self, shop: str) -> PlatformGateway:
        return self._gateways[self._platform_of(shop)]

    def __getattr__(self, name: str):
        if name not in _CALLS:
            raise AttributeError(name)
        return lambda shop, *args, **kwargs: getattr(self.gateway_for(shop), name)(
            shop, *args, **kwargs)
