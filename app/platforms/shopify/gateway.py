"""The platform port for Shopify, over the Admin GraphQL API.

Reads are batched with `nodes(ids:)`; the orders' writes go through `writes.OrderWriter` (batched
mutations, or bulk mutations for a backlog). Every Shopify word (scopes,
hold handles, supported actions, payload shapes) stays in this module: the services see ports."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import requests

from app.domain.notices import Notice
from app.platforms.shopify import flow
from app.platforms.shopify.client import AdminClient, CredentialsProvider
from app.platforms.shopify.documents import Document, compose, load_documents, root_aliases
from app.platforms.shopify.errors import ShopifyError, UserErrors
from app.platforms.shopify.writes import METAFIELD_TYPES, MUTATION_COST, NAMESPACE, OrderWriter
from app.services.mirror import timestamp
from app.services.ports import (
    DiscountCode,
    FulfillmentOrderLine,
    FulfillmentOrderState,
    NoticeMessage,
    OrderChange,
    OrderState,
    ParsedLine,
    ParsedOrder,
    ShopProfile,
    StockReading,
    UnitsRefund,
    VariantInfo,
)

DOCUMENTS = Path(__file__).parent / "graphql"
READ_BATCH = 7  # orders per state read: about 63 points requested each, 441 a request
FIRST_COST_PER_ID = 100  # until the platform has told us what a read of one id costs
CLOSED = frozenset({"CLOSED", "CANCELLED"})  # nothing left to hold or release on these
RECENT_ORDERS = timedelta(days=60)  # what the store shows without read_all_orders
HIDDEN_OLD_ORDER = ("not shown by the store: orders older than 60 days are readable only with "
                    "the read_all_orders scope, which this shop has not granted")
UNSEEN_THIRD_PARTY = ("fulfillment orders at a fulfillment service or 3PL location are visible "
                      "only with the read_third_party_fulfillment_orders scope (holdable with "
                      "write_third_party_fulfillment_orders), which this shop has not granted")
Scopes = Callable[[str], frozenset[str]]
BULK_WAIT_S = 600
BULK_POLL_S = 0.5
SAMPLE_ORDER = "gid://shopify/Order/1001"  # the order of a preview when the shop has none waiting
TRIGGERS_PER_REQUEST = 20  # 10 points each: a request well inside the bucket
SHIPS_BY_KEY = "ships_by"  # on a variant: the date a new order would ship (product page)
# Who reads what: the merchant sees every field in the admin (read only: the app writes them);
# the customer's account and order status pages read an order's status, date and lines; the
# storefront (a theme's Liquid, the Storefront API) reads a variant's ships-by date. An order's
# fields stay off the storefront, which has no order pages.
MERCHANT_SEES = {"admin": "MERCHANT_READ", "customerAccount": "NONE", "storefront": "NONE"}
CUSTOMER_SEES = {**MERCHANT_SEES, "customerAccount": "READ"}
SHOPPERS_SEE = {**CUSTOMER_SEES, "storefront": "PUBLIC_READ"}
METAFIELD_DEFINITIONS = {
    ("ORDER", "status"): ("Backorder status", METAFIELD_TYPES["status"], CUSTOMER_SEES),
    ("ORDER", "eta"): ("Expected ship date", METAFIELD_TYPES["eta"], CUSTOMER_SEES),
    ("ORDER", "lines"): ("Backordered lines", METAFIELD_TYPES["lines"], CUSTOMER_SEES),
    ("ORDER", "alternatives"): ("In-stock alternatives", METAFIELD_TYPES["alternatives"],
                                MERCHANT_SEES),
    ("ORDER", "alternative_reasons"): ("Why each alternative",
                                       METAFIELD_TYPES["alternative_reasons"], MERCHANT_SEES),
    ("PRODUCTVARIANT", SHIPS_BY_KEY): ("Ships by (new orders)", "date", SHOPPERS_SEE),
}
METAFIELDS_PER_CALL = 25  # metafieldsSet and metafieldsDelete take at most 25 each


SPARE_SHARE = 0.5  # of the cost bucket kept for urgent work while it refills
HOLD_POINTS = 30  # an order's holds: the read of its fulfillment orders (about 18) and a hold (10)


class ShopifyGateway:
    def __init__(self, client: AdminClient, credentials: CredentialsProvider,
                 http: requests.Session, documents: dict[str, Document] | None = None,
                 scopes: Scopes | None = None, clock: Callable[[], datetime] | None = None,
                 bulk_after_s: float = 0.0):
        """`scopes` gives the scopes a shop granted (empty when not known): what the store hides
        from the app without them is told apart from what is not there. `bulk_after_s`: order
        writes that would take the bucket longer than this go as bulk mutations (0: never)."""
        self._client = client
        self._http = http
        self._cost_per_id: dict[str, float] = {}
        self._credentials = credentials
        self._docs = documents or load_documents(DOCUMENTS)
        self._writer = OrderWriter(client, credentials, http, self._docs, bulk_after_s)
        self.counters = self._writer.counters  # writes the platform accepted, by kind
        self._scopes = scopes or (lambda shop: frozenset())
        self._clock = clock or (lambda: datetime.now(UTC))

    def _run(self, shop: str, name: str, variables: dict | None = None,
             can_wait: bool = False) -> dict:
        result = self._client.execute(shop, self._credentials, self._docs[name].text, variables,
                                      can_wait=can_wait)
        return result.raise_for_user_errors().data

    def _read(self, shop: str, name: str, ids: list[str]) -> list[dict]:
        """A `nodes(ids:)` read of the ids the store shows."""
        return [node for node in self._nodes(shop, name, ids) if node]

    def _nodes(self, shop: str, name: str, ids: list[str],
               can_wait: bool = False) -> list[dict | None]:
        """A `nodes(ids:)` read, one entry per id (None for one the store did not show). Its
        requested cost grows with the number of ids, so the cost per id last seen (or a cautious
        first guess) paces it, rather than the last request's total."""
        per_id = self._cost_per_id.get(name, FIRST_COST_PER_ID)
        result = self._client.execute(shop, self._credentials, self._docs[name].text,
                                      {"ids": ids}, estimated_cost=per_id * len(ids),
                                      can_wait=can_wait)
        requested = (result.cost or {}).get("requestedQueryCost")
        if requested:
            self._cost_per_id[name] = requested / len(ids)
        return result.raise_for_user_errors().data["nodes"]

    def variants(self, shop: str, variant_ids: list[str]) -> list[VariantInfo]:
        found = []
        for ids in _chunks(variant_ids, 50):
            found.extend(_variant(node) for node in self._read(shop, "variants_by_id", ids))
        return found

    def stock(self, shop: str, inventory_item_ids: list[str]) -> list[StockReading]:
        readings = []
        for ids in _chunks(inventory_item_ids, 15):
            for node in self._read(shop, "inventory_item_levels", ids):
                readings.extend(_readings(node))
        return readings

    def order(self, shop: str, order_id: str) -> ParsedOrder:
        node, items, after = None, [], None
        while True:
            page = self._run(shop, "order_for_backorders", {"id": order_id, "after": after})["order"]
            if page is None:
                raise ShopifyError(f"order {order_id} not found", shop=shop)
            node = node or page
            items.extend(page["lineItems"]["nodes"])
            after = _next_cursor(page["lineItems"])
            if after is None:
                return _parsed_order(node, items)

    def customer_tags(self, shop: str, customer_ids: list[str]) -> dict[str, tuple[str, ...]]:
        tags = {}
        for ids in _chunks(customer_ids, 50):
            for node in self._read(shop, "customers_tags", ids):
                tags[node["id"]] = tuple(node.get("tags") or ())
        return tags

    def order_states(self, shop: str, order_ids: list[str]) -> list[OrderState]:
        """Batched by `nodes(ids:)`; an order with more fulfillment orders, or a fulfillment
        order with more lines, than the first page holds is paged on its own. Closed and
        cancelled fulfillment orders are left out: there is nothing on them to hold."""
        granted = self._scopes(shop)
        unseen = None if _sees_third_party(granted) else UNSEEN_THIRD_PARTY
        states = []
        for ids in _chunks(order_ids, READ_BATCH):
            nodes = self._nodes(shop, "orders_sync_state", ids, can_wait=True)
            for order_id, node in zip(ids, nodes, strict=True):
                if node:
                    fos = self._all_fulfillment_orders(shop, node)
                    states.append(OrderState(order_id=node["id"], tags=tuple(node.get("tags") or ()),
                                             fulfillment_orders=fos,
                                             unseen_fulfillment_orders=unseen))
                elif granted and "read_all_orders" not in granted:
                    states.append(OrderState(order_id=order_id, tags=(), fulfillment_orders=(),
                                             hidden=HIDDEN_OLD_ORDER,
                                             hidden_before=self._clock() - RECENT_ORDERS))
        return states

    def _all_fulfillment_orders(self, shop: str, order: dict) -> tuple[FulfillmentOrderState, ...]:
        connection = order["fulfillmentOrders"]
        nodes = list(connection["nodes"])
        after = _next_cursor(connection)
        while after is not None:
            page = self._run(shop, "order_fulfillment_orders", {"id": order["id"], "after": after},
                             can_wait=True)["order"]["fulfillmentOrders"]
            nodes.extend(page["nodes"])
            after = _next_cursor(page)
        return tuple(_fulfillment_order(fo, self._remaining_lines(shop, fo))
                     for fo in nodes if fo["status"] not in CLOSED)

    def _remaining_lines(self, shop: str, fo: dict) -> list[dict]:
        lines = list(fo["lineItems"]["nodes"])
        after = _next_cursor(fo["lineItems"])
        while after is not None:
            page = self._run(shop, "fulfillment_order_line_items", {"id": fo["id"], "after": after},
                             can_wait=True)["fulfillmentOrder"]["lineItems"]
            lines.extend(page["nodes"])
            after = _next_cursor(page)
        return lines

    def order_of_fulfillment_order(self, shop: str, fulfillment_order_id: str) -> str | None:
        node = self._run(shop, "fulfillment_order_order", {"id": fulfillment_order_id})
        return (node.get("fulfillmentOrder") or {}).get("orderId")

    def apply(self, shop: str, changes: list[OrderChange]) -> dict[str, str | None]:
        return self._writer.apply(shop, changes)

    def busy_for(self, shop: str, holds_coming: int = 0) -> float:
        """The upper half of the shop's cost bucket is for writes that can wait: below it, the
        points go to the reads and holds that stop a short line from being picked. The holds
        of orders still settling are kept room for too, up to the whole bucket: in a burst,
        the tags and fields wait for the sale's holds."""
        return self._client.seconds_until_share(shop, SPARE_SHARE, holds_coming * HOLD_POINTS)

    def notify(self, shop: str, notices: list[tuple[str, Notice]]) -> list[str | None]:
        """Each notice as its Flow trigger (see `flow`), several to a request: a request that
        fails fails its notices, a trigger Flow refuses fails only itself."""
        results: list[str | None] = []
        for start in range(0, len(notices), TRIGGERS_PER_REQUEST):
            results.extend(self._fire(shop, notices[start:start + TRIGGERS_PER_REQUEST]))
        return results

    def sends_notices(self, shop: str) -> bool:
        return True

    def names_listeners(self, shop: str) -> bool:
        """Flow's lifecycle callbacks say which triggers the shop's enabled workflows use
        (`flow.lifecycle`)."""
        return True

    def notice_message(self, shop: str, order_id: str | None,
                       notice: Notice) -> NoticeMessage:
        """The Flow trigger `notify` would fire, built by the same `flow.compose`; a sample
        order is given an order id of Shopify's form."""
        handle, payload = flow.compose(order_id or SAMPLE_ORDER, notice)
        return NoticeMessage(handle, payload, flow.size_of(payload), flow.PAYLOAD_LIMIT)

    def _fire(self, shop: str, notices: list[tuple[str, Notice]]) -> list[str | None]:
        results: list[str | None] = [None] * len(notices)
        parts = []
        for index, (order_id, notice) in enumerate(notices):
            try:
                handle, payload = flow.trigger(order_id, notice)
            except flow.PayloadTooLarge as exc:
                results[index] = str(exc)
                continue
            parts.append((f"t{index}", self._docs["flow_trigger_receive"],
                          {"handle": handle, "payload": payload}))
        if not parts:
            return results
        text, variables = compose(parts, operation_name="FlowTriggers")
        try:
            result = self._client.execute(shop, self._credentials, text, variables,
                                          estimated_cost=MUTATION_COST * len(parts),
                                          can_wait=True)
        except ShopifyError as exc:
            return [results[i] or str(exc) for i in range(len(notices))]
        aliases = root_aliases(parts)
        for error in result.user_errors():
            index = int(aliases[error.alias][0][1:])
            results[index] = results[index] or f"{'.'.join(error.field)}: {error.message}"
        self.counters["flow_triggers"] += sum(r is None for r in results)
        return results

    def set_inventory_policy(self, shop: str, variant_id: str, product_id: str, policy: str) -> None:
        self._run(shop, "variant_inventory_policy", {
            "productId": product_id, "variants": [{"id": variant_id, "inventoryPolicy": policy}]})

    def take_off_units(self, shop: str, order_id: str, line_id: str, variant_id: str,
                       units: int, note: str, replace_with: str | None = None) -> str | None:
        """Order editing: begin, add the replacement's line if any, set the line's quantity,
        commit (Shopify emails the customer). A refusal at any step is answered, not raised:
        the customer is told why. The edit's own view of the line decides what can go: its
        units not yet fulfilled."""
        try:
            begun = self._run(shop, "order_edit_begin", {"id": order_id})["orderEditBegin"]
            session = begun["orderEditSession"]["id"]
            line = _calculated_line(begun["calculatedOrder"]["lineItems"]["nodes"],
                                    line_id, variant_id)
            if line is None:
                return "the line is not on the order any more"
            if line["editableQuantity"] < units:
                return f"only {line['editableQuantity']} units of the line can still be taken off"
            if replace_with:
                self._run(shop, "order_edit_add_variant",
                          {"id": session, "variantId": replace_with, "quantity": units})
            self._run(shop, "order_edit_set_quantity", {
                "id": session, "lineItemId": line["id"], "quantity": line["quantity"] - units})
            self._run(shop, "order_edit_commit", {"id": session, "staffNote": note})
        except UserErrors as refused:
            return "; ".join(e.message for e in refused.user_errors)
        return None

    def create_discount_code(self, shop: str, code: DiscountCode) -> None:
        """`discountCodeBasicCreate` (percentage, fixed amount) or
        `discountCodeFreeShippingCreate`: every required field of the 2026-10 inputs (code,
        context, customerGets for the amount-off kind, startsAt, title), the buyers limited to
        the one customer through `context` (`customerSelection` is deprecated), one use in all
        (`usageLimit: 1`) and per customer. The app makes every code itself, so a code the
        platform says is taken (`TAKEN`) is one made before a crash cut our record short."""
        base = {"title": code.title, "code": code.code,
                "startsAt": code.starts_at.isoformat(),
                "context": {"customers": {"add": [_customer_gid(code.customer_id)]}},
                "usageLimit": 1, "appliesOncePerCustomer": True}
        if code.kind == "free_shipping":
            name, root = "discount_code_free_shipping_create", "discountCodeFreeShippingCreate"
            discount = {**base, "destination": {"all": True},
                        "maximumShippingPrice": code.amount}
        else:
            name, root = "discount_code_basic_create", "discountCodeBasicCreate"
            value = {"percentage": float(code.amount) / 100} if code.kind == "percentage" \
                else {"discountAmount": {"amount": code.amount, "appliesOnEachItem": False}}
            discount = {**base, "customerGets": {"value": value, "items": {"all": True}}}
        result = self._client.execute(shop, self._credentials, self._docs[name].text,
                                      {"discount": discount})
        errors = [e for e in result.user_errors()
                  if not (e.code == "TAKEN" and e.field and e.field[-1] == "code")]
        if errors:
            raise UserErrors(errors, shop=shop)
        if not result.user_errors() and not (result.data.get(root) or {}).get("codeDiscountNode"):
            raise ShopifyError(f"{root} made no code", shop=shop)

    def refund_units(self, shop: str, order_id: str, line_id: str, units: int, note: str,
                     key: str) -> UnitsRefund:
        """`refundCreate` of unfulfilled units with restock type `CANCEL` (the 2026-10 enum:
        "use this when restocking unfulfilled line items") and their money, as the platform
        suggests it: `Order.suggestedRefund` for those lines gives the amount (their discounted
        price and taxes) and the payments to refund it from, sent as `transactions` of kind
        REFUND in the same call (a refund of line items alone moves no money). With no payment
        to refund from, the units are refunded alone and the answer says why the money was
        not. The customer is notified; the key as `@idempotent`, which the mutation requires
        since 2026-04. A refusal is answered, not raised."""
        lines = [{"lineItemId": line_id, "quantity": units, "restockType": "CANCEL"}]
        try:
            order = self._run(shop, "order_suggested_refund",
                              {"id": order_id, "refundLineItems": lines})["order"]
            if order is None:
                return UnitsRefund(refused="the order is not on the store any more")
            transactions, money, left = _suggested_money(order_id, order["suggestedRefund"])
            self._run(shop, "refund_create", {"key": key, "input": {
                "orderId": order_id, "notify": True, "note": note, "refundLineItems": lines,
                **({"transactions": transactions} if transactions else {})}})
        except UserErrors as refused:
            return UnitsRefund(refused="; ".join(e.message for e in refused.user_errors))
        return UnitsRefund(money=money, money_left=left)

    def refund_money(self, shop: str, order_id: str, amount: Decimal, note: str,
                     key: str) -> str | None:
        """A refund of money only: `refundCreate` with one `transactions` entry, kind REFUND,
        from the order's successful SALE or CAPTURE that has enough left (its amount less the
        REFUNDs made from it), through that payment's gateway, the customer notified; the key
        as `@idempotent`. The amount is in the shop's currency, so an order paid in another
        (presentment) currency is left to staff. A refusal is answered, not raised."""
        try:
            order = self._run(shop, "order_transactions", {"id": order_id})["order"]
            if order is None:
                return "the order is not on the store any more"
            parent = _refund_parent(order["transactions"], amount)
            if isinstance(parent, str):
                return parent
            self._run(shop, "refund_create", {"key": key, "input": {
                "orderId": order_id, "notify": True, "note": note,
                "transactions": [_refund_transaction(order_id, parent["id"], parent["gateway"],
                                                     amount)]}})
        except UserErrors as refused:
            return "; ".join(e.message for e in refused.user_errors)
        return None

    def set_product_substitutes(self, shop: str, product_id: str, products: list[str]) -> None:
        self._run(shop, "metafields_set", {"metafields": [{
            "ownerId": product_id, "namespace": NAMESPACE, "key": "substitutes",
            "type": "list.product_reference", "value": json.dumps(products)}]})

    def shop_profile(self, shop: str) -> ShopProfile:
        data = self._run(shop, "shop_info")["shop"]
        return ShopProfile(country_code=(data.get("billingAddress") or {}).get("countryCodeV2"),
                           timezone=data.get("ianaTimezone"))

    def ensure_definitions(self, shop: str) -> None:
        for (owner_type, key), (name, kind, access) in METAFIELD_DEFINITIONS.items():
            result = self._client.execute(shop, self._credentials,
                                          self._docs["metafield_definition_create"].text,
                                          {"definition": {"namespace": NAMESPACE, "key": key,
                                                          "name": name, "type": kind,
                                                          "ownerType": owner_type,
                                                          "access": access}})
            taken = [e for e in result.user_errors() if e.code != "TAKEN"]
            if taken:
                raise UserErrors(taken, shop=shop)

    def set_ships_by(self, shop: str, dates: dict[str, str | None]) -> dict[str, str | None]:
        """Dates through `metafieldsSet` and removals through `metafieldsDelete`, 25 to a call
        and several calls to a request. A refused `metafieldsSet` call wrote none of its fields
        (it is atomic): the others are sent again without the refused one."""
        parts = []
        for start, group in _groups(sorted(k for k, v in dates.items() if v)):
            parts.append((f"s{start}", self._docs["metafields_set"], {"metafields": [
                {"ownerId": v, "namespace": NAMESPACE, "key": SHIPS_BY_KEY, "type": "date",
                 "value": dates[v]} for v in group]}, group))
        for start, group in _groups(sorted(k for k, v in dates.items() if not v)):
            parts.append((f"d{start}", self._docs["metafields_delete"], {"metafields": [
                {"ownerId": v, "namespace": NAMESPACE, "key": SHIPS_BY_KEY} for v in group]},
                group))
        errors: dict[str, str | None] = dict.fromkeys(dates)
        refused = self._send_parts(shop, parts, errors)
        again = {v: dates[v] for v in dates if errors[v] is None and v in refused}
        if again:
            errors.update(self.set_ships_by(shop, again))
        return errors

    def _send_parts(self, shop: str, parts: list, errors: dict[str, str | None]) -> set[str]:
        """One request of the parts; records the refused variants in `errors` and returns the
        variants of calls that were refused as a whole for another's sake."""
        text, variables = compose([(a, d, v) for a, d, v, _ in parts], operation_name="ShipsBy")
        try:
            result = self._client.execute(shop, self._credentials, text, variables,
                                          estimated_cost=MUTATION_COST * len(parts),
                                          can_wait=True)
        except ShopifyError as exc:
            errors.update(dict.fromkeys(errors, str(exc)))
            return set()
        aliases = root_aliases([(a, d, v) for a, d, v, _ in parts])
        groups = {alias: group for alias, _, _, group in parts}
        held_back: set[str] = set()
        for error in result.user_errors():
            group = groups[aliases[error.alias][0]]
            index = error.element_index
            bad = [group[index]] if index is not None and 0 <= index < len(group) else group
            for variant_id in bad:
                errors[variant_id] = f"{'.'.join(error.field)}: {error.message}"
            held_back.update(v for v in group if v not in bad)
        self.counters["ships_by"] += sum(e is None for v, e in errors.items()
                                         if v not in held_back)
        return held_back

    def catalog(self, shop: str) -> list[VariantInfo]:
        """Bulk export: start it, wait for it, read its JSONL (children name their parent)."""
        started = self._run(shop, "catalog_bulk_run",
                            {"query": self._docs["catalog_export"].text})
        operation_id = started["bulkOperationRunQuery"]["bulkOperation"]["id"]
        url = self._await_bulk(shop, operation_id)
        if url is None:
            return []
        response = self._http.get(url, timeout=(3.05, 60))
        response.raise_for_status()
        return _catalog_from_jsonl(response.text.splitlines())

    def _await_bulk(self, shop: str, operation_id: str) -> str | None:
        deadline = time.monotonic() + BULK_WAIT_S
        while True:
            node = self._run(shop, "bulk_operation_status", {"id": operation_id})["node"]
            if node["status"] == "COMPLETED":
                return node.get("url")
            if node["status"] in ("FAILED", "CANCELED", "EXPIRED") or time.monotonic() > deadline:
                raise ShopifyError(f"catalog export {node['status']}: {node.get('errorCode')}",
                                   shop=shop)
            time.sleep(BULK_POLL_S)


