"""Loading `.graphql` files and composing several operations into one schema-valid request."""

from __future__ import annotations

import pytest
from graphql import FieldNode, OperationDefinitionNode, parse, print_ast, validate

from app.platforms.shopify.documents import (
    compose,
    load_documents,
    parse_document,
    root_aliases,
    split_result,
)
from app.platforms.shopify.errors import DocumentError, UserError

from .conftest import DOCUMENTS, SHOP, URL, ok

ORDER = "gid://shopify/Order/1001"
HOLD = {
    "reason": "INVENTORY_OUT_OF_STOCK",
    "reasonNotes": "Backorder, ETA 2025-03-01",
    "handle": "backorder",
    "notifyMerchant": False,
    "fulfillmentOrderLineItems": [
        {"id": "gid://shopify/FulfillmentOrderLineItem/3", "quantity": 2}
    ],
}
METAFIELDS = [
    {
        "ownerId": ORDER,
        "namespace": "backorders",
        "key": "status",
        "type": "single_line_text_field",
        "value": "waiting",
    }
]


@pytest.fixture(scope="module")
def documents():
    return load_documents(DOCUMENTS)


@pytest.fixture
def order_parts(documents):
    return [
        ("tags_1", documents["tags_add"], {"id": ORDER, "tags": ["backorder"]}),
        ("tags_2", documents["tags_add"], {"id": ORDER, "tags": ["backorder-eta-2025-03"]}),
        ("meta_1", documents["metafields_set"], {"metafields": METAFIELDS}),
        (
            "hold_1",
            documents["fulfillment_order_hold"],
            {"id": "gid://shopify/FulfillmentOrder/7", "hold": HOLD},
        ),
    ]


def root_fields(text: str) -> list[tuple[str, str]]:
    operation = next(d for d in parse(text).definitions if isinstance(d, OperationDefinitionNode))
    fields = [s for s in operation.selection_set.selections if isinstance(s, FieldNode)]
    return [(f.alias.value if f.alias else "", f.name.value) for f in fields]


def test_load_documents_names_each_by_its_file_stem(documents, schema):
    assert sorted(documents) == [
        "fulfillment_order_hold",
        "metafields_set",
        "order_tags",
        "tags_add",
    ]
    tags_add = documents["tags_add"]
    assert (tags_add.name, tags_add.operation_type, tags_add.operation_name) == (
        "tags_add",
        "mutation",
        "TagsAdd",
    )
    assert tags_add.text == (DOCUMENTS / "tags_add.graphql").read_text()
    assert documents["order_tags"].operation_type == "query"
    for document in documents.values():
        assert validate(schema, document.ast) == []


def test_load_documents_rejects_a_file_with_two_operations(tmp_path):
    (tmp_path / "fine.graphql").write_text("query Fine { shop { id } }")
    (tmp_path / "double.graphql").write_text("query A { shop { id } }\nquery B { shop { name } }")

    with pytest.raises(DocumentError, match=r"double\.graphql.*found 2"):
        load_documents(tmp_path)


def test_load_documents_rejects_a_file_without_operation(tmp_path):
    (tmp_path / "only_fragment.graphql").write_text("fragment F on Shop { id }")

    with pytest.raises(DocumentError, match=r"only_fragment\.graphql.*found 0"):
        load_documents(tmp_path)


def test_load_documents_rejects_a_file_that_does_not_parse(tmp_path):
    (tmp_path / "broken.graphql").write_text("mutation Broken { tagsAdd(")

    with pytest.raises(DocumentError, match=r"broken\.graphql.*cannot parse"):
        load_documents(tmp_path)


def test_compose_makes_one_valid_mutation_per_order(order_parts, schema):
    text, variables = compose(order_parts, operation_name="SyncOrder")

    tree = parse(text)
    assert validate(schema, tree) == []
    assert len(tree.definitions) == 1
    assert tree.definitions[0].name.value == "SyncOrder"
    assert root_fields(text) == [
        ("tags_1_0", "tagsAdd"),
        ("tags_2_0", "tagsAdd"),
        ("meta_1_0", "metafieldsSet"),
        ("hold_1_0", "fulfillmentOrderHold"),
    ]
    assert variables == {
        "tags_1_id": ORDER,
        "tags_1_tags": ["backorder"],
        "tags_2_id": ORDER,
        "tags_2_tags": ["backorder-eta-2025-03"],
        "meta_1_metafields": METAFIELDS,
        "hold_1_id": "gid://shopify/FulfillmentOrder/7",
        "hold_1_hold": HOLD,
    }
    assert "hold_1_0: fulfillmentOrderHold(id: $hold_1_id, fulfillmentHold: $hold_1_hold)" in text
    assert "$hold_1_hold: FulfillmentOrderHoldInput!" in text


def test_compose_leaves_the_loaded_documents_untouched(order_parts, documents):
    before = {name: document.text for name, document in documents.items()}

    compose(order_parts)

    assert {name: document.text for name, document in documents.items()} == before
    assert root_fields(print_ast(documents["tags_add"].ast)) == [("", "tagsAdd")]
    assert "$id: ID!" in print_ast(documents["tags_add"].ast)


