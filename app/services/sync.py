"""Converge the platform on the desired state of each order.

The sync reads what the platform shows now (tags, our fields, fulfillment orders and holds),
sends only the difference, and records the desired state as applied once the platform accepted
it. Interrupted anywhere, the next run reads again and finishes the work; nothing is written twice
because the difference is then empty. One sync per shop runs at a time.

Holds of other parties. We release only our own holds, never the merchant's or another app's.
A fulfillment order someone else holds ships nothing while their hold lasts, and the platform
refuses a hold on some of its lines (only whole holds are accepted on a held fulfillment order).
Owed units are held first where nobody else holds; for the rest, on a fulfillment order someone
else holds:
- when every unit still on it is owed, we add our own hold on all of it, so that releasing
  theirs does not let it ship: what a merchant expects of an order still waiting for stock;
- when only some are, we leave it as it is and record why on the order's sync record. Their hold
  already stops those units. We do not split a fulfillment order another party is holding: that
  rearranges work the merchant (or their app) is in the middle of, and what becomes of their
  hold on the split-off part is not documented. Their release sends
  `fulfillment_orders/hold_released`, which asks for a re-check, and the owed lines are held then
  (the line hold splits the fulfillment order as usual).
A fulfillment order the platform will not let us hold in its present state (its supported
actions) is left the same way, with the reason. Neither is an error that the sync retries
forever: the order is looked at again when the store tells us something changed on it.

Permissions the shop did not grant. An order the store did not show is taken as deleted, unless a
permission the shop has not granted may hide it (the adapter says which orders: Shopify shows
orders older than 60 days only with read_all_orders). Such an order is kept pending with the
reason as its last error and tried again an hour later (or as soon as the scopes change); it is
not dropped. Owed units that
no visible fulfillment order carries are waited for (fulfillment orders appear after the order);
when the shop has not granted what it takes to see every fulfillment order, the reason is
recorded, so that wait is never silent.

The customer's notices. The desired state carries the facts they are computed from, the applied
state what the customer was last told (`TOLD`); the difference is the notices due
(`app.domain.notices`), each with a key that names the real change it tells. They go after the
order's other writes, and never in the holds-first pass: nothing about them is urgent. An
order's notices go one per round, each recorded as told once the platform took it, so one that
is refused stops those after it and a retry resends only what was not recorded. A worker that
dies between the platform taking a notice and our record of it sends that one again: the only
repeat possible, and as narrow as the write itself.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from app.domain.notices import (
    WAITING_LONG,
    Notice,
    NoticeFacts,
    NoticeSettings,
    Step,
    Told,
    notices_due,
    with_note,
)
from app.domain.policy import Policy
from app.domain.writeback import TAG, DesiredState
from app.services import goodwill, object_sync, own_changes
from app.services.notice_listeners import EVERY_KIND, kinds_heard
from app.services.ports import (
    Applied,
    DiscountCode,
    FulfillmentOrderState,
    Hold,
    OrderChange,
    OrderState,
    PlatformGateway,
)
from app.storage import fulfillment_orders as fo_store
from app.storage import notices as notice_store
from app.storage import orders as order_store
from app.storage import shops as shop_store
from app.storage import syncs as sync_store
from app.storage.db import Database, Tx
from app.storage.tables import OrderSync

log = logging.getLogger(__name__)
BATCH = 25
YIELD_S = 0.5  # longest wait before looking for urgent work again
BACKLOG_BATCH = 100  # orders written together when at least this many wait (see `Sync`)
WRITTEN = "written"  # `applied` of an order written to before the write was confirmed
AWAITING = "awaiting_fulfillment_orders"  # `applied`: owed units had no fulfillment order
DEFERRED = "holds_deferred"  # `applied`: owed units left unheld, and why
RECHECK = "recheck"  # `applied`: the store changed the fulfillment orders (how many times); read
# them again
TOLD = "told"  # `applied`: what the customer was last told (`Told.as_dict()`)
HIDDEN_RETRY = timedelta(hours=1)  # an order the store hides is tried again this much later


@dataclass
class SyncReport:
    orders: int = 0
    written: int = 0
    unchanged: int = 0
    failed: int = 0
    awaiting_fulfillment_orders: int = 0
    holds_deferred: int = 0
    blocked: int = 0  # kept pending: the store hides the order without a permission
    holds_first: int = 0  # orders whose holds went out ahead of their tags and fields
    notices: int = 0  # notices the platform took


class SyncFailed(Exception):
    """Some orders could not be written; they stay pending and the job is retried."""


@dataclass(frozen=True)
class Planned:
    """The writes of one order, and what they still leave undone: owed units that no
    fulfillment order carries yet (`awaiting`) and why others were left unheld (`notes`)."""

    change: OrderChange
    awaiting: bool = False
    notes: tuple[str, ...] = ()
    expected: own_changes.Expected = own_changes.Expected()  # what the platform will announce
    read: bool = False  # planned from a read of the platform


@dataclass(frozen=True)
class _Placement:
    holds: tuple[Hold, ...]
    units: dict[str, int]  # units those holds cover, per order line
    deferred: tuple[str, ...]
    awaiting: bool


def plan_change(order_id: str, desired: DesiredState, state: OrderState,
                applied: Mapping | None = None) -> Planned:
    """The writes that take the platform from `state` to `desired`. Tags and holds are compared
    with what the platform shows (the merchant edits those too); our fields, which only we
    write, with what we last applied. Of the tags only ours is ever added or removed."""
    wanted, shown = set(desired.tags), set(state.tags)
    holds = desired.held() if state.platform_holds else {}
    placement = _place(holds, desired.hold_note, state)
    held = _held(state)
    release: tuple = ()
    if held == placement.units:
        new_holds: tuple = ()
    elif more := _more(holds, held, desired.hold_note, state):
        new_holds, placement = more.holds, more
    else:
        release = tuple((fo.fulfillment_order_id, fo.hold_ids)
                        for fo in state.fulfillment_orders if fo.hold_ids)
        new_holds = placement.holds
    change = OrderChange(
        order_id=order_id,
        tags_add=tuple(sorted(wanted - shown)),
        tags_remove=tuple(sorted(({TAG} & shown) - wanted)),
        fields=_field_changes(desired, applied or {}),
        release=release,
        holds=new_holds,
    )
    unseen = (state.unseen_fulfillment_orders,) if (
        placement.awaiting and state.unseen_fulfillment_orders) else ()
    return Planned(change, placement.awaiting, placement.deferred + unseen,
                   own_changes.expected(change.holds, change.release, state.fulfillment_orders),
                   read=True)


def first_writes(desired: DesiredState, applied: Mapping) -> DesiredState:
    """What goes out ahead of the rest: `desired`'s holds alone. The tag and the fields stay as
    last applied: they describe the holds, and go with the writes that follow."""
    before = DesiredState.from_dict(applied)
    return DesiredState(tags=before.tags, fields=before.fields, holds=desired.holds,
                        hold_note=desired.hold_note)


def needs_read(desired: DesiredState, applied: Mapping) -> bool:
    """Only a change of holds needs the platform's current state (its fulfillment orders); a
    new ETA or status is a field write on its own, and our tag is added or removed without a
    read (both calls leave the other tags alone and do nothing when there is nothing to do).
    An order whose holds were left undone, or whose fulfillment orders the store changed, is
    read again."""
    if "holds" not in applied or any(applied.get(k) for k in (AWAITING, DEFERRED, RECHECK)):
        return True
    return desired.held() != DesiredState.from_dict(applied).held()


def fields_only(order_id: str, desired: DesiredState, applied: Mapping) -> OrderChange:
    """The writes of an order not read: its fields, and our tag as it changed since last
    applied."""
    wanted, before = set(desired.tags), set(DesiredState.from_dict(applied).tags)
    return OrderChange(order_id=order_id, tags_add=tuple(sorted(wanted - before)),
                       tags_remove=tuple(sorted(({TAG} & before) - wanted)),
                       fields=_field_changes(desired, applied))


def _field_changes(desired: DesiredState, applied: Mapping) -> dict[str, str]:
    before = DesiredState.from_dict(applied).fields
    return {key: value for key, value in desired.fields.items() if before.get(key) != value}


def _positive(holds: Mapping[str, int]) -> dict[str, int]:
    return {k: v for k, v in holds.items() if v}


def _held(state: OrderState) -> dict[str, int]:
    """Units our own holds cover now, per order line."""
    held: dict[str, int] = {}
    for fo in state.fulfillment_orders:
        if fo.hold_ids:
            for line in fo.lines:
                held[line.line_id] = held.get(line.line_id, 0) + line.remaining
    return _positive(held)


def _place(target: dict[str, int], note: str, state: OrderState) -> _Placement:
    """Where our holds should be, as if none of ours were there yet: owed units first on the
    fulfillment orders nobody else holds (a line hold where only some units are owed), then,
    whole, on those someone else holds. What is left is deferred or awaited."""
    left, holds, units = dict(target), [], {}
    free = [fo for fo in state.fulfillment_orders if fo.can_hold and not fo.others_holds]
    taken = [fo for fo in state.fulfillment_orders if fo.can_hold and fo.others_holds]
    for fo, whole_only in [(fo, False) for fo in free] + [(fo, True) for fo in taken]:
        picked = _pick(fo, left)
        whole = _is_whole(fo, picked)
        if not picked or (whole_only and not whole):
            continue
        holds.append((fo.fulfillment_order_id,
                      () if whole else tuple((fo_line, qty) for fo_line, _, qty in picked), note))
        for _, line_id, qty in picked:
            left[line_id] -= qty
            units[line_id] = units.get(line_id, 0) + qty
    placed = {fo_id for fo_id, _, _ in holds}
    unplaced = [fo for fo in state.fulfillment_orders if fo.fulfillment_order_id not in placed]
    deferred = tuple(_why_unheld(fo) for fo in unplaced if _pick(fo, left))
    on_unplaced = _units(unplaced)
    awaiting = any(qty > on_unplaced.get(line_id, 0) for line_id, qty in left.items())
    return _Placement(tuple(holds), units, deferred, awaiting)


def _more(target: dict[str, int], held: dict[str, int], note: str,
          state: OrderState) -> _Placement | None:
    """Holds for the units owed beyond those ours hold, when no line owes fewer than ours hold
    (a sale only takes units away): placed where none of ours is, ours left as they are. A
    release and a new hold cost two writes, and a split more, for the same units. None when
    there is nothing of ours to keep, or the units beyond find no place."""
    if not held or any(units > target.get(line, 0) for line, units in held.items()):
        return None
    extra = _positive({line: units - held.get(line, 0) for line, units in target.items()})
    unheld = replace(state, fulfillment_orders=tuple(fo for fo in state.fulfillment_orders
                                                     if not fo.hold_ids))
    more = _place(extra, note, unheld)
    return more if more.units == extra else None  # all placed: nothing awaited or deferred


def _pick(fo: FulfillmentOrderState, left: Mapping[str, int]) -> list[tuple[str, str, int]]:
    """(fulfillment order line, order line, units) of the owed units this one carries."""
    return [(line.fulfillment_order_line_id, line.line_id, take) for line in fo.lines
            if (take := min(line.remaining, left.get(line.line_id, 0))) > 0]


def _is_whole(fo: FulfillmentOrderState, picked: list[tuple[str, str, int]]) -> bool:
    return bool(picked) and sum(q for *_, q in picked) == sum(line.remaining for line in fo.lines)


def _units(fos: list[FulfillmentOrderState]) -> dict[str, int]:
    units: dict[str, int] = {}
    for fo in fos:
        for line in fo.lines:
            units[line.line_id] = units.get(line.line_id, 0) + line.remaining
    return units


def _why_unheld(fo: FulfillmentOrderState) -> str:
    if not fo.can_hold:
        return (f"{fo.fulfillment_order_id} ({fo.status}) does not accept a hold now: its owed "
                "units are held once it does")
    return (f"{fo.fulfillment_order_id} is held by the merchant or another app and carries units "
            "that are not owed: its owed units are held when that hold is released")


def _shows_nothing(desired: DesiredState) -> bool:
    """A desired state that asks for nothing of ours: no tag, no hold (a never-backordered order).
    An order we never wrote to already shows exactly that, so it needs neither a read nor a write."""
    return not desired.tags and not desired.held()


def _still_hidden(state: OrderState, placed_at: datetime | None) -> bool:
    """The store may be hiding this order rather than have deleted it."""
    if state.hidden is None:
        return False
    return placed_at is None or state.hidden_before is None or placed_at < state.hidden_before


class Sync:
    def __init__(self, db: Database, gateway: PlatformGateway,
                 clock: Callable[[], datetime], batch: int = BATCH, settle_s: float = 0.0,
                 backlog_batch: int = BATCH, sleep: Callable[[float], None] = time.sleep):
        """`settle_s`: an order's desired state must have held that long before it is sent, so
        a state that passes within a burst (an order seen before its stock update) is not.
        `backlog_batch`: when at least this many orders wait, they go together, so that a
        platform that writes a backlog in bulk gets one; otherwise `batch` at a time, so the
        first writes are not held back by the reads of the rest."""
        self._db = db
        self._gateway = gateway
        self._clock = clock
        self._batch = batch
        self._backlog_batch = max(batch, backlog_batch)
        self._settle = timedelta(seconds=settle_s)
        self._sleep = sleep

    def run(self, shop: str) -> SyncReport:
        report = SyncReport()
        failed: set[str] = set()
        blocked: set[str] = set()
        while True:
            urgent = self._pending(shop, exclude=failed | blocked, holds_due=True)
            if urgent:  # looked for before every batch: a burst cannot starve holds
                self._place_holds(shop, urgent, report, failed)
                continue
            rows = self._pending(shop, exclude=failed | blocked)
            if not rows:
                break
            busy = self._gateway.busy_for(shop, self._holds_coming(shop, failed | blocked))
            if busy > 0:  # the platform's rate limit is wanted by urgent work: look again soon
                self._sleep(min(busy, YIELD_S))
                continue
            self._sync_batch(shop, rows, report, failed, blocked)
        self._objects(shop, report, failed)
        if failed:
            raise SyncFailed(f"{len(failed)} orders of {shop} could not be synced")
        return report

    def _pending(self, shop: str, exclude: set[str],
                 holds_due: bool = False) -> list[tuple[str, DesiredState, int, dict]]:
        with self._db.transaction() as s:
            rows = sync_store.pending(s, shop, self._clock() - self._settle, exclude,
                                      self._backlog_batch, holds_due)
            if len(rows) < self._backlog_batch:
                rows = rows[:self._batch]
            return [(order_id, DesiredState.from_dict(desired), version, applied or {})
                    for order_id, desired, version, applied in rows]

    def _holds_coming(self, shop: str, exclude: set[str]) -> int:
        """Orders with holds due whose plans are still settling: their holds come next. Read
        without a writer's turn: it is asked before every batch."""
        with self._db.read() as s:
            return sync_store.holds_coming(s, shop, exclude)

    def _plan_batch(self, shop: str, rows) -> tuple[dict[str, Planned | None], dict[str, str]]:
        """Per order: its plan (None: nothing to send, the order is done), or why the store
        hides it (kept pending)."""
        unseen = {r[0] for r in rows if _shows_nothing(r[1]) and not r[3]}
        to_read = [r[0] for r in rows if r[0] not in unseen and needs_read(r[1], r[3])]
        states = {st.order_id: st for st in self._gateway.order_states(shop, to_read)} if to_read else {}
        placed = self._placed_at(shop, [i for i, st in states.items() if st.hidden])
        plans: dict[str, Planned | None] = {}
        hidden: dict[str, str] = {}
        for order_id, desired, _, applied in rows:
            state = states.get(order_id)
            if order_id in unseen:  # never backordered, nothing of ours on it: nothing to send
                plans[order_id] = None
            elif order_id not in to_read:
                plans[order_id] = Planned(fields_only(order_id, desired, applied))
            elif state is None or (state.hidden and not _still_hidden(state, placed.get(order_id))):
                plans[order_id] = None  # deleted on the platform: nothing left to show it on
            elif state.hidden:
                hidden[order_id] = state.hidden
            else:
                plans[order_id] = plan_change(order_id, desired, state, applied)
        return plans, hidden

    def _place_holds(self, shop: str, rows, report: SyncReport, failed: set[str]) -> None:
        """Holds first, for orders whose holds changed, with our tag, which needs the same read
        of the store: a short line must not be picked while the store waits for the fields.
        What was placed is recorded, so the orders' full sync that follows sends the fields
        without reading the store again. An order the store hides or no longer has is left to
        that sync. An order whose holds went back to those the store already shows (a unit
        taken and given back within moments) needs neither the read nor a write."""
        to_read = [r for r in rows if needs_read(r[1], r[3])]
        states = {st.order_id: st for st in self._gateway.order_states(
            shop, [r[0] for r in to_read])} if to_read else {}
        planned = {}
        for order_id, desired, _, applied in to_read:
            if order_id in states and not states[order_id].hidden:
                first = first_writes(desired, applied)
                planned[order_id] = (first, plan_change(order_id, first, states[order_id], applied))
        writing = [p for _, p in planned.values() if not p.change.is_empty()]
        changes = [p.change for p in writing]
        if changes:
            self._about_to_write(shop, writing)
        errors = self._gateway.apply(shop, changes) if changes else {}
        before = {order_id: applied for order_id, _, _, applied in rows}
        with self._db.transaction() as s:
            for order_id in (i for i, error in errors.items() if error):
                failed.add(order_id)
                report.failed += 1
                self._failed(s, shop, order_id, errors[order_id], errors)
            for order_id, (first, placed) in planned.items():
                if not errors.get(order_id):
                    self._record(s, shop, order_id, first, placed, report,
                                 answer=errors, before=before[order_id])
            sync_store.holds_placed(s, shop, {order_id: (version, desired.held())
                                              for order_id, desired, version, _ in rows
                                              if not errors.get(order_id)})
        report.holds_first += len(changes)

    def _placed_at(self, shop: str, order_ids: list[str]) -> dict[str, datetime]:
        if not order_ids:
            return {}
        with self._db.transaction() as s:
            return sync_store.placed_at(s, shop, order_ids)

    def _sync_batch(self, shop: str, rows, report: SyncReport, failed: set[str],
                    blocked: set[str]) -> None:
        plans, hidden = self._plan_batch(shop, rows)
        writing = [p for p in plans.values() if p is not None and not p.change.is_empty()]
        to_send = [p.change for p in writing]
        if to_send:
            self._about_to_write(shop, writing)
        errors = self._gateway.apply(shop, to_send) if to_send else {}
        heard = self._heard(shop) if any(desired.notify for _, desired, _, _ in rows) else EVERY_KIND
        due = {order_id: steps for order_id, desired, _, applied in rows
               if plans.get(order_id) is not None and not errors.get(order_id)
               and (steps := _due(desired, applied, self._clock(), heard))}
        policy = self._policy(shop) if due else Policy()  # read once, when a notice is due
        due, held_back = self._with_goodwill(shop, due, policy, report, failed)
        told, refused = self._notify(shop, due, policy.notices)
        refused.update(held_back)
        sent = [(order_id, step.notice.key, step.notice.kind)
                for order_id, steps in told.items() for step in steps if step.notice]
        report.notices += len(sent)
        if sent and not self._gateway.sends_notices(shop):
            sent = []  # taken as told, but nothing went out: no message to count
        with self._db.transaction() as s:
            notice_store.record_sent(s, shop, sent, self._clock())
            for order_id, desired, version, applied in rows:
                report.orders += 1
                if order_id in hidden:
                    blocked.add(order_id)
                    report.blocked += 1
                    self._hidden(s, shop, order_id, hidden[order_id])
                    continue
                if errors.get(order_id):
                    failed.add(order_id)
                    report.failed += 1
                    self._failed(s, shop, order_id, errors[order_id], errors)
                    continue
                planned = plans[order_id]
                sent = planned is not None and not planned.change.is_empty()
                report.written += sent
                report.unchanged += not sent
                steps = told.get(order_id)
                self._applied(s, shop, order_id, desired, version, planned, report,
                              steps[-1].told if steps else None, order_id not in refused,
                              errors, applied)
                if order_id in refused:
                    failed.add(order_id)
                    report.failed += 1
                    self._failed(s, shop, order_id, refused[order_id])

    def _with_goodwill(self, shop: str, due: dict[str, list[Step]], policy: Policy,
                       report: SyncReport,
                       failed: set[str]) -> tuple[dict[str, list[Step]], dict[str, str]]:
        """The "waiting long" notices due, each with its order's goodwill code when the shop
        gives one (`goodwill`): the code is made on the platform first, so the notice never
        names a code the customer cannot use. An order whose code the platform refused sends
        no notice this round (why, per order): it stays pending and is tried again."""
        waiting = [order_id for order_id, steps in due.items()
                   if any(step.notice and step.notice.kind == WAITING_LONG for step in steps)]
        if not waiting:
            return due, {}
        codes: dict[str, str] = {}
        settings = policy.goodwill
        with self._db.transaction() as s:
            for order_id in waiting:
                code = goodwill.grant(s, shop, order_id, settings, self._clock())
                if code:
                    codes[order_id] = code
            owed = {object_id: (desired, version)
                    for kind, object_id, desired, version
                    in object_sync.pending_of(s, shop, object_sync.GOODWILL, list(codes))}
        held_back: dict[str, str] = {}
        for order_id, (desired, version) in owed.items():
            error = self._one_object(shop, object_sync.GOODWILL, order_id, desired)
            self._object_done(shop, object_sync.GOODWILL, order_id, desired, version, error,
                              report, failed)
            if error:
                held_back[order_id] = f"goodwill code: {error}"
        return {order_id: [_with_code(step, codes.get(order_id)) for step in steps]
                for order_id, steps in due.items() if order_id not in held_back}, held_back

    def _notify(self, shop: str, due: dict[str, list[Step]], settings: NoticeSettings
                ) -> tuple[dict[str, list[Step]], dict[str, str]]:
        """Send the notices due, an order's one per round, in order; per order, the steps done
        (their last `told` is what to record) and what refused the next one."""
        done: dict[str, list[Step]] = {}
        refused: dict[str, str] = {}
        left = {order_id: list(steps) for order_id, steps in due.items() if steps}
        while left:
            batch = []
            for order_id, steps in left.items():
                while steps and steps[0].notice is None:  # turned off: told without sending
                    done.setdefault(order_id, []).append(steps.pop(0))
                if steps:
                    batch.append((order_id, steps[0]))
            results = self._gateway.notify(
                shop, [(o, with_note(step.notice, settings)) for o, step in batch]) \
                if batch else []
            for (order_id, _), error in zip(batch, results, strict=True):
                if error:
                    refused[order_id] = error
                    left[order_id] = []
                else:
                    done.setdefault(order_id, []).append(left[order_id].pop(0))
            left = {order_id: steps for order_id, steps in left.items() if steps}
        return done, refused

    def _heard(self, shop: str) -> frozenset[str]:
        with self._db.transaction() as s:
            return kinds_heard(s, self._gateway, shop)

    def _policy(self, shop: str) -> Policy:
        """The shop's settings as they are when its notices go (the merchant's notes, goodwill)."""
        with self._db.transaction() as s:
            row = shop_store.find(s, shop)
            return Policy.from_dict((row.policy if row else None) or {})

    def _objects(self, shop: str, report: SyncReport, failed: set[str]) -> None:
        """Writes of objects other than orders (a variant's policy, a product's substitutes),
        each sent on its own, and the variants' ships-by dates, sent together (the platform
        takes many in one call); one that fails stays pending and fails the run (retried)."""
        done: set[tuple[str, str]] = set()
        while True:
            with self._db.transaction() as s:
                rows = [r for r in object_sync.pending(s, shop, self._batch + len(done))
                        if (r[0], r[1]) not in done][:self._batch]
            if not rows:
                return
            done.update((kind, object_id) for kind, object_id, _, _ in rows)
            dates = [r for r in rows if r[0] == object_sync.SHIPS_BY]
            results = self._ships_by(shop, dates) if dates else {}
            for kind, object_id, desired, version in rows:
                error = results.get(object_id) if kind == object_sync.SHIPS_BY \
                    else self._one_object(shop, kind, object_id, desired)
                self._object_done(shop, kind, object_id, desired, version, error, report, failed)

    def _ships_by(self, shop: str, rows: list) -> dict[str, str | None]:
        try:
            return self._gateway.set_ships_by(
                shop, {object_id: desired["ships_by"] for _, object_id, desired, _ in rows})
        except Exception as error:  # the adapter's own error: every date of the call fails
            return {object_id: str(error) or type(error).__name__ for _, object_id, _, _ in rows}

    def _one_object(self, shop: str, kind: str, object_id: str, desired: dict) -> str | None:
        try:
            self._write_object(shop, kind, object_id, desired)
        except Exception as error:  # the adapter's own error: recorded, retried later
            return str(error) or type(error).__name__
        return None

    def _object_done(self, shop: str, kind: str, object_id: str, desired: dict, version: int,
                     error: str | None, report: SyncReport, failed: set[str]) -> None:
        with self._db.transaction() as s:
            if error is None:
                report.written += 1
                object_sync.applied(s, shop, kind, object_id, desired, version)
                if kind == object_sync.GOODWILL:
                    goodwill.created(s, shop, object_id)
                return
            failed.add(f"{kind}:{object_id}")
            report.failed += 1
            log.warning("sync of %s %s on %s failed: %s", kind, object_id, shop, error)
            object_sync.failed(s, shop, kind, object_id, error)

    def _write_object(self, shop: str, kind: str, object_id: str, desired: dict) -> None:
        if kind == object_sync.INVENTORY_POLICY:
            self._gateway.set_inventory_policy(shop, object_id, desired["product_id"],
                                               desired["policy"])
        elif kind == object_sync.SUBSTITUTES:
            self._gateway.set_product_substitutes(shop, object_id, list(desired["products"]))
        elif kind == object_sync.GOODWILL:
            self._gateway.create_discount_code(shop, DiscountCode(
                desired["code"], desired["customer_id"], desired["kind"], desired["amount"],
                datetime.fromisoformat(desired["starts_at"])))

    def has_pending(self, shop: str) -> bool:
        """Pending orders due now or settling, and object writes; not orders set aside for
        later (hidden)."""
        with self._db.transaction() as s:
            return (sync_store.has_object_write_due(s, shop)
                    or sync_store.has_order_due(s, shop, self._clock()))

    def _about_to_write(self, shop: str, plans: list[Planned]) -> None:
        """Recorded before the write: from now on the order may show something of ours, even if
        this worker dies before it learns the write succeeded; and what the platform will
        announce of it, whose webhooks may come before the write's answer is recorded
        (`own_changes`)."""
        coming = {p.change.order_id: p.expected for p in plans}
        with self._db.transaction() as s:
            fo_store.remember(s, shop, {fo_id: order_id for order_id, expected in coming.items()
                                        for fo_id in expected.fulfillment_orders()})
            for row in sync_store.of_orders(s, shop, list(coming)):
                if not row.applied:
                    row.applied = {WRITTEN: True}
                    _tell(s, shop, row.order_id, DesiredState.from_dict(row.desired))
                if coming[row.order_id]:
                    row.applied = own_changes.before_write(row.applied, coming[row.order_id])

    def _applied(self, s: Tx, shop: str, order_id: str, desired: DesiredState, version: int,
                 planned: Planned | None, report: SyncReport, told: Told | None = None,
                 done: bool = True, answer: Mapping | None = None,
                 before: Mapping | None = None) -> None:
        """`told`: what the customer has now been told, when notices went; `done`: False when
        a notice is still due (refused), which keeps the order pending. `answer` and `before`:
        as `_record` takes them."""
        row = self._record(s, shop, order_id, desired, planned, report, told, answer, before)
        _tell(s, shop, order_id, desired)
        if row.version == version and done:  # a newer plan arrived meanwhile: keep it pending
            row.pending = False

    def _record(self, s: Tx, shop: str, order_id: str, shown: DesiredState,
                planned: Planned | None, report: SyncReport, told: Told | None = None,
                answer: Mapping | None = None, before: Mapping | None = None) -> OrderSync:
        """What the store shows now, as far as the sync knows it, what it left undone, and what
        the customer was told (kept as it was when no notice went). What our writes made that
        the platform has still to announce is kept, as the platform answered the write
        (`answer`, what `apply` returned; `own_changes`); a re-check asked for after this sync
        took the order (`before`: its applied state then) is kept too, since what this sync
        read may predate that change."""
        awaiting = bool(planned and planned.awaiting)
        deferred = [n for n in (planned.notes if planned else ()) if n]
        report.awaiting_fulfillment_orders += awaiting
        report.holds_deferred += bool(deferred)
        row = sync_store.of_order(s, shop, order_id, lock=True)
        current = row.applied or {}
        told_now = _told_record(current, told)
        own = own_changes.records(own_changes.answered(current, *_announced(answer),
                                                       read=bool(planned and planned.read)))
        recheck = current.get(RECHECK) if _asked_since(before, current) else None
        row.applied = {**{k: v for k, v in shown.as_dict().items() if k != "notify"},
                       **({AWAITING: True} if awaiting else {}),
                       **({DEFERRED: deferred} if deferred else {}),
                       **({TOLD: told_now} if told_now else {}),
                       **own,
                       **({RECHECK: recheck} if recheck else {})}
        row.awaiting_fulfillment_orders = awaiting
        row.synced_at = self._clock()
        row.attempts = 0
        row.last_error = "; ".join(deferred)[:2000] or None
        if deferred:
            log.info("sync of %s on %s left holds undone: %s", order_id, shop, row.last_error)
        return row

    def _hidden(self, s: Tx, shop: str, order_id: str, reason: str) -> None:
        """Kept pending with the reason, and set aside: a sync finding it again right away
        would see the same, and queue itself again without end."""
        self._failed(s, shop, order_id, reason)
        sync_store.of_order(s, shop, order_id).updated_at = self._clock() + HIDDEN_RETRY

    def _failed(self, s: Tx, shop: str, order_id: str, error: str,
                answer: Mapping | None = None) -> None:
        """`answer`: what `apply` returned, when a write was tried: what it made is then
        recorded as answered (a hold that went through split its fulfillment order even when
        another write of the order failed)."""
        row = sync_store.of_order(s, shop, order_id, lock=True)
        if answer is not None and row.applied:
            row.applied = own_changes.answered(row.applied, *_announced(answer), read=False)
        row.attempts = (row.attempts or 0) + 1
        row.last_error = error[:2000]
        log.warning("sync of %s on %s failed: %s", order_id, shop, error)