def _calculated_line(lines: list[dict], line_id: str, variant_id: str) -> dict | None:
    """The order's line as the edit shows it (an edit's lines are objects of their own): the
    calculated line with the line's number and variant, else the only one of its variant."""
    number = line_id.rsplit("/", 1)[-1]
    same = [line for line in lines if (line.get("variant") or {}).get("id") == variant_id]
    numbered = [line for line in same if line["id"].rsplit("/", 1)[-1] == number]
    return numbered[0] if numbered else same[0] if len(same) == 1 else None


def _suggested_money(order_id: str, suggested: dict | None) -> tuple[list[dict], Decimal, str | None]:
    """The suggested refund's transactions as `refundCreate` takes them (kind REFUND, from the
    suggested payment through its gateway), what they send back, and why not all of the
    suggested amount is sent (None when it all is). Amounts are in the shop's currency, so a
    payment made in another (presentment) currency is left to staff."""
    if suggested is None:
        return [], Decimal(0), "the store suggested no refund for these units"
    wanted = _amount(suggested, "shopMoney")
    transactions: list[dict] = []
    other_currency = False
    for t in suggested["suggestedTransactions"]:
        parent = t.get("parentTransaction") or {}
        amount = _amount(t, "shopMoney")
        if not parent.get("id") or amount <= 0:
            continue
        if not _in_shop_currency(t):
            other_currency = True
            continue
        transactions.append(_refund_transaction(
            order_id, parent["id"], t.get("gateway") or parent.get("gateway") or "", amount))
    money = sum((Decimal(t["amount"]) for t in transactions), Decimal(0))
    if money >= wanted:
        return transactions, money, None
    if other_currency:
        why = "the order was paid in another currency than the shop's"
    elif not transactions:
        why = "the order has no payment to refund from"
    else:
        why = f"only {money:.2f} of {wanted:.2f} was left of the payment to refund"
    return transactions, money, why


