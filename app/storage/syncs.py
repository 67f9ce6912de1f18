"""Order syncs as the sync reads and records them: the orders whose desired state waits to be
sent, their sync records, and what the store was told of their lines."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from app.storage.tables import ObjectSync, Order, OrderSync


def pending(tx: Session, shop: str, settled_by: datetime, exclude: set[str],
            limit: int, holds_due: bool = False) -> list[tuple]:
    """(order id, desired, version, applied) of the next pending orders whose desired state
    has held since `settled_by`, oldest change first, leaving out `exclude`; with `holds_due`,
    only those whose holds are still to place."""
    query = (select(OrderSync.order_id, OrderSync.desired, OrderSync.version,
                    OrderSync.applied)
             .where(OrderSync.shop == shop, OrderSync.pending.is_(True),
                    OrderSync.updated_at <= settled_by)
             .order_by(OrderSync.updated_at, OrderSync.order_id))
    if holds_due:
        query = query.where(OrderSync.holds_due.is_(True))
    if exclude:
        query = query.where(OrderSync.order_id.not_in(exclude))
    return list(tx.execute(query.limit(limit)))


def holds_coming(tx: Session, shop: str, exclude: set[str], limit: int = 1000) -> int:
    """How many pending orders have holds due, up to `limit` (a burst's worth fills the
    platform's rate limit long before)."""
    query = select(OrderSync.order_id).where(
        OrderSync.shop == shop, OrderSync.pending.is_(True), OrderSync.holds_due.is_(True))
    if exclude:
        query = query.where(OrderSync.order_id.not_in(exclude))
    return tx.scalar(select(func.count()).select_from(query.limit(limit).subquery()))


SYNCS = OrderSync.__table__
HOLDS_PLACED = update(SYNCS).where(
    SYNCS.c.shop == bindparam("b_shop"), SYNCS.c.order_id == bindparam("b_order_id"),
    SYNCS.c.version == bindparam("b_version")).values(holds_due=False)


def holds_placed(tx: Session, shop: str, placed: dict[str, tuple[int, dict[str, int]]]) -> None:
    """The holds of these orders' desired states are placed: per order, the version and the
    units held per line. A newer state keeps its own due unless it holds the same units: in a
    busy pool an order's state is rewritten again and again (its alternatives, its ETA) while its
    holds stay, and each version left due would have the holds pass read the order again."""
    if not placed:
        return
    current = tx.execute(select(OrderSync.order_id, OrderSync.version, OrderSync.desired).where(
        OrderSync.shop == shop, OrderSync.holds_due.is_(True),
        OrderSync.order_id.in_(list(placed))))
    done = [{"b_shop": shop, "b_order_id": order_id, "b_version": version}
            for order_id, version, desired in current
            if version == placed[order_id][0] or held_units(desired) == placed[order_id][1]]
    if done:
        tx.execute(HOLDS_PLACED, done)


def held_units(desired: dict | None) -> dict[str, int]:
    """The units a stored desired state holds, per line, read without building the state: a
    shop's re-plan compares a million of them."""
    return {line: int(units) for line, units in ((desired or {}).get("holds") or {}).items()
            if units}


def placed_at(tx: Session, shop: str, order_ids: list[str]) -> dict[str, datetime]:
    """When each of these orders was placed: the store may hide an older order without a
    permission."""
    return dict(tx.execute(select(Order.order_id, Order.created_at).where(
        Order.shop == shop, Order.order_id.in_(order_ids))).all())


def has_object_write_due(tx: Session, shop: str) -> bool:
    """A pending object write not tried yet (one that failed waits for its retry)."""
    return tx.scalar(select(ObjectSync.object_id).where(
        ObjectSync.shop == shop, ObjectSync.pending.is_(True),
        ObjectSync.attempts == 0).limit(1)) is not None


def has_order_due(tx: Session, shop: str, now: datetime) -> bool:
    """A pending order due by `now`, settling ones included; those set aside for later are not."""
    return tx.scalar(select(OrderSync.order_id).where(
        OrderSync.shop == shop, OrderSync.pending.is_(True),
        or_(OrderSync.updated_at.is_(None), OrderSync.updated_at <= now))
        .limit(1)) is not None


def of_orders(tx: Session, shop: str, order_ids: list[str]) -> Iterable[OrderSync]:
    return tx.scalars(select(OrderSync).where(OrderSync.shop == shop,
                                              OrderSync.order_id.in_(order_ids)))


def of_order(tx: Session, shop: str, order_id: str, lock: bool = False) -> OrderSync | None:
    """`lock`: held until the transaction ends, so a newer plan's version is seen as it is."""
    return tx.get(OrderSync, (shop, order_id), with_for_update=True if lock else None)

