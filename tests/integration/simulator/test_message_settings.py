"""The customer's messages as the merchant sets them up and sees them: the settings through the
JSON API (a kind switched off is never fired), the settings page's preview of each message (the
very payload the sync sends, checked as the store checks a trigger), and the insights' count of
messages sent per kind, through the store simulator."""

from __future__ import annotations

import json

import pytest

from devstore.flow import PAYLOAD_LIMIT, check_payload, load_extensions
from tests.integration.simulator.conftest import EXTENSIONS
from tests.integration.simulator.test_flow_triggers import (
    LIFE,
    finish,
    handles,
    play_a_life,
    received,
)

KINDS = ("created", "eta_changed", "ready", "waiting_long", "cancelled", "delivered")
HANDLES = {"created": "backorder-created", "eta_changed": "backorder-eta-changed",
           "ready": "backorder-ready", "waiting_long": "backorder-waiting-long",
           "cancelled": "backorder-cancelled", "delivered": "backorder-delivered"}
DECLARED = {extension.handle: extension for extension in load_extensions(EXTENSIONS)}


@pytest.fixture
def harness(harness):
    """The shop's workflows start with each of the app's triggers."""
    harness.enable_workflows()
    return harness


def call(harness, method: str, path: str, **kwargs):
    token = harness.store.session_token(harness.shop)
    return harness.web.open(path, method=method, headers={"Authorization": f"Bearer {token}"},
                            **kwargs)


def save_notices(harness, notices: dict):
    settings = call(harness, "GET", "/api/settings").json
    settings["policy"]["notices"] = {**settings["policy"]["notices"], **notices}
    return call(harness, "PUT", "/api/settings", json=settings)


def preview(harness, kind: str) -> dict:
    response = call(harness, "GET", "/api/messages/preview", query_string={"kind": kind})
    assert response.status_code == 200, response.json
    return response.json


def sent(harness) -> dict:
    return call(harness, "GET", "/api/insights").json["messages_sent"]


def assert_fits_its_trigger(message: dict, kind: str) -> None:
    """The store's own checks of a trigger: the extension's declared fields and the size."""
    assert message["target"] == HANDLES[kind]
    assert list(check_payload(DECLARED[message["target"]], message["payload"])) == []
    size = len(json.dumps(message["payload"], separators=(",", ":"), ensure_ascii=False).encode())
    assert size <= message["size"] <= message["limit"] == PAYLOAD_LIMIT and message["fits"]


def test_kinds_switched_off_in_the_settings_are_never_fired_nor_counted(harness):
    response = save_notices(harness, {"enabled": {"eta_changed": False, "delivered": False}})
    assert response.status_code == 200
    assert response.json["policy"]["notices"]["enabled"]["eta_changed"] is False
    finish(harness)  # the re-plan the save queued
    play_a_life(harness)
    finish(harness)
    assert handles(harness) == ["backorder-created", "backorder-ready"]
    assert sent(harness) == {"total": 2, "by_kind": {
        "created": 1, "eta_changed": 0, "ready": 1, "waiting_long": 0, "cancelled": 0,
        "delivered": 0}}


def test_the_insights_count_each_message_the_store_took_once(harness):
    play_a_life(harness)
    finish(harness)
    harness.sync()  # a sync run again sends and counts nothing more
    assert handles(harness) == LIFE
    counts = sent(harness)
    assert counts["by_kind"] == {"created": 1, "eta_changed": 1, "ready": 1, "waiting_long": 0,
                                 "cancelled": 0, "delivered": 1}
    assert counts["total"] == len(received(harness)) == 4


def test_a_message_refused_by_the_store_is_not_counted(harness):
    """Counted from what the sync recorded as sent, not from what was wanted."""
    with harness.store.core.lock:
        deployed = dict(harness.store.core.flow_triggers)
        harness.store.core.flow_triggers.clear()  # the extensions not deployed: every one refused
    variant = harness.oversell(1, available=0)
    harness.sell((variant, 1))
    harness.settle()
    assert received(harness) == [] and sent(harness)["total"] == 0
    with harness.store.core.lock:
        harness.store.core.flow_triggers.update(deployed)
    finish(harness)
    assert handles(harness) == ["backorder-created"]
    assert sent(harness)["by_kind"]["created"] == 1


