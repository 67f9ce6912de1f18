"""Re-plan pools and store the result with the desired platform state, in the caller's transaction.

Work on one pool is serialised by a lock on its row (PostgreSQL: SELECT … FOR UPDATE; SQLite: the
transaction's write lock), taken in a fixed order so two workers never deadlock or over-allocate.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date, datetime

from sqlalchemy import String, cast, or_, select
from sqlalchemy.orm import Session

from app.domain.allocation import plan_pool
from app.domain.eta import eta_changes
from app.domain.lead_time import StockoutRestock, lead_time_for, summarise_history
from app.domain.model import Eta, Line, LinePlan, PoolPlan, Restock
from app.domain.order_view import order_view
from app.domain.policy import Policy
from app.domain.writeback import desired_state
from app.services.business_calendar import business_calendar_for
from app.services.mirror import whole_second
from app.services.sync import WRITTEN
from app.storage.tables import (
    EtaChangeRow,
    Order,
    OrderLine,
    OrderSync,
    Pool,
    RestockRow,
    Shop,
    StockLevel,
    StockoutRow,
    Variant,
)
from app.storage.upsert import insert_ignore

Suggest = Callable[[Session, str, list[OrderLine]], dict[str, list[str]]]


def shop_policy(s: Session, shop: str) -> Policy:
    """The merchant's policy; the shop's own country gives the holidays unless one is set."""
    row = s.get(Shop, shop)
    data = dict((row.policy if row else None) or {})
    if not data.get("country") and row is not None and row.country_code:
        data["country"] = row.country_code
    return Policy.from_dict(data)


class Planning:
    def __init__(self, clock: Callable[[], datetime], suggest: Suggest | None = None):
        self._clock = clock
        self._suggest = suggest or (lambda s, shop, lines: {})

    def lock_pools(self, s: Session, shop: str, pools: Iterable[str]) -> None:
        """Take the pools' row locks, in a fixed order. A handler calls this before it changes the
        mirror, so everything it touches in those pools is written under the lock and two
        workers cannot deadlock on each other's rows."""
        pools = sorted(set(pools))
        if not pools:
            return
        s.execute(insert_ignore(s, Pool, [{"shop": shop, "pool": p, "supply": 0, "units_owed": 0}
                                          for p in pools]))
        for pool in pools:
            s.get(Pool, (shop, pool), with_for_update=True)

    def replan(self, s: Session, shop: str, pools: Iterable[str], reason: str) -> set[str]:
        """Plan the pools again; the orders whose desired platform state changed."""
        pools = sorted(set(pools))
        if not pools:
            return set()
        today = self._clock().date()
        policy = shop_policy(s, shop)
        calendar = business_calendar_for(policy, today)
        self.lock_pools(s, shop, pools)
        touched: set[str] = set()
        for pool in pools:
            touched |= self._replan_pool(s, shop, pool, policy, calendar, today, reason)
        return self.refresh_orders(s, shop, touched, policy, today)

    def _replan_pool(self, s, shop, pool, policy, calendar, today, reason) -> set[str]:
        pool_row = s.get(Pool, (shop, pool), with_for_update=True)
        rows = list(s.scalars(
            select(OrderLine).join(Order, (Order.shop == OrderLine.shop)
                                   & (Order.order_id == OrderLine.order_id))
            .where(OrderLine.shop == shop, OrderLine.pool == pool,
                   (OrderLine.open_quantity > 0) | (OrderLine.backordered > 0)
                   | (OrderLine.covered > 0))))
        orders = {o.order_id: o for o in s.execute(
            select(Order.order_id, Order.customer_tags, Order.number).where(
                Order.shop == shop, Order.order_id.in_({r.order_id for r in rows})))}
        variant = s.get(Variant, (shop, pool.split("@", 1)[0]))
        open_rows = [r for r in rows if r.open_quantity > 0]
        supply = self._supply(s, shop, variant, open_rows)
        told = told_ready(s, shop, {r.order_id for r in open_rows})
        lines = [_line(r, orders.get(r.order_id),
                       _still_ready(told.get(r.line_id, (0, 0)), r.open_quantity), variant)
                 for r in open_rows]
        restocks = _restocks(s, shop, pool)
        estimate = self._lead_time(s, shop, policy, variant)
        plan = plan_pool(pool, supply, lines, restocks, policy, today, estimate, calendar,
                         pool_row.short_since)
        self._record_shortage(s, shop, pool_row, plan, variant, restocks, today)
        return self._store(s, shop, rows, plan, reason)

    def _supply(self, s: Session, shop: str, variant: Variant | None,
                open_rows: list[OrderLine]) -> int:
        """available + what the open lines already took out of it.

        Each location's `available` is read at its own time, and a webhook comes only for the
        location that changed. A line took stock where it was routed, and that location's
        reading is then at least as new as the line; so a line committed before the newest
        reading of any location is in the readings, and one committed after all of them is not,
        whatever order the webhooks arrive in. A line of that very second is counted in unless
        the newest reading is exact (our own read, taken before anything changed in that
        second). An untracked item is never short."""
        if variant is None or not variant.inventory_item_id:
            return 0
        if not variant.tracked:
            return sum(r.open_quantity for r in open_rows)
        levels = s.execute(select(StockLevel.available, StockLevel.updated_at, StockLevel.exact)
                           .where(StockLevel.shop == shop,
                                  StockLevel.inventory_item_id == variant.inventory_item_id)).all()
        available = sum(level.available for level in levels)
        stamps = [(whole_second(level.updated_at), level.exact) for level in levels
                  if level.updated_at is not None]
        if not stamps:
            return available + sum(r.open_quantity for r in open_rows)
        newest = max(at for at, _ in stamps)
        exact = all(is_exact for at, is_exact in stamps if at == newest)
        return available + sum(r.open_quantity for r in open_rows
                               if _in_reading(r.ordered_at, newest, exact))

    def _lead_time(self, s, shop, policy: Policy, variant: Variant | None):
        if variant is None:
            return None
        same = StockoutRow.variant_id == variant.variant_id
        if variant.vendor:
            same = same | (StockoutRow.vendor == variant.vendor)
        history = [StockoutRestock(r.variant_id, r.vendor, r.stockout_on, r.restocked_on,
                                   r.expected_on)
                   for r in s.scalars(select(StockoutRow).where(
                       StockoutRow.shop == shop, StockoutRow.restocked_on.is_not(None), same))]
        return lead_time_for(policy, summarise_history(history), variant.variant_id,
                             variant.product_type, variant.vendor)

    def _record_shortage(self, s, shop, pool_row: Pool, plan: PoolPlan, variant, restocks,
                         today: date) -> None:
        """Remember when a pool went short and when it recovered: the lead-time history."""
        if plan.units_owed and pool_row.short_since is None:
            pool_row.short_since = today
            s.add(StockoutRow(shop=shop, pool=pool_row.pool, variant_id=plan.pool.split("@")[0],
                              vendor=variant.vendor if variant else "", stockout_on=today))
        elif not plan.units_owed and pool_row.short_since is not None and pool_row.units_owed:
            open_row = s.scalars(select(StockoutRow).where(
                StockoutRow.shop == shop, StockoutRow.pool == pool_row.pool,
                StockoutRow.restocked_on.is_(None)).order_by(StockoutRow.id.desc())).first()
            if open_row is not None:
                # Lateness is learned against the restock that came: the earliest-dated of
                # those that arrived today (stock rising marks them arrived before this plan).
                # Restocks still expected have not come, and a pool that recovered with no
                # arrival today (an order cancelled or edited down) teaches no lateness.
                midnight = self._clock().replace(hour=0, minute=0, second=0, microsecond=0)
                open_row.restocked_on = today
                open_row.expected_on = s.scalar(
                    select(RestockRow.expected_on).where(
                        RestockRow.shop == shop, RestockRow.pool == pool_row.pool,
                        RestockRow.arrived_at >= midnight)
                    .order_by(RestockRow.expected_on).limit(1))
            pool_row.short_since = None
        pool_row.supply, pool_row.units_owed = plan.supply, plan.units_owed
        pool_row.planned_at = self._clock()

    def _store(self, s, shop, rows: list[OrderLine], plan: PoolPlan, reason: str) -> set[str]:
        by_id = {r.line_id: r for r in rows}
        planned = {p.line_id: p for p in plan.lines}
        old_etas = {r.line_id: _stored_eta(r) for r in rows}
        new_etas = {line_id: p.eta for line_id, p in planned.items()}
        now = self._clock()
        for change in eta_changes(old_etas, new_etas, reason):
            s.add(EtaChangeRow(shop=shop, line_id=change.line_id,
                               old_eta=change.old.ships_on if change.old else None,
                               new_eta=change.new.ships_on if change.new else None,
                               reason=f"{change.kind}: {reason}", changed_at=now))
        touched = set()
        for line_id, row in by_id.items():
            p = planned.get(line_id)
            result = (p.covered, p.backordered, p.queue_position, p.eta) if p else (0, 0, None, None)
            if (row.covered, row.backordered, row.queue_position, _stored_eta(row)) != result:
                _write(row, *result, now)
                touched.add(row.order_id)
        return touched

    def replan_overdue(self, s: Session, shop: str) -> set[str]:
        """Pools waiting on a restock whose date has passed without it arriving: their ETAs
        slip, though no webhook says so. Run daily."""
        pools = set(s.scalars(select(RestockRow.pool).where(
            RestockRow.shop == shop, RestockRow.arrived_at.is_(None),
            RestockRow.expected_on < self._clock().date())))
        return self.replan(s, shop, pools, "restock overdue")

    def refresh_suggesting(self, s: Session, shop: str, pools: Iterable[str]) -> set[str]:
        """Orders that suggest a variant of these pools as an alternative: its stock moved, so
        a suggestion that sold out goes (and one back in stock may come)."""
        variants = {pool.split("@", 1)[0] for pool in pools}
        if not variants:
            return set()
        mentions = or_(*(cast(OrderLine.alternatives, String).like(f'%"{v}"%') for v in variants))
        orders = set(s.scalars(select(OrderLine.order_id).where(
            OrderLine.shop == shop, OrderLine.backordered > 0, mentions)))
        if not orders:
            return set()
        return self.refresh_orders(s, shop, orders, shop_policy(s, shop), self._clock().date())

    def refresh_orders(self, s: Session, shop: str, order_ids: set[str], policy: Policy,
                       today: date) -> set[str]:
        """Recompute the desired state of these orders; those whose state changed."""
        changed = set()
        for order_id in sorted(order_ids):
            rows = list(s.scalars(select(OrderLine).where(
                OrderLine.shop == shop, OrderLine.order_id == order_id)))
            if not any(r.backordered_at for r in rows):
                continue  # never backordered: nothing of ours to show on it
            plans = [_plan(r) for r in rows if r.open_quantity > 0] or [_plan(rows[0])]
            view = order_view(order_id, plans, policy)
            alternatives = self._suggest(s, shop, [r for r in rows if r.backordered])
            for r in rows:
                r.alternatives = alternatives.get(r.line_id, []) if r.backordered else []
            desired = desired_state(view, {r.line_id: r.title for r in rows},
                                    alternatives, today)
            if self._set_desired(s, shop, order_id, desired):
                changed.add(order_id)
        return changed

    def _set_desired(self, s: Session, shop: str, order_id: str, desired: dict) -> bool:
        row = s.get(OrderSync, (shop, order_id), with_for_update=True)
        if row is not None and row.desired == desired:
            return False
        if row is None:
            row = OrderSync(shop=shop, order_id=order_id, applied={}, version=0, attempts=0)
            s.add(row)
        row.desired, row.pending = desired, True
        row.version = (row.version or 0) + 1
        row.updated_at = self._clock()
        return True


