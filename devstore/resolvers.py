"""Root query and mutation fields. Each reads the request context, changes the store through the
state modules and answers with views."""

from __future__ import annotations

from graphql import GraphQLError

from . import bulk, bulk_mutations, discounts, flow, order_edit_sessions, refunds
from .access import fulfillment_order_visible, may_hold_any, order_visible
from .catalog import set_inventory_policy
from .context import RequestContext
from .holds import place_hold, release_holds
from .metafields import OWNER_TYPES, create_definition, delete_metafields, set_metafields
from .model import parse_gid
from .order_update import update_order
from .tags import change_tags
from .views import (
    bulk_operation_view,
    connection,
    customer_view,
    definition_view,
    fulfillment_order_view,
    hold_view,
    inventory_item_view,
    location_view,
    metafield_view,
    order_view,
    product_view,
    shop_view,
    variant_view,
)


def _ctx(info) -> RequestContext:
    return info.context


def node_view(ctx: RequestContext, node_id: str) -> dict | None:
    parsed = parse_gid(node_id)
    if parsed is None:
        raise GraphQLError(f"Invalid global id '{node_id}'")
    kind, number = parsed
    shop = ctx.shop
    finders = {
        "Order": lambda: _order(ctx, number),
        "Product": lambda: product_view(ctx, shop.products.get(number)),
        "ProductVariant": lambda: variant_view(ctx, shop.variants.get(number)),
        "InventoryItem": lambda: _inventory_item(ctx, number),
        "Location": lambda: location_view(ctx, number),
        "Customer": lambda: customer_view(ctx, number),
        "FulfillmentOrder": lambda: _fulfillment_order(ctx, number),
        "BulkOperation": lambda: _bulk_operation(ctx, number),
    }
    if kind not in finders:
        raise GraphQLError(f"Nodes of type {kind} are not supported by the store simulator.")
    return finders[kind]()


def _order(ctx: RequestContext, number: int) -> dict | None:
    """Null for an order older than 60 days unless `read_all_orders` was granted (fact 13)."""
    order = ctx.shop.orders.get(number)
    if order is None or not order_visible(ctx.shop, order, ctx.core.now()):
        return None
    return order_view(ctx, order)


def _fulfillment_order(ctx: RequestContext, number: int) -> dict | None:
    """Null until routing completes, and for one the app's scopes do not reach (fact 11)."""
    fo = ctx.shop.fulfillment_orders.get(number)
    if fo is None or not ctx.shop.orders[fo.order_id].routed or not fulfillment_order_visible(ctx.shop, fo):
        return None
    return fulfillment_order_view(ctx, fo)


def _order_gone(ctx: RequestContext, owner_gid: str) -> bool:
    """An order the app may not reach (fact 13) cannot be changed either: it is answered as missing."""
    parsed = parse_gid(owner_gid)
    if parsed is None or parsed[0] != "Order" or parsed[1] not in ctx.shop.orders:
        return False
    return not order_visible(ctx.shop, ctx.shop.orders[parsed[1]], ctx.core.now())


def _inventory_item(ctx: RequestContext, number: int) -> dict | None:
    variant = ctx.shop.variant_by_item(number)
    return inventory_item_view(ctx, variant) if variant else None


def _bulk_operation(ctx: RequestContext, number: int) -> dict | None:
    operation = ctx.shop.bulk_operations.get(number)
    if operation is None:
        return None
    bulk.advance(ctx, operation)
    return bulk_operation_view(ctx, operation)


def q_shop(_root, info):
    return shop_view(_ctx(info), _ctx(info).shop)


def q_locations(_root, info, includeInactive=False, includeLegacy=False, sortKey="NAME", **page):
    ctx = _ctx(info)
    chosen = sorted((loc for loc in ctx.shop.locations.values() if loc.active or includeInactive),
                    key=lambda loc: (loc.name, loc.id) if sortKey == "NAME" else (loc.id,))
    return connection(lambda: [location_view(ctx, loc.id) for loc in chosen])(info, **page)


