"""The platform port for Shopify, over the Admin GraphQL API.

Reads are batched with `nodes(ids:)`; the writes of several orders are composed into one mutation
(aliases), sized so the requested cost stays well inside the bucket. Every Shopify word (scopes,
hold handles, supported actions, payload shapes) stays in this module: the services see ports."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from app.platforms.shopify.client import AdminClient, CredentialsProvider
from app.platforms.shopify.documents import Document, compose, load_documents, root_aliases
from app.platforms.shopify.errors import ShopifyError, UserErrors
from app.services.mirror import timestamp
from app.services.ports import (
    FulfillmentOrderLine,
    FulfillmentOrderState,
    OrderChange,
    OrderState,
    ParsedLine,
    ParsedOrder,
    ShopProfile,
    StockReading,
    VariantInfo,
)

DOCUMENTS = Path(__file__).parent / "graphql"
HOLD_HANDLE = "backorder"
READ_BATCH = 7  # orders per state read: about 130 points each keeps the request under 1,000
WRITE_COST_BUDGET = 200  # requested cost of one write request (mutations cost 10 each)
MUTATION_COST = 10
METAFIELDS_PER_SET = 25  # metafieldsSet takes at most 25
FIRST_COST_PER_ID = 100  # until the platform has told us what a read of one id costs
WRITE_KINDS = {"tags_add": "orders_updated", "tags_remove": "orders_updated",
               "metafields_set": "metafields_updated", "fulfillment_order_hold": "holds_placed",
               "fulfillment_order_release_hold": "holds_released"}
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
NAMESPACE = "$app:backorders"  # app-owned: only this app writes it
# Where each of the app's fields goes on an order: an app-owned metafield of this type.
METAFIELD_TYPES = {
    "status": "single_line_text_field",
    "eta": "date",
    "lines": "json",
    "alternatives": "list.variant_reference",
    "alternative_reasons": "json",
}
METAFIELD_DEFINITIONS = {
    "status": ("Backorder status", METAFIELD_TYPES["status"]),
    "eta": ("Expected ship date", METAFIELD_TYPES["eta"]),
    "lines": ("Backordered lines", METAFIELD_TYPES["lines"]),
    "alternatives": ("In-stock alternatives", METAFIELD_TYPES["alternatives"]),
    "alternative_reasons": ("Why each alternative", METAFIELD_TYPES["alternative_reasons"]),
}


class ShopifyGateway:
    def __init__(self, client: AdminClient, credentials: CredentialsProvider,
                 http: requests.Session, documents: dict[str, Document] | None = None,
                 scopes: Scopes | None = None, clock: Callable[[], datetime] | None = None):
        """`scopes` gives the scopes a shop granted (empty when not known): what the store hides
        from the app without them is told apart from what is not there."""
        self._client = client
        self._http = http
        self.counters: Counter[str] = Counter()  # writes the platform accepted, by kind
        self._cost_per_id: dict[str, float] = {}
        self._credentials = credentials
        self._docs = documents or load_documents(DOCUMENTS)
        self._scopes = scopes or (lambda shop: frozenset())
        self._clock = clock or (lambda: datetime.now(UTC))

    def _run(self, shop: str, name: str, variables: dict | None = None) -> dict:
        result = self._client.execute(shop, self._credentials, self._docs[name].text, variables)
        return result.raise_for_user_errors().data

    def _read(self, shop: str, name: str, ids: list[str]) -> list[dict]:
        """A `nodes(ids:)` read of the ids the store shows."""
        return [node for node in self._nodes(shop, name, ids) if node]

    def _nodes(self, shop: str, name: str, ids: list[str]) -> list[dict | None]:
        """A `nodes(ids:)` read, one entry per id (None for one the store did not show). Its
        requested cost grows with the number of ids, so the cost per id last seen (or a cautious
        first guess) paces it, rather than the last request's total."""
        per_id = self._cost_per_id.get(name, FIRST_COST_PER_ID)
        result = self._client.execute(shop, self._credentials, self._docs[name].text,
                                      {"ids": ids}, estimated_cost=per_id * len(ids))
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
            for order_id, node in zip(ids, self._nodes(shop, "orders_sync_state", ids), strict=True):
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
            page = self._run(shop, "order_fulfillment_orders",
                             {"id": order["id"], "after": after})["order"]["fulfillmentOrders"]
            nodes.extend(page["nodes"])
            after = _next_cursor(page)
        return tuple(_fulfillment_order(fo, self._remaining_lines(shop, fo))
                     for fo in nodes if fo["status"] not in CLOSED)

    def _remaining_lines(self, shop: str, fo: dict) -> list[dict]:
        lines = list(fo["lineItems"]["nodes"])
        after = _next_cursor(fo["lineItems"])
        while after is not None:
            page = self._run(shop, "fulfillment_order_line_items",
                             {"id": fo["id"], "after": after})["fulfillmentOrder"]["lineItems"]
            lines.extend(page["nodes"])
            after = _next_cursor(page)
        return lines

    def order_of_fulfillment_order(self, shop: str, fulfillment_order_id: str) -> str | None:
        node = self._run(shop, "fulfillment_order_order", {"id": fulfillment_order_id})
        return (node.get("fulfillmentOrder") or {}).get("orderId")

    def apply(self, shop: str, changes: list[OrderChange]) -> dict[str, str | None]:
        errors: dict[str, str | None] = {}
        for batch in _by_cost(changes):
            errors.update(self._apply_batch(shop, batch))
        return errors

    def _apply_batch(self, shop: str, batch: list[OrderChange]) -> dict[str, str | None]:
        """One request: each order's own mutations, then the metafields of all of them packed
        into shared metafieldsSet calls (25 fields each, 10 points per call instead of per
        order). A call is atomic: when one of its orders is refused, the others in it are sent
        again without that one."""
        parts, owners = [], {}
        for n, change in enumerate(batch):
            for i, (name, variables) in enumerate(_order_mutations(change)):
                parts.append((f"o{n}m{i}", self._docs[name], variables))
                owners[f"o{n}m{i}"] = [change.order_id]
        for k, group in enumerate(_metafield_groups(batch)):
            parts.append((f"f{k}", self._docs["metafields_set"], {"metafields": group}))
            owners[f"f{k}"] = [field["ownerId"] for field in group]
        text, variables = compose(parts, operation_name="SyncOrders")
        try:
            result = self._client.execute(shop, self._credentials, text, variables,
                                          estimated_cost=MUTATION_COST * len(parts))
        except ShopifyError as exc:
            return {change.order_id: str(exc) for change in batch}
        errors: dict[str, str | None] = {change.order_id: None for change in batch}
        refused_calls = set()
        aliases = root_aliases(parts)
        for user_error in result.user_errors():
            prefix = aliases[user_error.alias][0]
            refused_calls.add(prefix)
            for order_id in _refused(owners[prefix], user_error):
                errors[order_id] = f"{'.'.join(user_error.field)}: {user_error.message}"
        for prefix, document, _ in parts:
            if prefix not in refused_calls:
                for order_id in dict.fromkeys(owners[prefix]):
                    self.counters[WRITE_KINDS[document.name]] += 1
        again = [_fields_of(change) for change in batch
                 if errors[change.order_id] is None and change.fields
                 and any(change.order_id in owners[p] for p in refused_calls
                         if p.startswith("f"))]
        if again:
            errors.update(self._apply_batch(shop, again))
        return errors

    def set_inventory_policy(self, shop: str, variant_id: str, product_id: str, policy: str) -> None:
        self._run(shop, "variant_inventory_policy", {
            "productId": product_id, "variants": [{"id": variant_id, "inventoryPolicy": policy}]})

    def set_product_substitutes(self, shop: str, product_id: str, products: list[str]) -> None:
        self._run(shop, "metafields_set", {"metafields": [{
            "ownerId": product_id, "namespace": NAMESPACE, "key": "substitutes",
            "type": "list.product_reference", "value": json.dumps(products)}]})

    def shop_profile(self, shop: str) -> ShopProfile:
        data = self._run(shop, "shop_info")["shop"]
        return ShopProfile(country_code=(data.get("billingAddress") or {}).get("countryCodeV2"),
                           timezone=data.get("ianaTimezone"))

    def ensure_definitions(self, shop: str) -> None:
        for key, (name, kind) in METAFIELD_DEFINITIONS.items():
            result = self._client.execute(shop, self._credentials,
                                          self._docs["metafield_definition_create"].text,
                                          {"definition": {"namespace": NAMESPACE, "key": key,
                                                          "name": name, "type": kind,
                                                          "ownerType": "ORDER"}})
            taken = [e for e in result.user_errors() if e.code != "TAKEN"]
            if taken:
                raise UserErrors(taken, shop=shop)

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


