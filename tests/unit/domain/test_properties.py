"""Invariants of planning, checked over generated pools (DESIGN: domain invariants)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.allocation import (
    append_plan,
    class_rank,
    plan_pool,
    queue_key,
    queue_order,
)
from app.domain.model import Line
from app.domain.policy import Policy
from tests.unit.domain.factories import POOL, TODAY, line, restock

POLICIES = [
    Policy(),
    Policy.from_dict({"priority_tags": ["VIP", "B2B"]}),
    Policy.from_dict({"priority_tags": ["VIP"], "age_boost_days": 3, "processing_days": 0}),
    Policy.from_dict({"safety_margin_days": 0, "slip_allowance_days": 9, "weekend_days": [6]}),
]


@st.composite
def pools(draw, ready=False):
    n = draw(st.integers(0, 20))
    lines = []
    for i in range(n):
        quantity = draw(st.integers(1, 4))
        lines.append(
            line(
                i,
                quantity,
                minutes=draw(st.integers(-60 * 24 * 8, 60)),
                manual_priority=draw(st.sampled_from([0, 0, 0, 1, 2])),
                customer_tags=draw(st.frozensets(st.sampled_from(["VIP", "B2B", "x"]), max_size=2)),
                ready_units=draw(st.integers(0, quantity)) if ready else 0,
            )
        )
    restocks = [
        restock(j, draw(st.integers(1, 15)), TODAY + timedelta(days=draw(st.integers(-6, 40))))
        for j in range(draw(st.integers(0, 4)))
    ]
    supply = draw(st.integers(-3, 50))
    policy = draw(st.sampled_from(POLICIES))
    return supply, lines, restocks, policy


def plan(supply, lines, restocks, policy):
    return plan_pool(POOL, supply, lines, restocks, policy, TODAY)


def eta_key(line_plan) -> date:
    """Ready lines ship now: they count as the earliest possible date."""
    return date.min if line_plan.eta is None else line_plan.eta.ships_on


def by_id(pool_plan):
    return {lp.line_id: lp for lp in pool_plan.lines}


def with_ready(lines: list[Line], ready: dict[str, int]) -> list[Line]:
    return [
        Line(x.line_id, x.order_id, x.pool, x.quantity, x.ordered_at, x.customer_tags,
             x.manual_priority, ready[x.line_id])
        for x in lines
    ]


@settings(max_examples=150, deadline=None)
@given(pools(ready=True))
def test_covered_units_never_exceed_supply_nor_quantity(case):
    supply, lines, restocks, policy = case
    result = plan(supply, lines, restocks, policy)
    assert sorted(lp.line_id for lp in result.lines) == sorted(x.line_id for x in lines)
    for lp in result.lines:
        assert 0 <= lp.covered <= lp.quantity
        assert lp.backordered == lp.quantity - lp.covered
        assert (lp.eta is None) == (lp.backordered == 0) == (lp.queue_position is None)
    total = sum(x.quantity for x in lines)
    assert result.units_covered == sum(lp.covered for lp in result.lines)
    assert result.units_covered == min(max(0, supply), total)  # no unit is left idle
    assert result.units_owed == total - result.units_covered


@settings(max_examples=150, deadline=None)
@given(pools())
def test_in_one_class_a_later_line_is_never_covered_while_an_earlier_waits(case):
    supply, lines, restocks, policy = case
    result = plan(supply, lines, restocks, policy)
    order = queue_order(lines, policy, TODAY)
    assert [x.line_id for x in order] == [lp.line_id for lp in result.lines]
    classes = [(x.manual_priority, class_rank(x, policy, TODAY)) for x in order]
    for i, earlier in enumerate(result.lines):
        if not earlier.backordered:
            continue
        for j in range(i + 1, len(order)):
            if classes[j] == classes[i]:
                assert result.lines[j].covered == 0


@settings(max_examples=150, deadline=None)
@given(pools(ready=True))
def test_etas_never_decrease_along_the_queue(case):
    supply, lines, restocks, policy = case
    waiting = [lp for lp in plan(supply, lines, restocks, policy).lines if lp.backordered]
    dates = [lp.eta.ships_on for lp in waiting]
    assert dates == sorted(dates)
    assert [lp.queue_position for lp in waiting] == list(range(1, len(waiting) + 1))
    for lp in waiting:
        assert lp.eta.earliest <= lp.eta.ships_on <= lp.eta.latest
        assert lp.eta.ships_on >= TODAY


@settings(max_examples=150, deadline=None)
@given(pools(ready=True), st.randoms(use_true_random=False))
def test_planning_is_deterministic_whatever_the_input_order(case, rnd):
    supply, lines, restocks, policy = case
    first = plan(supply, lines, restocks, policy)
    shuffled, shuffled_restocks = list(lines), list(restocks)
    rnd.shuffle(shuffled)
    rnd.shuffle(shuffled_restocks)
    assert plan(supply, shuffled, shuffled_restocks, policy) == first
    assert plan(supply, lines, restocks, policy) == first


@settings(max_examples=150, deadline=None)
@given(pools())
def test_feeding_ready_units_back_changes_nothing(case):
    supply, lines, restocks, policy = case
    first = plan(supply, lines, restocks, policy)
    ready = {lp.line_id: lp.covered for lp in first.lines}
    again = plan(supply, with_ready(lines, ready), restocks, policy)
    assert again == first


@settings(max_examples=150, deadline=None)
@given(pools(ready=True), st.integers(1, 30))
def test_more_supply_never_makes_an_eta_later(case, more):
    supply, lines, restocks, policy = case
    before = by_id(plan(supply, lines, restocks, policy))
    after = by_id(plan(max(supply, 0) + more, lines, restocks, policy))
    for line_id, lp in after.items():
        assert eta_key(lp) <= eta_key(before[line_id])
        assert lp.covered >= before[line_id].covered


@settings(max_examples=150, deadline=None)
@given(pools(), st.data())
def test_a_cancellation_never_makes_another_eta_later(case, data):
    supply, lines, restocks, policy = case
    if not lines:
        return
    gone = data.draw(st.sampled_from(lines))
    before = by_id(plan(supply, lines, restocks, policy))
    after = by_id(plan(supply, [x for x in lines if x is not gone], restocks, policy))
    assert gone.line_id not in after
    for line_id, lp in after.items():
        assert eta_key(lp) <= eta_key(before[line_id])


@settings(max_examples=300, deadline=None)
@given(pools(ready=True), st.integers(1, 5), st.sampled_from([0, 0, 1]),
       st.frozensets(st.sampled_from(["VIP", "B2B", "x"]), max_size=2))
def test_a_line_appended_at_the_tail_is_planned_as_from_scratch(case, quantity, priority, tags):
    """A line whose queue key sorts after every other gets from `append_plan` what a plan of the
    whole pool gives it, and every other line keeps its plan."""
    supply, lines, restocks, policy = case
    first = plan(supply, lines, restocks, policy)
    new = line(99, quantity, minutes=61, manual_priority=priority, customer_tags=tags)
    key = queue_key(policy, TODAY)
    if lines and key(new) < max(map(key, lines)):
        return  # not at the tail: the service plans the pool again instead
    waiting = sum(1 for lp in first.lines if lp.backordered)
    totals = (supply, first.units_covered, first.units_owed, waiting)
    appended = append_plan(POOL, new, totals, restocks, policy, TODAY)
    expected = plan(supply, [*lines, new], restocks, policy)
    assert expected.lines[-1] == appended
    assert expected.lines[:-1] == first.lines
