"""The customer's page in Chromium, as the shop's domain serves it: a stand-in for Shopify's app
proxy signs each request for the logged-in customer, forwards it to the app, and renders the
Liquid the app answers inside a bare theme layout (python-liquid). The customer cancels what is
owed, or takes an alternative instead, by clicking the page's own buttons."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from urllib.parse import urlencode

import pytest
import requests
from flask import Flask, request
from liquid import Template
from sqlalchemy import select
from werkzeug.serving import make_server

from app.storage.tables import CustomerAction, OrderSync, Shop
from tests.browser.conftest import SCREENSHOTS
from tests.conftest import API_SECRET, SHOP
from tests.integration.helpers import webhook_headers
from tests.integration.test_backorder_flow import order_payload

LAYOUT = "<!doctype html><html lang='en'><head><title>Shop</title></head><body>{}</body></html>"


def proxy_stand_in(app_base: str, customer: str, now) -> Flask:
    """`/apps/backorders[/<action>]` on the shop's domain, as Shopify's app proxy answers it
    (signed at `now`, the time the app's clock says)."""
    shop = Flask("storefront")

    def signed() -> str:
        params = {"shop": SHOP, "logged_in_customer_id": customer,
                  "path_prefix": "/apps/backorders", "timestamp": str(int(now().timestamp()))}
        message = "".join(sorted(f"{k}={v}" for k, v in params.items()))
        params["signature"] = hmac.new(API_SECRET.encode(), message.encode(),
                                       hashlib.sha256).hexdigest()
        return urlencode(params)

    def themed(answer: requests.Response) -> str:
        body = Template(answer.text).render(routes={"account_login_url": "/account/login"})
        return LAYOUT.format(body)

    @shop.get("/apps/backorders")
    def page():
        return themed(requests.get(f"{app_base}/proxy/backorders?{signed()}", timeout=10))

    @shop.post("/apps/backorders/<action>")
    def act(action):
        return themed(requests.post(f"{app_base}/proxy/backorders/{action}?{signed()}",
                                    data=request.form, timeout=10))

    return shop


@pytest.fixture
def storefront(served_queue):
    base, services = served_queue
    with services.db.transaction() as s:
        row = s.get(Shop, SHOP)
        row.policy = {**(row.policy or {}), "customers_may_cancel": True,
                      "customers_may_swap": True}
    servers = {}

    def open_for(customer: str) -> str:
        server = make_server("127.0.0.1", 0, proxy_stand_in(base, customer, services.clock),
                             threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers[customer] = server
        return f"http://127.0.0.1:{server.server_port}/apps/backorders"

    yield open_for, services
    for server in servers.values():
        server.shutdown()


@pytest.fixture
def shopper(browser, request):
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    yield opened
    SCREENSHOTS.mkdir(exist_ok=True)
    opened.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def test_a_customer_cancels_the_units_still_to_come_from_their_page(storefront, shopper):
    open_for, services = storefront
    shopper.goto(open_for("901"))  # Ada: order #1 owes blue tees
    assert "Your backorders" in shopper.text_content("h1")
    assert "still to come" in shopper.text_content("section")

    shopper.click("text=Cancel the units still to come")

    shopper.wait_for_selector("text=were taken off your order")
    assert actions(services) == [("cancel_owed", "gid://shopify/Order/1", "done")]


def test_a_customer_takes_an_in_stock_alternative_instead(storefront, shopper):
    open_for, services = storefront
    shopper.goto(open_for("901"))
    assert "Green" in shopper.text_content("section")

    shopper.click("text=Take this instead")

    shopper.wait_for_selector("text=swapped for the alternative you chose")
    assert actions(services) == [("swap_owed", "gid://shopify/Order/1", "done")]


def actions(services) -> list[tuple[str, str, str]]:
    with services.db.transaction() as s:
        return [(a.kind, a.order_id, a.status) for a in s.scalars(select(CustomerAction))]


def test_a_customer_chooses_to_have_the_order_ship_together(storefront, served_queue, shopper):
    """Order #6: a cap in stock (ready) and a blue tee owed. Together, the hold wanted covers
    both lines."""
    open_for, services = storefront
    body = json.dumps({**order_payload(6, [(61, 3, 1), (62, 1, 1)], minute=6),
                       "customer": {"id": 906}}).encode()
    sent = requests.post(f"{served_queue[0]}/webhooks", data=body, timeout=10,
                         headers=webhook_headers("orders/create", body, SHOP))
    assert sent.status_code == 200, sent.text
    services.queue.drain()
    shopper.goto(open_for("906"))
    assert "1 unit(s) are ready and 1 still to come" in shopper.text_content(
        ".backorders-shipping")

    shopper.click("text=Ship everything together")

    shopper.wait_for_selector("text=will ship together once everything has arrived")
    assert actions(services) == [("ship_together", "gid://shopify/Order/6", "done")]
    with services.db.transaction() as s:
        desired = s.get(OrderSync, (SHOP, "gid://shopify/Order/6")).desired
    assert desired["holds"] == {"gid://shopify/LineItem/61": 1, "gid://shopify/LineItem/62": 1}
