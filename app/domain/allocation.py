"""Allocation: who gets the stock a pool has, and in what order the rest wait.

The queue is FIFO by order time, then order number, then line id, shaped by the policy: a merchant's manual priority
first, then customer-tag classes (an aged line joins the front class). Units a previous plan
already marked ready are served before the queue, so nobody is bumped. Walking the queue, each
line takes what is left; the remainder of a line is backordered and gets an ETA from its shortfall
position.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from itertools import accumulate, groupby, repeat
from operator import attrgetter, itemgetter

from app.domain.calendar import BusinessCalendar
from app.domain.errors import InvalidInput
from app.domain.eta import EtaSchedule
from app.domain.model import Eta, LeadTimeEstimate, Line, LinePlan, PoolPlan, Restock
from app.domain.policy import Policy

PoolInput = tuple[int, Sequence[Line], Sequence[Restock]]

_BY_ID = attrgetter("line_id")
_BY_TIME = attrgetter("queue_time")
_BY_NUMBER = attrgetter("order_number")
_PRIORITY = attrgetter("manual_priority")
# Builds a LinePlan without the named tuple's Python-level __new__: the hot loops make one per
# waiting line, and this halves the cost. Arguments are the eight fields, in order.
_new_tuple = tuple.__new__
# LinePlan fields by position, for building plans column-wise in bulk.
_LINE_ID, _ORDER_ID, _POOL, _QUANTITY, _COVERED, _BACKORDERED, _POSITION, _ETA = (
    itemgetter(k) for k in range(8)
)


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


def replan_pool(
    previous: PoolPlan,
    supply: int,
    restocks: Sequence[Restock],
    policy: Policy,
    today: date,
    lead_time: LeadTimeEstimate | None = None,
    calendar: BusinessCalendar | None = None,
    short_since: date | None = None,
) -> PoolPlan:
    """Re-plan a pool whose lines are unchanged since `previous`: a restock was entered or moved,
    or stock arrived.

    The result equals planning from scratch with each line's covered units fed back as ready
    units, on the same day. It keeps the previous line objects that did not change, so a large
    pool re-plans in a fraction of the time of a full plan. The ETA schedule is constant between
    restock boundaries, so lines are taken in stretches that share their old and new ETA and are
    rebuilt in bulk, not one by one (every line is walked if supply shrank).
    """
    estimate = lead_time or previous.lead_time
    if estimate is None:  # a pool without lines: nothing to re-plan
        return PoolPlan(previous.pool, supply, previous.lines, 0, 0, None)
    calendar = calendar or policy.business_calendar()
    schedule = EtaSchedule(restocks, policy, today, calendar, estimate, short_since)
    available = max(0, supply)
    if available < previous.units_covered:
        return _replan_shrunk(previous, supply, schedule, estimate)
    old = previous.lines
    # Whole columns in one C-level pass each; the walk below then costs a few steps per run of
    # lines rather than per line. `owed_through[i]` is what the old queue owed up to line i.
    owed_through = list(accumulate(map(_BACKORDERED, old)))
    owed = owed_through[-1] if old else 0
    extra = min(available - previous.units_covered, owed)
    # Extra units go down the queue: lines before `cut` that waited are now fully covered, the
    # line at `cut` may be partly covered, and every later line moves up by `shift` places.
    cut = bisect_right(owed_through, extra) if extra else 0
    shift = old[cut][6] - 1 if extra and cut < len(old) else 0
    # A plan's lines share an ETA in runs (covered lines: None). Within a run and a new ETA
    # segment every line changes alike, so the walk below takes whole stretches at a time.
    patches: list[tuple[int, list[LinePlan]]] = []
    lo = 0
    for eta, run in groupby(map(_ETA, old)):
        hi = lo + len(list(run))
        if eta is not None:  # covered lines stay covered: extra units go to waiting ones
            _replan_run(old, lo, hi, owed_through, extra, cut, shift, schedule, patches)
        lo = hi
    # Assembled last: a large young container alive while the new plans are allocated would be
    # traversed by every garbage collection they trigger.
    lines = list(old)
    for start, plans in patches:
        lines[start : start + len(plans)] = plans
    units_covered = previous.units_covered + extra
    return PoolPlan(previous.pool, supply, tuple(lines), owed - extra, units_covered, estimate)


def _replan_run(
    old: tuple[LinePlan, ...],
    lo: int,
    hi: int,
    owed_through: list[int],
    extra: int,
    cut: int,
    shift: int,
    schedule: EtaSchedule,
    patches: list[tuple[int, list[LinePlan]]],
) -> None:
    """Add to `patches` the new plans of old lines lo..hi-1, a run of waiting lines sharing an ETA.

    Lines are rebuilt in bulk per stretch that shares its new ETA (the schedule is constant
    between restock boundaries); a stretch that keeps its ETA and place keeps its old objects.
    """
    i = lo
    if i < cut:  # wholly covered by the extra units
        i = min(hi, cut)
        patches.append((lo, list(_covered_plans(old[lo:i]))))
    if i == cut < hi and extra:  # the line that takes the last extra units, maybe partly
        plan = old[cut]
        short = owed_through[cut] - extra
        if short < plan.backordered:
            got = plan.quantity - short
            eta = schedule.segment(short)[1]
            patches.append((cut, [_new_tuple(LinePlan, (*plan[:4], got, short, 1, eta))]))
            i += 1
    while i < hi:
        high, eta = schedule.segment(owed_through[i] - extra)
        end = hi if high == math.inf else bisect_right(owed_through, high + extra, i, hi)
        if shift or eta is not old[i].eta:
            patches.append((i, list(_waiting_plans(old[i:end], shift, eta))))
        i = end


def _waiting_plans(run: tuple[LinePlan, ...], shift: int, eta: Eta) -> Iterable[LinePlan]:
    """Waiting lines, consecutive in the queue, moved up `shift` places and given a new ETA.

    Built column by column with map and zip so that the loop runs in C: a restock entered into
    a large pool re-dates tens of thousands of lines, and one tuple per line is all it allocates
    (positions that stay are the old int objects, not new ones).
    """
    if shift:
        first = run[0][6] - shift
        positions: Iterable[int] = range(first, first + len(run))
    else:
        positions = map(_POSITION, run)
    columns = zip(
        map(_LINE_ID, run), map(_ORDER_ID, run), map(_POOL, run), map(_QUANTITY, run),
        map(_COVERED, run), map(_BACKORDERED, run), positions, repeat(eta),
    )
    return map(_new_tuple, repeat(LinePlan), columns)


def _covered_plans(run: tuple[LinePlan, ...]) -> Iterable[LinePlan]:
    """Waiting lines that stock now covers in full, built in bulk like `_waiting_plans`."""
    columns = zip(
        map(_LINE_ID, run), map(_ORDER_ID, run), map(_POOL, run), map(_QUANTITY, run),
        map(_QUANTITY, run), repeat(0), repeat(None), repeat(None),
    )
    return map(_new_tuple, repeat(LinePlan), columns)


def _replan_shrunk(
    previous: PoolPlan, supply: int, schedule: EtaSchedule, estimate: LeadTimeEstimate
) -> PoolPlan:
    """Stock shrank below what was ready: ready units are served in queue order until it runs
    out, and every line after that point waits."""
    remaining, owed, position, lines = max(0, supply), 0, 0, []
    for plan in previous.lines:
        got = plan.covered if plan.covered < remaining else remaining
        remaining -= got
        short = plan.quantity - got
        if short:
            owed += short
            position += 1
            eta = schedule.eta_for(owed)
            lines.append(_new_tuple(LinePlan, (*plan[:4], got, short, position, eta)))
        else:
            lines.append(plan)
    return PoolPlan(previous.pool, supply, tuple(lines), owed, max(0, supply), estimate)


def plan_all(
    pools: Mapping[str, PoolInput],
    policy: Policy,
    today: date,
    lead_times: Mapping[str, LeadTimeEstimate] | None = None,
    calendar: BusinessCalendar | None = None,
    short_since: Mapping[str, date] | None = None,
) -> dict[str, PoolPlan]:
    """Plan every pool; `lead_times` and `short_since` are keyed by pool. One calendar is shared
    so business-day answers are memoised across pools."""
    calendar = calendar or policy.business_calendar()
    lead_times = lead_times or {}
    short_since = short_since or {}
    return {
        pool: plan_pool(
            pool, supply, lines, restocks, policy, today,
            lead_times.get(pool), calendar, short_since.get(pool),
        )
        for pool, (supply, lines, restocks) in pools.items()
    }


def _merchant_estimate(policy: Policy, line: Line) -> LeadTimeEstimate:
    days, scope = policy.merchant_lead_time(line.variant_id, line.product_type, line.vendor)
    return LeadTimeEstimate(days, policy.safety_margin_days, "merchant", scope)
