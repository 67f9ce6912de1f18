"""What the simulator implements, field by field. A document is checked against this list before
it runs, so an unsupported field or argument is an explicit error naming it, never a silent null.
Connection fields also must say how many items they want (outside bulk operations)."""

from __future__ import annotations

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)

PAGE = frozenset({"first", "last", "after", "before", "reverse"})
NONE: frozenset[str] = frozenset()


def _fields(*names: str, **with_args: frozenset) -> dict[str, frozenset]:
    return {**{name: NONE for name in names}, **with_args}


USER_ERROR = _fields("field", "message")
CODED_ERROR = _fields("field", "message", "code")
CONNECTION = _fields("edges", "nodes", "pageInfo")
EDGE = _fields("cursor", "node")

SUPPORTED: dict[str, dict[str, frozenset]] = {
    "QueryRoot": _fields("shop", locations=PAGE | {"includeInactive"}, order=frozenset({"id"}), nodes=frozenset({"ids"}),
                         node=frozenset({"id"}), products=PAGE, productVariant=frozenset({"id"}),
                         inventoryItem=frozenset({"id"}), fulfillmentOrder=frozenset({"id"})),
    "Mutation": _fields(tagsAdd=frozenset({"id", "tags"}), tagsRemove=frozenset({"id", "tags"}),
                        metafieldsSet=frozenset({"metafields"}),
                        metafieldsDelete=frozenset({"metafields"}),
                        metafieldDefinitionCreate=frozenset({"definition"}),
                        fulfillmentOrderHold=frozenset({"id", "fulfillmentHold"}),
                        fulfillmentOrderReleaseHold=frozenset({"id", "holdIds", "externalId"}),
                        productVariantsBulkUpdate=frozenset({"productId", "variants"}),
                        bulkOperationRunQuery=frozenset({"query", "groupObjects"}), orderUpdate=frozenset({"input"}),
                        stagedUploadsCreate=frozenset({"input"}),
                        bulkOperationRunMutation=frozenset({"mutation", "stagedUploadPath", "clientIdentifier"}),
                        flowTriggerReceive=frozenset({"handle", "payload", "body"}),
                        orderEditBegin=frozenset({"id"}),
                        orderEditSetQuantity=frozenset({"id", "lineItemId", "quantity", "restock"}),
                        orderEditAddVariant=frozenset({"id", "variantId", "quantity"}),
                        orderEditCommit=frozenset({"id", "notifyCustomer", "staffNote"}),
                        discountCodeBasicCreate=frozenset({"basicCodeDiscount"}),
                        discountCodeFreeShippingCreate=frozenset({"freeShippingCodeDiscount"}),
                        refundCreate=frozenset({"input"})),
    "Node": _fields("id"),
    "Shop": _fields("id", "name", "email", "myshopifyDomain", "currencyCode", "ianaTimezone", "billingAddress"),
    "ShopAddress": _fields("countryCodeV2", "country"),
    "Location": _fields("id", "name", "isActive", "legacyResourceId", "isFulfillmentService"),
    "Customer": _fields("id", "tags", "email", "firstName", "lastName", "displayName"),
    "Order": _fields("id", "legacyResourceId", "name", "number", "email", "createdAt", "updatedAt", "cancelledAt",
                     "closedAt", "closed", "displayFulfillmentStatus", "tags", "customer",
                     lineItems=PAGE, fulfillmentOrders=PAGE | {"displayable"},
                     metafields=PAGE | {"namespace", "keys"}, transactions=frozenset({"first"}),
                     suggestedRefund=frozenset({"refundLineItems"})),
    "SuggestedRefund": _fields("amountSet", "subtotalSet", "suggestedTransactions"),
    "SuggestedOrderTransaction": _fields("kind", "gateway", "amountSet", "parentTransaction"),
    "OrderTransaction": _fields("id", "kind", "status", "gateway", "amountSet", "createdAt",
                                "parentTransaction"),
    "MoneyBag": _fields("shopMoney", "presentmentMoney"),
    "MoneyV2": _fields("amount", "currencyCode"),
    "LineItem": _fields("id", "quantity", "currentQuantity", "unfulfilledQuantity", "fulfillableQuantity",
                        "requiresShipping", "isGiftCard", "sku", "name", "title", "variantTitle", "vendor",
                        "variant", "product"),
    "ProductVariant": _fields("id", "legacyResourceId", "title", "sku", "price", "inventoryPolicy",
                              "inventoryQuantity", "selectedOptions", "inventoryItem", "product"),
    "SelectedOption": _fields("name", "value"),
    "Product": _fields("id", "legacyResourceId", "title", "handle", "status", "productType", "vendor",
                       "tags", "createdAt", "updatedAt", collections=PAGE, variants=PAGE,
                       metafield=frozenset({"namespace", "key"})),
    "Collection": _fields("id"),
    "InventoryItem": _fields("id", "legacyResourceId", "sku", "tracked", "requiresShipping", "variant",
                             inventoryLevels=PAGE),
    "InventoryLevel": _fields("id", "updatedAt", "location", quantities=frozenset({"names"})),
    "InventoryQuantity": _fields("name", "quantity", "updatedAt"),
    "FulfillmentOrder": _fields("id", "status", "orderId", "createdAt", "updatedAt", "assignedLocation",
                                "deliveryMethod", "supportedActions", "fulfillmentHolds", lineItems=PAGE),
    "FulfillmentOrderAssignedLocation": _fields("location", "name"),
    "DeliveryMethod": _fields("id", "methodType"),
    "FulfillmentOrderSupportedAction": _fields("action", "externalUrl"),
    "FulfillmentOrderLineItem": _fields("id", "totalQuantity", "remainingQuantity", "requiresShipping",
                                        "inventoryItemId", "lineItem"),
    "FulfillmentHold": _fields("id", "handle", "reason", "reasonNotes", "heldByRequestingApp"),
    "Metafield": _fields("id", "namespace", "key", "type", "value", "compareDigest", "ownerType",
                         "createdAt", "updatedAt"),
    "MetafieldDefinition": _fields("id", "namespace", "key", "name", "ownerType", "description", "type",
                                   "access"),
    "MetafieldAccess": _fields("admin", "customerAccount", "storefront"),
    "MetafieldsDeletePayload": _fields("deletedMetafields", "userErrors"),
    "MetafieldIdentifier": _fields("ownerId", "namespace", "key"),
    "MetafieldDefinitionType": _fields("name"),
    "BulkOperation": _fields("id", "status", "errorCode", "objectCount", "rootObjectCount", "fileSize",
                             "url", "partialDataUrl", "createdAt", "completedAt", "query", "type"),
    "PageInfo": _fields("hasNextPage", "hasPreviousPage", "startCursor", "endCursor"),
    "TagsAddPayload": _fields("node", "userErrors"),
    "FlowTriggerReceivePayload": _fields("userErrors"),
    "OrderEditBeginPayload": _fields("calculatedOrder", "orderEditSession", "userErrors"),
    "OrderEditSetQuantityPayload": _fields("calculatedOrder", "orderEditSession", "userErrors"),
    "OrderEditAddVariantPayload": _fields("calculatedOrder", "orderEditSession", "userErrors"),
    "OrderEditCommitPayload": _fields("order", "successMessages", "userErrors"),
    "OrderEditSession": _fields("id"),
    "CalculatedOrder": _fields("id", "committed", lineItems=PAGE),
    "CalculatedLineItem": _fields("id", "quantity", "editableQuantity",
                                  "editableQuantityBeforeChanges", "sku", "title", "variantTitle",
                                  "variant"),
    "OrderUpdatePayload": _fields("order", "userErrors"),
    "DiscountCodeBasicCreatePayload": _fields("codeDiscountNode", "userErrors"),
    "DiscountCodeFreeShippingCreatePayload": _fields("codeDiscountNode", "userErrors"),
    "DiscountCodeNode": _fields("id"),
    "DiscountUserError": _fields("field", "message", "code", "extraInfo"),
    "RefundCreatePayload": _fields("order", "refund", "userErrors"),
    "Refund": _fields("id"),
    "TagsRemovePayload": _fields("node", "userErrors"),
    "UserError": USER_ERROR,
    "MetafieldsSetPayload": _fields("metafields", "userErrors"),
    "MetafieldsSetUserError": _fields("field", "message", "code", "elementIndex"),
    "MetafieldDefinitionCreatePayload": _fields("createdDefinition", "userErrors"),
    "MetafieldDefinitionCreateUserError": _fields("field", "message", "code", "elementIndex"),
    "FulfillmentOrderHoldPayload": _fields("fulfillmentHold", "fulfillmentOrder",
                                           "remainingFulfillmentOrder", "userErrors"),
    "FulfillmentOrderHoldUserError": CODED_ERROR,
    "FulfillmentOrderReleaseHoldPayload": _fields("fulfillmentOrder", "userErrors"),
    "FulfillmentOrderReleaseHoldUserError": CODED_ERROR,
    "ProductVariantsBulkUpdatePayload": _fields("product", "productVariants", "userErrors"),
    "ProductVariantsBulkUpdateUserError": CODED_ERROR,
    "BulkOperationRunQueryPayload": _fields("bulkOperation", "userErrors"),
    "BulkOperationUserError": CODED_ERROR,
    "StagedUploadsCreatePayload": _fields("stagedTargets", "userErrors"),
    "StagedMediaUploadTarget": _fields("url", "resourceUrl", "parameters"),
    "StagedUploadParameter": _fields("name", "value"),
    "BulkOperationRunMutationPayload": _fields("bulkOperation", "userErrors"),
    "BulkMutationUserError": CODED_ERROR,
}

