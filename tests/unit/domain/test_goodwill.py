"""Goodwill settings and the decision to give a code: the cap, the budget, a guest."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.errors import InvalidInput
from app.domain.goodwill import GoodwillSettings, decide
from app.domain.policy import Policy


def test_off_by_default_and_round_trips_through_the_policy():
    policy = Policy.from_dict({"goodwill": {"enabled": True, "kind": "free_shipping",
                                            "amount": 12.5, "cap_per_customer": 2,
                                            "budget_per_month": "250"}})
    assert Policy().goodwill.enabled is False
    assert Policy.from_dict(policy.to_dict()) == policy
    assert policy.to_dict()["goodwill"] == {"enabled": True, "kind": "free_shipping",
                                            "amount": "12.50", "cap_per_customer": 2,
                                            "budget_per_month": "250.00"}


@pytest.mark.parametrize("value,field", [
    ([], "goodwill"),
    ({"kind": "gift"}, "goodwill.kind"),
    ({"amount": 0}, "goodwill.amount"),
    ({"amount": "1.005"}, "goodwill.amount"),
    ({"amount": "NaN"}, "goodwill.amount"),
    ({"amount": True}, "goodwill.amount"),
    ({"amount": 101}, "goodwill.amount"),  # a percentage by default
    ({"cap_per_customer": 101}, "goodwill.cap_per_customer"),
    ({"budget_per_month": "1e9"}, "goodwill.budget_per_month"),
    ({"other": 1}, "goodwill.other"),
])
def test_bad_values_name_their_field(value, field):
    with pytest.raises(InvalidInput) as refused:
        GoodwillSettings.from_dict(value)
    assert refused.value.field == field


def test_a_fixed_amount_of_more_than_100_is_fine():
    assert GoodwillSettings.from_dict({"kind": "fixed_amount", "amount": 150}).amount == 150


ON = GoodwillSettings(enabled=True, kind="fixed_amount", amount=Decimal(5), cap_per_customer=2,
                      budget_per_month=Decimal(12))


def test_a_code_is_given_under_the_cap_and_within_the_budget():
    verdict = decide(ON, "7", 1, Decimal(5), Decimal(40))
    assert verdict.give and verdict.worth == 5


def test_the_cap_per_customer_stops_it():
    verdict = decide(ON, "7", 2, Decimal(0), Decimal(40))
    assert not verdict.give and "cap" in verdict.reason


def test_the_months_budget_stops_it():
    verdict = decide(ON, "7", 0, Decimal("7.01"), Decimal(40))
    assert not verdict.give and "budget" in verdict.reason
    assert decide(ON, "7", 0, Decimal(7), Decimal(40)).give  # exactly the budget is fine


def test_a_guest_gets_none():
    assert not decide(ON, None, 0, Decimal(0), Decimal(40)).give


def test_a_percentage_is_worth_its_share_of_the_units_waited_for():
    ten_percent = GoodwillSettings(enabled=True, kind="percentage", amount=Decimal(10))
    assert ten_percent.worth(Decimal("45.55")) == Decimal("4.56")
    assert not decide(ten_percent, "7", 0, Decimal(0), Decimal(0)).give  # worth nothing
