"""Lists of the policy are capped and checked in linear time: a save with 20,000 tags is refused
at once, naming the field."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest

from app.domain.errors import InvalidInput
from app.domain.policy import (
    MAX_CLOSED_DATES,
    MAX_TABLE_ENTRIES,
    MAX_TAG_LENGTH,
    MAX_TAGS,
    Policy,
)

DAYS = [(date(2026, 1, 1) + timedelta(days=n)).isoformat() for n in range(MAX_CLOSED_DATES + 1)]


def table(n: int) -> dict[str, int]:
    return {f"key-{i}": 5 for i in range(n)}


@pytest.mark.parametrize("data,field", [
    ({"priority_tags": [f"t{i}" for i in range(20_000)]}, "priority_tags"),
    ({"priority_tags": [f"t{i}" for i in range(MAX_TAGS + 1)]}, "priority_tags"),
    ({"priority_tags": ["x" * (MAX_TAG_LENGTH + 1)]}, "priority_tags"),
    ({"closed_dates": DAYS}, "closed_dates"),
    ({"lead_times": {"variant": table(MAX_TABLE_ENTRIES + 1)}}, "lead_times.variant"),
    ({"lead_times": {"vendor": {"v" * 256: 3}}}, "lead_times.vendor"),
    ({"caps": {"variant": table(MAX_TABLE_ENTRIES + 1)}}, "caps.variant"),
], ids=["20k-tags", "tags", "long-tag", "closed-dates", "lead-times", "long-key", "caps"])
def test_lists_over_their_cap_are_refused_naming_the_field(data, field):
    with pytest.raises(InvalidInput) as error:
        Policy.from_dict(data)
    assert error.value.field == field


def test_lists_at_their_cap_are_accepted():
    policy = Policy.from_dict({"priority_tags": [f"t{i}" for i in range(MAX_TAGS)],
                               "closed_dates": DAYS[:MAX_CLOSED_DATES],
                               "lead_times": {"variant": table(MAX_TABLE_ENTRIES)}})
    assert len(policy.priority_tags) == MAX_TAGS and policy.priority_tags[0] == "t0"
    assert len(policy.closed_dates) == MAX_CLOSED_DATES


def test_a_repeated_tag_is_found_among_many_in_linear_time():
    tags = [f"t{i}" for i in range(MAX_TAGS - 1)] + ["t0"]
    started = time.perf_counter()
    for _ in range(200):
        with pytest.raises(InvalidInput, match="listed twice"):
            Policy.from_dict({"priority_tags": tags})
    assert time.perf_counter() - started < 1.0
