"""Caps on units owed are re-checked by every change that can move their verdict: saved
settings (the caps themselves) and restocks entered or removed (when caps follow incoming stock),
not only webhooks."""

from __future__ import annotations

from tests.integration.test_admin_api import V1, api, platform  # noqa: F401  (fixtures)


def save_caps(api, **caps):  # noqa: F811
    current = api.call("GET", "/api/settings").json
    current["policy"].update(caps)
    return api.call("PUT", "/api/settings", json=current)


def test_a_cap_saved_in_the_settings_stops_a_variant_that_owes_that_much(api, platform):  # noqa: F811
    """Order #1 owes one unit of V1: a cap of one unit must stop it selling."""
    assert platform.policies.get(V1) is None
    response = save_caps(api, caps={"default": 1, "variant": {}})
    assert response.status_code == 200
    api.services.queue.drain()
    assert platform.policies[V1] == "DENY"
    save_caps(api, caps={"default": 2, "variant": {}})
    api.services.queue.drain()
    assert platform.policies[V1] == "CONTINUE"


def test_caps_following_incoming_stock_move_with_the_restocks(api, platform):  # noqa: F811
    save_caps(api, caps={"default": 5, "variant": {}}, cap_follows_incoming=True)
    api.services.queue.drain()
    assert platform.policies[V1] == "DENY"  # nothing incoming: nothing more may be sold
    created = api.call("POST", "/api/restocks", json={"sku": "TEE-BLUE", "quantity": 4,
                                                      "expected_date": "2026-11-24"})
    assert created.status_code == 201
    api.services.queue.drain()
    assert platform.policies[V1] == "CONTINUE"  # owes 1 of the 4 on their way
    assert api.call("DELETE", f"/api/restocks/{created.json['id']}").status_code == 204
    api.services.queue.drain()
    assert platform.policies[V1] == "DENY"


def test_caps_cannot_follow_incoming_stock_without_a_cap(api):  # noqa: F811
    before = api.call("GET", "/api/settings").json
    response = save_caps(api, cap_follows_incoming=True)
    assert response.status_code == 422 and response.json["field"] == "cap_follows_incoming"
    assert api.call("GET", "/api/settings").json == before


def test_saving_settings_answers_before_the_shop_is_planned_again(api):  # noqa: F811
    """The re-plan is a job: a shop of many lines must not hold the request (nor, on SQLite,
    every other shop's writes)."""
    before = api.eta()
    current = api.call("GET", "/api/settings").json
    current["policy"]["processing_days"] = 5
    assert api.call("PUT", "/api/settings", json=current).status_code == 200
    assert api.eta() == before
    api.services.queue.drain()
    assert api.eta() > before


def test_a_policy_write_that_fails_stays_pending_and_is_sent_once_it_goes_through(
        api, platform, monkeypatch):  # noqa: F811
    """The cap's flip is recorded with the plan; a lost or failed write is found pending by the
    next sync, and a write the platform has is not sent again."""
    real = platform.set_inventory_policy

    def down(*args):
        raise ConnectionError("platform unreachable")

    monkeypatch.setattr(platform, "set_inventory_policy", down)
    save_caps(api, caps={"default": 1, "variant": {}})
    api.services.queue.drain()
    assert platform.policies.get(V1) is None
    monkeypatch.setattr(platform, "set_inventory_policy", real)
    api.services.sync.run("test-shop.myshopify.com")  # the periodic sync, or a retry
    assert platform.policies[V1] == "DENY"
    writes = platform.calls.count("set_inventory_policy")
    api.services.sync.run("test-shop.myshopify.com")
    assert platform.calls.count("set_inventory_policy") == writes