def _refund_parent(transactions: list[dict], amount: Decimal) -> dict | str:
    """The payment to refund `amount` from: a successful SALE or CAPTURE in the shop's currency
    with at least that much left; else why there is none."""
    refunded: dict[str, Decimal] = {}
    for t in transactions:
        parent = (t.get("parentTransaction") or {}).get("id")
        if t["kind"] == "REFUND" and t["status"] == "SUCCESS" and parent:
            refunded[parent] = refunded.get(parent, Decimal(0)) + _amount(t, "shopMoney")
    payments = [t for t in transactions
                if t["kind"] in ("SALE", "CAPTURE") and t["status"] == "SUCCESS"]
    if not payments:
        return "the order has no payment to refund from"
    same = [t for t in payments if _in_shop_currency(t)]
    if not same:
        return "the order was paid in another currency than the shop's"
    left = {t["id"]: _amount(t, "shopMoney") - refunded.get(t["id"], Decimal(0)) for t in same}
    best = max(same, key=lambda t: left[t["id"]])
    if left[best["id"]] < amount:
        return f"only {left[best['id']]:.2f} of the payment is left to refund, not {amount:.2f}"
    return best


def _amount(transaction: dict, money: str) -> Decimal:
    return Decimal(transaction["amountSet"][money]["amount"])


