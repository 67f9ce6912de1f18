"""Bulk query JSONL and metafieldsSet typing / compare-and-set."""

from __future__ import annotations

import json

from .helpers import SHOP, document, gql, variant


def test_bulk_export_serves_shopify_jsonl(client, token, store):
    run = gql(client, token, document("catalog_bulk_run"), {"query": document("catalog_export")})
    operation = run["data"]["bulkOperationRunQuery"]["bulkOperation"]
    assert operation["status"] == "CREATED"
    status = gql(client, token, document("bulk_operation_status"), {"id": operation["id"]})["data"]["node"]
    lines = client.get(status["url"].replace("http://localhost", "")).get_data(as_text=True).splitlines()
    rows = [json.loads(line) for line in lines]
    assert int(status["objectCount"]) == len(rows)
    products = [r for r in rows if "__parentId" not in r]
    variants = [r for r in rows if "__parentId" in r]
    shop = store.shop(SHOP)
    assert len(products) == len(shop.products) and len(variants) == len(shop.variants)
    first = products[0]
    assert "variants" not in first and "collections" not in first
    child = next(r for r in variants if r["__parentId"] == first["id"])
    assert child["inventoryItem"]["id"].startswith("gid://shopify/InventoryItem/")


def test_invalid_bulk_query_is_a_user_error(client, token):
    run = gql(client, token, document("catalog_bulk_run"), {"query": "query { products { edges { node { nope } } } }"})
    assert run["data"]["bulkOperationRunQuery"]["userErrors"][0]["code"] == "INVALID"


SET = document("metafields_set")


def _set(client, token, *metafields):
    return gql(client, token, SET, {"metafields": list(metafields)})["data"]["metafieldsSet"]


def test_metafield_types_are_checked_and_writes_are_atomic(client, token, store):
    order = store.place_order(SHOP, [(variant(store), 1)])
    ok = {"ownerId": order["gid"], "namespace": "$app:backorders", "key": "status", "type": "single_line_text_field", "value": "waiting"}
    bad_date = {"ownerId": order["gid"], "namespace": "$app:backorders", "key": "eta", "type": "date", "value": "next week"}
    result = _set(client, token, ok, bad_date)
    assert result["metafields"] is None
    assert result["userErrors"][0]["field"] == ["metafields", "1", "value"] and result["userErrors"][0]["elementIndex"] == 1
    assert store.order_state(SHOP, order["id"])["metafields"] == []
    bad_ref = {**ok, "key": "alts", "type": "list.variant_reference", "value": '["gid://shopify/ProductVariant/1"]'}
    assert _set(client, token, bad_ref)["userErrors"][0]["code"] == "INVALID_VALUE"
    unknown = {**ok, "key": "rating", "type": "rating"}
    assert "not supported" in _set(client, token, unknown)["userErrors"][0]["message"]
    written = _set(client, token, ok)["metafields"][0]
    assert written["namespace"] == "app--1--backorders" and written["value"] == "waiting"


def test_compare_digest(client, token, store):
    order = store.place_order(SHOP, [(variant(store), 1)])
    base = {"ownerId": order["gid"], "key": "status", "type": "json", "value": "{}"}
    first = _set(client, token, {**base, "compareDigest": None})["metafields"][0]
    assert _set(client, token, {**base, "compareDigest": None})["userErrors"][0]["code"] == "STALE_OBJECT"
    assert _set(client, token, {**base, "value": "[]", "compareDigest": first["compareDigest"]})["userErrors"] == []
    assert _set(client, token, {**base, "compareDigest": first["compareDigest"]})["userErrors"][0]["code"] == "STALE_OBJECT"


RUN = """mutation ($query: String!, $group: Boolean!) { bulkOperationRunQuery(query: $query, groupObjects: $group) {
    bulkOperation { id } userErrors { message } } }"""
PRODUCTS = "{ products { edges { node { id variants { edges { node { id } } } } } } }"


