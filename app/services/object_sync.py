"""Platform writes that are not an order's, on the same converge loop as orders: what the
platform should show of an object (a capped variant's inventory policy, a product's pinned
substitutes) is recorded in the transaction that decided it, and the sync writes what the
platform was not yet told. A write lost with a job or a crash is found pending by the next
sync; one the platform already has is not sent again."""

from __future__ import annotations

from datetime import date

from app.storage import objects as object_store
from app.storage.db import Tx
from app.storage.tables import ObjectSync

INVENTORY_POLICY = "inventory_policy"  # variant id -> {"policy", "product_id"}
SUBSTITUTES = "substitutes"  # product id -> {"products"}
SHIPS_BY = "ships_by"  # variant id -> {"ships_by": ISO date, or None: no date to show}
GOODWILL = "goodwill"  # order id -> {"code", "customer_id", "kind", "amount", "starts_at"}


def want(s: Tx, shop: str, kind: str, object_id: str, desired: dict) -> bool:
    """Record what the platform should show of one object; True when a write is now pending."""
    row = object_store.locked_sync(s, shop, kind, object_id)
    if row is None:
        object_store.add_sync(s, _new(shop, kind, object_id, desired))
        return True
    return _want_again(row, desired)


def _new(shop: str, kind: str, object_id: str, desired: dict) -> ObjectSync:
    return ObjectSync(shop=shop, kind=kind, object_id=object_id, desired=desired, applied=None,
                      pending=True, version=1, attempts=0)


def _want_again(row: ObjectSync, desired: dict) -> bool:
    if row.desired == desired and (row.pending or row.applied == desired):
        return row.pending
    row.desired, row.version = desired, row.version + 1
    row.pending = row.applied != desired
    return row.pending


def want_ships_by(s: Tx, shop: str, dates: dict[str, date | None]) -> None:
    """Variants' ships-by dates for the product page, read and written together: a shop's
    re-plan sets one per pool. No date where none was ever shown needs no write: most variants
    are in stock or never sell past zero, and get no record at all."""
    rows = object_store.locked_syncs(s, shop, SHIPS_BY, list(dates))
    new, pending_now = [], False
    for variant_id, ships_on in sorted(dates.items()):
        desired = {"ships_by": ships_on.isoformat() if ships_on else None}
        row = rows.get(variant_id)
        if row is None and ships_on is not None:
            new.append(_new(shop, SHIPS_BY, variant_id, desired))
        elif row is not None:
            pending_now = _want_again(row, desired) or pending_now
    object_store.add_syncs(s, new)
    if new or pending_now:
        s.info.setdefault(_WANTED, set()).add(shop)


_WANTED = "object_writes_wanted"


def wanted_in(s: Tx, shop: str) -> bool:
    """Whether this transaction's plans left a write pending for the shop that no order's
    change carries (a ships-by date that moved while no order did): it still needs a sync."""
    return shop in s.info.get(_WANTED, ())


def pending(s: Tx, shop: str, limit: int) -> list[tuple[str, str, dict, int]]:
    """(kind, object id, desired, version) of writes still owed to the platform."""
    return [(r.kind, r.object_id, dict(r.desired), r.version)
            for r in object_store.pending_syncs(s, shop, limit)]


def pending_of(s: Tx, shop: str, kind: str,
               object_ids: list[str]) -> list[tuple[str, str, dict, int]]:
    """(kind, object id, desired, version) of these objects' writes still owed."""
    rows = (object_store.locked_sync(s, shop, kind, object_id) for object_id in object_ids)
    return [(r.kind, r.object_id, dict(r.desired), r.version) for r in rows
            if r is not None and r.pending]


def applied(s: Tx, shop: str, kind: str, object_id: str, desired: dict,
            version: int) -> None:
    row = object_store.locked_sync(s, shop, kind, object_id)
    row.applied, row.attempts, row.last_error = desired, 0, None
    if row.version == version:  # wanted again meanwhile: stays pending
        row.pending = False


def failed(s: Tx, shop: str, kind: str, object_id: str, error: str) -> None:
    row = object_store.locked_sync(s, shop, kind, object_id)
    row.attempts = (row.attempts or 0) + 1
    row.last_error = error[:2000]
