"""The customer's page in the shop, through the app proxy: only their own backordered lines,
with what is owed, the date and how it moved, and what is in stock instead."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode

from app.platforms.shopify.app_proxy import sign_link
from app.storage.tables import EtaChangeRow, OrderLine
from tests.conftest import API_SECRET, SHOP
from tests.integration.helpers import post_webhook
from tests.integration.test_backorder_flow import order_payload

CUSTOMER = "901"  # order 1's customer in order_payload


def proxied(client, clock, customer: str = "", secret: str = API_SECRET, **extra):
    """A GET as Shopify's app proxy forwards it: signed, with the shop and customer."""
    params = {"shop": SHOP, "logged_in_customer_id": customer, "path_prefix": "/apps/backorders",
              "timestamp": str(int(clock().timestamp())), **extra}
    message = "".join(sorted(f"{k}={v}" for k, v in params.items()))
    params["signature"] = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    return client.get(f"/proxy/backorders?{urlencode(params)}")


def backordered(flow, title: str = "Variant 1"):
    """Order 1 (customer 901) owes 2 of its 3 units; its date moved once."""
    client, services = flow
    payload = order_payload(1, [(11, 1, 3)])
    payload["line_items"][0]["name"] = title
    post_webhook(client, "orders/create", payload)
    services.queue.drain()
    with services.db.transaction() as s:
        line = s.get(OrderLine, (SHOP, "gid://shopify/LineItem/11"))
        s.add(EtaChangeRow(shop=SHOP, line_id=line.line_id, old_eta=None, new_eta=line.eta,
                           reason="slipped: restock overdue", changed_at=line.backordered_at))
    return line


def test_a_customer_sees_their_backordered_line_its_date_and_its_history(flow, clock):
    client, _ = flow
    line = backordered(flow)

    page = proxied(client, clock, CUSTOMER, format="json")

    assert page.status_code == 200
    (shown,) = page.get_json()["lines"]
    assert shown["order_name"] == "#1" and shown["title"] == "Variant 1"
    assert (shown["quantity"], shown["owed"]) == (3, line.backordered) and shown["owed"] > 0
    assert shown["ships_on"] == line.eta.isoformat()
    assert shown["history"][-1]["reason"] == "restock overdue"
    liquid = proxied(client, clock, CUSTOMER)
    assert liquid.mimetype == "application/liquid"
    assert "Variant 1" in liquid.text and line.eta.isoformat() in liquid.text


def test_another_customer_sees_nothing_of_it(flow, clock):
    client, _ = flow
    backordered(flow)

    assert proxied(client, clock, "902", format="json").get_json() == {"lines": [], "orders": []}


def test_a_guest_is_asked_to_log_in(flow, clock):
    client, _ = flow
    backordered(flow)

    assert proxied(client, clock, format="json").status_code == 401
    page = proxied(client, clock)
    assert page.status_code == 200 and "routes.account_login_url" in page.text
    assert "Variant 1" not in page.text


def test_a_signed_link_opens_the_page_without_a_login_but_not_for_someone_else(flow, clock):
    client, _ = flow
    backordered(flow)
    link = sign_link(API_SECRET, SHOP, CUSTOMER)

    assert len(proxied(client, clock, link=link, format="json").get_json()["lines"]) == 1
    other = proxied(client, clock, "902", link=link, format="json")
    assert other.status_code == 403 and other.get_json()["field"] == "link"
    forged = proxied(client, clock, link=sign_link("not-the-secret", SHOP, CUSTOMER))
    assert forged.status_code == 401


def test_a_request_not_signed_by_shopify_is_refused(flow, clock):
    client, _ = flow
    backordered(flow)

    forged = proxied(client, clock, CUSTOMER, secret="guessed", format="json")
    assert forged.status_code == 401 and forged.get_json()["field"] == "signature"
    unsigned = client.get(f"/proxy/backorders?shop={SHOP}&logged_in_customer_id={CUSTOMER}")
    assert unsigned.status_code == 401


def test_a_title_cannot_run_liquid_or_html_in_the_shop(flow, clock):
    client, _ = flow
    backordered(flow, title="{{ customer.email }} <script>x</script> {% comment %}")

    page = proxied(client, clock, CUSTOMER)

    assert "{{ customer.email }}" not in page.text and "<script>" not in page.text
    assert "{% comment %}" not in page.text
    assert "&#123;&#123; customer.email &#125;&#125;" in page.text
