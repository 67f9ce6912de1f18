"""The platform port over a Saleor instance's GraphQL API, as the app (its token).

Saleor has no order tags, no metafields and no fulfillment holds. What the app shows goes into
the order's public metadata under `backorders.*` (readable by the customer's storefront, and
changing it emits no order webhook); our tag becomes `backorders.tags`. A line sold past zero has
no allocation, so there is nothing to hold: staff see its status in the metadata."""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal

from app.domain.notices import Notice
from app.platforms.saleor.api import SaleorApi, SaleorError, document
from app.platforms.saleor.payloads import parse_order_event, readings_of, variant_info
from app.services.ports import (
    DiscountCode,
    OrderChange,
    OrderState,
    ParsedOrder,
    ShopProfile,
    StockReading,
    UnitsRefund,
    VariantInfo,
)

log = logging.getLogger(__name__)
PREFIX = "backorders."
TAGS = PREFIX + "tags"
PAGE = 100  # Saleor's pagination limit


class SaleorGateway:
    def __init__(self, api: SaleorApi, token: Callable[[str], str]):
        self._api = api
        self._token = token

    def _call(self, shop: str, name: str, variables: dict) -> dict:
        return self._api.graphql(shop, self._token(shop), document(name), variables)

    def variants(self, shop: str, variant_ids: list[str]) -> list[VariantInfo]:
        return [variant_info(v) for v in self._variant_nodes(shop, variant_ids)]

    def stock(self, shop: str, inventory_item_ids: list[str]) -> list[StockReading]:
        """A variant's id is its item's: the readings of the variants sold past zero."""
        return [r for v in self._variant_nodes(shop, inventory_item_ids) for r in readings_of(v)]

    def _variant_nodes(self, shop: str, ids: list[str]) -> list[dict]:
        nodes = []
        for start in range(0, len(ids), PAGE):
            chunk = ids[start:start + PAGE]
            data = self._call(shop, "variants", {"ids": chunk, "first": len(chunk)})
            nodes += [e["node"] for e in (data.get("productVariants") or {}).get("edges") or []]
        return nodes

    def _all_variant_nodes(self, shop: str) -> list[dict]:
        nodes, after = [], None
        while True:
            page = self._call(shop, "variants", {"ids": None, "first": PAGE, "after": after})
            found = page.get("productVariants") or {}
            nodes += [e["node"] for e in found.get("edges") or []]
            info = found.get("pageInfo") or {}
            if not info.get("hasNextPage") or not info.get("endCursor"):
                return nodes
            after = info["endCursor"]

    def order(self, shop: str, order_id: str) -> ParsedOrder:
        found = self._call(shop, "order", {"id": order_id}).get("order")
        return parse_order_event({"order": found or {}})[0]

    def customer_tags(self, shop: str, customer_ids: list[str]) -> dict[str, tuple[str, ...]]:
        return {}  # Saleor customers have no tags

    def order_states(self, shop: str, order_ids: list[str]) -> list[OrderState]:
        states = []
        for start in range(0, len(order_ids), PAGE):
            chunk = order_ids[start:start + PAGE]
            data = self._call(shop, "order_metadata", {"ids": chunk, "first": len(chunk)})
            for edge in (data.get("orders") or {}).get("edges") or []:
                node = edge["node"]
                meta = {m["key"]: m["value"] for m in node.get("metadata") or []}
                tags = tuple(t for t in (meta.get(TAGS) or "").split(",") if t)
                states.append(OrderState(node["id"], tags, (), platform_holds=False))
        return states

    def order_of_fulfillment_order(self, shop: str, fulfillment_order_id: str) -> str | None:
        return None  # Saleor has no fulfillment orders

    def apply(self, shop: str, changes: list[OrderChange]) -> dict[str, str | None]:
        """One metadata write per order; holds are not Saleor's (see the module's note)."""
        errors: dict[str, str | None] = {}
        for change in changes:
            entries = [{"key": PREFIX + key, "value": value}
                       for key, value in sorted(change.fields.items())]
            if change.tags_add or change.tags_remove:
                entries.append({"key": TAGS, "value": ",".join(change.tags_add)})
            if not entries:
                errors[change.order_id] = None
                continue
            try:
                data = self._call(shop, "update_metadata", {"id": change.order_id,
                                                            "input": entries})
                refused = (data.get("updateMetadata") or {}).get("errors") or []
                errors[change.order_id] = "; ".join(e.get("message") or e.get("code", "")
                                                    for e in refused) or None
            except SaleorError as exc:
                errors[change.order_id] = str(exc)
        return errors

    def busy_for(self, shop: str, holds_coming: int = 0) -> float:
        """Saleor has no shared rate limit to keep for urgent work."""
        return 0.0

    def notify(self, shop: str, notices: list[tuple[str, Notice]]) -> list[str | None]:
        """Saleor has no workflow trigger of an app to start: its merchants build messages on
        its own order events. Taken as told, so nothing stays pending for it."""
        return [None] * len(notices)

    def sends_notices(self, shop: str) -> bool:
        return False

    def names_listeners(self, shop: str) -> bool:
        return False

    def notice_message(self, shop: str, order_id: str | None, notice: Notice) -> None:
        """Nothing is sent to Saleor for a notice (see `notify`)."""
        return None

    def set_inventory_policy(self, shop: str, variant_id: str, product_id: str,
                             policy: str) -> None:
        log.info("caps are not applied on Saleor (%s on %s)", policy, variant_id)

    def set_product_substitutes(self, shop: str, product_id: str, products: list[str]) -> None:
        log.info("pinned substitutes are kept by the app only on Saleor (%s)", product_id)

    def take_off_units(self, shop: str, order_id: str, line_id: str, variant_id: str,
                       units: int, note: str, replace_with: str | None = None) -> str | None:
        return "customers cannot change their orders from their page on this shop yet"

    def create_discount_code(self, shop: str, code: DiscountCode) -> None:
        raise NotImplementedError("goodwill codes are not made on Saleor yet")

    def refund_units(self, shop: str, order_id: str, line_id: str, units: int, note: str,
                     key: str) -> UnitsRefund:
        return UnitsRefund(refused="refunds are not issued by the app on this shop yet")

    def refund_money(self, shop: str, order_id: str, amount: Decimal, note: str,
                     key: str) -> str | None:
        return "refunds are not issued by the app on this shop yet"

    def set_ships_by(self, shop: str, dates: dict[str, str | None]) -> dict[str, str | None]:
        """Untracked Saleor variants are never planned for the product page: nothing to show."""
        return dict.fromkeys(dates)

    def shop_profile(self, shop: str) -> ShopProfile:
        return ShopProfile(None, None)

    def ensure_definitions(self, shop: str) -> None:
        return None  # metadata needs no definitions

    def catalog(self, shop: str) -> list[VariantInfo]:
        """Every variant, a page of 100 at a time (what alternatives are chosen from)."""
        return [variant_info(v) for v in self._all_variant_nodes(shop)]
