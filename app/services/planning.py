"""Re-plan pools and store the result with the desired platform state, in the caller's transaction.

Work on one pool is serialised by a lock on its row (PostgreSQL: SELECT … FOR UPDATE; SQLite: the
transaction's write lock), taken in a fixed order so two workers never deadlock or over-allocate.

A pool is planned the cheapest way that gives the same result as planning it from scratch:
- a stock reading that leaves the supply as it was planned today changes nothing;
- a new order whose lines sort after the queue's tail is planned line by line (`append_plan`),
  from the totals kept on the pool's row: in a sale almost every event is one of these two;
- anything else plans the pool again, reading its lines column by column, and writes only the
  lines whose plan changed. Positions are stored as tickets against an offset on the pool, so
  filling the head of a long queue does not rewrite every line behind it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from app.domain.allocation import append_plan, plan_pool, queue_key
from app.domain.alternatives import as_entry
from app.domain.calendar import BusinessCalendar
from app.domain.eta import EtaSchedule, eta_changes
from app.domain.lead_time import (
    RestockArrival,
    StockoutRestock,
    lead_time_for,
    summarise_history,
)
from app.domain.model import Eta, LeadTimeEstimate, Line, LinePlan, PoolPlan, Restock
from app.domain.notices import facts_of
from app.domain.order_view import order_view
from app.domain.policy import Policy
from app.domain.ships_by import new_order_ships_by
from app.domain.writeback import desired_state
from app.services import object_sync
from app.services.business_calendar import business_calendar_for
from app.services.mirror import whole_second
from app.storage import plans as plan_store
from app.storage import restocks as restock_store
from app.storage import shops as shop_store
from app.storage import syncs as sync_store
from app.storage.db import Tx
from app.storage.tables import OrderLine, Pool, StockoutRow, Variant

# Per backordered line, its suggestions as the line stores them ({variant_id, reason, weak}).
Suggest = Callable[[Tx, str, list], dict[str, list[dict]]]
# Of these variants, those whose stock no longer covers every unit waiting lines' suggestions
# claim of them.
Overclaimed = Callable[[Tx, str, set[str]], set[str]]
CHUNK = 500  # pools or orders read per query: well under either database's parameter limit
NO_TAGS: frozenset[str] = frozenset()
# Rounds of looking again at the lines behind lines that took more alternatives' units; each
# round reaches further back in the queue, and what is left is looked at by the next plan.
BEHIND_ROUNDS = 5
WAITING_WINDOW = 3  # days after crossing waiting long in which the hourly job still finds an order


@dataclass(frozen=True, slots=True)
class Change:
    """What moved in the pools since their last plan, when the caller knows it: `new_order`, a
    new order whose lines are the only change; `stock_only`, stock readings and nothing else."""

    new_order: str | None = None
    stock_only: bool = False


ANYTHING = Change()


@dataclass(frozen=True, slots=True)
class _Run:
    """One re-plan's shared inputs."""

    shop: str
    policy: Policy
    calendar: BusinessCalendar
    today: date
    now: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class ShopView:
    """What a pass over the whole shop reads once, not again for each few pools: the policy,
    its business calendar, and the lead-time history of every variant and vendor (read per
    chunk, a vendor's history would be read again with each of its chunks)."""

    policy: Policy
    calendar: BusinessCalendar
    history: dict


@dataclass(slots=True)
class _Inputs:
    """What planning a chunk of pools reads besides their lines."""

    pools: dict[str, Pool]
    variants: dict[str, Variant]
    levels: dict[str, list]
    restocks: dict[str, list[Restock]]
    history: dict


def shop_policy(s: Tx, shop: str) -> Policy:
    """The merchant's policy; the shop's own country gives the holidays unless one is set."""
    row = shop_store.find(s, shop)
    data = dict((row.policy if row else None) or {})
    if not data.get("country") and row is not None and row.country_code:
        data["country"] = row.country_code
    return Policy.from_dict(data)


