"""Converge the platform on the desired state of each order.

The sync reads what the platform shows now (tags, our metafields, fulfillment orders and our
holds), sends only the difference, and records the desired state as applied once the platform
accepted it. Interrupted anywhere, the next run reads again and finishes the work; nothing is
written twice because the difference is then empty. One sync per shop runs at a time."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.writeback import TAG
from app.services.ports import OrderChange, OrderState, PlatformGateway
from app.storage.db import Database
from app.storage.tables import OrderSync

log = logging.getLogger(__name__)
HOLDABLE = frozenset({"OPEN", "IN_PROGRESS", "ON_HOLD"})
BATCH = 25
WRITTEN = "written"  # `applied` of an order written to before the write was confirmed
AWAITING = "awaiting_fulfillment_orders"


@dataclass
class SyncReport:
    orders: int = 0
    written: int = 0
    unchanged: int = 0
    failed: int = 0
    awaiting_fulfillment_orders: int = 0


class SyncFailed(Exception):
    """Some orders could not be written; they stay pending and the job is retried."""


def plan_change(order_id: str, desired: Mapping, state: OrderState,
                applied: Mapping | None = None) -> tuple[OrderChange, bool]:
    """The writes that take the platform from `state` to `desired`, and whether holds are
    wanted on lines that have no fulfillment order yet. Tags and holds are compared with what the
    platform shows (the merchant edits those too); our app-owned metafields, which only we can
    write, with what we last applied."""
    tags = (set(state.tags) - {TAG}) | set(desired.get("tags", []))
    metafields = _metafield_changes(desired, applied or {})
    release, holds, awaiting = _hold_changes(desired.get("holds", {}), desired.get("hold_note", ""),
                                             state)
    change = OrderChange(
        order_id=order_id,
        tags=tuple(sorted(tags)) if tags != set(state.tags) else None,
        metafields=metafields,
        release=release,
        holds=holds,
    )
    return change, awaiting


def needs_read(desired: Mapping, applied: Mapping) -> bool:
    """Only a change of tag or holds needs the platform's current state (its tags, its
    fulfillment orders); a new ETA or status is a metafield write on its own."""
    if "holds" not in applied or applied.get(AWAITING):
        return True
    return (sorted(desired.get("tags", [])) != sorted(applied.get("tags", []))
            or _positive(desired.get("holds", {})) != _positive(applied.get("holds", {})))


def metafields_only(order_id: str, desired: Mapping, applied: Mapping) -> OrderChange:
    return OrderChange(order_id=order_id, metafields=_metafield_changes(desired, applied))


def _metafield_changes(desired: Mapping, applied: Mapping) -> dict[str, tuple[str, str]]:
    before = applied.get("metafields", {})
    return {key: (kind, value) for key, (kind, value) in desired.get("metafields", {}).items()
            if (before.get(key) or [None, None])[1] != value}


def _positive(holds: Mapping[str, int]) -> dict[str, int]:
    return {k: v for k, v in holds.items() if v}


def _held(state: OrderState) -> dict[str, int]:
    held: dict[str, int] = {}
    for fo in state.fulfillment_orders:
        if fo.hold_ids:
            for line in fo.lines:
                held[line.line_id] = held.get(line.line_id, 0) + line.remaining
    return {k: v for k, v in held.items() if v}


def _hold_changes(target: Mapping[str, int], note: str, state: OrderState):
    target = _positive(target)
    if _held(state) == target:
        return (), (), False
    release = tuple((fo.fulfillment_order_id, fo.hold_ids)
                    for fo in state.fulfillment_orders if fo.hold_ids)
    left = dict(target)
    holds = []
    for fo in state.fulfillment_orders:
        if fo.status not in HOLDABLE:
            continue
        picked = []
        for line in fo.lines:
            take = min(line.remaining, left.get(line.line_id, 0))
            if take:
                picked.append((line.fulfillment_order_line_id, take))
                left[line.line_id] -= take
        if picked:
            holds.append((fo.fulfillment_order_id, tuple(picked), note))
    awaiting = any(v > 0 for v in left.values())
    return release, tuple(holds), awaiting


def _shows_nothing(desired: Mapping) -> bool:
    """A desired state that asks for nothing of ours: no tag, no hold (a never-backordered order).
    An order we never wrote to already shows exactly that, so it needs neither a read nor a write."""
    return not desired.get("tags") and not any(desired.get("holds", {}).values())


class Sync:
    def __init__(self, db: Database, gateway: PlatformGateway,
                 clock: Callable[[], datetime], batch: int = BATCH, settle_s: float = 0.0):
        """`settle_s`: an order's desired state must have held that long before it is sent, so
        a state that passes within a burst (an order seen before its stock update) is not."""
        self._db = db
        self._gateway = gateway
        self._clock = clock
        self._batch = batch
        self._settle = timedelta(seconds=settle_s)

    def run(self, shop: str) -> SyncReport:
        report = SyncReport()
        failed: set[str] = set()
        while True:
            rows = self._pending(shop, exclude=failed)
            if not rows:
                break
            self._sync_batch(shop, rows, report, failed)
        if failed:
            raise SyncFailed(f"{len(failed)} orders of {shop} could not be synced")
        return report

    def _pending(self, shop: str, exclude: set[str]) -> list[tuple[str, dict, int]]:
        with self._db.transaction() as s:
            query = (select(OrderSync.order_id, OrderSync.desired, OrderSync.version,
                            OrderSync.applied)
                     .where(OrderSync.shop == shop, OrderSync.pending.is_(True),
                            OrderSync.updated_at <= self._clock() - self._settle)
                     .order_by(OrderSync.updated_at, OrderSync.order_id))
            if exclude:
                query = query.where(OrderSync.order_id.not_in(exclude))
            return [tuple(r) for r in s.execute(query.limit(self._batch))]

    def _sync_batch(self, shop: str, rows, report: SyncReport, failed: set[str]) -> None:
        unseen = {r[0] for r in rows if _shows_nothing(r[1]) and not r[3]}
        to_read = [r[0] for r in rows if r[0] not in unseen and needs_read(r[1], r[3])]
        states = {st.order_id: st for st in self._gateway.order_states(shop, to_read)} if to_read else {}
        changes, awaiting = {}, {}
        for order_id, desired, _, applied in rows:
            if order_id in unseen:  # never backordered, nothing of ours on it: nothing to send
                changes[order_id] = None
            elif order_id not in to_read:
                changes[order_id] = metafields_only(order_id, desired, applied)
            elif order_id not in states:  # deleted on the platform: nothing left to show it on
                changes[order_id] = None
            else:
                changes[order_id], awaiting[order_id] = plan_change(
                    order_id, desired, states[order_id], applied)
        to_send = [c for c in changes.values() if c is not None and not c.is_empty()]
        if to_send:
            self._about_to_write(shop, [c.order_id for c in to_send])
        errors = self._gateway.apply(shop, to_send) if to_send else {}
        with self._db.transaction() as s:
            for order_id, desired, version, _ in rows:
                report.orders += 1
                error = errors.get(order_id)
                if error:
                    failed.add(order_id)
                    report.failed += 1
                    self._failed(s, shop, order_id, error)
                    continue
                change = changes[order_id]
                report.written += bool(change and not change.is_empty())
                report.unchanged += bool(change is None or change.is_empty())
                report.awaiting_fulfillment_orders += bool(awaiting.get(order_id))
                self._applied(s, shop, order_id, desired, version, awaiting.get(order_id, False))

    def has_pending(self, shop: str) -> bool:
        with self._db.transaction() as s:
            return s.scalar(select(OrderSync.order_id).where(
                OrderSync.shop == shop, OrderSync.pending.is_(True)).limit(1)) is not None

    def _about_to_write(self, shop: str, order_ids: list[str]) -> None:
        """Recorded before the write: from now on the order may show something of ours, even if
        this worker dies before it learns the write succeeded."""
        with self._db.transaction() as s:
            for row in s.scalars(select(OrderSync).where(OrderSync.shop == shop,
                                                         OrderSync.order_id.in_(order_ids))):
                if not row.applied:
                    row.applied = {WRITTEN: True}

    def _applied(self, s: Session, shop: str, order_id: str, desired: dict, version: int,
                 awaiting: bool) -> None:
        row = s.get(OrderSync, (shop, order_id), with_for_update=True)
        row.applied = {**desired, AWAITING: True} if awaiting else desired
        row.awaiting_fulfillment_orders = awaiting
        row.synced_at = self._clock()
        row.attempts, row.last_error = 0, None
        if row.version == version:  # a newer plan arrived meanwhile: keep it pending
            row.pending = False

    def _failed(self, s: Session, shop: str, order_id: str, error: str) -> None:
        row = s.get(OrderSync, (shop, order_id), with_for_update=True)
        row.attempts = (row.attempts or 0) + 1
        row.last_error = error[:2000]
        log.warning("sync of %s on %s failed: %s", order_id, shop, error)
