"""Store records as GraphQL objects: dicts whose keys are the supported fields. Connections are
callables (the resolver passes their arguments); nested records are built only when asked for."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable

from graphql import GraphQLError

from .access import fulfillment_order_visible
from .clock import graphql_time
from .context import RequestContext
from .fulfillment_actions import supported_actions
from .fulfillment_orders import routed_of_order
from .metafields import app_namespace, digest
from .model import (
    BulkOperation,
    FulfillmentOrder,
    Hold,
    LineItem,
    Metafield,
    MetafieldDefinition,
    Order,
    Product,
    Shop,
    Transaction,
    Variant,
    gid,
    parse_gid,
)
from .payloads import fulfillable_quantity
from .refunds import suggest

MAX_PAGE = 250


def connection(items: Callable[[], Iterable[dict]]):
    """A Relay connection over `items`, paginated the way the Admin API does (first/last required
    outside bulk operations, at most 250 per page, opaque cursors)."""

    def resolve(info, first=None, last=None, after=None, before=None, reverse=False, **_ignored):
        nodes = list(items())
        if reverse:
            nodes.reverse()
        if not info.context.bulk:
            _check_page(first, last)
        start = _decode(after) + 1 if after else 0
        stop = _decode(before) if before else len(nodes)
        window = list(enumerate(nodes))[start:stop]
        if first is not None:
            window = window[:first]
        if last is not None:
            window = window[-last:] if last else []
        return _page(window, start, stop, len(nodes))

    return resolve


def _check_page(first, last) -> None:
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last")
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= MAX_PAGE:
            raise GraphQLError(f"The '{name}' argument must be between 0 and {MAX_PAGE}.")


def _page(window, start, stop, total) -> dict:
    edges = [{"cursor": _encode(i), "node": node} for i, node in window]
    first_index = window[0][0] if window else start
    last_index = window[-1][0] if window else stop - 1
    return {
        "edges": edges,
        "nodes": [edge["node"] for edge in edges],
        "pageInfo": {
            "hasNextPage": last_index < min(stop, total) - 1,
            "hasPreviousPage": first_index > 0,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


def _encode(index: int) -> str:
    return base64.b64encode(f"cursor:{index}".encode()).decode()


def _decode(cursor: str) -> int:
    try:
        return int(base64.b64decode(cursor).decode().split(":", 1)[1])
    except (ValueError, IndexError) as exc:
        raise GraphQLError(f"Invalid cursor {cursor!r}.") from exc


def shop_view(ctx: RequestContext, shop: Shop) -> dict:
    return {
        "__typename": "Shop",
        "id": gid("Shop", shop.id),
        "name": shop.name,
        "email": shop.email,
        "myshopifyDomain": shop.domain,
        "currencyCode": shop.currency,
        "ianaTimezone": shop.timezone,
        "billingAddress": {"countryCodeV2": shop.country, "country": shop.country},
    }


def location_view(ctx: RequestContext, location_id: int) -> dict | None:
    location = ctx.shop.locations.get(location_id)
    if location is None:
        return None
    return {"__typename": "Location", "id": gid("Location", location.id), "name": location.name,
            "isActive": location.active, "legacyResourceId": str(location.id),
            "isFulfillmentService": location.fulfillment_service}


def customer_view(ctx: RequestContext, customer_id: int | None) -> dict | None:
    customer = ctx.shop.customers.get(customer_id) if customer_id else None
    if customer is None:
        return None
    return {"__typename": "Customer", "id": gid("Customer", customer.id), "tags": list(customer.tags),
            "email": customer.email, "firstName": customer.first_name, "lastName": customer.last_name,
            "displayName": f"{customer.first_name} {customer.last_name}".strip() or customer.email}


def display_fulfillment_status(ctx: RequestContext, order: Order) -> str:
    lines = order.line_items
    fulfilled = sum(line.fulfilled for line in lines)
    if lines and all(line.unfulfilled == 0 for line in lines) and fulfilled:
        return "FULFILLED"
    if fulfilled:
        return "PARTIALLY_FULFILLED"
    fos = _order_fos(ctx, order)
    if fos and any(fo.status == "ON_HOLD" for fo in fos):
        return "ON_HOLD"
    return "UNFULFILLED"


def _order_fos(ctx: RequestContext, order: Order) -> list[FulfillmentOrder]:
    return routed_of_order(ctx.shop, order)


def visible_fulfillment_orders(ctx: RequestContext, order: Order, displayable: bool = False) -> list[FulfillmentOrder]:
    """The order's fulfillment orders the app's scopes reach (fact 11). `displayable: false` (the
    default) includes those closed by a merge or a move; `true` leaves them out (fact 7; schema,
    `Order.fulfillmentOrders(displayable:)`)."""
    fos = [fo for fo in _order_fos(ctx, order) if fulfillment_order_visible(ctx.shop, fo)]
    return [fo for fo in fos if not fo.hidden] if displayable else fos


def order_view(ctx: RequestContext, order: Order) -> dict:
    def fulfillment_orders(info, displayable=False, **page):
        fos = visible_fulfillment_orders(ctx, order, displayable)
        return connection(lambda: [fulfillment_order_view(ctx, fo) for fo in fos])(info, **page)

    def metafields(info, namespace=None, keys=None, **page):
        owner = gid("Order", order.id)
        wanted_namespace = app_namespace(ctx.app_id, namespace) if namespace else None
        chosen = [m for m in ctx.shop.metafields.values() if m.owner_id == owner
                  and (wanted_namespace is None or m.namespace == wanted_namespace)
                  and (keys is None or f"{m.namespace}.{m.key}" in keys)]
        return connection(lambda: [metafield_view(m, "ORDER") for m in chosen])(info, **page)

    return {
        "__typename": "Order",
        "id": gid("Order", order.id),
        "legacyResourceId": str(order.id),
        "name": order.name,
        "number": order.number,
        "email": order.email,
        "createdAt": graphql_time(order.created_at),
        "updatedAt": graphql_time(order.updated_at),
        "cancelledAt": graphql_time(order.cancelled_at),
        "closedAt": graphql_time(order.closed_at),
        "closed": order.closed_at is not None,
        "displayFulfillmentStatus": display_fulfillment_status(ctx, order),
        "tags": list(order.tags),
        "customer": lambda info: customer_view(ctx, order.customer_id),
        "lineItems": connection(lambda: [line_item_view(ctx, line) for line in order.line_items]),
        "fulfillmentOrders": fulfillment_orders,
        "metafields": metafields,
        "transactions": lambda info, first=None: [transaction_view(ctx, order, t) for t in
                                                  order.transactions[:first]],
        # the arguments' defaults (refundMethodAllocation, suggestFullRefund) come along too;
        # any other value is refused before the document runs (supported.py)
        "suggestedRefund": lambda info, refundLineItems=None, **_defaults: suggested_refund_view(
            ctx, order, refundLineItems or []),
    }


def suggested_refund_view(ctx: RequestContext, order: Order, given: list[dict]) -> dict:
    """`Order.suggestedRefund(refundLineItems:)`, as `refunds.suggest` models it."""
    wanted = []
    for item in given:
        line_gid = parse_gid(item.get("lineItemId") or "", "LineItem")
        line = next((li for li in order.line_items if line_gid and li.id == line_gid[1]), None)
        if line is None:
            raise GraphQLError(f"Line item {item.get('lineItemId')} does not exist on the order")
        wanted.append((line, int(item.get("quantity") or 0)))
    amount, drawn = suggest(order, wanted)

    def money(value) -> dict:
        one = {"amount": f"{value:.2f}", "currencyCode": ctx.shop.currency}
        return {"shopMoney": one, "presentmentMoney": dict(one)}

    return {
        "__typename": "SuggestedRefund",
        "amountSet": money(amount),
        "subtotalSet": money(amount),
        "suggestedTransactions": [{
            "__typename": "SuggestedOrderTransaction",
            "kind": "SUGGESTED_REFUND",
            "gateway": parent.gateway,
            "amountSet": money(share),
            "parentTransaction": lambda info, parent=parent: transaction_view(ctx, order, parent),
        } for parent, share in drawn],
    }


def transaction_view(ctx: RequestContext, order: Order, transaction: Transaction) -> dict:
    """An order's transaction; the shop's currency is the customer's (one currency modelled)."""
    money = {"amount": f"{transaction.amount:.2f}", "currencyCode": ctx.shop.currency}
    parent = next((t for t in order.transactions if t.id == transaction.parent_id), None)
    return {
        "__typename": "OrderTransaction",
        "id": gid("OrderTransaction", transaction.id),
        "kind": transaction.kind,
        "status": transaction.status,
        "gateway": transaction.gateway,
        "amountSet": {"shopMoney": money, "presentmentMoney": dict(money)},
        "createdAt": graphql_time(transaction.created_at),
        "parentTransaction": (lambda info: transaction_view(ctx, order, parent)) if parent else None,
    }


