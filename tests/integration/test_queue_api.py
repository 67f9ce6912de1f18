"""The queue's index table through its JSON API, over real planned data: search, filters, sort,
cursor pages and the bulk priority action, and a 400 naming the parameter for every bad one."""

from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import select

from app import create_app
from app.config import load_config
from app.storage import insights as insight_store
from app.storage import redaction
from app.storage.tables import Order, OrderLine, Variant
from tests.conftest import SHOP
from tests.fakes import FakeGateway
from tests.integration.helpers import install, post_webhook
from tests.integration.test_backorder_flow import order_payload
from tests.integration.test_install import session_token

V = "gid://shopify/ProductVariant/{}"
L = "gid://shopify/LineItem/{}"


@pytest.fixture
def api(env, clock):
    """Blue tees (variant 1) and red tees (variant 2) are sold out, caps (variant 3) in stock.
    Orders: #1 two blue, #2 one red, #3 one blue, #4 one blue and one red, #5 one cap (ready)."""
    platform = FakeGateway()
    platform.add_variant(V.format(1), available=-4, sku="TEE-BLUE", product_title="Tee",
                         title="Blue", vendor="Acme", product_type="Shirts")
    platform.add_variant(V.format(2), available=-2, sku="TEE-RED", product_title="Tee",
                         title="Red", vendor="Acme", product_type="Shirts")
    platform.add_variant(V.format(3), available=9, sku="CAP-1", product_title="Cap",
                         title="Default", vendor="Acme", product_type="Hats",
                         product_id="gid://shopify/Product/2")
    app = create_app(load_config(env), clock=clock, migrate=False, gateway=platform)
    services = app.extensions["backorders"]
    services.queue.huey.flush()
    install(services)
    client = app.test_client()
    for number, lines in enumerate([[(11, 1, 2)], [(21, 2, 1)], [(31, 1, 1)],
                                    [(41, 1, 1), (42, 2, 1)], [(51, 3, 1)]], start=1):
        post_webhook(client, "orders/create", order_payload(number, lines, minute=number))
    services.queue.drain()
    yield Client(client, services)
    services.queue.huey.flush()
    services.close()


class Client:
    def __init__(self, client, services):
        self.client, self.services = client, services

    def get(self, query: str = ""):
        return self.client.get(f"/api/queue{query}",
                               headers={"Authorization": f"Bearer {session_token(SHOP)}"})

    def lines(self, query: str = "") -> list[str]:
        response = self.get(query)
        assert response.status_code == 200, response.json
        return [line["line_id"].rsplit("/", 1)[1] for line in response.json["lines"]]

    def post(self, body):
        return self.client.post("/api/queue/priority", json=body,
                                headers={"Authorization": f"Bearer {session_token(SHOP)}"})


def ids(*numbers: int) -> list[str]:
    return [str(n) for n in numbers]


# filters


def test_status_waiting_ready_and_all(api):
    assert sorted(api.lines()) == ids(11, 21, 31, 41, 42)  # waiting is the default
    assert api.lines("?status=ready") == ids(51)
    assert sorted(api.lines("?status=all")) == ids(11, 21, 31, 41, 42, 51)
    assert api.get("?status=all").json["total"] == 6


def test_late_lines_are_those_whose_date_moved_past_the_first_promise(api):
    assert api.lines("?status=late") == []
    api.services.restocks.create(SHOP, {"sku": "TEE-RED", "quantity": 5,
                                        "expected_date": "2026-12-20"})
    assert sorted(api.lines("?status=late")) == ids(21, 42)


@pytest.mark.parametrize("term,expected", [
    ("#3", ids(31)),               # order name
    ("tee-red", ids(21, 42)),      # SKU, whatever the case
    ("blue", ids(11, 31, 41)),     # variant title
    ("904", ids(41, 42)),          # customer id
    ("100%", []),                  # a wildcard is searched as itself
])
def test_search_by_order_sku_title_and_customer(api, term, expected):
    from urllib.parse import quote
    assert sorted(api.lines(f"?q={quote(term)}")) == expected


