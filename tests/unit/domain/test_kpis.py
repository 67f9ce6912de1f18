import random
from collections import Counter
from datetime import date, timedelta

import pytest

from app.domain.allocation import plan_pool
from app.domain.kpis import (
    PromiseOutcome,
    backorder_age,
    backorder_rate,
    promise_accuracy,
    promise_accuracy_counted,
)
from app.domain.policy import Policy
from tests.unit.domain.factories import POOL, TODAY, line

D = date(2026, 3, 1)


def test_promise_accuracy_judges_first_promises():
    outcomes = [
        PromiseOutcome("a", D, D - timedelta(days=2)),  # kept, 2 days early
        PromiseOutcome("b", D, D),  # kept on the day
        PromiseOutcome("c", D, D + timedelta(days=3)),  # broken, 3 late
        PromiseOutcome("d", D, None),  # still waiting past the date: broken
        PromiseOutcome("e", TODAY + timedelta(days=5), None),  # not yet due
    ]
    result = promise_accuracy(outcomes, TODAY)
    assert (result.kept, result.broken, result.pending) == (2, 2, 1)
    assert result.rate == 0.5
    assert result.mean_abs_error_days == pytest.approx(5 / 3)
    assert result.median_margin_days == 1


def test_lines_not_shipped_may_be_counted_apart():
    """The database counts the waiting lines; the same figures as reading each of them."""
    shipped = [PromiseOutcome("a", D, D - timedelta(days=2)), PromiseOutcome("b", D, D),
               PromiseOutcome("c", D, D + timedelta(days=3))]
    result = promise_accuracy(shipped, TODAY, overdue=1, not_due=1)
    assert (result.kept, result.broken, result.pending) == (2, 2, 1)
    assert result.rate == 0.5 and result.mean_abs_error_days == pytest.approx(5 / 3)


def test_shipped_lines_may_be_counted_by_days_early():
    """Counts of (days shipped before the promise) give what reading each line gives."""
    rng = random.Random(3)
    for _ in range(50):
        shipped = [PromiseOutcome(str(n), D, D + timedelta(days=rng.randint(-9, 9)))
                   for n in range(rng.randint(0, 12))]
        early = Counter((o.promised_on - o.shipped_on).days for o in shipped)
        assert promise_accuracy_counted(early, overdue=2, not_due=3) == promise_accuracy(
            shipped, TODAY, overdue=2, not_due=3)
    counted = promise_accuracy_counted({2: 1, 0: 1, -3: 1}, overdue=1, not_due=1)
    assert (counted.kept, counted.broken, counted.pending) == (2, 2, 1)
    assert counted.mean_abs_error_days == pytest.approx(5 / 3) and counted.median_margin_days == 1


def test_promise_accuracy_of_nothing():
    result = promise_accuracy([], TODAY)
    assert result.rate is None and result.median_margin_days is None


def test_backorder_rate_by_order_line_and_unit():
    lines = [line(1, 2, order_id="A"), line(2, 1, order_id="A"), line(3, 1, order_id="B")]
    plan = plan_pool(POOL, 2, lines, [], Policy(), TODAY)
    rate = backorder_rate(plan.lines)
    assert (rate.orders, rate.backordered_orders) == (2, 2)
    assert (rate.lines, rate.backordered_lines, rate.units, rate.backordered_units) == (3, 2, 4, 2)
    assert rate.order_rate == 1.0 and rate.line_rate == pytest.approx(2 / 3)
    assert rate.unit_rate == 0.5
    assert backorder_rate([]).line_rate is None


def test_backorder_age_percentiles_and_buckets():
    since = [TODAY - timedelta(days=d) for d in (0, 3, 8, 10, 20, 45)]
    age = backorder_age(since, TODAY)
    assert age.count == 6 and age.max_days == 45
    assert age.p50_days == 9.0
    assert age.p90_days == pytest.approx(32.5)
    assert age.buckets == {"0-7": 2, "8-14": 2, "15-30": 1, "31+": 1}
    assert backorder_age([], TODAY).p50_days is None