def line_item_view(ctx: RequestContext, line: LineItem) -> dict:
    """`unfulfilledQuantity` ignores holds; `fulfillableQuantity` is 0 for held units (fact 1)."""
    variant = ctx.shop.variants.get(line.variant_id) if line.variant_id else None
    return {
        "__typename": "LineItem",
        "id": gid("LineItem", line.id),
        "quantity": line.quantity,
        "currentQuantity": line.current_quantity,
        "unfulfilledQuantity": line.unfulfilled,
        "fulfillableQuantity": fulfillable_quantity(ctx.shop, line),
        "requiresShipping": line.requires_shipping,
        "isGiftCard": line.gift_card,
        "sku": line.sku or None,
        "name": f"{line.title} - {line.variant_title}" if line.variant_title else line.title,
        "title": line.title,
        "variantTitle": line.variant_title or None,
        "vendor": line.vendor,
        "variant": (lambda info: variant_view(ctx, variant)) if variant else None,
        "product": (lambda info: product_view(ctx, ctx.shop.products.get(line.product_id))),
    }


def variant_view(ctx: RequestContext, variant: Variant | None) -> dict | None:
    if variant is None:
        return None
    shop = ctx.shop
    return {
        "__typename": "ProductVariant",
        "id": gid("ProductVariant", variant.id),
        "legacyResourceId": str(variant.id),
        "title": variant.title,
        "sku": variant.sku or None,
        "price": str(variant.price),
        "inventoryPolicy": variant.inventory_policy,
        "inventoryQuantity": sum(lv.available for (item, _), lv in shop.levels.items() if item == variant.inventory_item_id),
        "selectedOptions": [{"name": k, "value": v} for k, v in variant.options.items()]
        or [{"name": "Title", "value": "Default Title"}],
        "inventoryItem": lambda info: inventory_item_view(ctx, variant),
        "product": lambda info: product_view(ctx, shop.products.get(variant.product_id)),
    }


