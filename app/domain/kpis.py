"""The numbers on the admin page: promise accuracy, backorder rate, backorder age.

Promise accuracy is measured against the first ETA a line was given (kept by the caller), so a
date quietly moved later does not count as kept.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

AGE_BUCKETS = ((0, 7, "0-7"), (8, 14, "8-14"), (15, 30, "15-30"), (31, None, "31+"))


@dataclass(frozen=True, slots=True)
class PromiseOutcome:
    """A line's first promised ship date and the day it shipped (None while still waiting)."""

    line_id: str
    promised_on: date
    shipped_on: date | None


@dataclass(frozen=True, slots=True)
class PromiseAccuracy:
    """`rate` is kept / (kept + broken); lines still waiting and not yet due are not judged.
    Errors are in calendar days; `median_margin_days` is how early the kept promises were."""

    kept: int
    broken: int
    pending: int
    rate: float | None
    mean_abs_error_days: float | None
    median_margin_days: float | None


def promise_accuracy(outcomes: Iterable[PromiseOutcome], today: date, overdue: int = 0,
                     not_due: int = 0) -> PromiseAccuracy:
    """`overdue` and `not_due`: lines not shipped yet, counted apart (a shop's many waiting lines
    need not each be read), past their promise and not yet."""
    early: Counter[int] = Counter()
    for outcome in outcomes:
        if outcome.shipped_on is None:
            if outcome.promised_on < today:
                overdue += 1  # overdue: the promise is broken whenever it ships
            else:
                not_due += 1
            continue
        early[(outcome.promised_on - outcome.shipped_on).days] += 1
    return promise_accuracy_counted(early, overdue, not_due)


def promise_accuracy_counted(shipped_early: Mapping[int, int], overdue: int = 0,
                             not_due: int = 0) -> PromiseAccuracy:
    """The same figures from counts: of the lines shipped, how many shipped each number of days
    before their first promise (negative: after it), so a shop's shipped lines are counted where
    they are stored rather than each read."""
    kept, broken, pending = 0, overdue, not_due
    errors = 0
    kept_days: list[tuple[int, int]] = []
    for days, count in shipped_early.items():
        if count <= 0:
            continue
        errors += abs(days) * count
        if days >= 0:
            kept += count
            kept_days.append((days, count))
        else:
            broken += count
    shipped = kept + broken - overdue
    judged = kept + broken
    return PromiseAccuracy(
        kept,
        broken,
        pending,
        kept / judged if judged else None,
        errors / shipped if shipped else None,
        _counted_percentile(sorted(kept_days), kept, 0.5),
    )


def _counted_percentile(counted: Sequence[tuple[int, int]], total: int,
                        q: float) -> float | None:
    """Of values given as sorted (value, how many) pairs: linear interpolation between the
    closest ranks, as spreadsheets compute it."""
    if not total:
        return None
    position = q * (total - 1)
    low, high = math.floor(position), math.ceil(position)

    def at(rank: int) -> int:
        seen = 0
        for value, count in counted:
            seen += count
            if rank < seen:
                return value
        raise IndexError(rank)

    return at(low) + (at(high) - at(low)) * (position - low)


@dataclass(frozen=True, slots=True)
class BackorderRate:
    """Of the orders and lines in a window, how many had something backordered."""

    orders: int
    backordered_orders: int
    lines: int
    backordered_lines: int

    @property
    def order_rate(self) -> float | None:
        return self.backordered_orders / self.orders if self.orders else None

    @property
    def line_rate(self) -> float | None:
        return self.backordered_lines / self.lines if self.lines else None


@dataclass(frozen=True, slots=True)
class BackorderAge:
    """Days the open backorders have waited: median, 90th percentile, oldest, and buckets."""

    count: int
    p50_days: float | None
    p90_days: float | None
    max_days: int | None
    buckets: dict[str, int]


def backorder_age(waiting_since: Mapping[date, int], today: date) -> BackorderAge:
    """From how many waiting lines went short on each day, counted where they are stored."""
    ages: Counter[int] = Counter()
    for since, count in waiting_since.items():
        ages[max(0, (today - since).days)] += count
    buckets = {label: 0 for _, _, label in AGE_BUCKETS}
    for age, count in ages.items():
        for low, high, label in AGE_BUCKETS:
            if age >= low and (high is None or age <= high):
                buckets[label] += count
                break
    counted = sorted(ages.items())
    total = sum(ages.values())
    return BackorderAge(total, _counted_percentile(counted, total, 0.5),
                        _counted_percentile(counted, total, 0.9),
                        counted[-1][0] if counted else None, buckets)