def _order_mutations(change: OrderChange) -> Iterator[tuple[str, dict]]:
    """Releases come before the holds that replace them (one app may not hold one fulfillment
    order twice under the same handle), and holds before the rest, which only describe them.
    Our tag goes through tagsAdd/tagsRemove: `orderUpdate(tags:)` would overwrite the tags of
    the merchant, Flow and other apps. The metafields go apart (`_metafield_groups`)."""
    for fo_id, hold_ids in change.release:
        yield "fulfillment_order_release_hold", {"id": fo_id, "holdIds": list(hold_ids)}
    for fo_id, lines, note in change.holds:
        yield "fulfillment_order_hold", {"id": fo_id, "hold": _hold_input(lines, note)}
    if change.tags_add:
        yield "tags_add", {"id": change.order_id, "tags": list(change.tags_add)}
    if change.tags_remove:
        yield "tags_remove", {"id": change.order_id, "tags": list(change.tags_remove)}


def _metafields(change: OrderChange) -> list[dict]:
    return [{"ownerId": change.order_id, "namespace": NAMESPACE, "key": key,
             "type": METAFIELD_TYPES[key], "value": value}
            for key, value in sorted(change.fields.items())]


def _metafield_groups(changes: Sequence[OrderChange]) -> list[list[dict]]:
    """The orders' metafields, at most 25 to a call, an order's fields kept in one call where
    they fit, so that a refused order holds back as few others as possible."""
    groups: list[list[dict]] = []
    for change in changes:
        fields = _metafields(change)
        if fields and groups and len(groups[-1]) + len(fields) <= METAFIELDS_PER_SET:
            groups[-1].extend(fields)
            continue
        for start in range(0, len(fields), METAFIELDS_PER_SET):
            groups.append(fields[start:start + METAFIELDS_PER_SET])
    return groups