def _in_reading(committed_at: datetime, newest: datetime, exact: bool) -> bool:
    second = whole_second(committed_at)
    return second < newest or (second == newest and not exact)


def told_ready(s: Session, shop: str, order_ids: set[str]) -> dict[str, tuple[int, int]]:
    """Per line, (units the store was told are ready, the line's open units then): the `lines`
    detail last written to each order (or being written). A plan nobody was told about is not
    a promise, so only these units are kept from a line that sorts ahead later."""
    if not order_ids:
        return {}
    told: dict[str, tuple[int, int]] = {}
    for applied, desired in s.execute(select(OrderSync.applied, OrderSync.desired).where(
            OrderSync.shop == shop, OrderSync.order_id.in_(order_ids))):
        shown = applied if "metafields" in (applied or {}) else (
            desired if (applied or {}).get(WRITTEN) else {})
        detail = (shown.get("metafields") or {}).get("lines")
        for entry in json.loads(detail[1]) if detail else ():
            told[entry["line_id"]] = (entry.get("ready", 0), entry.get("quantity", 0))
    return told


def _still_ready(told: tuple[int, int], open_quantity: int) -> int:
    """Told-ready units not shipped since: only ready units can ship (the rest are held), so the
    units that left the line since came out of them."""
    ready, then = told
    return max(0, min(ready - max(0, then - open_quantity), open_quantity))


