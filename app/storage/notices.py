"""The customer's notices as the admin reads them: those the platform took (recorded by the
sync, counted per kind by the insights) and an order to preview them on."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from app.storage.tables import NoticeSent, Order, OrderLine, OrderSync
from app.storage.upsert import insert_ignore


def record_sent(tx: Session, shop: str, sent: Iterable[tuple[str, str, str]],
                at: datetime) -> None:
    """(order, key, kind) of notices the platform took. A notice sent again (its record was
    lost with a worker) is counted once."""
    rows = [{"shop": shop, "order_id": order_id, "key": key[:64], "kind": kind, "sent_at": at}
            for order_id, key, kind in sent]
    if rows:
        tx.execute(insert_ignore(tx, NoticeSent, rows))


def sent_by_kind(tx: Session, shop: str, since: datetime) -> dict[str, int]:
    """Notices sent since then, by kind."""
    return {kind: int(count) for kind, count in tx.execute(
        select(NoticeSent.kind, func.count()).where(
            NoticeSent.shop == shop, NoticeSent.sent_at >= since).group_by(NoticeSent.kind))}


def waiting_order(tx: Session, shop: str) -> Row | None:
    """(order_id, name, desired, applied) of the shop's oldest order still owed units, with
    its desired and applied state; None when nothing waits."""
    return tx.execute(
        select(Order.order_id, Order.name, OrderSync.desired, OrderSync.applied)
        .join(OrderLine, (OrderLine.shop == Order.shop) & (OrderLine.order_id == Order.order_id))
        .join(OrderSync, (OrderSync.shop == Order.shop) & (OrderSync.order_id == Order.order_id))
        .where(Order.shop == shop, Order.cancelled_at.is_(None), OrderLine.open_quantity > 0,
               OrderLine.backordered > 0)
        .order_by(Order.created_at, Order.number).limit(1)).first()
