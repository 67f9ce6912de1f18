"""Admin GraphQL: real-schema validation, explicit errors for what is not implemented, auth, and
every document the app ships executing against a seeded store."""

from __future__ import annotations

import json
from decimal import Decimal

from .helpers import DOCUMENTS, SHOP, document, gql, variant


def test_unknown_field_is_rejected_by_the_real_schema(client, token):
    body = gql(client, token, "query { shop { id notAField } }")
    assert body["errors"][0]["extensions"]["code"] == "undefinedField"
    assert "notAField" in body["errors"][0]["message"]
    assert body["errors"][0]["locations"] == [{"line": 1, "column": 19}]
    assert "data" not in body


def test_field_in_schema_but_not_simulated_is_an_explicit_error(client, token):
    body = gql(client, token, "query { shop { id contactEmail } }")
    assert body["errors"][0]["message"] == "Field 'Shop.contactEmail' is not supported by the store simulator."
    assert "data" not in body


def test_unsupported_argument_is_named(client, token):
    body = gql(client, token, 'query { products(first: 5, query: "tag:x") { nodes { id } } }')
    assert "Argument 'query' on field 'QueryRoot.products'" in body["errors"][0]["message"]


def test_unsupported_input_field_is_named(client, token, store):
    product = next(iter(store.shop(SHOP).products.values()))
    body = gql(client, token, document("variant_inventory_policy"), {
        "productId": f"gid://shopify/Product/{product.id}",
        "variants": [{"id": f"gid://shopify/ProductVariant/{product.variant_ids[0]}", "price": "9.99"}]})
    assert body["errors"][0]["message"] == "Input field 'ProductVariantsBulkInput.price' is not supported by the store simulator."


def test_connections_need_first_or_last(client, token):
    body = gql(client, token, "query { locations { nodes { id } } }")
    assert "you must provide one of first or last" in body["errors"][0]["message"]


def test_bad_token_is_401_with_shopify_body(client):
    response = client.post(f"/{SHOP}/admin/api/2026-10/graphql.json", json={"query": "{ shop { id } }"},
                           headers={"X-Shopify-Access-Token": "nope"})
    assert response.status_code == 401
    assert response.get_json() == {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}


def test_syntax_error(client, token):
    body = gql(client, token, "query { shop { id }")
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


def test_aliases_batch_several_mutations(client, token, store):
    order = store.place_order(SHOP, [(variant(store), 1)])
    body = gql(client, token, """
        mutation Batch($id: ID!) {
          a: tagsAdd(id: $id, tags: ["backorder"]) { userErrors { field message } }
          b: tagsAdd(id: $id, tags: ["vip, backorder"]) { node { id } userErrors { field message } }
        }""", {"id": order["gid"]})
    assert body["data"]["b"]["node"]["id"] == order["gid"]
    assert store.order_state(SHOP, order["id"])["tags"] == ["backorder", "vip"]
    assert body["extensions"]["cost"]["requestedQueryCost"] == 20


def _seeded_variables(store) -> dict[str, dict]:
    """Variables that make each app document do real work against the seeded store. Documents
    the app no longer ships are skipped; one it ships without variables here fails the test below."""
    shop = store.shop(SHOP)
    variant_id = variant(store, 0, "CONTINUE", 1)
    order = store.place_order(SHOP, [(variant_id, 3), (variant(store, 1, "CONTINUE", 5), 1)],
                              customer={"email": "vip@example.com", "tags": ["VIP"]})
    fo = order["fulfillment_orders"][0]
    v = shop.variants[variant_id]
    return {
        "shop_info": {},
        "order_for_backorders": {"id": order["gid"]},
        "inventory_item_levels": {"ids": [f"gid://shopify/InventoryItem/{v.inventory_item_id}"]},
        "tags_add": {"id": order["gid"], "tags": ["backorder"]},
        "tags_remove": {"id": order["gid"], "tags": ["backorder"]},
        "metafield_definition_create": {"definition": {"namespace": "$app:backorders", "key": "status", "name": "Backorder status", "ownerType": "ORDER", "type": "single_line_text_field"}},
        "metafields_set": {"metafields": [
            {"ownerId": order["gid"], "namespace": "$app:backorders", "key": "status", "value": "waiting"},
            {"ownerId": order["gid"], "namespace": "$app:backorders", "key": "eta", "type": "date", "value": "2025-03-14"},
            {"ownerId": order["gid"], "namespace": "$app:backorders", "key": "lines", "type": "json", "value": json.dumps([{"line": 1}])},
            {"ownerId": order["gid"], "namespace": "$app:backorders", "key": "alternatives", "type": "list.variant_reference", "value": json.dumps([f"gid://shopify/ProductVariant/{variant_id}"])},
        ]},
        "fulfillment_order_hold": {"id": fo["gid"], "hold": {
            "reason": "INVENTORY_OUT_OF_STOCK", "handle": "backorders", "reasonNotes": "ETA 2025-03-14",
            "notifyMerchant": False, "externalId": "backorders",
            "fulfillmentOrderLineItems": [{"id": f"gid://shopify/FulfillmentOrderLineItem/{fo['lines'][0]['id']}", "quantity": 2}]}},
        "variant_inventory_policy": {"productId": f"gid://shopify/Product/{v.product_id}",
                                     "variants": [{"id": f"gid://shopify/ProductVariant/{v.id}", "inventoryPolicy": "DENY"}]},
        "catalog_bulk_run": {"query": document("catalog_export")},
        "order_update": {"input": {"id": order["gid"], "tags": ["backorder", "VIP order"], "metafields": [
            {"namespace": "$app:backorders", "key": "status", "type": "single_line_text_field", "value": "ready"}]}},
        "variants_by_id": {"ids": [f"gid://shopify/ProductVariant/{variant_id}"]},
        "orders_sync_state": {"ids": [order["gid"]]},
        "order_fulfillment_orders": {"id": order["gid"]},
        "order_transactions": {"id": order["gid"]},
        "order_suggested_refund": {"id": order["gid"], "refundLineItems": [{
            "lineItemId": f"gid://shopify/LineItem/{order['line_items'][0]['id']}", "quantity": 2,
            "restockType": "CANCEL"}]},
        "fulfillment_order_line_items": {"id": fo["gid"]},
        "fulfillment_order_order": {"id": fo["gid"]},
        "customers_tags": {"ids": [f"gid://shopify/Customer/{order['customer_id']}"]},
    }