def test_split_result_gives_each_part_its_own_payload(order_parts):
    data = {
        "tags_1_0": {"node": {"id": ORDER}, "userErrors": []},
        "tags_2_0": {"node": {"id": ORDER}, "userErrors": []},
        "meta_1_0": {"metafields": [{"key": "status"}], "userErrors": []},
        "hold_1_0": {
            "fulfillmentHold": {"id": "gid://shopify/FulfillmentHold/1"},
            "userErrors": [],
        },
    }

    payloads = split_result(data, order_parts)

    assert payloads == {
        "tags_1": {"tagsAdd": data["tags_1_0"]},
        "tags_2": {"tagsAdd": data["tags_2_0"]},
        "meta_1": {"metafieldsSet": data["meta_1_0"]},
        "hold_1": {"fulfillmentOrderHold": data["hold_1_0"]},
    }
    assert split_result(None, order_parts)["hold_1"] == {"fulfillmentOrderHold": None}


def test_composed_request_round_trip_through_the_client(order_parts, client, credentials, http):
    text, variables = compose(order_parts)
    refused = {"field": ["tags"], "message": "Tag is too long"}
    http.post(
        URL,
        json=ok(
            {
                "tags_1_0": {"node": {"id": ORDER}, "userErrors": []},
                "tags_2_0": {"node": None, "userErrors": [refused]},
                "meta_1_0": {"metafields": [], "userErrors": []},
                "hold_1_0": {"fulfillmentHold": {"id": "h"}, "userErrors": []},
            }
        ),
    )

    result = client.execute(SHOP, credentials, text, variables)

    assert result.user_errors() == [UserError("tags_2_0", ("tags",), "Tag is too long", None)]
    assert root_aliases(order_parts)["tags_2_0"] == ("tags_2", "tagsAdd")
    assert split_result(result.data, order_parts)["hold_1"] == {
        "fulfillmentOrderHold": {"fulfillmentHold": {"id": "h"}, "userErrors": []}
    }


def test_compose_keeps_original_aliases_for_split(schema):
    document = parse_document(
        "two_orders",
        "query Two($a: ID!, $b: ID!) { first: order(id: $a) { id } second: order(id: $b) { id } }",
    )
    parts = [("p", document, {"a": "gid://shopify/Order/1", "b": "gid://shopify/Order/2"})]

    text, variables = compose(parts)

    assert validate(schema, parse(text)) == []
    assert root_fields(text) == [("p_0", "order"), ("p_1", "order")]
    assert variables == {"p_a": "gid://shopify/Order/1", "p_b": "gid://shopify/Order/2"}
    assert split_result({"p_0": {"id": 1}, "p_1": {"id": 2}}, parts) == {
        "p": {"first": {"id": 1}, "second": {"id": 2}}
    }


def test_compose_shares_fragments_once(documents, schema):
    order_tags = documents["order_tags"]
    parts = [("o1", order_tags, {"id": "gid://shopify/Order/1"}), ("o2", order_tags, {"id": ORDER})]

    text, _variables = compose(parts)

    assert validate(schema, parse(text)) == []
    assert text.count("fragment OrderTagFields on Order") == 1


def test_compose_refuses_clashing_fragments():
    one = parse_document("one", "query One { shop { ...F } }\nfragment F on Shop { id }")
    two = parse_document("two", "query Two { shop { ...F } }\nfragment F on Shop { name }")

    with pytest.raises(DocumentError, match="fragment F"):
        compose([("a", one, {}), ("b", two, {})])


def test_compose_refuses_fragments_that_use_variables():
    document = parse_document(
        "with_var",
        "query V($id: ID!) { shop { ...F } }\nfragment F on Shop { id metafield(key: $id) { id } }",
    )

    with pytest.raises(DocumentError, match="uses variables"):
        compose([("a", document, {"id": "x"})])


def test_compose_refuses_mixed_operation_types(documents):
    with pytest.raises(DocumentError, match="different operation types"):
        compose(
            [
                ("t", documents["tags_add"], {"id": ORDER, "tags": ["x"]}),
                ("o", documents["order_tags"], {"id": ORDER}),
            ]
        )


@pytest.mark.parametrize("prefixes", [("a", "a"), ("ok", "not-a-name"), ("ok", "__x")])
def test_compose_refuses_bad_or_repeated_prefixes(documents, prefixes):
    parts = [(prefix, documents["order_tags"], {"id": ORDER}) for prefix in prefixes]

    with pytest.raises(DocumentError):
        compose(parts)


def test_compose_refuses_variables_the_operation_does_not_declare(documents):
    with pytest.raises(DocumentError, match="not declared"):
        compose([("o", documents["order_tags"], {"id": ORDER, "extra": 1})])


def test_compose_refuses_nothing():
    with pytest.raises(DocumentError):
        compose([])