def _refused(owners: list[str], error) -> list[str]:
    """The orders a user error names: the owner of the field at `elementIndex` in a shared
    metafieldsSet call, else every order of the call."""
    if error.element_index is not None and 0 <= error.element_index < len(owners):
        return [owners[error.element_index]]
    return list(dict.fromkeys(owners))


def _fields_of(change: OrderChange) -> OrderChange:
    return OrderChange(change.order_id, fields=change.fields)


def _hold_input(lines: tuple[tuple[str, int], ...], note: str) -> dict:
    """Without lines the hold covers the whole fulfillment order: the only kind the platform
    accepts on one that is already held (FULFILLMENT_ORDER_NOT_SPLITTABLE otherwise)."""
    hold = {"reason": "INVENTORY_OUT_OF_STOCK", "handle": HOLD_HANDLE, "reasonNotes": note,
            "notifyMerchant": False}
    if lines:
        hold["fulfillmentOrderLineItems"] = [{"id": line, "quantity": qty} for line, qty in lines]
    return hold


def _by_cost(changes: Sequence[OrderChange]) -> Iterator[list[OrderChange]]:
    batch: list[OrderChange] = []
    for change in changes:
        if batch and _cost([*batch, change]) > WRITE_COST_BUDGET:
            yield batch
            batch = []
        batch.append(change)
    if batch:
        yield batch


def _cost(batch: Sequence[OrderChange]) -> int:
    calls = sum(1 for change in batch for _ in _order_mutations(change))
    return MUTATION_COST * (calls + len(_metafield_groups(batch)))


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