@pytest.mark.parametrize("term", ["ada love", "ADA@EXAMPLE", "lovelace"])
def test_search_by_the_customers_name_or_email(api, term):
    """As the order webhook names the customer (first and last name, email)."""
    from urllib.parse import quote
    post_webhook(api.client, "orders/create", {
        **order_payload(6, [(61, 1, 1)], minute=10),
        "customer": {"id": 906, "first_name": "Ada", "last_name": "Lovelace",
                     "email": "ada@example.com"}})
    api.services.queue.drain()
    assert api.lines(f"?q={quote(term)}") == ids(61)


def customer_order(api, number: int, line: int, name: tuple[str, str], email: str,
                   title: str | None = None, updated_minute: int | None = None) -> None:
    payload = order_payload(number, [(line, 1, 1)], minute=10 + number % 40,
                            updated_minute=updated_minute)
    payload["customer"] = {"id": 900 + number, "first_name": name[0], "last_name": name[1],
                           "email": email}
    if title is not None:
        payload["line_items"][0]["name"] = title
    post_webhook(api.client, "orders/create", payload)
    api.services.queue.drain()


def substring_oracle(api, term: str) -> list[str]:
    """The waiting lines whose order name, customer (id, name, email), title, or variant's SKU,
    title or product title hold the term, ignoring the case of ASCII letters: each line read."""
    folded = term.lower()
    found = []
    with api.services.db.transaction() as s:
        rows = s.execute(select(OrderLine, Order).join(Order, (Order.shop == OrderLine.shop) & (
            Order.order_id == OrderLine.order_id)).where(OrderLine.shop == SHOP)).all()
        variants = {v.variant_id: v for v in s.scalars(select(Variant))}
        for line, order in rows:
            if line.open_quantity <= 0 or line.backordered <= 0 or order.cancelled_at:
                continue
            variant = variants.get(line.variant_id)
            fields = [order.name, order.customer_id, order.customer_name, order.customer_email,
                      line.title, *((variant.sku, variant.title, variant.product_title)
                                    if variant else ())]
            if any(folded in (field or "").lower() for field in fields):
                found.append(line.line_id.rsplit("/", 1)[1])
    return sorted(found)


SEARCHED = ["#3", "#1", "3", "ee", "tee", "TEE-", "ee-bl", "Variant 1", "ariant", "riant 2",
            "90", "904", "9041", "ada", "ADA LOV", "ovelac", "love@ex", "@example.com",
            "o\"br", "O\"BRIEN", "50%", "0%_", "_x", "a\\b", "\\", "'s", "zz", "zzz",
            "grace", "e h", " ", "Hopper", "#12", "2 x"]


@pytest.mark.parametrize("candidates", [None, 1])
def test_search_finds_what_a_substring_test_of_every_field_finds(api, monkeypatch, candidates):
    """Whether the candidates come from the trigram indexes, or are too many (the lines are then
    each tested), or the term is too short for them."""
    from urllib.parse import quote
    if candidates is not None:
        monkeypatch.setattr(insight_store, "MAX_CANDIDATES", candidates)
    customer_order(api, 6, 61, ("Ada", "Lovelace"), "ada@example.com")
    customer_order(api, 7, 71, ("Seán", 'O"Brien'), "sean_x@example.com", title="50%_off a\\b")
    customer_order(api, 8, 81, ("Grace", "Hopper's"), "grace@example.com", title="2 x Tee")
    for term in SEARCHED:
        assert sorted(api.lines(f"?q={quote(term)}&limit=200")) == substring_oracle(api, term), term
    assert api.lines("?q=" + quote('o"brien')) == ids(71)
    assert api.lines(f"?q={quote('Ada Lovelace')}") == ids(61)


def test_search_follows_the_customer_and_the_title_as_they_change(api):
    from urllib.parse import quote
    customer_order(api, 6, 61, ("Ada", "Lovelace"), "ada@example.com", title="Tee, first")
    assert api.lines(f"?q={quote('lovelace')}") == ids(61)
    customer_order(api, 6, 61, ("Ada", "Byron"), "byron@example.com", title="Tee, renamed",
                   updated_minute=30)
    assert api.lines(f"?q={quote('lovelace')}") == []
    assert api.lines(f"?q={quote('byron')}") == ids(61)
    assert api.lines(f"?q={quote('renamed')}") == ids(61)
    assert api.lines(f"?q={quote(', first')}") == []
    with api.services.db.transaction() as s:  # the customer's data redacted
        redaction.redact_customer_rows(s, SHOP, "906")
    assert api.lines(f"?q={quote('byron')}") == []
    assert api.lines(f"?q={quote('renamed')}") == ids(61)