def q_products(_root, info, **page):
    ctx = _ctx(info)
    return connection(lambda: [product_view(ctx, p) for p in ctx.shop.products.values()])(info, **page)


def q_order(_root, info, id):
    return _typed_node(info, id, "Order")


def q_product_variant(_root, info, id):
    return _typed_node(info, id, "ProductVariant")


def q_inventory_item(_root, info, id):
    return _typed_node(info, id, "InventoryItem")


def q_fulfillment_order(_root, info, id):
    return _typed_node(info, id, "FulfillmentOrder")


def _typed_node(info, node_id: str, kind: str):
    parsed = parse_gid(node_id)
    if parsed is None or parsed[0] != kind:
        raise GraphQLError(f"Invalid id: {node_id}")
    return node_view(_ctx(info), node_id)


def q_node(_root, info, id):
    return node_view(_ctx(info), id)


def q_nodes(_root, info, ids):
    if len(ids) > 250:
        raise GraphQLError("The ids argument accepts at most 250 ids.")
    return [node_view(_ctx(info), node_id) for node_id in ids]


def _tags(info, id, tags, add: bool) -> dict:
    ctx = _ctx(info)
    if _order_gone(ctx, id):
        return {"node": None, "userErrors": [{"field": ["id"], "message": f"Resource {id} not found or not taggable.", "code": None}]}
    node, errors = change_tags(ctx.core, ctx.shop, id, tags, add=add)
    return {"node": node, "userErrors": errors}


def m_tags_add(_root, info, id, tags):
    return _tags(info, id, tags, add=True)


def m_tags_remove(_root, info, id, tags):
    return _tags(info, id, tags, add=False)


def m_metafields_set(_root, info, metafields):
    ctx = _ctx(info)
    gone = [index for index, item in enumerate(metafields) if _order_gone(ctx, item["ownerId"])]
    if gone:
        return {"metafields": None, "userErrors": [
            {"field": ["metafields", str(index), "ownerId"], "message": "Owner does not exist.",
             "code": "INVALID_VALUE", "elementIndex": index} for index in gone]}
    written, errors = set_metafields(ctx.core, ctx.shop, metafields)
    views = [metafield_view(m, OWNER_TYPES[parse_gid(m.owner_id)[0]]) for m in written]
    return {"metafields": None if errors else views, "userErrors": errors}


DEFINITION_INPUT = {"namespace", "key", "name", "description", "ownerType", "type", "access"}


def m_metafield_definition_create(_root, info, definition):
    _reject_inputs("MetafieldDefinitionInput", definition, DEFINITION_INPUT)
    ctx = _ctx(info)
    created, errors = create_definition(ctx.core, ctx.shop, definition)
    return {"createdDefinition": definition_view(created) if created else None, "userErrors": errors}


def m_metafields_delete(_root, info, metafields):
    ctx = _ctx(info)
    for index, item in enumerate(metafields):
        owner = parse_gid(item["ownerId"])
        if owner is None or owner[0] not in OWNER_TYPES:
            return {"deletedMetafields": None, "userErrors": [
                {"field": ["metafields", str(index), "ownerId"], "message": "Owner does not exist."}]}
    return {"deletedMetafields": delete_metafields(ctx.core, ctx.shop, metafields), "userErrors": []}


HOLD_ACCESS = ("Access denied for fulfillmentOrderHold field. Required access: "
               "`write_merchant_managed_fulfillment_orders` access scope or "
               "`write_third_party_fulfillment_orders` access scope. "
               "Also: The user must have fulfill_and_ship_orders permission.")


