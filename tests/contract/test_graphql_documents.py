"""Every Admin API document the app sends is a `.graphql` file that validates against the real
Admin schema (2026-10), one operation per file, named after the file. Keeping documents out of
Python source means this test sees every query the app can send."""

from __future__ import annotations

import ast
import gzip
import json
import re
from functools import cache
from pathlib import Path

import pytest
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    build_client_schema,
    parse,
    validate,
)
from graphql.language import Visitor, visit

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = ROOT / "app" / "platforms" / "shopify" / "graphql"
SCHEMA = ROOT / "devstore" / "data" / "admin-2026-10.schema.json.gz"
SOURCE_DIRS = [ROOT / "app", ROOT / "webhooks"]
OPERATION_IN_TEXT = re.compile(r"\b(query|mutation|subscription)\s+[A-Za-z_]\w*\s*[({]")

DOCUMENT_FILES = sorted(DOCUMENTS.glob("*.graphql"))


@cache
def admin_schema() -> GraphQLSchema:
    with gzip.open(SCHEMA, "rt", encoding="utf-8") as handle:
        return build_client_schema(json.load(handle)["data"])


def snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def test_documents_exist():
    names = {path.stem for path in DOCUMENT_FILES}
    expected = {
        "shop_info", "order_for_backorders", "inventory_item_levels", "tags_add", "tags_remove",
        "metafields_set", "metafield_definition_create", "fulfillment_order_hold",
        "fulfillment_order_release_hold", "variant_inventory_policy", "catalog_bulk_run",
        "catalog_export", "bulk_operation_status",
    }
    assert expected <= names


@pytest.mark.parametrize("path", DOCUMENT_FILES, ids=lambda p: p.name)
def test_document_validates_against_admin_schema(path: Path):
    document = parse(path.read_text(encoding="utf-8"))
    errors = validate(admin_schema(), document)
    assert not errors, [error.formatted for error in errors]


@pytest.mark.parametrize("path", DOCUMENT_FILES, ids=lambda p: p.name)
def test_one_named_operation_matching_file_name(path: Path):
    document = parse(path.read_text(encoding="utf-8"))
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    assert len(operations) == 1, f"{path.name}: {len(operations)} operations"
    assert operations[0].name is not None, f"{path.name}: anonymous operation"
    assert snake_case(operations[0].name.value) == path.stem


@pytest.mark.parametrize("path", DOCUMENT_FILES, ids=lambda p: p.name)
def test_mutations_ask_for_user_errors(path: Path):
    document = parse(path.read_text(encoding="utf-8"))
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    if operation.operation.value != "mutation":
        return
    for root in operation.selection_set.selections:
        fields = {s.name.value for s in root.selection_set.selections}
        assert "userErrors" in fields, f"{path.name}: {root.name.value} lacks userErrors"


def test_schema_rejects_an_unknown_field():
    errors = validate(admin_schema(), parse("query Q { shop { id notAField } }"))
    assert errors and "notAField" in errors[0].message


def _looks_like_graphql(text: str) -> bool:
    """A string constant is a document if it parses and is more than a lone `{name}` template."""
    if "{" not in text:
        return False
    try:
        document = parse(text)
    except GraphQLError:
        return False
    if any(isinstance(d, FragmentDefinitionNode) for d in document.definitions):
        return True
    if any(isinstance(d, OperationDefinitionNode) and d.name for d in document.definitions):
        return True
    counter = _FieldCounter()
    visit(document, counter)
    return counter.fields > 1


class _FieldCounter(Visitor):
    def __init__(self):
        super().__init__()
        self.fields = 0

    def enter_field(self, node: FieldNode, *_args):
        self.fields += 1


def python_sources() -> list[Path]:
    return sorted(p for d in SOURCE_DIRS if d.exists() for p in d.rglob("*.py"))


def graphql_in_python(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    found = [m.group(0) for m in OPERATION_IN_TEXT.finditer(source)]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if _looks_like_graphql(node.value):
                found.append(node.value.strip()[:60])
    return found


def test_no_graphql_documents_in_python_sources():
    offenders = {
        str(path.relative_to(ROOT)): hits
        for path in python_sources()
        if (hits := graphql_in_python(path))
    }
    assert not offenders, offenders


@pytest.mark.parametrize(
    "text, expected",
    [
        ("query Shop { shop { id } }", True),
        ("{ shop { id } }", True),
        ("gid://shopify/Order/{id}", False),
        ("{shop}", False),
        ('{"a": 1}', False),
        ("we query the shop", False),
    ],
)
def test_detector(text: str, expected: bool):
    assert _looks_like_graphql(text) is expected


def test_a_state_read_requests_little_more_than_the_common_order_needs():
    """The bucket must hold a query's requested cost before it runs; a state read asks for
    pages of the common order's size (larger ones are paged), so seven orders request under
    half the 1,000 points of one query."""
    from devstore.cost import CostCalculator

    document = parse((DOCUMENTS / "orders_sync_state.graphql").read_text())
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    requested = CostCalculator(admin_schema(), document, {"ids": ["o"] * 7}).requested(operation)
    assert requested <= 450