class Planning:
    def __init__(self, clock: Callable[[], datetime], suggest: Suggest | None = None,
                 overclaimed: Overclaimed | None = None):
        self._clock = clock
        self._suggest = suggest or (lambda s, shop, lines: {})
        self._overclaimed = overclaimed or (lambda s, shop, variants: variants)

    def lock_pools(self, s: Tx, shop: str, pools: Iterable[str]) -> dict[str, Pool]:
        """Take the pools' row locks, in a fixed order; their rows. A handler calls this before
        it changes the mirror, so everything it touches in those pools is written under the lock
        and two workers cannot deadlock on each other's rows."""
        rows = {}
        for chunk in _chunks(sorted(set(pools))):
            rows.update((r.pool, r) for r in plan_store.lock_pools(s, shop, chunk))
        return rows

    def shop_view(self, s: Tx, shop: str) -> ShopView:
        policy = shop_policy(s, shop)
        return ShopView(policy, business_calendar_for(policy, self._clock().date()),
                        _history(s, shop, None))

    def replan(self, s: Tx, shop: str, pools: Iterable[str], reason: str,
               change: Change = ANYTHING, view: ShopView | None = None) -> set[str]:
        """Plan the pools again; the orders whose desired platform state changed. `view`: the
        shop as a pass over all its pools read it (`shop_view`)."""
        pools = sorted(set(pools))
        if not pools:
            return set()
        s.flush()
        now = self._clock()
        policy = view.policy if view else shop_policy(s, shop)
        calendar = view.calendar if view else business_calendar_for(policy, now.date())
        run = _Run(shop, policy, calendar, now.date(), now, reason)
        rows = self.lock_pools(s, shop, pools)
        touched: set[str] = set()
        for chunk in _chunks(pools):
            touched |= self._replan_chunk(s, run, {p: rows[p] for p in chunk}, change,
                                          view.history if view else None)
        return self.refresh_orders(s, shop, touched, policy, run.today)

    def _replan_chunk(self, s: Tx, run: _Run, pools: dict[str, Pool],
                      change: Change, history: dict | None) -> set[str]:
        inputs = _read_inputs(s, run.shop, pools, history)
        writes = _Writes()
        full = []
        for pool in pools:
            if not self._quick(s, run, inputs, pool, change, writes):
                full.append(pool)
        lines = _read_lines(s, run.shop, full, run.policy) if full else {}
        for pool in full:
            self._plan_again(run, inputs, pool, lines.get(pool, []), writes)
        return writes.save(s, run)

    # the quick ways

    def _quick(self, s: Tx, run: _Run, inputs: _Inputs, pool: str, change: Change,
               writes: _Writes) -> bool:
        """Planned without reading the pool's lines; False when it must be planned from scratch."""
        row = inputs.pools[pool]
        if row.open_units is None or row.planned_at is None or row.tail is None:
            return False
        if row.planned_at.date() != run.today:  # ETAs and age classes move with the day
            return False
        if change.stock_only:
            supply = self._quick_supply(s, run.shop, inputs, pool, row.open_units)
            if supply == row.supply:
                return True
            return supply > row.supply and self._arrival(s, run, inputs, pool, supply, writes)
        if change.new_order:
            return self._append(s, run, inputs, pool, change.new_order, writes)
        return False

    def _append(self, s: Tx, run: _Run, inputs: _Inputs, pool: str, order_id: str,
                writes: _Writes) -> bool:
        row = inputs.pools[pool]
        variant = inputs.variants.get(pool.split("@", 1)[0])
        stored = {r.line_id: r for r in plan_store.order_lines(s, run.shop, order_id,
                                                               bool(run.policy.priority_tags))
                  if r.pool == pool and r.open_quantity > 0}
        new = [_line(r, 0, variant) for r in stored.values()]
        key = queue_key(run.policy, run.today)
        new.sort(key=key)
        if not new or key(new[0]) <= tuple(row.tail):
            return False
        open_units = row.open_units + sum(line.quantity for line in new)
        if self._quick_supply(s, run.shop, inputs, pool, open_units) != row.supply:
            return False  # the new lines moved the supply: the plans ahead may change
        estimate = self._lead_time(run.policy, inputs, variant)
        totals = (row.supply, row.units_covered, row.units_owed, row.lines_waiting)
        plans = []
        for line in new:
            plan = append_plan(pool, line, totals, inputs.restocks.get(pool, []), run.policy,
                               run.today, estimate, run.calendar, row.short_since)
            plans.append(plan)
            totals = (row.supply, totals[1] + plan.covered, totals[2] + plan.backordered,
                      totals[3] + bool(plan.backordered))
        plan = PoolPlan(pool, row.supply, tuple(plans), totals[2], totals[1], estimate)
        writes.shortage(run, row, plan, variant)
        writes.ships_by(run, row, plan, variant, inputs.restocks.get(pool, []))
        row.open_units, row.lines_waiting = open_units, totals[3]
        row.tail = list(key(new[-1]))
        writes.lines(run, [stored[p.line_id] for p in plans], plan, row.position_offset)
        return True

    def _arrival(self, s: Tx, run: _Run, inputs: _Inputs, pool: str, supply: int,
                 writes: _Writes) -> bool:
        """Stock rose and nothing else moved: the extra units go down the waiting lines in queue
        order, as in a plan from scratch when every unit the store was told is ready is covered
        (ready units are served first). The waiting lines are read without their dates, and
        the filled head of the queue moves the ticket offset instead of every ticket."""
        row = inputs.pools[pool]
        if ((row.units_owed and row.units_covered != max(0, row.supply))
                or plan_store.any_ready_uncovered(s, run.shop, pool)):
            return False
        variant = inputs.variants.get(pool.split("@", 1)[0])
        estimate = self._lead_time(run.policy, inputs, variant)
        if estimate is None:
            return False
        waiting = plan_store.waiting_lines(s, run.shop, pool)
        schedule = EtaSchedule(inputs.restocks.get(pool, []), run.policy, run.today,
                               run.calendar, estimate, row.short_since)
        extra = max(0, supply) - max(0, row.supply)  # a supply below zero covers nothing
        left, owed, filled, plans, rows = extra, 0, 0, [], []
        offset = row.position_offset
        for r in waiting:  # unpacked: a pool's waiting lines may be a hundred thousand
            line_id, order_id, quantity, covered, backordered, ticket, *stored = r
            take = min(left, backordered)
            left -= take
            short = backordered - take
            if not short:
                filled += 1
                plans.append(LinePlan(line_id, order_id, pool, quantity, quantity, 0, None, None))
                rows.append(r)
                continue
            owed += short
            eta = schedule.segment(owed)[1]
            if take or _eta_of(tuple(stored)) != eta:  # else its ticket and plan stand
                plans.append(LinePlan(line_id, order_id, pool, quantity, covered + take, short,
                                      ticket - offset - filled, eta))
                rows.append(r)
        covered = row.units_covered + extra - left
        plan = PoolPlan(pool, supply, tuple(plans), owed, covered, estimate)
        writes.shortage(run, row, plan, variant)
        writes.ships_by(run, row, plan, variant, inputs.restocks.get(pool, []))
        row.lines_waiting -= filled
        row.position_offset += filled
        writes.lines(run, rows, plan, row.position_offset)
        return True

    def _quick_supply(self, s: Tx, shop: str, inputs: _Inputs, pool: str,
                      open_units: int) -> int:
        """The supply from the pool's open units and the few lines newer than its readings."""
        variant = inputs.variants.get(pool.split("@", 1)[0])
        levels = inputs.levels.get(variant.inventory_item_id, []) if variant else []
        return _supply(variant, levels, open_units,
                       lambda since: plan_store.open_lines_since(s, shop, pool, since))

    # planning from scratch

    def _plan_again(self, run: _Run, inputs: _Inputs, pool: str, rows: list,
                    writes: _Writes) -> None:
        row = inputs.pools[pool]
        variant = inputs.variants.get(pool.split("@", 1)[0])
        open_rows = [r for r in rows if r.open_quantity > 0]
        levels = inputs.levels.get(variant.inventory_item_id, []) if variant else []
        supply = _supply(variant, levels, sum(r.open_quantity for r in open_rows),
                         lambda since: open_rows)
        lines = [_line(r, _still_ready(r.told_ready, r.told_quantity, r.open_quantity), variant)
                 for r in open_rows]
        plan = plan_pool(pool, supply, lines, inputs.restocks.get(pool, []), run.policy,
                         run.today, self._lead_time(run.policy, inputs, variant), run.calendar,
                         row.short_since)
        writes.shortage(run, row, plan, variant)
        writes.ships_by(run, row, plan, variant, inputs.restocks.get(pool, []))
        row.open_units = sum(r.open_quantity for r in open_rows)
        row.lines_waiting = sum(1 for p in plan.lines if p.backordered)
        by_id = {line.line_id: line for line in lines}
        row.tail = list(queue_key(run.policy, run.today)(by_id[plan.lines[-1].line_id])) \
            if plan.lines else []
        row.position_offset = _offset(rows, plan, row.position_offset)
        writes.lines(run, rows, plan, row.position_offset)

    def _lead_time(self, policy: Policy, inputs: _Inputs,
                   variant: Variant | None) -> LeadTimeEstimate | None:
        if variant is None:
            return None
        return lead_time_for(policy, inputs.history, variant.variant_id, variant.product_type,
                             variant.vendor)

    def replan_overdue(self, s: Tx, shop: str) -> set[str]:
        """Pools waiting on a restock whose date has passed without it arriving: their ETAs
        slip, though no webhook says so. Run daily."""
        pools = plan_store.overdue_pools(s, shop, self._clock().date())
        return self.replan(s, shop, pools, "restock overdue") | self.refresh_waiting(s, shop)

    def refresh_waiting(self, s: Tx, shop: str) -> set[str]:
        """Orders that have been short for about the shop's waiting-long days: waiting long
        comes with the day, not with an event. Only those that crossed it lately (a few days'
        window, so a job that missed a day still finds them) are looked at, not every order
        that has waited long; those already marked so are unchanged and not written."""
        policy = shop_policy(s, shop)
        now = self._clock()
        days = policy.notices.waiting_long_days
        orders = plan_store.short_between(s, shop, now - timedelta(days=days + WAITING_WINDOW),
                                          now - timedelta(days=days - 1))
        return self.refresh_orders(s, shop, orders, policy, now.date()) if orders else set()

    def refresh_suggesting(self, s: Tx, shop: str, pools: Iterable[str]) -> set[str]:
        """Orders that suggest a variant of these pools as an alternative: its stock moved, so
        a suggestion that sold out goes. While the variant's stock still covers every unit the
        suggestions claim, each suggesting line keeps it and nothing else it sees moved: in a
        sale of a well-stocked variant, no order is looked at again for each unit sold."""
        variants = self._overclaimed(s, shop, {pool.split("@", 1)[0] for pool in pools})
        if not variants:
            return set()
        orders = plan_store.orders_suggesting(s, shop, variants)
        if not orders:
            return set()
        return self.refresh_orders(s, shop, orders, shop_policy(s, shop), self._clock().date())

    def refresh_orders(self, s: Tx, shop: str, order_ids: set[str] | list[str], policy: Policy,
                       today: date, look_behind: bool = True) -> set[str]:
        """Recompute the desired state of these orders (a list: in its order, the queue's when
        a whole shop is looked at, so each chunk sees the offers of the orders ahead); those
        whose state changed.

        With `look_behind`, the lines behind them see what these took and gave up: a line that
        now suggests a variant takes its units from the lines behind that suggested it, which
        are looked at again; a line filled gives up what it was offered, and as many lines next
        in its queue that were offered none are looked at again. Lines that gave up offers mark
        the transaction (`offers_given_up`), for a pass over the whole shop later."""
        released: Counter[str] = Counter()
        taken: dict[str, datetime] = {}
        changed = self._refresh(s, shop, order_ids, policy, today, released, taken)
        if not look_behind:
            return changed
        done = set(order_ids)
        if released:
            changed |= self._refresh(s, shop, _next_without_offers(s, shop, released) - done,
                                     policy, today, Counter(), taken)
        for _ in range(BEHIND_ROUNDS):
            behind = plan_store.orders_suggesting(s, shop, set(taken),
                                                  after=min(taken.values(), default=None)) - done
            if not behind:
                break
            done |= behind
            taken = {}
            changed |= self._refresh(s, shop, behind, policy, today, Counter(), taken)
        return changed

    def _refresh(self, s: Tx, shop: str, order_ids: set[str] | list[str], policy: Policy,
                 today: date, released: Counter[str], taken: dict[str, datetime]) -> set[str]:
        """`taken`: the variants lines newly suggest, each with the earliest order time of
        such a line; the lines behind that suggest them counted units these lines now claim."""
        changed = set()
        ordered = order_ids if isinstance(order_ids, list) else sorted(order_ids)
        for chunk in _chunks(ordered):
            rows: dict[str, list] = {}
            for r in plan_store.lines_of_orders(s, shop, chunk):
                rows.setdefault(r.order_id, []).append(r)
            syncs = plan_store.lock_syncs(s, shop, chunk)
            cancelled = plan_store.cancelled_among(s, shop, chunk)
            marks = plan_store.merchant_marks(s, shop, chunk)
            # One call for the chunk: the stock is read once, and a unit offered to one line is
            # not offered to the next.
            suggested = self._suggest(s, shop, [r for lines in rows.values()
                                                if any(x.backordered_at for x in lines)
                                                for r in lines if r.backordered])
            wanted, moved = {}, []
            for order_id, lines in rows.items():
                desired = self._desired(shop, lines, policy, today, suggested, released, moved,
                                        order_id in cancelled, marks.get(order_id, (False, 0, False)))
                old = syncs.get(order_id)
                if desired is not None and (old is None or old.desired != desired):
                    wanted[order_id] = desired
            if moved:
                plan_store.set_alternatives(s, shop, moved)
                if _note_taken(rows, moved, taken):
                    _give_up_offers(s, shop)
            if released:
                _give_up_offers(s, shop)
            plan_store.set_desired(s, shop, wanted, syncs, _holds_changed(wanted, syncs),
                                   self._clock())
            changed |= set(wanted)
        return changed

    def _desired(self, shop: str, rows: list, policy: Policy, today: date,
                 suggested: dict[str, list[dict]], released: Counter[str],
                 moved: list[tuple[str, list]], cancelled: bool = False,
                 marks: tuple[bool, int, bool] = (False, 0, False)) -> dict | None:
        """`marks`: whether the merchant released the order's holds, how many customer
        updates they asked for, and whether the customer chose to have it ship together."""
        if not any(r.backordered_at for r in rows):
            return None  # never backordered: nothing of ours to show on it
        plans = [_plan(r) for r in rows if r.open_quantity > 0] or [_plan(rows[0])]
        view = order_view(rows[0].order_id, plans, policy)
        alternatives = {r.line_id: suggested[r.line_id] for r in rows if r.line_id in suggested}
        moved.extend((r.line_id, new)
                     for r in rows
                     if (new := alternatives.get(r.line_id, []) if r.backordered else [])
                     != (r.alternatives or []))
        released.update(r.pool for r in rows if r.alternatives and not r.backordered)
        titles = {r.line_id: r.title for r in rows}
        settled = all(r.open_quantity == 0 for r in rows)
        shipped = any(r.shipped for r in rows)
        released_holds, updates, together = marks
        facts = facts_of(view, titles, policy.notices, today, _short_since(rows), cancelled,
                         settled and shipped, settled and not shipped, updates)
        return desired_state(view, titles, alternatives, today, facts,
                             hold=not released_holds, together=together).as_dict()