def _in_shop_currency(transaction: dict) -> bool:
    """Paid in the shop's own currency: the amounts the app knows (its prices) apply to it."""
    money = transaction["amountSet"]
    return money["shopMoney"]["currencyCode"] == money["presentmentMoney"]["currencyCode"]


def _refund_transaction(order_id: str, parent_id: str, gateway: str, amount: Decimal) -> dict:
    """One `transactions` entry of `refundCreate`: money back from a payment, through its gateway."""
    return {"orderId": order_id, "parentId": parent_id, "kind": "REFUND", "gateway": gateway,
            "amount": f"{amount:.2f}"}


def _customer_gid(customer_id: str) -> str:
    return customer_id if customer_id.startswith("gid://") else f"gid://shopify/Customer/{customer_id}"


def _groups(items: list[str]) -> Iterator[tuple[int, list[str]]]:
    for start in range(0, len(items), METAFIELDS_PER_CALL):
        yield start, items[start:start + METAFIELDS_PER_CALL]


def _chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start:start + size])


def _variant(node: dict) -> VariantInfo:
    product = node.get("product") or {}
    options = tuple((o["name"], o["value"]) for o in node.get("selectedOptions") or []
                    if not (o["name"] == "Title" and o["value"] == "Default Title"))
    return VariantInfo(
        variant_id=node["id"], product_id=product.get("id", ""),
        inventory_item_id=(node.get("inventoryItem") or {}).get("id"),
        product_title=product.get("title", ""), title=node.get("title") or "",
        sku=node.get("sku") or "", vendor=product.get("vendor") or "",
        product_type=product.get("productType") or "", status=product.get("status") or "ACTIVE",
        price=str(node.get("price") or "0"), inventory_policy=node.get("inventoryPolicy") or "DENY",
        options=options, tags=tuple(product.get("tags") or ()),
        tracked=(node.get("inventoryItem") or {}).get("tracked") is not False,
    )


