"""Malformed input is refused with 400 or 422, never 500, and changes nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.storage.tables import RestockRow, WebhookReceipt
from tests.conftest import SHOP, webhook_headers
from tests.integration.helpers import install
from tests.integration.test_install import session_token

DEEP = "[" * 50_000 + "]" * 50_000
DEEP_OBJECT = '{"a":' * 50_000 + "1" + "}" * 50_000


@pytest.fixture
def api(client, services, platform):
    install(services)
    platform.add_variant("gid://shopify/ProductVariant/1", available=0, sku="TEE")
    services.onboarding.setup(SHOP)
    return client


def call(client, method: str, path: str, **kwargs):
    headers = {"Authorization": f"Bearer {session_token(SHOP)}", **kwargs.pop("headers", {})}
    return client.open(path, method=method, headers=headers, **kwargs)


def count(services, table) -> int:
    with services.db.transaction() as s:
        return s.scalar(select(func.count()).select_from(table))


@pytest.mark.parametrize("method,path", [("PUT", "/api/settings"), ("POST", "/api/restocks"),
                                         ("PUT", "/api/products/1/substitutes")])
@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["lists", "objects"])
def test_json_nested_50k_deep_is_400(api, method, path, body):
    response = call(api, method, path, data=body, content_type="application/json")
    assert response.status_code == 400 and response.json["field"] == "body"


@pytest.mark.parametrize("body", [
    '{"sku": "TEE", "quantity": 1, "expected_date": "2026-11-24", "reference": "\\ud800"}',
    b'{"sku": "TEE", "quantity": 1, "expected_date": "2026-11-24", "reference": "\xff"}',
    '{"sku": "TEE", "quantity": 1, "expected_date": "2026-11-24"}'.encode("utf-16"),
], ids=["lone-surrogate", "not-utf8", "utf16"])
def test_json_text_that_cannot_be_stored_is_400(api, services, body):
    response = call(api, "POST", "/api/restocks", data=body, content_type="application/json")
    assert response.status_code == 400 and response.json["field"] == "body"
    assert count(services, RestockRow) == 0


@pytest.mark.parametrize("body", [
    json.dumps({"id": 1, "current": ["read_orders"]}).encode("utf-16"),
    json.dumps({"id": 1, "current": ["read_orders"]}).encode("utf-16-le"),
    DEEP.encode(), DEEP_OBJECT.encode(),
    b'{"id": 1, "name": "\xff"}',
], ids=["utf16", "utf16-le", "deep-lists", "deep-objects", "not-utf8"])
def test_signed_webhooks_that_are_not_utf8_json_are_400(api, services, body):
    response = api.post("/webhooks", data=body, headers=webhook_headers("app/scopes_update", body))
    assert response.status_code == 400
    assert count(services, WebhookReceipt) == 0


@pytest.mark.parametrize("query", ["min_age_days=99999999999999999999999",
                                   "min_age_days=-99999999999999999999",
                                   "limit=99999999999999999999999", "limit=" + "9" * 5000],
                         ids=["age", "negative", "limit", "5000-digits"])
def test_huge_numbers_in_the_query_are_400_naming_the_parameter(api, query):
    response = call(api, "GET", f"/api/queue?{query}")
    assert response.status_code == 400 and response.json["field"] == query.split("=")[0]


LONG = "x" * 131_073


@pytest.mark.parametrize("text,line", [
    (f"sku,quantity,expected_date,reference\nTEE,1,2026-11-24,\nTEE,1,2026-11-24,{LONG}\n", 3),
    (f'sku,quantity,expected_date,reference\nTEE,1,2026-11-24,"{LONG}"\n', 2),
    (f"sku,quantity,expected_date,{LONG}\nTEE,1,2026-11-24,\n", 1),
], ids=["row", "quoted", "header"])
def test_a_csv_field_over_the_reader_limit_is_422_naming_its_line(api, services, text, line):
    response = call(api, "POST", "/api/restocks/import", data=text, content_type="text/csv")
    assert response.status_code == 422 and response.json["field"] == "file"
    assert response.json["errors"][0]["line"] == line
    assert count(services, RestockRow) == 0