def m_fulfillment_order_hold(_root, info, id, fulfillmentHold):
    ctx = _ctx(info)
    if not may_hold_any(ctx.shop):
        raise GraphQLError(HOLD_ACCESS, extensions={"code": "ACCESS_DENIED",
                                                    "documentation": "https://shopify.dev/api/usage/access-scopes"})
    result = place_hold(ctx.core, ctx.shop, id, fulfillmentHold, ctx.app_id)
    return {
        "fulfillmentHold": hold_view(ctx, result.hold) if result.hold else None,
        "fulfillmentOrder": fulfillment_order_view(ctx, result.fulfillment_order) if result.fulfillment_order else None,
        "remainingFulfillmentOrder": fulfillment_order_view(ctx, result.remaining) if result.remaining else None,
        "userErrors": result.user_errors,
    }


def m_fulfillment_order_release_hold(_root, info, id, holdIds=None, externalId=None):
    ctx = _ctx(info)
    result = release_holds(ctx.core, ctx.shop, id, holdIds, ctx.app_id)
    fo = result.fulfillment_order
    return {"fulfillmentOrder": fulfillment_order_view(ctx, fo) if fo else None,
            "userErrors": result.user_errors}


ORDER_INPUT = {"id", "tags", "metafields"}


def m_order_update(_root, info, input):
    _reject_inputs("OrderInput", input, ORDER_INPUT)
    ctx = _ctx(info)
    if _order_gone(ctx, input["id"]):
        return {"order": None, "userErrors": [{"field": ["id"], "message": "Order does not exist"}]}
    order, errors = update_order(ctx.core, ctx.shop, input)
    return {"order": order_view(ctx, order) if order else None, "userErrors": errors}


VARIANT_INPUT = {"id", "inventoryPolicy"}


def m_product_variants_bulk_update(_root, info, productId, variants, allowPartialUpdates=False):
    ctx = _ctx(info)
    for variant_input in variants:
        _reject_inputs("ProductVariantsBulkInput", variant_input, VARIANT_INPUT)
    parsed = parse_gid(productId, "Product")
    product = ctx.shop.products.get(parsed[1]) if parsed else None
    if product is None:
        return _variant_error(["productId"], "Product does not exist", "PRODUCT_DOES_NOT_EXIST")
    chosen = []
    for index, variant_input in enumerate(variants):
        found = parse_gid(variant_input.get("id") or "", "ProductVariant")
        if found is None or found[1] not in product.variant_ids:
            return _variant_error(["variants", str(index), "id"], "Product variant does not exist", "PRODUCT_VARIANT_DOES_NOT_EXIST")
        chosen.append((ctx.shop.variants[found[1]], variant_input))
    for variant, variant_input in chosen:
        if "inventoryPolicy" in variant_input and variant_input["inventoryPolicy"] is not None:
            set_inventory_policy(ctx.core, ctx.shop, variant, variant_input["inventoryPolicy"])
    return {"product": product_view(ctx, product),
            "productVariants": [variant_view(ctx, v) for v, _ in chosen], "userErrors": []}


def _variant_error(field, message, code):
    return {"product": None, "productVariants": None,
            "userErrors": [{"field": field, "message": message, "code": code}]}


def m_bulk_operation_run_query(_root, info, query, groupObjects=False):
    ctx = _ctx(info)
    operation, errors = bulk.run_query(ctx, query, group_objects=bool(groupObjects))
    return {"bulkOperation": bulk_operation_view(ctx, operation) if operation else None, "userErrors": errors}


def m_staged_uploads_create(_root, info, input):
    targets, errors = bulk_mutations.stage(_ctx(info), input)
    return {"stagedTargets": targets, "userErrors": errors}


def m_bulk_operation_run_mutation(_root, info, mutation, stagedUploadPath, clientIdentifier=None,
                                  groupObjects=None):  # deprecated on mutations: no output to group
    ctx = _ctx(info)
    operation, errors = bulk_mutations.run_mutation(ctx, mutation, stagedUploadPath, clientIdentifier)
    return {"bulkOperation": bulk_operation_view(ctx, operation) if operation else None, "userErrors": errors}


