"""The first-run setup guide: the install and the first restock are seen by the app, the pinned
order fields are marked by the merchant; bad marks are 422 naming the field."""

from __future__ import annotations

import pytest

from tests.integration.test_admin_api import OTHER, api, platform  # noqa: F401


def guide(api, shop=None):
    response = api.call("GET", "/api/setup", **({"shop": shop} if shop else {}))
    assert response.status_code == 200, response.json
    return response.json


def done(body) -> dict[str, bool]:
    return {step["key"]: step["done"] for step in body["steps"]}


def test_a_shop_set_up_with_a_backorder_has_the_first_step_done(api):
    body = guide(api)
    assert done(body) == {"install": True, "metafields": False, "restock": False}
    assert body["completed"] == 1 and body["total"] == 3 and body["dismissed"] is False
    assert body["ever_backordered"] is True


def test_an_empty_shop_has_nothing_backordered(api):
    assert guide(api, OTHER)["ever_backordered"] is False


def test_the_first_restock_completes_its_step(api):
    created = api.call("POST", "/api/restocks", json={"sku": "TEE-BLUE", "quantity": 2,
                                                      "expected_date": "2026-11-24"})
    assert created.status_code == 201
    assert done(guide(api))["restock"] is True
    assert done(guide(api, OTHER))["restock"] is False  # another shop's restock is not ours


def test_the_merchant_marks_the_fields_pinned_and_dismisses_the_guide(api):
    response = api.call("PUT", "/api/setup", json={"metafields_pinned": True})
    assert response.status_code == 200 and done(response.json)["metafields"] is True
    response = api.call("PUT", "/api/setup", json={"dismissed": True})
    assert response.json["dismissed"] is True and done(response.json)["metafields"] is True
    assert guide(api)["dismissed"] is True and guide(api, OTHER)["dismissed"] is False
    api.call("PUT", "/api/setup", json={"metafields_pinned": False})
    assert done(guide(api))["metafields"] is False


@pytest.mark.parametrize("body,field", [
    ({"metafields_pinned": "yes"}, "metafields_pinned"),
    ({"dismissed": 1}, "dismissed"),
    ({"pinned": True}, "pinned"),
    ({}, "setup"),
    ([], "setup"),
])
def test_bad_marks_are_422_naming_the_field(api, body, field):
    response = api.call("PUT", "/api/setup", json=body)
    assert response.status_code == 422 and response.json["field"] == field
    assert guide(api)["dismissed"] is False and done(guide(api))["metafields"] is False
