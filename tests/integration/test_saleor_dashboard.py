"""The admin inside Saleor's Dashboard: its page, and the same JSON API as Shopify's, reached with
the Dashboard's token (RS256, checked against the instance's JWKS) and the instance's API URL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.test_saleor_flow import VARIANT, deliver, order_event
from tests.saleor_edge import API, APP_ID
from tests.saleor_keys import dashboard_token


def staff_token(clock, **changes) -> str:
    now = clock()
    claims = {"iat": int(now.timestamp()), "exp": int((now + timedelta(minutes=5)).timestamp()),
              "owner": "saleor", "iss": API, "type": "thirdparty", "app": APP_ID,
              "user_id": "VXNlcjox", "is_staff": True, "email": "staff@example.com",
              "permissions": ["MANAGE_ORDERS", "MANAGE_PRODUCTS"],
              "user_permissions": ["MANAGE_ORDERS", "MANAGE_PRODUCTS"], **changes}
    return dashboard_token(claims)


def get(client, path: str, token: str, api_url: str = API):
    return client.get(path, headers={"Authorization-Bearer": token, "Saleor-Api-Url": api_url})


def test_the_queue_lists_a_saleor_backorder(client, services, saleor, clock):
    deliver(client, "order_created", order_event(1, 3, 1, "2026-11-20T10:00:00+00:00"))
    services.queue.drain()
    answer = get(client, "/api/queue", staff_token(clock))
    assert answer.status_code == 200, answer.json
    (line,) = answer.json["lines"]
    assert (line["order_name"], line["backordered"], line["sku"]) == ("#1", 2, "MUG-1")
    assert line["eta"]["date"] > "2026-11-20" and line["queue_position"] == 1


@pytest.mark.parametrize("changes, status", [
    ({"app": "QXBwOjI="}, 401),
    ({"iss": "https://other.saleor.test/graphql/"}, 401),
    ({"permissions": ["MANAGE_PRODUCTS"]}, 403),
])
def test_tokens_for_another_app_instance_or_staff_without_the_permission_are_refused(
        client, saleor, clock, changes, status):
    assert get(client, "/api/queue", staff_token(clock, **changes)).status_code == status


def test_an_expired_token_or_none_is_refused(client, saleor, clock):
    token = staff_token(clock)
    clock.advance(minutes=10)
    assert get(client, "/api/queue", token).status_code == 401
    assert get(client, "/api/queue", "").status_code == 401


def test_a_token_for_an_instance_not_installed_is_refused(client, clock):
    assert get(client, "/api/queue", staff_token(clock)).status_code == 401


def test_the_page_opens_for_an_installed_instance_only(client, saleor):
    page = client.get("/saleor/app", query_string={"saleorApiUrl": API, "id": APP_ID})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-platform="saleor"' in html and "app-bridge.js" not in html
    assert page.headers["Content-Security-Policy"] == "frame-ancestors *;"
    other = client.get("/saleor/app", query_string={"saleorApiUrl": "https://x.test/graphql/"})
    assert other.status_code == 400


def test_a_restock_entered_from_the_dashboard_dates_the_saleor_line(client, services, saleor,
                                                                     clock):
    deliver(client, "order_created", order_event(1, 3, 1, "2026-11-20T10:00:00+00:00"))
    services.queue.drain()
    headers = {"Authorization-Bearer": staff_token(clock), "Saleor-Api-Url": API}
    created = client.post("/api/restocks", headers=headers, json={
        "variant_id": VARIANT, "quantity": 5, "expected_date": "2026-11-27"})
    assert created.status_code == 201, created.json
    services.queue.drain()
    (line,) = get(client, "/api/queue", staff_token(clock)).json["lines"]
    assert line["eta"]["source"] == "restock" and line["eta"]["date"] >= "2026-11-27"


def test_the_order_widget_renders_the_orders_lines_from_the_posted_form(client, services, saleor,
                                                                        clock):
    deliver(client, "order_created", order_event(1, 3, 1, "2026-11-20T10:00:00+00:00"))
    services.queue.drain()
    form = {"saleorApiUrl": API, "accessToken": staff_token(clock), "appId": APP_ID,
            "orderId": "T3JkZXI61"}
    page = client.post("/saleor/widget/order", data=form)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "partially ready" in html and 'class="backordered">2<' in html
    assert page.headers["Content-Security-Policy"] == "frame-ancestors *;"
    other = client.post("/saleor/widget/order", data={**form, "orderId": "T3JkZXI6OTk="})
    assert "Nothing on this order waits" in other.get_data(as_text=True)


@pytest.mark.parametrize("changes, status", [
    ({"accessToken": ""}, 401),
    ({"saleorApiUrl": "https://other.saleor.test/graphql/"}, 401),
    ({"orderId": ""}, 400),
])
def test_the_order_widget_needs_a_valid_token_and_an_order(client, saleor, clock, changes,
                                                           status):
    form = {"saleorApiUrl": API, "accessToken": staff_token(clock), "orderId": "T3JkZXI61",
            **changes}
    assert client.post("/saleor/widget/order", data=form).status_code == status


def test_the_order_api_shows_one_order(client, services, saleor, clock):
    deliver(client, "order_created", order_event(1, 3, 1, "2026-11-20T10:00:00+00:00"))
    services.queue.drain()
    found = get(client, "/api/orders/T3JkZXI61", staff_token(clock)).json
    assert (found["name"], found["status"]) == ("#1", "partially_ready")
    assert [(line["covered"], line["backordered"]) for line in found["lines"]] == [(1, 2)]


def test_the_message_preview_says_a_saleor_store_is_sent_nothing(client, services, saleor, clock):
    deliver(client, "order_created", order_event(1, 3, 1, "2026-11-20T10:00:00+00:00"))
    services.queue.drain()
    answer = get(client, "/api/messages/preview?kind=created", staff_token(clock))
    assert answer.status_code == 200, answer.json
    assert answer.json["message"] is None and answer.json["order"]["name"] == "#1"
    assert answer.json["listening"] is True  # nothing to listen for: every kind taken as told
    sent = get(client, "/api/insights", staff_token(clock)).json["messages_sent"]
    assert sent["total"] == 0  # every notice is taken as told, but nothing went out