def test_every_app_document_executes(client, token, store):
    variables = {name: values for name, values in _seeded_variables(store).items()
                 if (DOCUMENTS / f"{name}.graphql").exists()}
    results = {}
    for name, values in variables.items():
        body = gql(client, token, document(name), values)
        assert "errors" not in body, (name, body["errors"])
        cost = body["extensions"]["cost"]
        assert cost["actualQueryCost"] <= cost["requestedQueryCost"] <= 1000, name
        results[name] = body["data"]
    order = results["order_for_backorders"]["order"]
    assert order["customer"]["tags"] == ["VIP"]
    levels = results["inventory_item_levels"]["nodes"][0]["inventoryLevels"]["nodes"][0]["quantities"]
    assert {q["name"]: q["quantity"] for q in levels} == {"available": -2, "committed": 3, "on_hand": 1, "incoming": 0}
    assert results["metafields_set"]["metafieldsSet"]["userErrors"] == []
    hold = results["fulfillment_order_hold"]["fulfillmentOrderHold"]
    assert hold["fulfillmentHold"]["handle"] == "backorders" and hold["remainingFulfillmentOrder"]["id"]
    assert results["variant_inventory_policy"]["productVariantsBulkUpdate"]["productVariants"][0]["inventoryPolicy"] == "DENY"
    synced = results["orders_sync_state"]["nodes"][0]
    assert [h["handle"] for fo in synced["fulfillmentOrders"]["nodes"] for h in fo["fulfillmentHolds"]] == ["backorders"]
    assert results["variants_by_id"]["nodes"][0]["inventoryPolicy"] == "DENY"
    (sale,) = results["order_transactions"]["order"]["transactions"]
    assert (sale["kind"], sale["status"]) == ("SALE", "SUCCESS")
    suggested = results["order_suggested_refund"]["order"]["suggestedRefund"]
    (line,) = [li for li in store.shop(SHOP).orders[int(order["id"].rsplit("/", 1)[1])].line_items
               if li.quantity == 3]
    assert Decimal(suggested["amountSet"]["shopMoney"]["amount"]) == 2 * line.price
    (refund,) = suggested["suggestedTransactions"]  # the two units' price, from the sale
    assert (refund["kind"], refund["parentTransaction"]["id"], refund["amountSet"]) == (
        "SUGGESTED_REFUND", sale["id"], suggested["amountSet"])
    if "customers_tags" in results:
        assert results["customers_tags"]["nodes"][0]["tags"] == ["VIP"]
    run = results["catalog_bulk_run"]["bulkOperationRunQuery"]["bulkOperation"]
    status = gql(client, token, document("bulk_operation_status"), {"id": run["id"]})["data"]["node"]
    assert status["status"] == "COMPLETED" and status["url"].endswith(".jsonl")
    release = gql(client, token, document("fulfillment_order_release_hold"),
                  {"id": hold["fulfillmentOrder"]["id"], "holdIds": [hold["fulfillmentHold"]["id"]]})
    assert release["data"]["fulfillmentOrderReleaseHold"]["fulfillmentOrder"]["status"] == "OPEN"


def test_every_shipped_document_is_exercised(store):
    shipped = {p.stem for p in DOCUMENTS.glob("*.graphql")}
    exercised = set(_seeded_variables(store)) | {"catalog_export", "bulk_operation_status",
                                                  "fulfillment_order_release_hold",
                                                  # in test_bulk_mutations
                                                  "staged_uploads_create",
                                                  "bulk_operation_run_mutation",
                                                  # in test_flow_triggers
                                                  "flow_trigger_receive",
                                                  # in test_order_edit_mutations
                                                  "order_edit_begin", "order_edit_set_quantity",
                                                  "order_edit_commit", "order_edit_add_variant",
                                                  # in test_bulk_and_metafields
                                                  "metafields_delete",
                                                  # in test_discounts_and_refunds
                                                  "discount_code_basic_create",
                                                  "discount_code_free_shipping_create",
                                                  "refund_create"}
    assert shipped <= exercised, shipped - exercised