def _readings(node: dict) -> list[StockReading]:
    variant_id = (node.get("variant") or {}).get("id", "")
    readings = []
    for level in (node.get("inventoryLevels") or {}).get("nodes", []):
        q = {item["name"]: item["quantity"] for item in level.get("quantities", [])}
        readings.append(StockReading(
            variant_id=variant_id, inventory_item_id=node["id"],
            location_id=level["location"]["id"], available=q.get("available", 0),
            committed=q.get("committed"), on_hand=q.get("on_hand"), incoming=q.get("incoming"),
            updated_at=_time(level.get("updatedAt"), "updatedAt")))
    return readings


def _parsed_order(node: dict, items: list[dict]) -> ParsedOrder:
    customer = node.get("customer") or {}
    cancelled = node.get("cancelledAt")
    lines = tuple(
        ParsedLine(line_id=item["id"], variant_id=item["variant"]["id"],
                   open_quantity=0 if cancelled else max(0, item["unfulfilledQuantity"]),
                   title=item.get("name") or "")
        for item in items if _waits_on_stock(item))
    return ParsedOrder(
        order_id=node["id"], name=node.get("name") or "",
        created_at=timestamp(node["createdAt"], "createdAt"),
        updated_at=timestamp(node["updatedAt"], "updatedAt"),
        cancelled_at=timestamp(cancelled, "cancelledAt") if cancelled else None,
        customer_id=customer["id"].rsplit("/", 1)[-1] if customer.get("id") else None,
        customer_tags=tuple(customer.get("tags") or ()) if customer else None, lines=lines,
        number=int(node.get("number") or 0),
    )


