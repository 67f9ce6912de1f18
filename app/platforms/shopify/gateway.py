"""The platform port for Shopify, over the Admin GraphQL API.

Reads are batched with `nodes(ids:)`; the writes of several orders are composed into one mutation
(aliases), sized so the requested cost stays well inside the bucket."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import requests

from app.domain.writeback import METAFIELD_TYPES, NAMESPACE
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
READ_BATCH = 10  # orders per state read: keeps the requested cost under 1000
WRITE_COST_BUDGET = 200  # requested cost of one write request (mutations cost 10 each)
MUTATION_COST = 10
FIRST_COST_PER_ID = 100  # until the platform has told us what a read of one id costs
WRITE_KINDS = {"order_update": "orders_updated", "metafields_set": "metafields_updated",
               "fulfillment_order_hold": "holds_placed",
               "fulfillment_order_release_hold": "holds_released"}
BULK_WAIT_S = 600
BULK_POLL_S = 0.5
METAFIELD_DEFINITIONS = {
    "status": ("Backorder status", METAFIELD_TYPES["status"]),
    "eta": ("Expected ship date", METAFIELD_TYPES["eta"]),
    "lines": ("Backordered lines", METAFIELD_TYPES["lines"]),
    "alternatives": ("In-stock alternatives", METAFIELD_TYPES["alternatives"]),
}


class ShopifyGateway:
    def __init__(self, client: AdminClient, credentials: CredentialsProvider,
                 http: requests.Session, documents: dict[str, Document] | None = None):
        self._client = client
        self._http = http
        self.counters: Counter[str] = Counter()  # writes the platform accepted, by kind
        self._cost_per_id: dict[str, float] = {}
        self._credentials = credentials
        self._docs = documents or load_documents(DOCUMENTS)

    def _run(self, shop: str, name: str, variables: dict | None = None) -> dict:
        result = self._client.execute(shop, self._credentials, self._docs[name].text, variables)
        return result.raise_for_user_errors().data

    def _read(self, shop: str, name: str, ids: list[str]) -> list[dict]:
        """A `nodes(ids:)` read. Its requested cost grows with the number of ids, so the cost per
        id last seen (or a cautious first guess) paces it, rather than the last request's total."""
        per_id = self._cost_per_id.get(name, FIRST_COST_PER_ID)
        result = self._client.execute(shop, self._credentials, self._docs[name].text,
                                      {"ids": ids}, estimated_cost=per_id * len(ids))
        requested = (result.cost or {}).get("requestedQueryCost")
        if requested:
            self._cost_per_id[name] = requested / len(ids)
        return [node for node in result.raise_for_user_errors().data["nodes"] if node]

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
        node = self._run(shop, "order_for_backorders", {"id": order_id})["order"]
        if node is None:
            raise ShopifyError(f"order {order_id} not found", shop=shop)
        return _parsed_order(node)

    def order_states(self, shop: str, order_ids: list[str]) -> list[OrderState]:
        states = []
        for ids in _chunks(order_ids, READ_BATCH):
            states.extend(_order_state(node) for node in self._read(shop, "orders_sync_state", ids))
        return states

    def apply(self, shop: str, changes: list[OrderChange]) -> dict[str, str | None]:
        errors: dict[str, str | None] = {}
        for batch in _by_cost(changes):
            errors.update(self._apply_batch(shop, batch))
        return errors

    def _apply_batch(self, shop: str, batch: list[OrderChange]) -> dict[str, str | None]:
        parts, owner = [], {}
        for n, change in enumerate(batch):
            for i, (name, variables) in enumerate(_mutations(change)):
                prefix = f"o{n}m{i}"
                parts.append((prefix, self._docs[name], variables))
                owner[prefix] = change.order_id
        text, variables = compose(parts, operation_name="SyncOrders")
        try:
            result = self._client.execute(shop, self._credentials, text, variables,
                                          estimated_cost=MUTATION_COST * len(parts))
        except ShopifyError as exc:
            return {change.order_id: str(exc) for change in batch}
        errors: dict[str, str | None] = {change.order_id: None for change in batch}
        aliases = root_aliases(parts)
        for user_error in result.user_errors():
            order_id = owner[aliases[user_error.alias][0]]
            errors[order_id] = f"{'.'.join(user_error.field)}: {user_error.message}"
        for prefix, document, _ in parts:
            if errors[owner[prefix]] is None:
                self.counters[WRITE_KINDS[document.name]] += 1
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