class _Writes:
    """A chunk's writes, sent together: one statement per table rather than one per pool."""

    def __init__(self) -> None:
        self.updates: list[dict] = []
        self.etas: list[tuple] = []
        self.stockouts: list[StockoutRow] = []
        self.recovered: list[Pool] = []
        self.touched: set[str] = set()
        self.shipping: dict[str, date | None] = {}  # variant -> ships-by date (None: in stock)

    def shortage(self, run: _Run, pool_row: Pool, plan: PoolPlan, variant: Variant | None) -> None:
        """Remember when a pool went short and when it recovered: the lead-time history."""
        if plan.units_owed and pool_row.short_since is None:
            pool_row.short_since = run.today
            self.stockouts.append(StockoutRow(
                shop=run.shop, pool=pool_row.pool, variant_id=plan.pool.split("@")[0],
                vendor=variant.vendor if variant else "", stockout_on=run.today))
        elif not plan.units_owed and pool_row.short_since is not None and pool_row.units_owed:
            self.recovered.append(pool_row)
            pool_row.short_since = None
        pool_row.supply, pool_row.units_owed = plan.supply, plan.units_owed
        pool_row.units_covered = plan.units_covered
        pool_row.planned_at = run.now

    def ships_by(self, run: _Run, pool_row: Pool, plan: PoolPlan, variant: Variant | None,
                 restocks: Sequence[Restock]) -> None:
        """The date a new order of the variant would be promised now, for the product page:
        kept only for a tracked variant that sells past zero (no one else can order it short)."""
        if variant is None or plan.lead_time is None:
            return
        if not (variant.tracked and variant.inventory_policy == "CONTINUE"):
            self.shipping[variant.variant_id] = None
            return
        self.shipping[variant.variant_id] = new_order_ships_by(
            plan.supply, plan.units_covered, plan.units_owed, restocks, run.policy, run.today,
            plan.lead_time, run.calendar, pool_row.short_since)

    def lines(self, run: _Run, rows: Sequence, plan: PoolPlan, offset: int) -> None:
        """The lines whose plan changed, and the orders they belong to (a changed ticket alone
        changes nothing the store shows)."""
        planned = {p.line_id: p for p in plan.lines}
        for row in rows:
            p = planned.get(row.line_id)
            new = _stored(p, offset) if p else (0, 0, None, None)
            old = (row.covered, row.backordered, row.queue_ticket, _stored_eta(row))
            if new == old:
                continue
            self.updates.append(plan_store.line_plan(run.shop, row.line_id, row.backordered,
                                                     *new, run.now))
            if new[:2] != old[:2] or new[3] != old[3]:
                self.touched.add(row.order_id)
                self.etas.append((row.line_id, old[3], new[3]))

    def save(self, s: Tx, run: _Run) -> set[str]:
        if self.updates:
            plan_store.save_line_plans(s, self.updates)
        found = eta_changes({line_id: old for line_id, old, _ in self.etas},
                            {line_id: new for line_id, _, new in self.etas}, run.reason)
        if found:
            plan_store.add_eta_changes(s, [
                {"shop": run.shop, "line_id": c.line_id,
                 "old_eta": c.old.ships_on if c.old else None,
                 "new_eta": c.new.ships_on if c.new else None,
                 "reason": f"{c.kind}: {run.reason}", "changed_at": run.now} for c in found])
        plan_store.add_stockouts(s, self.stockouts)
        if self.shipping:
            object_sync.want_ships_by(s, run.shop, self.shipping)
        for pool_row in self.recovered:
            _restocked(s, run, pool_row.pool)
        return self.touched