def _waits_on_stock(item: dict) -> bool:
    """Only a tracked variant that ships can be short: custom lines (no variant), lines that
    need no shipping and untracked items never wait. `unfulfilledQuantity` can read -1 on a
    partly refunded order, hence the clamp above."""
    variant = item.get("variant") or {}
    return (bool(variant) and item.get("requiresShipping") is not False
            and (variant.get("inventoryItem") or {}).get("tracked") is not False)


def _fulfillment_order(fo: dict, lines: list[dict]) -> FulfillmentOrderState:
    """Holds are ours when the platform says the requesting app placed them; the others (the
    merchant's, another app's) are counted so the sync neither releases them nor asks for a
    line hold the platform refuses on a held fulfillment order."""
    holds = fo.get("fulfillmentHolds") or []
    ours = tuple(h["id"] for h in holds if h.get("heldByRequestingApp"))
    actions = {a["action"] for a in fo.get("supportedActions") or []}
    return FulfillmentOrderState(
        fulfillment_order_id=fo["id"], status=fo["status"],
        lines=tuple(FulfillmentOrderLine(li["id"], li["lineItem"]["id"], li["remainingQuantity"])
                    for li in lines),
        hold_ids=ours, others_holds=len(holds) - len(ours),
        can_hold="HOLD" in actions or bool(ours))