def _rows(client, token, group: bool) -> list[dict]:
    run = gql(client, token, RUN, {"query": PRODUCTS, "group": group})["data"]["bulkOperationRunQuery"]
    status = gql(client, token, document("bulk_operation_status"), {"id": run["bulkOperation"]["id"]})["data"]["node"]
    text = client.get(status["url"].replace("http://localhost", "")).get_data(as_text=True)
    return [json.loads(line) for line in text.splitlines()]


def _children_before_parents(rows: list[dict]) -> bool:
    seen: set[str] = set()
    early = False
    for row in rows:
        early |= "__parentId" in row and row["__parentId"] not in seen
        seen.add(row["id"])
    return early


def test_ungrouped_output_puts_children_before_parents(client, token):
    """Fact 18: since 2026-01 `groupObjects` defaults to false and a child may precede its parent."""
    ungrouped = _rows(client, token, group=False)
    assert _children_before_parents(ungrouped)
    grouped = _rows(client, token, group=True)
    assert not _children_before_parents(grouped)
    assert sorted(map(json.dumps, ungrouped)) == sorted(map(json.dumps, grouped))


DEFINE = document("metafield_definition_create")


def _define(client, token, **definition):
    return gql(client, token, DEFINE, {"definition": definition})["data"]["metafieldDefinitionCreate"]


def test_definition_access_is_recorded_and_defaults_like_the_platform(client, token, store):
    granted = _define(client, token, namespace="$app:backorders", key="ships_by", name="Ships by",
                      type="date", ownerType="PRODUCTVARIANT",
                      access={"admin": "MERCHANT_READ", "customerAccount": "READ",
                              "storefront": "PUBLIC_READ"})
    assert granted["userErrors"] == []
    assert granted["createdDefinition"]["access"] == {
        "admin": "MERCHANT_READ", "customerAccount": "READ", "storefront": "PUBLIC_READ"}
    plain = _define(client, token, namespace="$app:backorders", key="status", name="Status",
                    type="single_line_text_field", ownerType="ORDER")
    assert plain["createdDefinition"]["access"] == {
        "admin": "MERCHANT_READ", "customerAccount": "NONE", "storefront": "NONE"}
    theirs = _define(client, token, namespace="custom", key="note", name="Note",
                     type="single_line_text_field", ownerType="ORDER",
                     access={"admin": "MERCHANT_READ"})
    assert theirs["createdDefinition"] is None
    assert theirs["userErrors"][0]["code"] == "ADMIN_ACCESS_INPUT_NOT_ALLOWED"


def test_the_storefront_reads_only_what_a_definition_grants_it(client, token, store):
    from devstore.metafields import storefront_value

    shop = store.shop(SHOP)
    owner = f"gid://shopify/ProductVariant/{next(iter(shop.variants))}"
    field = {"ownerId": owner, "namespace": "$app:backorders", "key": "ships_by", "type": "date",
             "value": "2026-05-04"}
    assert _set(client, token, field)["userErrors"] == []
    assert storefront_value(shop, owner, "app--1--backorders", "ships_by") is None  # private
    _define(client, token, namespace="$app:backorders", key="ships_by", name="Ships by",
            type="date", ownerType="PRODUCTVARIANT", access={"storefront": "PUBLIC_READ"})
    assert storefront_value(shop, owner, "app--1--backorders", "ships_by") == "2026-05-04"


def test_metafields_delete_removes_and_answers_null_for_missing(client, token, store):
    shop = store.shop(SHOP)
    owner = f"gid://shopify/ProductVariant/{next(iter(shop.variants))}"
    _set(client, token, {"ownerId": owner, "namespace": "$app:backorders", "key": "ships_by",
                         "type": "date", "value": "2026-05-04"})
    ids = [{"ownerId": owner, "namespace": "$app:backorders", "key": "ships_by"},
           {"ownerId": owner, "namespace": "$app:backorders", "key": "never_set"}]
    result = gql(client, token, document("metafields_delete"), {"metafields": ids})
    deleted = result["data"]["metafieldsDelete"]
    assert deleted["userErrors"] == []
    assert deleted["deletedMetafields"] == [
        {"ownerId": owner, "namespace": "app--1--backorders", "key": "ships_by"}, None]
    assert (owner, "app--1--backorders", "ships_by") not in shop.metafields
