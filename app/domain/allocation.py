"""Allocation: who gets the stock a pool has, and in what order the rest wait.

The queue is FIFO by order time, then order number, then line id, shaped by the policy: a merchant's manual priority
first, then customer-tag classes (an aged line joins the front class). Units a previous plan
already marked ready are served before the queue, so nobody is bumped. Walking the queue, each
line takes what is left; the remainder of a line is backordered and gets an ETA from its shortfall
position.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from operator import attrgetter

from app.domain.calendar import BusinessCalendar
from app.domain.errors import InvalidInput
from app.domain.eta import EtaSchedule
from app.domain.model import LeadTimeEstimate, Line, LinePlan, PoolPlan, Restock
from app.domain.policy import Policy

_BY_ID = attrgetter("line_id")
_BY_TIME = attrgetter("queue_time")
_BY_NUMBER = attrgetter("order_number")
_PRIORITY = attrgetter("manual_priority")
# Builds a LinePlan without the named tuple's Python-level __new__: the hot loops make one per
# waiting line, and this halves the cost. Arguments are the eight fields, in order.
_new_tuple = tuple.__new__


def class_rank(line: Line, policy: Policy, today: date) -> int:
    """0 for the first tag class (and aged lines), then one per class; untagged lines last."""
    if policy.age_boost_days is not None:
        if (today - line.ordered_at.date()).days > policy.age_boost_days:
            return 0
    if policy.priority_tags and line.customer_tags:
        tags = {t.casefold() for t in line.customer_tags}
        for rank, tag in enumerate(policy.priority_tags):
            if tag.casefold() in tags:
                return rank
    return len(policy.priority_tags)


def queue_key(policy: Policy, today: date) -> Callable[[Line], tuple]:
    """Sort key of the queue: manual priority (higher first), class, order time, order number,
    line id."""

    def key(line: Line) -> tuple:
        rank = class_rank(line, policy, today)
        return (-line.manual_priority, rank, line.queue_time, line.order_number, line.line_id)

    return key


def queue_order(lines: Sequence[Line], policy: Policy, today: date) -> list[Line]:
    if policy.priority_tags or policy.age_boost_days is not None:
        return sorted(lines, key=queue_key(policy, today))
    # Plain FIFO is the common case: stable sorts on one attribute each (id, number, time, then
    # priority) give the same order as one tuple key, several times faster.
    ordered = sorted(lines, key=_BY_ID)
    ordered.sort(key=_BY_NUMBER)
    ordered.sort(key=_BY_TIME)
    ordered.sort(key=_PRIORITY, reverse=True)
    return ordered


def allocate(ordered: Sequence[Line], supply: int) -> list[int]:
    """Units covered per line, in queue order: ready units first (no bumping), then the queue."""
    remaining = max(0, supply)
    covered = [0] * len(ordered)
    for i, line in enumerate(ordered):
        if line.ready_units and remaining:
            take = min(line.ready_units, remaining)
            covered[i] = take
            remaining -= take
    for i, line in enumerate(ordered):
        if not remaining:
            break
        take = min(line.quantity - covered[i], remaining)
        covered[i] += take
        remaining -= take
    return covered


def plan_pool(
    pool: str,
    supply: int,
    lines: Sequence[Line],
    restocks: Sequence[Restock],
    policy: Policy,
    today: date,
    lead_time: LeadTimeEstimate | None = None,
    calendar: BusinessCalendar | None = None,
    short_since: date | None = None,
) -> PoolPlan:
    """Plan one pool from scratch. `short_since` is the day the pool went short, if known."""
    calendar = calendar or policy.business_calendar()
    ordered = queue_order(lines, policy, today)
    covered = allocate(ordered, supply)
    estimate = lead_time or (_merchant_estimate(policy, ordered[0]) if ordered else None)
    plans: list[LinePlan] = []
    owed = position = 0
    high: float = -1
    eta = schedule = None
    for line, got in zip(ordered, covered, strict=True):
        short = line.quantity - got
        if not short:
            plans.append(
                _new_tuple(LinePlan, (line.line_id, line.order_id, pool, got, got, 0, None, None))
            )
            continue
        owed += short
        position += 1
        if owed > high:
            if schedule is None:
                schedule = EtaSchedule(restocks, policy, today, calendar, estimate, short_since)
            high, eta = schedule.segment(owed)
        plans.append(
            _new_tuple(
                LinePlan,
                (line.line_id, line.order_id, pool, line.quantity, got, short, position, eta),
            )
        )
    return PoolPlan(pool, supply, tuple(plans), owed, sum(covered), estimate)


def append_plan(
    pool: str,
    line: Line,
    totals: tuple[int, int, int, int],
    restocks: Sequence[Restock],
    policy: Policy,
    today: date,
    lead_time: LeadTimeEstimate | None = None,
    calendar: BusinessCalendar | None = None,
    short_since: date | None = None,
) -> LinePlan:
    """The plan of a line that sorts after every line of a pool, on the same day and supply.

    `totals` are the pool's plan before it: (supply, units covered, units owed, lines waiting).
    The lines ahead keep their plans, so this equals planning the pool again from scratch, at
    the cost of one line: the common case of a sale, where each order joins the queue's tail.
    """
    if line.ready_units:
        raise InvalidInput("a line joining the queue has no ready units", field="ready_units")
    supply, covered, owed, waiting = totals
    got = min(line.quantity, max(0, max(0, supply) - covered))
    short = line.quantity - got
    if not short:
        return LinePlan(line.line_id, line.order_id, pool, line.quantity, got, 0, None, None)
    estimate = lead_time or _merchant_estimate(policy, line)
    schedule = EtaSchedule(restocks, policy, today, calendar or policy.business_calendar(),
                           estimate, short_since)
    eta = schedule.segment(owed + short)[1]
    return LinePlan(line.line_id, line.order_id, pool, line.quantity, got, short, waiting + 1, eta)


def _merchant_estimate(policy: Policy, line: Line) -> LeadTimeEstimate:
    days, scope = policy.merchant_lead_time(line.variant_id, line.product_type, line.vendor)
    return LeadTimeEstimate(days, policy.safety_margin_days, "merchant", scope)
