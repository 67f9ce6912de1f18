import pytest

from app.domain.caps import (
    effective_cap,
    inventory_policy_for,
    inventory_policy_for_variant,
    units_left_under_cap,
)
from app.domain.errors import InvalidInput
from app.domain.policy import Policy


def test_uncapped_variant_keeps_selling():
    assert inventory_policy_for(1_000, None) == "CONTINUE"


def test_reaching_the_cap_stops_selling_and_falling_below_resumes():
    assert inventory_policy_for(4, 5) == "CONTINUE"
    assert inventory_policy_for(5, 5) == "DENY"
    assert inventory_policy_for(7, 5) == "DENY"
    assert inventory_policy_for(4, 5) == "CONTINUE"


def test_cap_following_incoming_stock():
    assert effective_cap(None, incoming=30, follow_incoming=True) == 30
    assert effective_cap(10, incoming=30, follow_incoming=True) == 10
    assert effective_cap(10, incoming=30, follow_incoming=False) == 10
    assert inventory_policy_for(29, None, incoming=30, follow_incoming=True) == "CONTINUE"
    assert inventory_policy_for(30, None, incoming=30, follow_incoming=True) == "DENY"
    assert inventory_policy_for(0, None, incoming=0, follow_incoming=True) == "DENY"


def test_units_left_under_cap():
    assert units_left_under_cap(3, 5) == 2
    assert units_left_under_cap(8, 5) == 0
    assert units_left_under_cap(8, None) is None


def test_policy_caps_per_variant():
    policy = Policy.from_dict({"caps": {"default": 10, "variant": {"v1": 2}}})
    assert inventory_policy_for_variant(policy, "v1", 2) == "DENY"
    assert inventory_policy_for_variant(policy, "v2", 2) == "CONTINUE"
    follow = Policy.from_dict({"cap_follows_incoming": True})
    assert inventory_policy_for_variant(follow, "v1", 3, incoming=3) == "DENY"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"units_owed": -1, "cap": 3}, "units_owed"),
        ({"units_owed": 1, "cap": 0}, "cap"),
        ({"units_owed": 1, "cap": 3, "incoming": -2}, "incoming"),
    ],
)
def test_bad_numbers_are_refused(kwargs, field):
    with pytest.raises(InvalidInput) as err:
        inventory_policy_for(**kwargs)
    assert err.value.field == field
