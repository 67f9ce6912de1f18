"""An in-memory platform: a real implementation of the gateway port, for service tests."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from app.platforms.shopify import flow
from app.services.ports import (
    Applied,
    FulfillmentOrderLine,
    FulfillmentOrderState,
    NoticeMessage,
    OrderChange,
    OrderState,
    ParsedOrder,
    ShopProfile,
    StockReading,
    UnitsRefund,
    VariantInfo,
)


@dataclass
class FakeFulfillmentOrder:
    id: str
    status: str
    lines: dict[str, list]  # fo line id -> [order line id, remaining]
    holds: list[str] = field(default_factory=list)  # ours
    others_holds: int = 0  # the merchant's or another app's


@dataclass
class FakeOrder:
    id: str
    tags: set[str] = field(default_factory=set)
    metafields: dict[str, str] = field(default_factory=dict)
    fulfillment_orders: list[FakeFulfillmentOrder] = field(default_factory=list)
    parsed: ParsedOrder | None = None


class FakeGateway:
    def __init__(self):
        self.variants_by_id: dict[str, VariantInfo] = {}
        self.stock_by_item: dict[str, list[StockReading]] = {}
        self.orders: dict[str, FakeOrder] = {}
        self.policies: dict[str, str] = {}
        self.calls: list[str] = []
        self.fail_next_apply: str | None = None
        self.substitutes: dict[str, list[str]] = {}
        self.ships_by: dict[str, str] = {}  # variant -> the ships-by date shown
        self.customers: dict[str, tuple[str, ...]] = {}  # customer GID -> tags
        self.notices: list[tuple[str, str, str]] = []  # (order, kind, key) taken
        self.refuse_notices: set[str] = set()  # kinds refused
        self.notice_values: list[dict] = []  # the values of each notice taken
        self.taken_off: list[tuple[str, str, int]] = []  # (order, line, units) edited away
        self.discount_codes: dict[str, object] = {}  # code -> DiscountCode made
        self.refuse_codes: str | None = None  # why the next codes are refused
        self.refunded: dict[str, tuple[str, str, int]] = {}  # key -> (order, line, units)
        self.busy: list[float] = []  # what busy_for answers next
        self.holds_coming: list[int] = []  # what busy_for was told of settling holds
        self.after_apply = None  # called with the changes once applied, before `apply` answers
        self._ids = itertools.count(1)

    # driving the fake
    def add_variant(self, variant_id: str, available: int, location: str = "gid://shopify/Location/1",
                    **info) -> None:
        item = variant_id.replace("ProductVariant", "InventoryItem")
        self.variants_by_id[variant_id] = VariantInfo(
            variant_id=variant_id, product_id=info.pop("product_id", "gid://shopify/Product/1"),
            inventory_item_id=item, **info)
        self.stock_by_item[item] = [StockReading(variant_id, item, location, available)]

    def route(self, order_id: str, lines: dict[str, int]) -> None:
        """Create the order's fulfillment order, as Shopify does shortly after the order."""
        fo_lines = {f"gid://shopify/FulfillmentOrderLineItem/{next(self._ids)}": [line, qty]
                    for line, qty in lines.items()}
        self._order(order_id).fulfillment_orders.append(
            FakeFulfillmentOrder(f"gid://shopify/FulfillmentOrder/{next(self._ids)}", "OPEN", fo_lines))

    def held(self, order_id: str) -> dict[str, int]:
        held: dict[str, int] = {}
        for fo in self._order(order_id).fulfillment_orders:
            if fo.holds:
                for line, remaining in fo.lines.values():
                    held[line] = held.get(line, 0) + remaining
        return held

    def _order(self, order_id: str) -> FakeOrder:
        return self.orders.setdefault(order_id, FakeOrder(order_id))

    # the port
    def variants(self, shop, variant_ids):
        self.calls.append("variants")
        return [self.variants_by_id[v] for v in variant_ids if v in self.variants_by_id]

    def stock(self, shop, inventory_item_ids):
        self.calls.append("stock")
        return [r for item in inventory_item_ids for r in self.stock_by_item.get(item, [])]

    def order(self, shop, order_id):
        self.calls.append("order")
        return self.orders[order_id].parsed

    def customer_tags(self, shop, customer_ids):
        self.calls.append("customer_tags")
        return {c: self.customers[c] for c in customer_ids if c in self.customers}

    def order_states(self, shop, order_ids):
        self.calls.append("order_states")
        return [OrderState(
            order_id=o.id, tags=tuple(sorted(o.tags)),
            fulfillment_orders=tuple(FulfillmentOrderState(
                fo.id, fo.status,
                tuple(FulfillmentOrderLine(fid, line, rem) for fid, (line, rem) in fo.lines.items()),
                tuple(fo.holds), fo.others_holds) for fo in o.fulfillment_orders))
            for o in (self._order(i) for i in order_ids)]

    def order_of_fulfillment_order(self, shop, fulfillment_order_id):
        self.calls.append("order_of_fulfillment_order")
        return next((o.id for o in self.orders.values()
                     if any(fo.id == fulfillment_order_id for fo in o.fulfillment_orders)), None)

    def apply(self, shop, changes: list[OrderChange]):
        self.calls.append("apply")
        if self.fail_next_apply:
            error, self.fail_next_apply = self.fail_next_apply, None
            return {c.order_id: error for c in changes}
        said = Applied()
        for change in changes:
            self._apply(self._order(change.order_id), change, said)
        if self.after_apply:
            self.after_apply(changes)
        return Applied({c.order_id: None for c in changes}, said.split_off, said.reopened)

    def busy_for(self, shop, holds_coming=0):
        """Seconds the platform's rate limit is kept for urgent work: `busy` gives the answers
        in turn, then none."""
        self.calls.append("busy_for")
        self.holds_coming.append(holds_coming)
        return self.busy.pop(0) if self.busy else 0.0

    def notify(self, shop, notices):
        self.calls.append("notify")
        results = []
        for order_id, notice in notices:
            if notice.kind in self.refuse_notices:
                results.append(f"{notice.kind} refused")
                continue
            self.notices.append((order_id, notice.kind, notice.key))
            self.notice_values.append(dict(notice.values))
            results.append(None)
        return results

    def sends_notices(self, shop):
        return True

    def names_listeners(self, shop):
        """Every kind of notice is listened to (the store simulator's Flow says otherwise)."""
        return False

    def notice_message(self, shop, order_id, notice):
        """Shopify's trigger, as its adapter builds it: the fake stands in for a Shopify shop."""
        handle, payload = flow.compose(order_id or "gid://shopify/Order/1001", notice)
        return NoticeMessage(handle, payload, flow.size_of(payload), flow.PAYLOAD_LIMIT)

    def _apply(self, order: FakeOrder, change: OrderChange, said: Applied) -> None:
        """Applies the change; notes in `said` the fulfillment orders its holds split off and
        those its releases reopened."""
        order.tags = (order.tags | set(change.tags_add)) - set(change.tags_remove)
        for key, value in change.fields.items():
            order.metafields[key] = value
        for fo_id, hold_ids in change.release:
            fo = next(f for f in order.fulfillment_orders if f.id == fo_id)
            fo.holds = [h for h in fo.holds if h not in hold_ids]
            fo.status = "ON_HOLD" if fo.holds or fo.others_holds else "OPEN"
            if fo.status == "OPEN":
                said.reopened.add(fo_id)
        for fo_id, lines, _note in change.holds:
            rest = self._hold(order, fo_id, dict(lines))
            if rest:
                said.split_off[fo_id] = rest

    def _hold(self, order: FakeOrder, fo_id: str, quantities: dict[str, int]) -> str | None:
        """A partial hold splits the fulfillment order: the held units stay, the rest move to
        a new one (its id is answered). No quantities: the whole fulfillment order is held."""
        fo = next(f for f in order.fulfillment_orders if f.id == fo_id)
        if not quantities:
            quantities = {fo_line: remaining for fo_line, (_, remaining) in fo.lines.items()}
        rest = {}
        for fo_line, (line, remaining) in list(fo.lines.items()):
            held = quantities.get(fo_line, 0)
            if remaining - held:
                rest[f"gid://shopify/FulfillmentOrderLineItem/{next(self._ids)}"] = [line, remaining - held]
            if held:
                fo.lines[fo_line] = [line, held]
            else:
                del fo.lines[fo_line]
        fo.holds.append(f"gid://shopify/FulfillmentHold/{next(self._ids)}")
        fo.status = "ON_HOLD"
        if not rest:
            return None
        order.fulfillment_orders.append(
            FakeFulfillmentOrder(f"gid://shopify/FulfillmentOrder/{next(self._ids)}", "OPEN", rest))
        return order.fulfillment_orders[-1].id

    def set_inventory_policy(self, shop, variant_id, product_id, policy):
        self.calls.append("set_inventory_policy")
        self.policies[variant_id] = policy

    def set_product_substitutes(self, shop, product_id, products):
        self.calls.append("set_product_substitutes")
        self.substitutes[product_id] = list(products)

    def take_off_units(self, shop, order_id, line_id, variant_id, units, note, replace_with=None):
        self.calls.append("take_off_units")
        self.taken_off.append((order_id, line_id, units))
        return None

    def create_discount_code(self, shop, code):
        self.calls.append("create_discount_code")
        if self.refuse_codes:
            raise RuntimeError(self.refuse_codes)
        self.discount_codes[code.code] = code

    def refund_units(self, shop, order_id, line_id, units, note, key):
        self.calls.append("refund_units")
        self.refunded.setdefault(key, (order_id, line_id, units))
        return UnitsRefund()

    def refund_money(self, shop, order_id, amount, note, key):
        self.calls.append("refund_money")
        self.refunded.setdefault(key, (order_id, amount))
        return None

    def set_ships_by(self, shop, dates):
        self.calls.append("set_ships_by")
        for variant_id, ships_on in dates.items():
            if ships_on is None:
                self.ships_by.pop(variant_id, None)
            else:
                self.ships_by[variant_id] = ships_on
        return dict.fromkeys(dates)

    def shop_profile(self, shop):
        self.calls.append("shop_profile")
        return ShopProfile(country_code="US", timezone="America/New_York")

    def ensure_definitions(self, shop):
        self.calls.append("ensure_definitions")

    def catalog(self, shop):
        self.calls.append("catalog")
        return list(self.variants_by_id.values())

