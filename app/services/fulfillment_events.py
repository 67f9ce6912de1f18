"""Fulfillment orders changed by someone else: a hold placed or released, a split, a merge, a move.

Each can change what our holds must cover (a release may let us hold lines we had to leave, a
move or a merge replaces the fulfillment orders our holds sat on), so the order is synced again
with a fresh read of its fulfillment orders. The payloads name fulfillment orders only; the
order is read from the platform in the prepare step, outside the handler's transaction. An order
we never wrote to, or that neither holds nor wants to hold anything, needs nothing.

A change of the granted scopes may make visible what was hidden (orders older than 60 days,
fulfillment orders of a fulfillment service), so the orders waiting on that are synced again."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.services.backorders import SYNC
from app.services.events import PREPARED, Outcome
from app.services.mirror import gid
from app.services.ports import PlatformGateway
from app.services.sync import AWAITING, DEFERRED, RECHECK
from app.storage.db import Database
from app.storage.tables import OrderSync

KIND = "fulfillment_order_changed"
FULFILLMENT_ORDER = "gid://shopify/FulfillmentOrder/"


class FulfillmentEvents:
    def __init__(self, db: Database, gateway: PlatformGateway, clock: Callable[[], datetime]):
        self._db = db
        self._gateway = gateway
        self._clock = clock

    def register(self, events) -> None:
        events.register(KIND, self.changed, prepare=self.prepare)
        record_scopes = events.handlers["scopes_update"]
        events.register("scopes_update", lambda s, shop, payload: self.scopes_updated(
            s, shop, record_scopes(s, shop, payload)))

    def prepare(self, shop: str, payload: dict) -> dict | None:
        """The order of the first fulfillment order the platform still shows. A hold we placed
        ourselves needs no read: the sync that placed it knows."""
        if placed_by_us(payload):
            return None
        for fulfillment_order_id in fulfillment_order_ids(payload):
            order_id = self._gateway.order_of_fulfillment_order(shop, fulfillment_order_id)
            if order_id:
                return {"order_id": order_id}
        return None

    def changed(self, s: Session, shop: str, payload: dict) -> Outcome:
        order_id = (payload.get(PREPARED) or {}).get("order_id")
        row = s.get(OrderSync, (shop, order_id), with_for_update=True) if order_id else None
        if row is None or not _ours_to_hold(row):
            return Outcome("fulfillment orders changed: no hold of ours concerned")
        self._recheck(row)
        return Outcome(f"fulfillment orders of {order_id} changed: holds re-checked",
                       [(SYNC, (shop,))])

    def scopes_updated(self, s: Session, shop: str, recorded) -> Outcome:
        """Orders the store may have hidden, or whose fulfillment orders it may have hidden, are
        synced again under the new scopes."""
        outcome = recorded if isinstance(recorded, Outcome) else Outcome(str(recorded))
        rows = list(s.scalars(select(OrderSync).where(
            OrderSync.shop == shop,
            or_(OrderSync.pending.is_(True), OrderSync.awaiting_fulfillment_orders.is_(True),
                OrderSync.last_error.is_not(None))).with_for_update()))
        for row in rows:
            self._recheck(row)
        if rows:
            outcome.follow_ups.append((SYNC, (shop,)))
        return outcome

    def _recheck(self, row: OrderSync) -> None:
        """Pending again, reading the store again; a new version, so a sync already running
        with the old one does not mark it done."""
        row.applied = {**(row.applied or {}), RECHECK: True}
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


def placed_by_us(payload: dict) -> bool:
    return bool((payload.get("created_fulfillment_hold") or {}).get("held_by_requesting_app"))


def fulfillment_order_ids(payload: dict) -> list[str]:
    """Every fulfillment order a payload names, first mention first: `id`s under the
    fulfillment order keys, and the numeric `fulfillment_order_id`s of a merge."""
    found: list[str] = []
    for value in _ids(payload):
        if value not in found:
            found.append(value)
    return found


def _ids(value, key: str | None = None) -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            if k != PREPARED:
                yield from _ids(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from _ids(item, key)
    elif key == "id" and isinstance(value, str) and value.startswith(FULFILLMENT_ORDER):
        yield value
    elif key == "fulfillment_order_id" and value is not None:
        yield gid("FulfillmentOrder", value)