def _reject_inputs(type_name: str, given: dict, supported: set[str]) -> None:
    """Input fields the simulator ignores may only carry their schema default (or null)."""
    from .schema import admin_schema

    fields = admin_schema().get_type(type_name).fields
    extra = sorted(k for k, v in given.items()
                   if k not in supported and v is not None and v != fields[k].default_value)
    if extra:
        raise GraphQLError(f"Input field '{type_name}.{extra[0]}' is not supported by the store simulator.",
                           extensions={"code": "UNSUPPORTED_BY_SIMULATOR"})


def m_flow_trigger_receive(_root, info, handle=None, payload=None, body=None):
    ctx = _ctx(info)
    errors = flow.receive(ctx.core.flow_triggers, ctx.shop.flow_triggers_received, ctx.core.now(),
                          handle, payload, body)
    return {"userErrors": errors}


def _edit_scope(ctx: RequestContext) -> None:
    """The order editing mutations need `write_order_edits` (schema docs)."""
    if order_edit_sessions.SCOPE not in ctx.shop.scopes:
        raise GraphQLError(f"Access denied: requires the {order_edit_sessions.SCOPE} scope.",
                           extensions={"code": "ACCESS_DENIED"})


def m_order_edit_begin(_root, info, id):
    ctx = _ctx(info)
    _edit_scope(ctx)
    session, errors = order_edit_sessions.begin(ctx.core, ctx.shop, id)
    if session is None:
        return {"calculatedOrder": None, "orderEditSession": None, "userErrors": errors}
    return {"calculatedOrder": order_edit_sessions.calculated_order_view(ctx.shop, session),
            "orderEditSession": order_edit_sessions.session_view(session), "userErrors": []}


def m_order_edit_set_quantity(_root, info, id, lineItemId, quantity, restock=None):
    ctx = _ctx(info)
    _edit_scope(ctx)
    session, errors = order_edit_sessions.set_quantity(ctx.shop, id, lineItemId, quantity, restock)
    if session is None:
        return {"calculatedOrder": None, "calculatedLineItem": None, "orderEditSession": None,
                "userErrors": errors}
    calculated = order_edit_sessions.calculated_order_view(ctx.shop, session)
    return {"calculatedOrder": calculated, "orderEditSession": order_edit_sessions.session_view(session),
            "calculatedLineItem": None, "userErrors": []}


def m_order_edit_add_variant(_root, info, id, variantId, quantity, locationId=None,
                             allowDuplicates=None):
    ctx = _ctx(info)
    _edit_scope(ctx)
    session, errors = order_edit_sessions.add_variant(ctx.shop, id, variantId, quantity)
    if session is None:
        return {"calculatedOrder": None, "calculatedLineItem": None, "orderEditSession": None,
                "userErrors": errors}
    return {"calculatedOrder": order_edit_sessions.calculated_order_view(ctx.shop, session),
            "orderEditSession": order_edit_sessions.session_view(session),
            "calculatedLineItem": None, "userErrors": []}


def m_order_edit_commit(_root, info, id, notifyCustomer=None, staffNote=None):
    ctx = _ctx(info)
    _edit_scope(ctx)
    order, errors = order_edit_sessions.commit(ctx.core, ctx.shop, id)
    return {"order": order_view(ctx, order) if order else None,
            "successMessages": ["Order updated"] if order else None, "userErrors": errors}


def _scope(ctx: RequestContext, scope: str) -> None:
    if scope not in ctx.shop.scopes:
        raise GraphQLError(f"Access denied: requires the {scope} scope.",
                           extensions={"code": "ACCESS_DENIED"})


DISCOUNT_INPUT = {"title", "code", "startsAt", "endsAt", "context", "customerSelection",
                  "customerGets", "usageLimit", "appliesOncePerCustomer", "destination",
                  "maximumShippingPrice"}


