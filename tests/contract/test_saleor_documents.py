"""Every Saleor document the app sends, and every subscription its manifest asks for, is valid
against the schema of Saleor 3.23 (the stable line shops run)."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

from app.platforms.saleor.api import GRAPHQL, document
from app.platforms.saleor.manifest import PERMISSIONS, WEBHOOKS, manifest

SCHEMA = Path(__file__).parent.parent / "fixtures" / "saleor" / "schema-3.23.graphql.gz"


@cache
def schema():
    return build_schema(gzip.decompress(SCHEMA.read_bytes()).decode())


@pytest.mark.parametrize("path", sorted(GRAPHQL.glob("*.graphql")), ids=lambda p: p.stem)
def test_document_is_valid_against_saleor_3_23(path):
    errors = validate(schema(), parse(document(path.stem)))
    assert not errors, [e.message for e in errors]


def test_every_shared_fragment_is_used():
    used = "".join(document(path.stem) for path in GRAPHQL.glob("*.graphql"))
    for path in (GRAPHQL / "fragments").glob("*.graphql"):
        assert path.read_text().split()[1] in used, path.name


def test_a_broken_document_would_be_caught():
    errors = validate(schema(), parse("query { app { id notAField } }"))
    assert errors


def test_manifest_webhooks_subscribe_valid_queries_for_known_events():
    found = manifest("https://backorders.test", "Backorders")
    events = set(schema().get_type("WebhookEventTypeAsyncEnum").values)
    assert [w["name"] for w in found["webhooks"]] == list(WEBHOOKS)
    for webhook in found["webhooks"]:
        assert not validate(schema(), parse(webhook["query"]))
        assert set(webhook["asyncEvents"]) <= events
        assert webhook["targetUrl"] == "https://backorders.test/saleor/webhooks"
    permissions = set(schema().get_type("PermissionEnum").values)
    assert set(PERMISSIONS) <= permissions and "MANAGE_APPS" not in PERMISSIONS