def _restocked(s: Tx, run: _Run, pool: str) -> None:
    """A pool recovered: its open stockout closes. Lateness is learned against the restock that
    came: the earliest-dated of those that arrived today (stock rising marks them arrived before
    this plan). Restocks still expected have not come, and a pool that recovered with no arrival
    today (an order cancelled or edited down) teaches no lateness. A shortage that ends the day it
    began teaches no lead time at all: no supplier restocks within the day, and such a recovery
    comes from a cancellation, an edit or stock events that reached us out of order, so its
    stockout is forgotten."""
    open_row = plan_store.open_stockout(s, run.shop, pool)
    if open_row is None:
        return
    if open_row.stockout_on >= run.today:
        plan_store.forget_stockout(s, open_row)
        return
    midnight = run.now.replace(hour=0, minute=0, second=0, microsecond=0)
    open_row.restocked_on = run.today
    open_row.expected_on = plan_store.first_expected_of_arrived(s, run.shop, pool, midnight)


def _note_taken(rows: dict[str, list], moved: list[tuple[str, list]],
                taken: dict[str, datetime]) -> bool:
    """Add to `taken` the variants each moved line suggests now and did not before; whether
    some line gave up a variant it suggested."""
    lines = {r.line_id: r for order_lines in rows.values() for r in order_lines}
    gave_up = False
    for line_id, new in moved:
        line = lines[line_id]
        before = {as_entry(e)["variant_id"] for e in line.alternatives or []}
        after = {as_entry(e)["variant_id"] for e in new}
        gave_up = gave_up or bool(before - after)
        for variant_id in after - before:
            taken[variant_id] = min(taken.get(variant_id, line.ordered_at), line.ordered_at)
    return gave_up


