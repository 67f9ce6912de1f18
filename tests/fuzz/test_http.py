"""Property-based fuzzing of every HTTP input: webhooks, OAuth, the JSON API, the CSV import and
the customer's page through the app proxy.

Whatever arrives, the answer is never a 5xx, and a request that is refused (4xx) changes nothing:
not a row of any table, not a job in the queue. Examples are bounded so each test takes seconds;
raise FUZZ_EXAMPLES to search longer."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.storage.tables import Base
from tests.conftest import API_SECRET, SHOP, sign
from tests.integration.helpers import install
from tests.integration.test_install import session_token
from webhooks.registry import TOPICS

V1 = "gid://shopify/ProductVariant/1"
FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")), deadline=None,
                database=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                      HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                 max_size=4),
    max_leaves=12)
dates = st.one_of(st.dates().map(lambda d: d.isoformat()), st.text(max_size=12),
                  st.sampled_from(["9999-12-31", "0001-01-01", "2026-11-24", "2026-02-30"]))
numbers = st.one_of(st.integers(), st.integers(-10, 10), st.floats(allow_nan=False),
                    st.text(max_size=5), st.none(), st.booleans())


def snapshot(services) -> tuple:
    """Every row of every table, and the queue's length."""
    with services.db.transaction() as s:
        rows = {t.name: sorted(map(repr, s.execute(select(t)))) for t in Base.metadata.sorted_tables}
    return rows, services.queue.huey.pending_count()


def check(services, send) -> None:
    before = snapshot(services)
    response = send()
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.status_code >= 400:
        assert snapshot(services) == before, f"a refused request ({response.status_code}) wrote"


@pytest.fixture
def shop(client, services, platform):
    install(services)
    platform.add_variant(V1, available=0, sku="TEE")
    services.onboarding.setup(SHOP)
    services.queue.huey.flush()
    return client, services


def api(client, method: str, path: str, **kwargs):
    headers = {"Authorization": f"Bearer {session_token(SHOP)}", **kwargs.pop("headers", {})}
    return client.open(path, method=method, headers=headers, **kwargs)


# webhooks


@FUZZ
@given(body=st.one_of(st.binary(max_size=300), json_values.map(lambda v: json.dumps(v).encode()),
                      st.dictionaries(st.sampled_from(["id", "shop_domain", "customer", "line_items",
                                                       "myshopify_domain", "current"]),
                                      json_values, max_size=4).map(lambda d: json.dumps(d).encode())),
       topic=st.one_of(st.sampled_from(sorted(TOPICS)), st.text(max_size=30)),
       shop_header=st.one_of(st.just(SHOP), st.text(max_size=40)),
       signed=st.booleans(), webhook_id=st.text(max_size=40))
def test_webhooks(shop, body, topic, shop_header, signed, webhook_id):
    client, services = shop
    headers = {"X-Shopify-Topic": topic, "X-Shopify-Shop-Domain": shop_header,
               "X-Shopify-Webhook-Id": webhook_id, "Content-Type": "application/json"}
    if signed:
        headers["X-Shopify-Hmac-Sha256"] = sign(body)
    headers = {k: v for k, v in headers.items() if _header_safe(v)}
    check(services, lambda: client.post("/webhooks", data=body, headers=headers))


def _header_safe(value: str) -> bool:
    return all(32 <= ord(c) < 127 for c in value)


# OAuth


query_params = st.dictionaries(
    st.sampled_from(["shop", "hmac", "code", "state", "timestamp", "host", "id_token", "x"]),
    st.one_of(st.text(max_size=40), st.just(SHOP), st.integers().map(str)), max_size=5)


@FUZZ
@given(params=query_params, path=st.sampled_from(["/auth", "/auth/callback", "/"]))
def test_oauth_and_the_page(shop, params, path):
    client, services = shop
    check(services, lambda: client.get(path, query_string=params))


# the JSON API


@FUZZ
@given(policy=st.dictionaries(
    st.sampled_from(["priority_tags", "processing_days", "closed_dates", "lead_times", "caps",
                     "weekend_days", "country", "age_boost_days", "ship_complete", "bogus"]),
    json_values, max_size=3), alternatives=json_values)
def test_settings(shop, policy, alternatives):
    client, services = shop
    body = {"policy": policy, "alternatives": alternatives}
    check(services, lambda: api(client, "PUT", "/api/settings", json=body))


@FUZZ
@given(body=st.one_of(json_values, st.fixed_dictionaries(
    {"sku": st.one_of(st.just("TEE"), st.text(max_size=8)), "quantity": numbers,
     "expected_date": dates},
    optional={"reference": st.text(max_size=300), "source": st.text(max_size=15),
              "variant_id": st.one_of(st.just(V1), st.text(max_size=8))})),
       method=st.sampled_from(["POST", "PATCH"]))
def test_restocks(shop, body, method):
    client, services = shop
    path = "/api/restocks" if method == "POST" else "/api/restocks/missing"
    check(services, lambda: api(client, method, path, json=body))