@pytest.mark.parametrize("kind", KINDS)
def test_the_preview_of_a_waiting_order_is_the_payload_its_trigger_would_carry(harness, kind):
    variant = harness.oversell(1, available=0)
    order = harness.sell((variant, 2))
    harness.settle()
    shown = preview(harness, kind)
    assert shown["kind"] == kind and shown["enabled"] is True
    assert shown["order"]["sample"] is False
    assert shown["order"]["id"] == f"gid://shopify/Order/{order}"
    assert shown["message"]["payload"]["order_id"] == order
    assert_fits_its_trigger(shown["message"], kind)


def test_the_preview_of_created_is_exactly_what_the_sync_sent(harness):
    variant = harness.oversell(1, available=0)
    harness.sell((variant, 2))
    harness.settle()
    fired = received(harness)
    assert [item["handle"] for item in fired] == ["backorder-created"]
    assert preview(harness, "created")["message"]["payload"] == fired[0]["payload"]


def test_the_preview_of_a_date_change_moves_by_the_threshold_set(harness):
    assert save_notices(harness, {"eta_change_days": 6}).status_code == 200
    variant = harness.oversell(1, available=0)
    harness.sell((variant, 1))
    harness.settle()
    payload = preview(harness, "eta_changed")["message"]["payload"]
    assert payload["Days moved"] == 6
    assert payload["New ship date"] == received(harness)[0]["payload"]["Expected ship date"]


def test_a_shop_with_nothing_waiting_previews_a_sample_order(harness):
    assert save_notices(harness, {"enabled": {"ready": False}}).status_code == 200
    for kind in KINDS:
        shown = preview(harness, kind)
        assert shown["order"]["sample"] is True
        assert shown["enabled"] is (kind != "ready")
        assert_fits_its_trigger(shown["message"], kind)
    assert preview(harness, "created")["message"]["payload"]["Backordered units"] == 2


def test_the_preview_says_which_triggers_no_enabled_workflow_starts_with(harnesses):
    harness = harnesses()
    assert {kind: preview(harness, kind)["listening"] for kind in KINDS} == \
        {kind: False for kind in KINDS}
    harness.store.set_workflow(harness.shop, HANDLES["ready"])
    assert {kind for kind in KINDS if preview(harness, kind)["listening"]} == {"ready"}


@pytest.mark.parametrize("query,field", [
    ({}, "kind"), ({"kind": "shipped"}, "kind"), ({"kind": "ready", "order": "1"}, "order"),
])
def test_a_bad_preview_query_is_400_naming_the_parameter(harness, query, field):
    response = call(harness, "GET", "/api/messages/preview", query_string=query)
    assert response.status_code == 400 and response.json["field"] == field


def test_the_store_note_of_a_kind_goes_with_its_message_and_its_preview(harness):
    note = "Questions? Reply to this email — we answer within a day."
    assert save_notices(harness, {"notes": {"created": note}}).status_code == 200
    variant = harness.oversell(1, available=0)
    harness.sell((variant, 1))
    harness.settle()
    (fired,) = received(harness)
    assert fired["payload"]["Store note"] == note
    assert preview(harness, "created")["message"]["payload"] == fired["payload"]
    assert preview(harness, "ready")["message"]["payload"]["Store note"] == ""
    assert save_notices(harness, {"notes": {"ready": "Thanks for waiting!"}}).status_code == 200
    assert preview(harness, "ready")["message"]["payload"]["Store note"] == "Thanks for waiting!"
    harness.receive(variant, 1)
    harness.settle()
    assert [item["payload"]["Store note"] for item in received(harness)] == [
        note, "Thanks for waiting!"]