def _announced(answer: Mapping | None) -> tuple[Mapping[str, str], frozenset[str]]:
    """What the platform said of a write (`Applied`): the fulfillment orders our holds split
    off, and those our releases reopened; nothing from a platform that does not say."""
    if isinstance(answer, Applied):
        return answer.split_off, frozenset(answer.reopened)
    return {}, frozenset()


def _asked_since(before: Mapping | None, current: Mapping) -> bool:
    """A re-check was asked for after the sync took the order with `before` as its applied
    state (each asking counts one up)."""
    if before is None:
        return False
    return int(current.get(RECHECK) or 0) > int(before.get(RECHECK) or 0)


def _with_code(step: Step, code: str | None) -> Step:
    """A "waiting long" step carrying the order's goodwill code (empty: none given)."""
    if step.notice is None or step.notice.kind != WAITING_LONG:
        return step
    return Step(Notice(step.notice.kind, step.notice.key,
                       {**step.notice.values, "code": code or ""}), step.told)


def _due(desired: DesiredState, applied: Mapping, now: datetime,
         heard: frozenset[str]) -> list[Step]:
    """The notices due for an order: what its desired state says against what it was told. An
    order shown before notices existed (applied, with no record of what it was told) takes
    its present facts as told, silently: a deploy is not a change to tell the customer of. A
    kind nobody on the shop listens to is passed over as one the shop turned off."""
    if not desired.notify:
        return []
    facts = NoticeFacts.from_dict(desired.notify)
    facts = replace(facts, enabled=facts.enabled & heard)
    if TOLD not in applied and "holds" in applied:
        return [Step(None, Told(int(facts.owed > 0), facts.owed > 0, facts.eta, facts.owed))]
    return notices_due(facts, Told.from_dict(applied.get(TOLD)), now.date())


def _told_record(before: Mapping, told: Told | None) -> dict | None:
    """What the applied state keeps of what the customer was told: `told` when notices went;
    otherwise as it was, and for an order new to the sync, nothing told yet. An order shown
    before notices existed keeps no record until `_due` gives it one."""
    if told is not None:
        return told.as_dict()
    if TOLD in before:
        return before[TOLD]
    return None if "holds" in before else Told().as_dict()


def _tell(s: Tx, shop: str, order_id: str, shown: DesiredState) -> None:
    """Record on the order's lines what the store shows of them: planning keeps units the
    customer was told are ready from being taken by a line that sorts ahead later."""
    detail = shown.fields.get("lines")
    told = {entry["line_id"]: entry for entry in json.loads(detail)} if detail else {}
    for line in order_store.order_lines(s, shop, order_id):
        entry = told.get(line.line_id, {})
        line.told_ready, line.told_quantity = entry.get("ready", 0), entry.get("quantity", 0)