def test_variant_filter(api):
    assert sorted(api.lines(f"?variant={V.format(2)}")) == ids(21, 42)


def test_age_filter_counts_whole_days_waiting(api, clock):
    clock.advance(days=3)
    post_webhook(api.client, "orders/create", order_payload(6, [(61, 1, 1)], minute=10, hour=13))
    api.services.queue.drain()
    assert "61" in api.lines()
    assert sorted(api.lines("?min_age_days=3")) == ids(11, 21, 31, 41, 42)
    assert api.lines("?min_age_days=4") == []
    assert sorted(api.lines("?min_age_days=0")) == ids(11, 21, 31, 41, 42, 61)


def test_priority_class_filter_follows_the_bulk_action(api):
    assert api.post({"line_ids": [L.format(31), L.format(42)], "priority": 5}).status_code == 200
    assert api.post({"line_ids": [L.format(21)], "priority": -3}).status_code == 200
    assert sorted(api.lines("?priority=raised")) == ids(31, 42)
    assert api.lines("?priority=lowered") == ids(21)
    assert sorted(api.lines("?priority=normal")) == ids(11, 41)


def test_filters_combine(api):
    assert api.lines(f"?q=tee&variant={V.format(1)}&status=all&sort=-order") == ids(41, 31, 11)


# sort


def test_queue_order_is_the_default_sort(api):
    assert api.lines() == ids(11, 31, 41, 21, 42)  # blue's queue, then red's
    positions = [line["queue_position"] for line in api.get().json["lines"]]
    assert positions == [1, 2, 3, 1, 2]


@pytest.mark.parametrize("sort,expected", [
    ("ordered_at", ids(11, 21, 31, 41, 42)),
    ("-ordered_at", ids(41, 42, 31, 21, 11)),
    ("order", ids(11, 21, 31, 41, 42)),
    ("-order", ids(41, 42, 31, 21, 11)),
    ("-backordered", ids(11, 21, 31, 41, 42)),
])
def test_sorts(api, sort, expected):
    assert api.lines(f"?sort={sort}") == expected


def test_eta_sort_puts_the_earliest_date_first(api):
    api.services.restocks.create(SHOP, {"sku": "TEE-RED", "quantity": 5,
                                        "expected_date": "2026-11-24"})
    lines = api.get("?sort=eta").json["lines"]
    dates = [line["eta"]["date"] for line in lines]
    assert dates == sorted(dates)
    assert [x["line_id"].rsplit("/", 1)[1] for x in lines[:2]] == ids(21, 42)


# cursor pages


@pytest.mark.parametrize("sort", ["queue", "-ordered_at", "eta", "-order", "backordered"])
def test_cursor_pages_walk_every_line_once_and_back(api, sort):
    everything = api.lines(f"?sort={sort}")
    pages, cursor = [], ""
    while True:
        page = api.get(f"?sort={sort}&limit=2{cursor}").json
        pages.append([x["line_id"].rsplit("/", 1)[1] for x in page["lines"]])
        assert page["total"] == 5
        if not page["next_cursor"]:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert [line for page in pages for line in page] == everything
    assert [len(p) for p in pages] == [2, 2, 1]
    last = api.get(f"?sort={sort}&limit=2{cursor}").json
    back = api.get(f"?sort={sort}&limit=2&cursor={last['previous_cursor']}").json
    assert [x["line_id"].rsplit("/", 1)[1] for x in back["lines"]] == pages[1]
    first = api.get(f"?sort={sort}&limit=2&cursor={back['previous_cursor']}").json
    assert [x["line_id"].rsplit("/", 1)[1] for x in first["lines"]] == pages[0]
    assert first["previous_cursor"] is None and first["next_cursor"]


def test_the_first_page_has_no_previous_page(api):
    page = api.get("?limit=5").json
    assert page["previous_cursor"] is None and page["next_cursor"] is None


# validation


def cursor_of(*parts) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode().rstrip("=")


