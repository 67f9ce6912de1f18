"""The order view through its JSON API: lines ready and owed, the ETA with its range and its
history, the holds, and the alternatives with their reasons."""

from __future__ import annotations

from urllib.parse import quote

from tests.conftest import SHOP
from tests.integration.test_queue_api import L, api  # noqa: F401  (the fixture)

ORDER4 = "gid://shopify/Order/4"


def order(api, order_id: str = ORDER4):  # noqa: F811
    """GET /api/orders/<id> as the shop's page asks it."""
    return api.client.get(f"/api/orders/{quote(order_id, safe='')}",
                          headers=_auth())


def _auth():
    from tests.integration.test_install import session_token
    return {"Authorization": f"Bearer {session_token(SHOP)}"}


def test_order_view_shows_lines_ready_and_owed_with_dates(api):  # noqa: F811
    response = order(api)
    assert response.status_code == 200
    view = response.json
    assert (view["name"], view["status"], view["customer_id"]) == ("#4", "waiting", "904")
    assert (view["ready_units"], view["owed_units"]) == (0, 2)
    lines = {line["line_id"]: line for line in view["lines"]}
    assert set(lines) == {L.format(41), L.format(42)}
    for line in lines.values():
        eta = line["eta"]
        assert eta["earliest"] <= eta["date"] <= eta["latest"]
    assert view["eta"] == min(line["eta"]["date"] for line in lines.values())


def test_order_view_shows_the_holds_wanted_and_placed(api):  # noqa: F811
    view = order(api).json
    assert [(h["line_id"], h["units"]) for h in view["holds"]] == [
        (L.format(41), 1), (L.format(42), 1)]
    assert all(h["placed"] == 1 for h in view["holds"])  # the sync placed them
    assert view["store"]["state"] == "up to date" and view["store"]["last_error"] is None
    assert view["hold_note"].startswith("Backordered, expected to ship")


def test_order_view_shows_each_date_change_with_its_reason(api):  # noqa: F811
    before = {line["line_id"]: line["eta"]["date"] for line in order(api).json["lines"]}
    api.services.restocks.create(SHOP, {"sku": "TEE-RED", "quantity": 5,
                                        "expected_date": "2026-12-20"})
    view = order(api).json
    changes = [c for c in view["eta_history"] if c["line_id"] == L.format(42)]
    assert changes and changes[-1]["old"] == before[L.format(42)]
    assert changes[-1]["new"] == "2026-12-21" and changes[-1]["reason"]
    assert changes[-1]["title"] and changes[-1]["changed_at"].startswith("2026-11-20")


def test_an_unknown_order_is_404(api):  # noqa: F811
    response = order(api, "gid://shopify/Order/999")
    assert response.status_code == 404 and response.json["field"] == "order"


def test_an_order_of_another_shop_is_not_shown(api):  # noqa: F811
    from tests.integration.helpers import install
    from tests.integration.test_install import session_token
    install(api.services, "other-shop.myshopify.com")
    response = api.client.get(f"/api/orders/{quote(ORDER4, safe='')}", headers={
        "Authorization": f"Bearer {session_token('other-shop.myshopify.com')}"})
    assert response.status_code == 404