_GIVEN_UP = "offers_given_up"


def _give_up_offers(s: Tx, shop: str) -> None:
    s.info.setdefault(_GIVEN_UP, set()).add(shop)


def offers_given_up(s: Tx) -> set[str]:
    """The shops in which this transaction's plans had lines give up alternatives they were
    offered. Lines behind them may be offered those now: only a pass over the whole shop in
    queue order finds which (`ReofferShop`), so the offers never depend on the order in which
    events reached us."""
    return s.info.get(_GIVEN_UP, set())


def _next_without_offers(s: Tx, shop: str, released: Counter[str]) -> set[str]:
    """Per pool, as many of the first waiting lines offered no alternative as lines gave theirs up."""
    orders = set()
    for pool, count in released.items():
        orders |= set(plan_store.first_waiting_without_offers(s, shop, pool, count))
    return orders


def _short_since(rows: Sequence) -> date | None:
    """The day the order's units still owed first went short."""
    return min((r.backordered_at.date() for r in rows if r.backordered and r.backordered_at),
               default=None)


def _holds_changed(wanted: dict[str, dict], syncs: dict) -> set[str]:
    """Orders whose units to hold differ from their last desired state's."""
    return {order_id for order_id, desired in wanted.items()
            if sync_store.held_units(desired)
            != sync_store.held_units(syncs[order_id].desired if order_id in syncs else None)}