@FUZZ
@given(raw=st.binary(max_size=200), content_type=st.sampled_from(
    ["application/json", "text/plain", "application/x-www-form-urlencoded", ""]))
def test_raw_bodies_to_the_api(shop, raw, content_type):
    client, services = shop
    check(services, lambda: api(client, "PUT", "/api/settings", data=raw,
                                content_type=content_type))


@FUZZ
@given(query=st.dictionaries(st.sampled_from(["status", "limit", "offset", "arrived", "q", "sort",
                                             "variant", "min_age_days", "priority", "cursor",
                                             "days", "safety_stock", "kind"]),
                             st.one_of(st.text(max_size=25), st.integers().map(str),
                                       st.sampled_from(["created", "eta_changed", "delivered"])),
                             max_size=3),
       path=st.sampled_from(["/api/queue", "/api/restocks", "/api/metrics", "/api/dead-letters",
                             "/api/insights", "/api/insights/reorder.csv",
                             "/api/data-requests", "/api/settings", "/api/goodwill",
                             "/api/messages/preview"]))
def test_queries(shop, query, path):
    client, services = shop
    check(services, lambda: api(client, "GET", path, query_string=query))


@FUZZ
@given(line=st.text(max_size=30), priority=numbers,
       product=st.text(alphabet=string.ascii_letters + string.digits + "/:", min_size=1,
                       max_size=30),
       substitutes=json_values, receipt=st.integers())
def test_paths_and_small_writes(shop, line, priority, product, substitutes, receipt):
    client, services = shop
    check(services, lambda: api(client, "POST", f"/api/lines/{line or 'x'}/priority",
                                json={"priority": priority}))
    check(services, lambda: api(client, "PUT", f"/api/products/{product}/substitutes",
                                json={"substitutes": substitutes}))
    check(services, lambda: api(client, "POST", "/api/queue/priority",
                                json={"line_ids": [line], "priority": priority}))
    check(services, lambda: api(client, "POST", f"/api/dead-letters/{receipt}/retry"))
    for action in ("release", "notify"):
        check(services, lambda a=action: api(client, "POST", f"/api/queue/{a}",
                                             json={"line_ids": [line]}))
        check(services, lambda a=action: api(client, "POST", f"/api/queue/{a}",
                                             json=substitutes))
    check(services, lambda: api(client, "POST", f"/api/orders/{product}/hold"))


# the CSV import

csv_cells = st.one_of(st.sampled_from(["TEE", "1", "2026-11-24", "9999-12-31", "", "-3", '"']),
                      st.text(alphabet=string.printable, max_size=12))


@FUZZ
@given(header=st.lists(st.sampled_from(["sku", "variant_id", "quantity", "expected_date",
                                        "reference", "location", "bogus"]), max_size=5),
       rows=st.lists(st.lists(csv_cells, max_size=5), max_size=5),
       noise=st.text(max_size=40))
def test_csv_import(shop, header, rows, noise):
    client, services = shop
    text = "\n".join([",".join(header)] + [",".join(r) for r in rows]) + noise
    check(services, lambda: api(client, "POST", "/api/restocks/import", data=text.encode(),
                                content_type="text/csv"))


# the customer's page through the app proxy


@FUZZ
@given(params=st.dictionaries(
    st.sampled_from(["shop", "logged_in_customer_id", "path_prefix", "timestamp", "link",
                     "format", "extra"]),
    st.one_of(st.text(max_size=40), st.just(SHOP), st.integers().map(str),
              st.just("json")), max_size=6),
    signed=st.booleans(), fresh=st.booleans())
def test_the_storefront_page(shop, params, signed, fresh, clock):
    client, services = shop
    params = {k: v for k, v in params.items() if "\x00" not in v}
    if fresh:
        params["timestamp"] = str(int(clock().timestamp()))
    if signed:
        message = "".join(sorted(f"{k}={v}" for k, v in params.items()))
        params["signature"] = hmac.new(API_SECRET.encode(), message.encode(),
                                       hashlib.sha256).hexdigest()
    check(services, lambda: client.get("/proxy/backorders", query_string=params))


@FUZZ
@given(form=st.dictionaries(
    st.sampled_from(["token", "order", "line", "units", "variant", "choice", "extra"]),
    st.one_of(st.text(max_size=60), st.integers().map(str), st.just("gid://shopify/Order/1")),
    max_size=6),
    customer=st.sampled_from(["", "901", "902"]), signed=st.booleans(),
    action=st.sampled_from(["cancel", "swap", "ship"]))
def test_the_storefront_action_forms(shop, form, customer, signed, action, clock):
    client, services = shop
    form = {k: v for k, v in form.items() if "\x00" not in v}
    params = {"shop": SHOP, "logged_in_customer_id": customer,
              "timestamp": str(int(clock().timestamp()))}
    if signed:
        message = "".join(sorted(f"{k}={v}" for k, v in params.items()))
        params["signature"] = hmac.new(API_SECRET.encode(), message.encode(),
                                       hashlib.sha256).hexdigest()
    check(services, lambda: client.post(f"/proxy/backorders/{action}", query_string=params,
                                        data=form))
