"""Converge the platform on the desired state of each order.

The sync reads what the platform shows now (tags, our metafields, fulfillment orders and our
holds), sends only the difference, and records the desired state as applied once the platform
accepted it. Interrupted anywhere, the next run reads again and finishes the work; nothing is
written twice because the difference is then empty. One sync per shop runs at a time."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.writeback import TAG
from app.services.ports import OrderChange, OrderState, PlatformGateway
from app.storage.db import Database
from app.storage.tables import OrderSync

log = logging.getLogger(__name__)
HOLDABLE = frozenset({"OPEN", "IN_PROGRESS", "ON_HOLD"})
BATCH = 25


@dataclass
class SyncReport:
    orders: int = 0
    written: int = 0
    unchanged: int = 0
    failed: int = 0
    awaiting_fulfillment_orders: int = 0


class SyncFailed(Exception):
    """Some orders could not be written; they stay pending and the job is retried."""


def plan_change(order_id: str, desired: Mapping, state: OrderState) -> tuple[OrderChange, bool]:
    """The writes that take the platform from `state` to `desired`, and whether holds are
    wanted on lines that have no fulfillment order yet."""
    tags = (set(state.tags) - {TAG}) | set(desired.get("tags", []))
    metafields = {key: (kind, value) for key, (kind, value) in desired.get("metafields", {}).items()
                  if state.metafields.get(key) != value}
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


def _held(state: OrderState) -> dict[str, int]:
    held: dict[str, int] = {}
    for fo in state.fulfillment_orders:
        if fo.hold_ids:
            for line in fo.lines:
                held[line.line_id] = held.get(line.line_id, 0) + line.remaining
    return {k: v for k, v in held.items() if v}


def _hold_changes(target: Mapping[str, int], note: str, state: OrderState):
    target = {k: v for k, v in target.items() if v}
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


class Sync:
    def __init__(self, db: Database, gateway: Callable[[], PlatformGateway],
                 clock: Callable[[], datetime], batch: int = BATCH):
        self._db = db
        self._gateway = gateway
        self._clock = clock
        self._batch = batch

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
            query = (select(OrderSync.order_id, OrderSync.desired, OrderSync.version)
                     .where(OrderSync.shop == shop, OrderSync.pending.is_(True))
                     .order_by(OrderSync.updated_at, OrderSync.order_id))
            if exclude:
                query = query.where(OrderSync.order_id.not_in(exclude))
            return [tuple(r) for r in s.execute(query.limit(self._batch))]

    def _sync_batch(self, shop: str, rows, report: SyncReport, failed: set[str]) -> None:
        gateway = self._gateway()
        states = {st.order_id: st for st in gateway.order_states(shop, [r[0] for r in rows])}
        changes, awaiting = {}, {}
        for order_id, desired, _ in rows:
            state = states.get(order_id)
            if state is None:  # deleted on the platform: nothing left to show it on
                changes[order_id] = None
                continue
            changes[order_id], awaiting[order_id] = plan_change(order_id, desired, state)
        to_send = [c for c in changes.values() if c is not None and not c.is_empty()]
        errors = gateway.apply(shop, to_send) if to_send else {}
        with self._db.transaction() as s:
            for order_id, desired, version in rows:
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

    def _applied(self, s: Session, shop: str, order_id: str, desired: dict, version: int,
                 awaiting: bool) -> None:
        row = s.get(OrderSync, (shop, order_id), with_for_update=True)
        row.applied = desired
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