@pytest.mark.parametrize("query,field", [
    ("?status=late-ish", "status"), ("?limit=0", "limit"), ("?limit=201", "limit"),
    ("?limit=ten", "limit"), ("?limit=%EF%BC%95", "limit"), ("?min_age_days=-1", "min_age_days"),
    ("?min_age_days=99999", "min_age_days"), ("?sort=price", "sort"),
    ("?priority=vip", "priority"), ("?q=" + "x" * 101, "q"), ("?q=a%00b", "q"),
    ("?variant=" + "v" * 101, "variant"), ("?offset=10", "offset"), ("?cursor=%%%", "cursor"),
    ("?cursor=bm90IGpzb24", "cursor"),
    ("?cursor=" + cursor_of("queue", "after", ["pool", 1]), "cursor"),  # a key short
    ("?cursor=" + cursor_of("queue", "sideways", ["p", 1, "l"]), "cursor"),
    ("?cursor=" + cursor_of("queue", "after", ["p", True, "l"]), "cursor"),
    ("?cursor=" + cursor_of("eta", "after", ["tomorrow", "l"]) + "&sort=eta", "cursor"),
    ("?cursor=" + cursor_of("ordered_at", "after", ["2026-11-20T11:00:00", "l"])
     + "&sort=ordered_at", "cursor"),  # a time without its zone
    ("?cursor=" + cursor_of("eta", "after", ["2026-11-20", "l"]), "cursor"),  # another sort
])
def test_a_bad_parameter_is_400_naming_it(api, query, field):
    response = api.get(query)
    assert response.status_code == 400, response.json
    assert response.json["field"] == field and field in response.json["message"]


def test_a_cursor_of_another_sort_is_refused_with_a_reason(api):
    page = api.get("?limit=2").json
    response = api.get(f"?limit=2&sort=-order&cursor={page['next_cursor']}")
    assert response.status_code == 400 and "another sort" in response.json["message"]


def test_the_queue_needs_a_session_token(api):
    assert api.client.get("/api/queue").status_code == 401
    assert api.client.post("/api/queue/priority", json={}).status_code == 401


# the bulk priority action


def test_bulk_priority_moves_the_lines_to_the_front_of_their_queues(api):
    response = api.post({"line_ids": [L.format(41), L.format(42)], "priority": 10})
    assert response.status_code == 200
    assert response.json["line_ids"] == [L.format(41), L.format(42)]
    lines = {x["line_id"]: x for x in api.get().json["lines"]}
    assert lines[L.format(41)]["queue_position"] == 1 and lines[L.format(42)]["queue_position"] == 1
    assert lines[L.format(41)]["manual_priority"] == 10
    assert api.lines() == ids(41, 11, 31, 42, 21)


@pytest.mark.parametrize("body,status,field", [
    ({"line_ids": [L.format(41)], "priority": 101}, 422, "priority"),
    ({"line_ids": [L.format(41)], "priority": "high"}, 422, "priority"),
    ({"line_ids": [L.format(41)], "priority": True}, 422, "priority"),
    ({"line_ids": [], "priority": 1}, 422, "line_ids"),
    ({"line_ids": "all", "priority": 1}, 422, "line_ids"),
    ({"line_ids": [7], "priority": 1}, 422, "line_ids"),
    ({"line_ids": [L.format(41)] * 201, "priority": 1}, 422, "line_ids"),
    ({"line_ids": [L.format(41)], "priority": 1, "notify": True}, 422, "notify"),
    ({"line_ids": [L.format(41), L.format(99)], "priority": 1}, 404, "line_ids"),
    ([1, 2], 422, "body"),
])
def test_bulk_priority_refuses_bad_input_and_changes_nothing(api, body, status, field):
    response = api.post(body)
    assert response.status_code == status and response.json["field"] == field
    assert all(x["manual_priority"] == 0 for x in api.get().json["lines"])


def test_the_count_stops_past_its_limit_and_says_so(api, monkeypatch):
    from app.storage import insights
    assert api.get().json["total_exact"] is True
    monkeypatch.setattr(insights, "COUNT_LIMIT", 3)
    page = api.get("?limit=2").json
    assert (page["total"], page["total_exact"]) == (3, False)
    assert len(page["lines"]) == 2 and page["next_cursor"]
