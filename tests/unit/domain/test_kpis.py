import random
from collections import Counter
from datetime import date, timedelta

import pytest

from app.domain.kpis import (
    BackorderRate,
    PromiseOutcome,
    backorder_age,
    promise_accuracy,
    promise_accuracy_counted,
)
from tests.unit.domain.factories import TODAY

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


def test_backorder_rates_of_orders_and_lines():
    rate = BackorderRate(orders=2, backordered_orders=1, lines=3, backordered_lines=2)
    assert rate.order_rate == 0.5 and rate.line_rate == pytest.approx(2 / 3)
    assert BackorderRate(0, 0, 0, 0).line_rate is None


def test_backorder_age_percentiles_and_buckets():
    since = Counter(TODAY - timedelta(days=d) for d in (0, 3, 8, 10, 20, 45))
    age = backorder_age(since, TODAY)
    assert age.count == 6 and age.max_days == 45
    assert age.p50_days == 9.0
    assert age.p90_days == pytest.approx(32.5)
    assert age.buckets == {"0-7": 2, "8-14": 2, "15-30": 1, "31+": 1}
    assert backorder_age({}, TODAY).p50_days is None


def test_backorder_age_counts_each_line_of_a_day():
    age = backorder_age({TODAY - timedelta(days=2): 3, TODAY - timedelta(days=10): 1}, TODAY)
    assert age.count == 4 and age.p50_days == 2
    assert age.p90_days == pytest.approx(2 + 8 * 0.7)
    assert age.buckets["0-7"] == 3 and age.buckets["8-14"] == 1
