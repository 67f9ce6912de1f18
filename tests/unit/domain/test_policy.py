from datetime import date

import pytest

from app.domain.errors import InvalidInput
from app.domain.policy import Policy


def test_defaults():
    policy = Policy()
    assert policy.priority_tags == ()
    assert policy.ship_complete is True
    assert policy.processing_days == 1
    assert policy.weekend_days == frozenset({5, 6})
    assert policy.default_lead_time_days == 14
    assert policy.safety_margin_days == 3
    assert Policy.from_dict({}) == policy


def test_round_trip_through_a_dict():
    data = {
        "priority_tags": ["VIP", "B2B"],
        "age_boost_days": 10,
        "ship_complete": False,
        "processing_days": 2,
        "weekend_days": [4, 5],
        "country": "us",
        "closed_dates": ["2026-12-24"],
        "default_lead_time_days": 21,
        "lead_times": {"variant": {"v1": 5}, "product_type": {"Shoes": 9}, "vendor": {"Acme": 12}},
        "safety_margin_days": 4,
        "slip_allowance_days": 6,
        "learn_lead_times": False,
        "prior_weight": 5,
        "caps": {"default": 20, "variant": {"v1": 3}},
        "cap_follows_incoming": True,
    }
    policy = Policy.from_dict(data)
    assert policy.country == "US"
    assert policy.closed_dates == frozenset({date(2026, 12, 24)})
    assert policy.cap_for("v1") == 3 and policy.cap_for("v2") == 20
    assert Policy.from_dict(policy.to_dict()) == policy
    assert policy.to_dict()["country"] == "US"


def test_merchant_lead_time_most_specific_wins():
    policy = Policy.from_dict(
        {"lead_times": {"variant": {"v1": 5}, "product_type": {"Shoes": 9}, "vendor": {"Acme": 12}}}
    )
    assert policy.merchant_lead_time("v1", "Shoes", "Acme") == (5, "variant")
    assert policy.merchant_lead_time("v2", "Shoes", "Acme") == (9, "product_type")
    assert policy.merchant_lead_time("v2", "Hats", "Acme") == (12, "vendor")
    assert policy.merchant_lead_time("v2", "Hats", "Other") == (14, "shop")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"processing_days": 61}, "processing_days"),
        ({"processing_days": -1}, "processing_days"),
        ({"processing_days": "2"}, "processing_days"),
        ({"processing_days": True}, "processing_days"),
        ({"priority_tags": "VIP"}, "priority_tags"),
        ({"priority_tags": ["VIP", " "]}, "priority_tags"),
        ({"priority_tags": ["VIP", "VIP"]}, "priority_tags"),
        ({"age_boost_days": 0}, "age_boost_days"),
        ({"ship_complete": "yes"}, "ship_complete"),
        ({"weekend_days": [5, 7]}, "weekend_days"),
        ({"weekend_days": list(range(7))}, "weekend_days"),
        ({"country": "USA"}, "country"),
        ({"country": "1A"}, "country"),
        ({"closed_dates": ["2026-13-01"]}, "closed_dates"),
        ({"default_lead_time_days": 0}, "default_lead_time_days"),
        ({"lead_times": {"vendor": {"Acme": 0}}}, "lead_times.vendor.Acme"),
        ({"lead_times": {"variant": {"v1": 2.5}}}, "lead_times.variant.v1"),
        ({"lead_times": {"supplier": {}}}, "lead_times"),
        ({"safety_margin_days": 61}, "safety_margin_days"),
        ({"slip_allowance_days": 0}, "slip_allowance_days"),
        ({"prior_weight": -1}, "prior_weight"),
        ({"caps": {"default": 0}}, "caps.default"),
        ({"caps": {"variant": {"v1": -3}}}, "caps.variant.v1"),
        ({"caps": {"maximum": 3}}, "caps"),
        ({"cap_follows_incoming": 1}, "cap_follows_incoming"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_each_bad_field_is_named(data, field):
    with pytest.raises(InvalidInput) as err:
        Policy.from_dict(data)
    assert err.value.field == field
    assert err.value.to_dict()["field"] == field


def test_policy_must_be_an_object():
    with pytest.raises(InvalidInput):
        Policy.from_dict(["processing_days", 1])