def _mutations(change: OrderChange) -> Iterator[tuple[str, dict]]:
    """Tags and metafields go in one `orderUpdate`; metafields alone in `metafieldsSet`, which
    leaves the tags (that we did not read) alone. Releases come before the holds that replace them."""
    metafields = [{"namespace": NAMESPACE, "key": key, "type": kind, "value": value}
                  for key, (kind, value) in sorted(change.metafields.items())]
    if change.tags is not None:
        order_input = {"id": change.order_id, "tags": list(change.tags)}
        yield "order_update", {"input": {**order_input, "metafields": metafields}
                               if metafields else order_input}
    elif metafields:
        yield "metafields_set", {"metafields": [{**m, "ownerId": change.order_id}
                                                for m in metafields]}
    for fo_id, hold_ids in change.release:
        yield "fulfillment_order_release_hold", {"id": fo_id, "holdIds": list(hold_ids)}
    for fo_id, lines, note in change.holds:
        yield "fulfillment_order_hold", {"id": fo_id, "hold": {
            "reason": "INVENTORY_OUT_OF_STOCK", "handle": HOLD_HANDLE, "reasonNotes": note,
            "notifyMerchant": False,
            "fulfillmentOrderLineItems": [{"id": line, "quantity": qty} for line, qty in lines]}}


def _by_cost(changes: Sequence[OrderChange]) -> Iterator[list[OrderChange]]:
    batch, cost = [], 0
    for change in changes:
        mine = MUTATION_COST * sum(1 for _ in _mutations(change))
        if batch and cost + mine > WRITE_COST_BUDGET:
            yield batch
            batch, cost = [], 0
        batch.append(change)
        cost += mine
    if batch:
        yield batch


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
    )


def _readings(node: dict) -> list[StockReading]:
    variant_id = (node.get("variant") or {}).get("id", "")
    readings = []
    for level in (node.get("inventoryLevels") or {}).get("nodes", []):
        q = {item["name"]: item["quantity"] for item in level.get("quantities", [])}
        readings.append(StockReading(
            variant_id=variant_id, inventory_item_id=node["id"],
            location_id=level["location"]["id"], available=q.get("available", 0),
            committed=q.get("committed"), on_hand=q.get("on_hand"), incoming=q.get("incoming")))
    return readings


def _parsed_order(node: dict) -> ParsedOrder:
    customer = node.get("customer") or {}
    lines = tuple(
        ParsedLine(line_id=item["id"], variant_id=item["variant"]["id"],
                   open_quantity=0 if node.get("cancelledAt") else item["unfulfilledQuantity"],
                   title=item.get("name") or "")
        for item in node["lineItems"]["nodes"] if item.get("variant"))
    return ParsedOrder(
        order_id=node["id"], name=node.get("name") or "",
        created_at=timestamp(node["createdAt"], "createdAt"),
        updated_at=timestamp(node["updatedAt"], "updatedAt"),
        cancelled_at=timestamp(node["cancelledAt"], "cancelledAt") if node.get("cancelledAt") else None,
        customer_id=customer["id"].rsplit("/", 1)[-1] if customer.get("id") else None,
        customer_tags=tuple(customer.get("tags") or ()), lines=lines,
    )


def _order_state(node: dict) -> OrderState:
    fos = tuple(
        FulfillmentOrderState(
            fulfillment_order_id=fo["id"], status=fo["status"],
            lines=tuple(FulfillmentOrderLine(li["id"], li["lineItem"]["id"], li["remainingQuantity"])
                        for li in fo["lineItems"]["nodes"]),
            hold_ids=tuple(h["id"] for h in fo.get("fulfillmentHolds") or []
                           if h.get("handle") == HOLD_HANDLE))
        for fo in node["fulfillmentOrders"]["nodes"])
    return OrderState(order_id=node["id"], tags=tuple(node.get("tags") or ()),
                      fulfillment_orders=fos)


def _catalog_from_jsonl(lines: Iterable[str]) -> list[VariantInfo]:
    products: dict[str, dict] = {}
    variants: list[dict] = []
    for text in lines:
        if not text.strip():
            continue
        row = json.loads(text)
        kind = row["id"].split("/")[3]
        if kind == "Product":
            products[row["id"]] = {**row, "collectionIds": []}
        elif kind == "Collection":
            products[row["__parentId"]]["collectionIds"].append(row["id"])
        elif kind == "ProductVariant":
            variants.append(row)
    found = []
    for row in variants:
        product = products.get(row["__parentId"], {})
        info = _variant({**row, "product": product})
        pinned = (product.get("metafield") or {}).get("value")
        found.append(VariantInfo(**{**info.__dict__,
                                    "collections": tuple(product.get("collectionIds", ())),
                                    "substitutes": tuple(json.loads(pinned)) if pinned else ()}))
    return found