def _chunks(items: Sequence) -> Iterator[list]:
    for start in range(0, len(items), CHUNK):
        yield list(items[start:start + CHUNK])


def _read_inputs(s: Tx, shop: str, rows: dict[str, Pool], history: dict | None) -> _Inputs:
    """Everything but the lines, for a chunk of pools, in one query per table; the history
    only when not given."""
    pools = list(rows)
    variant_ids = {p.split("@", 1)[0] for p in pools}
    variants = {v.variant_id: v for v in plan_store.variants(s, shop, variant_ids)}
    items = {v.inventory_item_id for v in variants.values() if v.inventory_item_id}
    levels: dict[str, list] = {}
    for level in plan_store.stock_levels(s, shop, items):
        levels.setdefault(level.inventory_item_id, []).append(level)
    restocks: dict[str, list[Restock]] = {}
    for r in restock_store.expected_restock_rows(s, shop, pools):
        restocks.setdefault(r.pool, []).append(
            Restock(r.id, r.pool, r.quantity, r.expected_on, r.source, r.reference))
    if history is None:
        history = _history(s, shop, variants.values())
    return _Inputs(rows, variants, levels, restocks, history)


def _history(s: Tx, shop: str, variants: Iterable[Variant] | None) -> dict:
    """The lead-time history of these variants and their vendors (None: of the whole shop).
    Lateness is learned from every restock that came in, not only from those that ended a
    shortage: late ones end more shortages, so that sample alone would overstate it (each
    counted once)."""
    ids = vendors = None
    if variants is not None:
        variants = list(variants)
        if not variants:
            return {}
        ids = {v.variant_id for v in variants}
        vendors = {v.vendor for v in variants if v.vendor}
    return summarise_history(
        [StockoutRestock(r.variant_id, r.vendor, r.stockout_on, r.restocked_on)
         for r in plan_store.stockout_history(s, shop, ids, vendors)],
        [RestockArrival(variant_id, vendor, expected_on, arrived_at.date())
         for variant_id, vendor, expected_on, arrived_at
         in restock_store.arrivals(s, shop, ids, vendors)])