def _sees_third_party(granted: frozenset[str]) -> bool:
    return not granted or bool({"read_third_party_fulfillment_orders",
                                "write_third_party_fulfillment_orders"} & granted)


def _next_cursor(connection: dict) -> str | None:
    info = connection.get("pageInfo") or {}
    return info.get("endCursor") if info.get("hasNextPage") else None


def _time(value: str | None, name: str) -> datetime | None:
    return timestamp(value, name) if value else None


def _catalog_from_jsonl(lines: Iterable[str]) -> list[VariantInfo]:
    """Two passes: the export is not grouped (the default since 2026-01), so a variant or a
    collection row may come before the product row it names as `__parentId`."""
    rows = [json.loads(text) for text in lines if text.strip()]
    products = {row["id"]: {**row, "collectionIds": []} for row in rows if _kind(row) == "Product"}
    for row in rows:
        if _kind(row) == "Collection" and row.get("__parentId") in products:
            products[row["__parentId"]]["collectionIds"].append(row["id"])
    found = []
    for row in rows:
        if _kind(row) != "ProductVariant":
            continue
        product = products.get(row["__parentId"], {})
        info = _variant({**row, "product": product})
        pinned = (product.get("metafield") or {}).get("value")
        found.append(replace(info, collections=tuple(product.get("collectionIds", ())),
                             substitutes=tuple(json.loads(pinned)) if pinned else ()))
    return found


def _kind(row: dict) -> str:
    return row["id"].split("/")[3]