def product_view(ctx: RequestContext, product: Product | None) -> dict | None:
    if product is None:
        return None
    shop = ctx.shop

    def metafield(info, key, namespace=None):
        wanted = app_namespace(ctx.app_id, namespace) if namespace else None
        found = shop.metafields.get((gid("Product", product.id), wanted, key))
        return metafield_view(found, "PRODUCT") if found else None

    return {
        "__typename": "Product",
        "id": gid("Product", product.id),
        "legacyResourceId": str(product.id),
        "title": product.title,
        "handle": product.handle,
        "status": product.status,
        "productType": product.product_type,
        "vendor": product.vendor,
        "tags": list(product.tags),
        "createdAt": graphql_time(product.created_at),
        "updatedAt": graphql_time(product.updated_at),
        "collections": connection(lambda: [{"__typename": "Collection", "id": gid("Collection", c)} for c in product.collection_ids]),
        "variants": connection(lambda: [variant_view(ctx, shop.variants[v]) for v in product.variant_ids if v in shop.variants]),
        "metafield": metafield,
    }


def inventory_item_view(ctx: RequestContext, variant: Variant) -> dict:
    shop = ctx.shop
    item_id = variant.inventory_item_id
    location_ids = [loc for (item, loc) in shop.levels if item == item_id]
    return {
        "__typename": "InventoryItem",
        "id": gid("InventoryItem", item_id),
        "legacyResourceId": str(item_id),
        "sku": variant.sku or None,
        "tracked": variant.tracked,
        "requiresShipping": variant.requires_shipping,
        "variant": lambda info: variant_view(ctx, variant),
        "inventoryLevels": connection(lambda: [inventory_level_view(ctx, item_id, loc) for loc in location_ids]),
    }


QUANTITY_NAMES = ("available", "committed", "on_hand", "incoming", "reserved", "damaged",
                  "safety_stock", "quality_control")