for _name in list(SUPPORTED):
    if _name not in ("QueryRoot", "Mutation", "PageInfo") and not _name.endswith(("Payload", "Error")):
        SUPPORTED[f"{_name}Connection"] = CONNECTION
        SUPPORTED[f"{_name}Edge"] = EDGE


def unsupported(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode,
                variables: dict, bulk: bool = False) -> list[GraphQLError]:
    """Every field, argument and connection-size problem in the operation, as GraphQL errors."""
    root = schema.mutation_type if operation.operation.value == "mutation" else schema.query_type
    walker = _Walker(schema, document, variables, bulk)
    walker.walk(root.name, operation.selection_set)
    return walker.errors


class _Walker:
    def __init__(self, schema, document, variables, bulk):
        self.schema = schema
        self.variables = variables
        self.bulk = bulk
        self.errors: list[GraphQLError] = []
        self.fragments = {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}

    def walk(self, type_name: str, selection_set: SelectionSetNode | None) -> None:
        if selection_set is None:
            return
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                self.field(type_name, selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition.name.value if selection.type_condition else type_name
                self.walk(condition, selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    self.walk(fragment.type_condition.name.value, fragment.selection_set)

    def field(self, type_name: str, node: FieldNode) -> None:
        name = node.name.value
        if name == "__typename":
            return
        allowed = SUPPORTED.get(type_name, {})
        if name not in allowed:
            self._error(f"Field '{type_name}.{name}' is not supported by the store simulator.", node)
            return
        for argument in node.arguments:
            if argument.name.value not in allowed[name]:
                self._error(f"Argument '{argument.name.value}' on field '{type_name}.{name}' is not supported by the store simulator.", argument)
        field_def = self.schema.get_type(type_name).fields[name]
        child = get_named_type(field_def.type).name
        if child.endswith("Connection") and not self.bulk:
            self._check_page(type_name, node)
        self.walk(child, node.selection_set)

    def _check_page(self, type_name: str, node: FieldNode) -> None:
        given = {a.name.value for a in node.arguments if self._present(a.value)}
        if not given & {"first", "last"}:
            self._error(f"you must provide one of first or last ('{type_name}.{node.name.value}')", node)

    def _present(self, value) -> bool:
        if value.kind == "variable":
            return self.variables.get(value.name.value) is not None
        return value.kind != "null_value"

    def _error(self, message: str, node) -> None:
        self.errors.append(GraphQLError(message, nodes=[node], extensions={"code": "UNSUPPORTED_BY_SIMULATOR"}))
