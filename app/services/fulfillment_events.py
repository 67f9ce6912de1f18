"""Fulfillment orders changed by someone else: a hold placed or released, a split, a merge, a move.

Each can change what our holds must cover (a release may let us hold lines we had to leave, a
move or a merge replaces the fulfillment orders our holds sat on), so the order is synced again
with a fresh read of its fulfillment orders. The payloads name fulfillment orders only (the
platform's adapter parses them out); the order is read from the platform in the prepare step,
outside the handler's transaction. An order we never wrote to, or that neither holds nor wants
to hold anything, needs nothing. Nor does a change the app made itself: a hold it placed (the
adapter tells it from the payload), the split of a fulfillment order its own hold of some lines
made, or the reopening its own release made, which the sync kept a record of (`own_changes`);
any other split or release still asks for a re-check.

A change of the granted scopes may make visible what was hidden (orders older than 60 days,
fulfillment orders of a fulfillment service), so the orders waiting on that are synced again."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from app.services import own_changes
from app.services.events import Outcome
from app.services.messages import SyncShop
from app.services.ports import FulfillmentOrderSplit, PlatformGateway
from app.services.sync import AWAITING, DEFERRED, RECHECK
from app.storage import fulfillment_orders as fo_store
from app.storage import orders as order_store
from app.storage.db import Database, Tx
from app.storage.tables import OrderSync

KIND = "fulfillment_order_changed"


class FulfillmentEvents:
    def __init__(self, db: Database, gateway: PlatformGateway, clock: Callable[[], datetime]):
        self._db = db
        self._gateway = gateway
        self._clock = clock

    def prepare(self, shop: str, fulfillment_order_ids: Sequence[str],
                placed_by_us: bool = False) -> dict | None:
        """The order of the first fulfillment order the platform still shows. A hold we placed
        ourselves needs no read: the sync that placed it knows. Nor does a fulfillment order
        our own writes split or reopened: the sync kept its order before writing."""
        if placed_by_us:
            return None
        with self._db.read() as s:
            order_id = fo_store.order_of(s, shop, fulfillment_order_ids)
        if order_id:
            return {"order_id": order_id}
        for fulfillment_order_id in fulfillment_order_ids:
            order_id = self._gateway.order_of_fulfillment_order(shop, fulfillment_order_id)
            if order_id:
                return {"order_id": order_id}
        return None

    def changed(self, s: Tx, shop: str, order_id: str | None,
                split: FulfillmentOrderSplit | None = None,
                released: str | None = None) -> Outcome:
        """`order_id`: what the prepare step found, None when it found nothing. `split`: the
        change is a split, as the platform reported it; `released`: the change is the release
        of this fulfillment order's last hold."""
        row = order_store.order_sync_for_update(s, shop, order_id) if order_id else None
        if row is None or not _ours_to_hold(row):
            return Outcome("fulfillment orders changed: no hold of ours concerned")
        if split or released:
            mine = own_changes.without_ours(row.applied or {}, split, released)
            if mine is not None:
                row.applied = mine
                return Outcome(f"fulfillment orders of {order_id} changed by our own write: "
                               "nothing to re-check")
        self._recheck(row)
        return Outcome(f"fulfillment orders of {order_id} changed: holds re-checked",
                       [SyncShop(shop)])

    def scopes_updated(self, s: Tx, shop: str, recorded) -> Outcome:
        """Orders the store may have hidden, or whose fulfillment orders it may have hidden, are
        synced again under the new scopes."""
        outcome = recorded if isinstance(recorded, Outcome) else Outcome(str(recorded))
        rows = order_store.syncs_not_settled(s, shop)
        for row in rows:
            self._recheck(row)
        if rows:
            outcome.follow_ups.append(SyncShop(shop))
        return outcome

    def _recheck(self, row: OrderSync) -> None:
        """Pending again, reading the store again; a new version, so a sync already running
        with the old one does not mark it done."""
        applied = row.applied or {}
        row.applied = {**applied, RECHECK: int(applied.get(RECHECK) or 0) + 1}
        row.pending = True
        row.version = (row.version or 0) + 1
        row.updated_at = self._clock()


def _ours_to_hold(row: OrderSync) -> bool:
    """We wrote to the order, and it holds, wants to hold, or could not hold something."""
    applied, desired = row.applied or {}, row.desired or {}
    if not applied:
        return False
    return (any((desired.get("holds") or {}).values()) or any((applied.get("holds") or {}).values())
            or bool(applied.get(AWAITING) or applied.get(DEFERRED)))