def _discount(info, argument: str, given: dict) -> dict:
    """Both code-discount mutations (`discounts`): need `write_discounts`."""
    ctx = _ctx(info)
    _scope(ctx, discounts.SCOPE)
    type_name = "DiscountCodeBasicInput" if argument == discounts.BASIC \
        else "DiscountCodeFreeShippingInput"
    _reject_inputs(type_name, given, DISCOUNT_INPUT)
    discount, errors = discounts.create(ctx.shop, lambda: ctx.core.ids.next("DiscountCodeNode"),
                                        argument, given)
    return {"codeDiscountNode": discounts.view(discount), "userErrors": errors}


def m_discount_code_basic_create(_root, info, basicCodeDiscount):
    return _discount(info, discounts.BASIC, basicCodeDiscount)


def m_discount_code_free_shipping_create(_root, info, freeShippingCodeDiscount):
    return _discount(info, discounts.FREE_SHIPPING, freeShippingCodeDiscount)


REFUND_INPUT = {"orderId", "note", "notify", "refundLineItems", "transactions"}


def _idempotency_key(info) -> str | None:
    """The `@idempotent(key:)` on this field, its variable resolved."""
    for directive in info.field_nodes[0].directives or ():
        if directive.name.value != "idempotent":
            continue
        for argument in directive.arguments:
            if argument.name.value == "key":
                value = argument.value
                return info.variable_values.get(value.name.value) if value.kind == "variable" \
                    else getattr(value, "value", None)
    return None


def m_refund_create(_root, info, input):
    """`refunds.create_from_api`: needs the orders write scope and an idempotency key."""
    ctx = _ctx(info)
    _scope(ctx, refunds.WRITE_SCOPE)
    key = _idempotency_key(info)
    if not isinstance(key, str) or not key.strip():
        raise GraphQLError("The @idempotent directive with a non-blank key is required for "
                           "refundCreate.", extensions={"code": "BAD_REQUEST"})
    _reject_inputs("RefundInput", input, REFUND_INPUT)
    order, refund, errors = refunds.create_from_api(ctx.core, ctx.shop, input, key)
    return {"order": order_view(ctx, order) if order else None,
            "refund": {"id": f"gid://shopify/Refund/{refund.id}"} if refund else None,
            "userErrors": errors}


QUERY_FIELDS = {"shop": q_shop, "locations": q_locations, "products": q_products, "order": q_order,
                "productVariant": q_product_variant, "inventoryItem": q_inventory_item,
                "fulfillmentOrder": q_fulfillment_order, "node": q_node, "nodes": q_nodes}
MUTATION_FIELDS = {"tagsAdd": m_tags_add, "tagsRemove": m_tags_remove, "metafieldsSet": m_metafields_set,
                   "metafieldsDelete": m_metafields_delete,
                   "metafieldDefinitionCreate": m_metafield_definition_create,
                   "fulfillmentOrderHold": m_fulfillment_order_hold,
                   "fulfillmentOrderReleaseHold": m_fulfillment_order_release_hold,
                   "productVariantsBulkUpdate": m_product_variants_bulk_update,
                   "bulkOperationRunQuery": m_bulk_operation_run_query,
                   "orderUpdate": m_order_update, "stagedUploadsCreate": m_staged_uploads_create,
                   "bulkOperationRunMutation": m_bulk_operation_run_mutation,
                   "flowTriggerReceive": m_flow_trigger_receive,
                   "orderEditBegin": m_order_edit_begin,
                   "orderEditSetQuantity": m_order_edit_set_quantity,
                   "orderEditAddVariant": m_order_edit_add_variant,
                   "orderEditCommit": m_order_edit_commit,
                   "discountCodeBasicCreate": m_discount_code_basic_create,
                   "discountCodeFreeShippingCreate": m_discount_code_free_shipping_create,
                   "refundCreate": m_refund_create}