def _line(row: OrderLine, order, ready: int, variant: Variant | None) -> Line:
    return Line(
        line_id=row.line_id, order_id=row.order_id, pool=row.pool,
        quantity=row.open_quantity, ordered_at=row.ordered_at,
        customer_tags=frozenset(order.customer_tags or ()) if order else frozenset(),
        manual_priority=row.manual_priority or 0,
        ready_units=ready, variant_id=row.variant_id,
        vendor=variant.vendor if variant else "", product_type=variant.product_type if variant else "",
        order_number=(order.number or 0) if order else 0,
    )


def _restocks(s: Session, shop: str, pool: str) -> list[Restock]:
    return [Restock(r.id, r.pool, r.quantity, r.expected_on, r.source, r.reference)
            for r in s.scalars(select(RestockRow).where(
                RestockRow.shop == shop, RestockRow.pool == pool,
                RestockRow.arrived_at.is_(None)).order_by(RestockRow.expected_on, RestockRow.id))]


def _stored_eta(row: OrderLine) -> Eta | None:
    if row.eta is None:
        return None
    return Eta(row.eta, row.eta_earliest, row.eta_latest, row.eta_source, row.eta_confidence,
               row.eta_restock_id, bool(row.eta_slipped))


def _write(row: OrderLine, covered: int, backordered: int, position: int | None,
           eta: Eta | None, now: datetime) -> None:
    if backordered and not row.backordered:
        row.backordered_at = row.backordered_at or now
        row.filled_at = None
    if row.backordered and not backordered:
        row.filled_at = now
    row.covered, row.backordered, row.queue_position = covered, backordered, position
    row.eta = eta.ships_on if eta else None
    row.eta_earliest = eta.earliest if eta else None
    row.eta_latest = eta.latest if eta else None
    row.eta_source = eta.source if eta else None
    row.eta_confidence = eta.confidence if eta else None
    row.eta_restock_id = eta.restock_id if eta else None
    row.eta_slipped = bool(eta and eta.slipped)
    if eta and row.first_eta is None:
        row.first_eta = eta.ships_on


def _plan(row: OrderLine) -> LinePlan:
    return LinePlan(row.line_id, row.order_id, row.pool, max(row.open_quantity, 1),
                    row.covered, row.backordered, row.queue_position, _stored_eta(row))
