"""flowTriggerReceive: payloads checked against the app's trigger extensions, as deployed from
`extensions/`, and refused with the userErrors Shopify returns."""

from __future__ import annotations

from pathlib import Path

import pytest

from devstore import flow
from devstore.tests.helpers import SHOP, document, gql

EXTENSIONS = Path(__file__).resolve().parents[2] / "extensions"
READY = {"order_id": 1001, "Units filled": 2, "Store note": ""}


@pytest.fixture
def registered(store):
    return store.register_flow_triggers(EXTENSIONS)


def fire(client, token, handle, payload) -> list[dict]:
    body = gql(client, token, document("flow_trigger_receive"),
               {"handle": handle, "payload": payload})
    assert "errors" not in body, body
    return body["data"]["flowTriggerReceive"]["userErrors"]


def test_the_apps_extensions_are_registered(registered):
    assert sorted(registered) == ["backorder-cancelled", "backorder-created",
                                  "backorder-delivered", "backorder-eta-changed",
                                  "backorder-ready", "backorder-waiting-long"]


def test_a_valid_payload_is_taken_and_recorded(client, token, store, registered):
    assert fire(client, token, "backorder-ready", READY) == []
    (item,) = store.flow_triggers_received(SHOP)
    assert (item["handle"], item["payload"]) == ("backorder-ready", READY)


def test_an_unknown_handle_is_refused(client, token, store, registered):
    assert fire(client, token, "backorder-gone", READY) == [
        {"field": ["body"], "message": "Errors validating schema:\n  Invalid handle 'backorder-gone'.\n"}]
    assert store.flow_triggers_received(SHOP) == []


def test_a_payload_over_50000_bytes_is_refused(client, token, store, registered):
    errors = fire(client, token, "backorder-ready", {**READY, "pad": "x" * 50_000})
    assert errors == [{"field": ["body"], "message": "Errors validating schema:\n  Properties "
                       "size exceeds the limit of 50000 bytes.\n"}]


def test_fields_are_checked_against_the_extension(client, token, store, registered):
    errors = fire(client, token, "backorder-ready", {"order_id": "1001", "Extra": 1})
    assert errors == [{"field": ["body"], "message": (
        "Errors validating schema:\n"
        "  Type error for field 'order_id': 1001 is not an ID.\n"
        "  Required field missing: 'Units filled'.\n"
        "  Required field missing: 'Store note'.\n"
        "  Invalid field: 'Extra'.\n")}]
    errors = fire(client, token, "backorder-ready", {"order_id": 1001, "Units filled": "two",
                                                        "Store note": ""})
    assert "Type error for field 'Units filled': two is not a Number." in errors[0]["message"]
    assert store.flow_triggers_received(SHOP) == []


def test_handle_and_body_together_or_neither(client, token, registered):
    body = gql(client, token, """mutation { flowTriggerReceive(handle: "backorder-ready",
        body: "{}") { userErrors { field message } } }""")
    assert body["data"]["flowTriggerReceive"]["userErrors"] == [{
        "field": ["body"],
        "message": "Cannot use `handle` and `payload` arguments with `body` argument"}]
    body = gql(client, token, "mutation { flowTriggerReceive { userErrors { field message } } }")
    assert body["data"]["flowTriggerReceive"]["userErrors"] == [{
        "field": ["handle"], "message": "`handle` and `payload` arguments are required"}]


@pytest.mark.parametrize("field, problem", [
    ({"type": "number_integer", "key": "Count"}, "not supported on Flow Triggers"),
    ({"type": "date", "key": "When"}, "not supported on Flow Triggers"),
    ({"type": "single_line_text_field", "key": "ship_date"}, "letters and spaces"),
    ({"type": "marketing_activity_reference"}, "not supported for Flow Triggers"),
])
def test_an_extension_the_cli_would_not_deploy_is_refused(field, problem):
    with pytest.raises(flow.ExtensionError, match=problem):
        flow.parse_extension({"type": "flow_trigger", "handle": "x"}, {"fields": [field]})
    with pytest.raises(flow.ExtensionError, match="handle"):
        flow.parse_extension({"type": "flow_trigger", "handle": "a" * 31}, {})