def inventory_level_view(ctx: RequestContext, item_id: int, location_id: int) -> dict:
    level = ctx.shop.level(item_id, location_id)
    values = {"available": level.available, "committed": level.committed, "on_hand": level.on_hand,
              "incoming": level.incoming}

    def quantities(info, names):
        unknown = [n for n in names if n not in QUANTITY_NAMES]
        if unknown:
            raise GraphQLError(f"Invalid quantity names: {', '.join(unknown)}.")
        return [{"name": n, "quantity": values.get(n, 0), "updatedAt": graphql_time(level.updated_at)} for n in names]

    return {
        "__typename": "InventoryLevel",
        "id": f"gid://shopify/InventoryLevel/{location_id}?inventory_item_id={item_id}",
        "updatedAt": graphql_time(level.updated_at),
        "location": lambda info: location_view(ctx, location_id),
        "quantities": quantities,
    }


def fulfillment_order_view(ctx: RequestContext, fo: FulfillmentOrder) -> dict:
    lines = {line.id: line for line in ctx.shop.orders[fo.order_id].line_items}
    return {
        "__typename": "FulfillmentOrder",
        "id": gid("FulfillmentOrder", fo.id),
        "status": fo.status,
        "orderId": gid("Order", fo.order_id),
        "createdAt": graphql_time(fo.created_at),
        "updatedAt": graphql_time(fo.updated_at),
        "assignedLocation": {"location": lambda info: location_view(ctx, fo.location_id),
                             "name": ctx.shop.locations[fo.location_id].name},
        "deliveryMethod": {"__typename": "DeliveryMethod", "id": gid("DeliveryMethod", fo.id),
                           "methodType": fo.delivery},
        "supportedActions": [{"action": action, "externalUrl": None}
                             for action in supported_actions(ctx.shop, fo)],
        "fulfillmentHolds": [hold_view(ctx, hold) for hold in fo.holds],
        "lineItems": connection(lambda: [fulfillment_order_line_view(ctx, line, lines[line.line_item_id])
                                         for line in fo.lines]),
    }


def fulfillment_order_line_view(ctx: RequestContext, fo_line, line: LineItem) -> dict:
    variant = ctx.shop.variants.get(line.variant_id) if line.variant_id else None
    return {"__typename": "FulfillmentOrderLineItem", "id": gid("FulfillmentOrderLineItem", fo_line.id),
            "totalQuantity": fo_line.total_quantity, "remainingQuantity": fo_line.remaining_quantity,
            "requiresShipping": line.requires_shipping,
            "inventoryItemId": gid("InventoryItem", variant.inventory_item_id) if variant else None,
            "lineItem": line_item_view(ctx, line)}


def hold_view(ctx: RequestContext, hold: Hold) -> dict:
    return {"__typename": "FulfillmentHold", "id": gid("FulfillmentHold", hold.id),
            "handle": hold.handle, "reason": hold.reason, "reasonNotes": hold.reason_notes,
            "heldByRequestingApp": hold.app_id == ctx.app_id}


def metafield_view(metafield: Metafield, owner_type: str) -> dict:
    return {"__typename": "Metafield", "id": gid("Metafield", metafield.id),
            "namespace": metafield.namespace, "key": metafield.key, "type": metafield.type,
            "value": metafield.value, "compareDigest": digest(metafield), "ownerType": owner_type,
            "createdAt": graphql_time(metafield.created_at), "updatedAt": graphql_time(metafield.updated_at)}


def definition_view(definition: MetafieldDefinition) -> dict:
    return {"__typename": "MetafieldDefinition", "id": gid("MetafieldDefinition", definition.id),
            "namespace": definition.namespace, "key": definition.key, "name": definition.name,
            "ownerType": definition.owner_type, "description": definition.description,
            "type": {"name": definition.type},
            "access": {"admin": definition.access.get("admin"),
                       "customerAccount": definition.access.get("customerAccount") or "NONE",
                       "storefront": definition.access.get("storefront")}}


def bulk_operation_view(ctx: RequestContext, operation: BulkOperation) -> dict:
    done = operation.status == "COMPLETED"
    url = f"{ctx.base_url.rstrip('/')}/_devstore/bulk/{ctx.shop.domain}/{operation.id}.jsonl"
    return {"__typename": "BulkOperation", "id": gid("BulkOperation", operation.id),
            "status": operation.status, "errorCode": operation.error_code,
            "objectCount": str(len(operation.lines)), "rootObjectCount": str(sum(1 for line in operation.lines if "__parentId" not in line)),
            "fileSize": str(sum(len(line) + 1 for line in operation.lines)) if done else None,
            "url": url if done and operation.lines else None, "partialDataUrl": None,
            "createdAt": graphql_time(operation.created_at), "completedAt": graphql_time(operation.completed_at),
            "query": operation.query, "type": operation.type}
