"""The merchant's order actions through the admin API, against the in-memory platform: release
the app's holds (and hold again), send the customer an update, each idempotent, recorded with
who and when, and a 400 naming the field for a bad body."""

from __future__ import annotations

import pytest

from app.storage.tables import Shop
from tests.conftest import SHOP
from tests.integration.helpers import post_webhook
from tests.integration.test_backorder_flow import order_payload
from tests.integration.test_install import session_token

ORDER = "gid://shopify/Order/1"
LINE = "gid://shopify/LineItem/11"


def call(client, path: str, body=None):
    return client.post(path, json=body, headers={
        "Authorization": f"Bearer {session_token(SHOP, sub='77')}"})


def view(client) -> dict:
    response = client.get(f"/api/orders/{ORDER}",
                          headers={"Authorization": f"Bearer {session_token(SHOP)}"})
    assert response.status_code == 200
    return response.json


@pytest.fixture
def held(flow, platform):
    """Order #1 owes one unit of three, and the app holds it."""
    client, services = flow
    platform.route(ORDER, {LINE: 3})
    post_webhook(client, "orders/create", order_payload(1, [(11, 1, 3)]))
    services.queue.drain()
    assert platform.held(ORDER) == {LINE: 1}
    return client, services


def test_release_lifts_the_hold_until_the_merchant_holds_again(held, platform):
    client, services = held
    response = call(client, "/api/queue/release", {"line_ids": [LINE]})
    assert response.status_code == 200
    assert response.json["changed"] == [ORDER]
    services.queue.drain()
    assert platform.held(ORDER) == {}
    post_webhook(client, "orders/updated", order_payload(1, [(11, 1, 3)], updated_minute=5))
    services.queue.drain()
    assert platform.held(ORDER) == {}  # planned again: still not held
    shown = view(client)
    assert shown["holds"] == [] and shown["holds_released_at"]
    assert shown["owed_units"] == 1  # still owed in the queue
    assert [(a["action"], a["actor"]) for a in shown["actions"]] == [("release", "staff 77")]

    again = call(client, f"/api/orders/{ORDER}/hold")
    assert again.status_code == 200 and again.json["changed"] == [ORDER]
    services.queue.drain()
    assert platform.held(ORDER) == {LINE: 1}
    assert [a["action"] for a in view(client)["actions"]] == ["hold", "release"]


def test_release_twice_is_one_release(held):
    client, _ = held
    call(client, "/api/queue/release", {"line_ids": [LINE]})
    second = call(client, "/api/queue/release", {"line_ids": [LINE]})
    assert second.status_code == 200 and second.json["changed"] == []
    assert [a["action"] for a in view(client)["actions"]] == ["release"]


def test_notify_sends_the_date_once_per_ask(held, platform):
    client, services = held
    assert [kind for _, kind, _ in platform.notices] == ["created"]
    response = call(client, "/api/queue/notify", {"line_ids": [LINE]})
    assert response.status_code == 200 and response.json["changed"] == [ORDER]
    call(client, "/api/queue/notify", {"line_ids": [LINE]})  # before it went: nothing more
    services.queue.drain()
    services.sync.run(SHOP)
    assert [(kind, key) for _, kind, key in platform.notices] == [
        ("created", "created:1"), ("eta_changed", "update:1")]
    sent = platform.notices[-1]
    assert sent[0] == ORDER
    shown = view(client)
    assert shown["updates_asked"] == 1
    assert [(a["action"], a.get("update")) for a in shown["actions"]] == [("notify", 1)]
    call(client, "/api/queue/notify", {"line_ids": [LINE]})  # after it went: another one
    services.queue.drain()
    assert [key for _, _, key in platform.notices][-1] == "update:2"


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/queue/release", {"line_ids": []}, "line_ids"),
    ("/api/queue/release", {"line_ids": "x"}, "line_ids"),
    ("/api/queue/release", {"lines": [LINE]}, "lines"),
    ("/api/queue/notify", [LINE], "body"),
    ("/api/queue/notify", {"line_ids": [7]}, "line_ids"),
    ("/api/queue/release", {"line_ids": ["gid://shopify/LineItem/1\x001"]}, "line_ids"),
])
def test_a_bad_body_is_400_naming_the_field(held, path, body, field):
    client, _ = held
    response = call(client, path, body)
    assert response.status_code == 400
    assert response.json["field"] == field


def test_an_unknown_line_changes_nothing(held, platform):
    client, services = held
    response = call(client, "/api/queue/release", {"line_ids": [LINE, "gid://shopify/LineItem/9"]})
    assert response.status_code == 404 and response.json["field"] == "line_ids"
    services.queue.drain()
    assert platform.held(ORDER) == {LINE: 1}
    assert view(client)["actions"] == []


def test_notify_is_refused_naming_the_setting_when_the_eta_notice_is_off(held, platform):
    client, services = held
    with services.db.transaction() as s:
        row = s.get(Shop, SHOP)
        row.policy = {**(row.policy or {}), "notices": {"enabled": {"eta_changed": False}}}
    response = call(client, "/api/queue/notify", {"line_ids": [LINE]})
    assert response.status_code == 409
    assert response.json["field"] == "notices.enabled.eta_changed"
    assert view(client)["actions"] == []


def test_the_order_view_shows_what_the_customer_did_beside_the_merchants_actions(held,
                                                                               platform):
    client, services = held
    with services.db.transaction() as s:
        row = s.get(Shop, SHOP)
        row.policy = {**(row.policy or {}), "customers_may_cancel": True}
    done = services.customer_actions.cancel_owed(SHOP, "901", ORDER, LINE, 1, "form-1")
    assert done.status == "done" and platform.taken_off == [(ORDER, LINE, 1)]
    assert call(client, "/api/queue/release", {"line_ids": [LINE]}).status_code == 200

    release, cancelled = view(client)["actions"]
    assert release["action"] == "release"
    assert (cancelled["action"], cancelled["actor"], cancelled["units"], cancelled["status"]) == (
        "cancel_owed", "customer", 1, "done")