def _read_lines(s: Tx, shop: str, pools: list[str], policy: Policy) -> dict[str, list]:
    """Lines still open, or holding a plan to clear, column by column (no ORM objects)."""
    lines: dict[str, list] = {}
    for r in plan_store.pool_lines(s, shop, pools, bool(policy.priority_tags)):
        lines.setdefault(r.pool, []).append(r)
    return lines


@dataclass(frozen=True, slots=True)
class _Newest:
    """The newest second of an item's readings, and whether every reading of it is exact.
    `taken`: the units those readings took out of their bases, which lines committed after
    `since` and before that second explain first; None when a reading of that second has no
    base, or when they are exact (then they include no line of that second)."""

    second: datetime
    exact: bool
    since: datetime
    taken: int | None


def _newest(levels: list) -> _Newest | None:
    stamped = [level for level in levels if level.updated_at is not None]
    if not stamped:
        return None
    second = max(whole_second(level.updated_at) for level in stamped)
    latest = [level for level in stamped if whole_second(level.updated_at) == second]
    exact = all(level.exact for level in latest)
    if exact or any(level.base_at is None or level.base_available is None for level in latest):
        return _Newest(second, exact, second, None)
    # A line committed by another location's newest reading, or by one of these bases, may be
    # counted there: only those after all of them must be among the units these took out.
    since = max([whole_second(level.base_at) for level in latest]
                + [whole_second(level.updated_at) for level in stamped
                   if whole_second(level.updated_at) < second])
    return _Newest(second, exact, since,
                   sum(level.base_available - level.available for level in latest))


