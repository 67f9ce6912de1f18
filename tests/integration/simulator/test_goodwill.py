"""Goodwill for a long wait, through the simulator: the customer whose order waited the shop's
waiting-long days gets one code, limited to them and good once, in the "waiting long" trigger;
never past the cap per customer or the month's budget, and never twice for one order."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.domain.policy import Policy
from app.storage import shops as shop_store
from app.storage.tables import GoodwillCode, ObjectSync

SMALL, MEDIUM = 1, 2


@pytest.fixture
def harness(harness):
    """The shop's workflows start with each of the app's triggers."""
    harness.enable_workflows()
    return harness


def give_goodwill(harness, **goodwill) -> None:
    with harness.services.db.transaction() as s:
        shop_store.find(s, harness.shop).policy = Policy.from_dict({
            "notices": {"waiting_long_days": 3},
            "goodwill": {"enabled": True, "kind": "fixed_amount", "amount": "5",
                         "cap_per_customer": 1, "budget_per_month": "100", **goodwill},
        }).to_dict()


def wait_days(harness, days: int) -> None:
    for _ in range(days):  # the hourly job, once a day
        harness.sim_clock.advance(24 * 3600)
        harness.services.backorders.replan_overdue(harness.shop)
        harness.settle()
        harness.sync()
        harness.settle()


def waiting_long(harness) -> list[dict]:
    return [item["payload"] for item in harness.store.flow_triggers_received(harness.shop)
            if item["handle"] == "backorder-waiting-long"]


def test_a_customer_waiting_long_gets_exactly_one_code_limited_to_them(harness):
    give_goodwill(harness)
    small = harness.oversell(SMALL, available=0)
    order = harness.store.place_order(harness.shop, [(small, 1)],
                                      customer={"email": "ann@example.com"})
    harness.settle()

    wait_days(harness, 5)
    harness.sync()  # a sync run again finds nothing new to give
    harness.services.backorders.replan_overdue(harness.shop)  # nor does a plan made again
    harness.settle()

    (payload,) = waiting_long(harness)
    (code,) = harness.store.discount_codes(harness.shop)
    assert payload["order_id"] == order["id"] and payload["Goodwill code"] == code["code"]
    assert code["customer_ids"] == [order["customer_id"]]
    assert (code["kind"], code["value"], code["usage_limit"], code["once_per_customer"]) == (
        "fixed_amount", "5.00", 1, True)
    with harness.services.db.transaction() as s:
        (row,) = s.scalars(select(GoodwillCode)).all()
        assert (row.status, row.worth) == ("created", "5.00")
        assert not s.get(ObjectSync, (harness.shop, "goodwill", row.order_id)).pending


def test_the_cap_per_customer_and_the_months_budget_hold(harness):
    give_goodwill(harness, cap_per_customer=1, budget_per_month="12")
    small = harness.oversell(SMALL, available=0)
    medium = harness.oversell(MEDIUM, available=0)
    ann = {"email": "ann@example.com"}
    first = harness.store.place_order(harness.shop, [(small, 1)], customer=ann)
    harness.tick()
    again = harness.store.place_order(harness.shop, [(medium, 1)], customer=ann)  # Ann again
    harness.tick()
    bob = harness.store.place_order(harness.shop, [(small, 1)], customer={"email": "b@example.com"})
    harness.tick()
    cy = harness.store.place_order(harness.shop, [(medium, 1)], customer={"email": "c@example.com"})
    harness.settle()

    wait_days(harness, 5)

    codes = {p["order_id"]: p["Goodwill code"] for p in waiting_long(harness)}
    assert set(codes) == {first["id"], again["id"], bob["id"], cy["id"]}  # every one was told
    given = [order_id for order_id, code in codes.items() if code]
    assert len(given) == 2  # 5 + 5 of a budget of 12: a third would pass it
    assert len({c["customer_ids"][0] for c in harness.store.discount_codes(harness.shop)}) == 2
    assert not (codes[first["id"]] and codes[again["id"]])  # Ann: one code, the cap
    with harness.services.db.transaction() as s:
        rows = s.scalars(select(GoodwillCode)).all()
    reasons = sorted(r.reason.split(" ")[0] for r in rows if r.status == "skipped")
    assert len(rows) == 4 and len(reasons) == 2


def test_off_by_default_no_code_and_the_trigger_sends_an_empty_one(harness):
    with harness.services.db.transaction() as s:
        shop_store.find(s, harness.shop).policy = Policy.from_dict(
            {"notices": {"waiting_long_days": 3}}).to_dict()
    small = harness.oversell(SMALL, available=0)
    harness.store.place_order(harness.shop, [(small, 1)], customer={"email": "ann@example.com"})
    harness.settle()

    wait_days(harness, 4)

    (payload,) = waiting_long(harness)
    assert payload["Goodwill code"] == ""
    assert harness.store.discount_codes(harness.shop) == []