def _supply(variant: Variant | None, levels: list, open_units: int,
            recent: Callable[[datetime], Iterable]) -> int:
    """available + what the open lines already took out of it; `recent(since)` gives at least
    the open lines committed from `since` on.

    Each location's `available` is read at its own time, and a webhook comes only for the
    location that changed. A line took stock where it was routed, and that location's
    reading is then at least as new as the line; so a line committed before the newest
    reading of any location is in the readings, and one committed after all of them is not,
    whatever order the webhooks arrive in. An untracked item is never short."""
    if variant is None or not variant.inventory_item_id:
        return 0
    if not variant.tracked:
        return open_units
    available = sum(level.available for level in levels)
    if not variant.counts_orders:  # stock on hand as last counted, less what shipped since
        return available - (variant.shipped_since or 0)
    newest = _newest(levels)
    if newest is None:
        return available + open_units
    return available + open_units - _outside(newest, recent(newest.since))


def _outside(newest: _Newest, lines: Iterable) -> int:
    """Units of these open lines that the newest readings do not include.

    The platform's times have whole seconds, so a line of the readings' own second may be in
    them or not. None is when they are exact (our own read, taken before anything changed in
    that second). Otherwise they include such lines only up to the units they took out that
    no line committed between their bases and that second explains: an order whose own stock
    update is still to come is not counted as on hand because an earlier order of its second
    was. A reading without a base (the first, or one of a second in which stock came in, when
    what sold in it is unknown) is taken to include them all."""
    after = same = between = 0
    for r in lines:
        second = whole_second(r.ordered_at)
        if second > newest.second:
            after += r.open_quantity
        elif second == newest.second:
            same += r.open_quantity
        elif second > newest.since:
            between += r.open_quantity
    if newest.exact:
        return after + same
    if newest.taken is None:
        return after
    return after + same - min(same, max(0, newest.taken - between))


def _offset(rows: Sequence, plan: PoolPlan, offset: int) -> int:
    """The ticket offset that keeps most waiting lines' tickets: when the head of the queue is
    filled, every line behind it moves up alike, and only the offset changes."""
    positions = {p.line_id: p.queue_position for p in plan.lines if p.backordered}
    shifts = Counter(r.queue_ticket - positions[r.line_id] for r in rows
                     if r.queue_ticket is not None and r.line_id in positions)
    return shifts.most_common(1)[0][0] if shifts else offset


def _stored(plan: LinePlan, offset: int) -> tuple:
    ticket = plan.queue_position + offset if plan.queue_position is not None else None
    return (plan.covered, plan.backordered, ticket, plan.eta)


def _still_ready(ready: int, then: int, open_quantity: int) -> int:
    """Units the store was told are ready (`then` the line's open units at the time), less those
    shipped since: only ready units can ship (the rest are held), so the units that left the
    line came out of them. A plan nobody was told about is not a promise: only these units are
    kept from a line that sorts ahead later."""
    return max(0, min(ready - max(0, then - open_quantity), open_quantity))


def _line(row, ready: int, variant: Variant | None) -> Line:
    return Line(
        line_id=row.line_id, order_id=row.order_id, pool=row.pool,
        quantity=row.open_quantity, ordered_at=row.ordered_at,
        customer_tags=frozenset(row.customer_tags) if row.customer_tags else NO_TAGS,
        manual_priority=row.manual_priority or 0,
        ready_units=ready, variant_id=row.variant_id,
        vendor=variant.vendor if variant else "", product_type=variant.product_type if variant else "",
        order_number=row.number or 0,
    )


def _stored_eta(row: OrderLine) -> Eta | None:
    return _eta_of((row.eta, row.eta_earliest, row.eta_latest, row.eta_source,
                    row.eta_confidence, row.eta_restock_id, row.eta_slipped))


@lru_cache(maxsize=4096)
def _eta_of(stored: tuple) -> Eta | None:
    """A stored ETA's columns, in `Eta`'s order: a pool's lines share a few, each built once."""
    if stored[0] is None:
        return None
    ships_on, earliest, latest, source, confidence, restock_id, slipped = stored
    return Eta(_day(ships_on), _day(earliest), _day(latest), source, confidence, restock_id,
               bool(slipped))


@lru_cache(maxsize=4096)
def _day(value: date | str) -> date:
    """A stored date, read as text where the database keeps it so."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _plan(row) -> LinePlan:
    """The stored plan of a line, as an order's view needs it (no queue position: an order
    shows none)."""
    return LinePlan(row.line_id, row.order_id, row.pool, max(row.open_quantity, 1),
                    row.covered, row.backordered, None, _stored_eta(row))
