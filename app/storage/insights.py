"""What the embedded admin page reads: the queue of open lines, one order's lines and its
platform state, and the lines and date changes the numbers count."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

from app.storage.tables import EtaChangeRow, Order, OrderLine, OrderSync, Pool

# settings and priority




def locked_line(tx: Session, shop: str, line_id: str) -> OrderLine | None:
    """Locked for a change of its priority."""
    return tx.get(OrderLine, (shop, line_id), with_for_update=True)


# the queue


def queue(tx: Session, shop: str, waiting_only: bool, limit: int,
          offset: int) -> tuple[int, Sequence[Row[tuple[OrderLine, str]]]]:
    """How many open lines of orders not cancelled there are (with units backordered, when
    `waiting_only`), and one page of them with their order's name, in queue order per pool."""
    where = [OrderLine.shop == shop, OrderLine.open_quantity > 0, Order.cancelled_at.is_(None)]
    if waiting_only:
        where.append(OrderLine.backordered > 0)
    joined = select(OrderLine, Order.name).join(
        Order, (Order.shop == OrderLine.shop) & (Order.order_id == OrderLine.order_id)).where(*where)
    total = tx.scalar(select(func.count()).select_from(joined.subquery()))
    rows = tx.execute(joined.order_by(
        OrderLine.pool, OrderLine.queue_ticket.is_(None), OrderLine.queue_ticket,
        OrderLine.ordered_at, OrderLine.line_id).limit(limit).offset(offset)).all()
    return total, rows


def open_lines_of_order(tx: Session, shop: str,
                        order_id: str) -> Sequence[Row[tuple[OrderLine, str]]]:
    """The order's open lines with its name, by line id."""
    return tx.execute(select(OrderLine, Order.name).join(
        Order, (Order.shop == OrderLine.shop) & (Order.order_id == OrderLine.order_id)).where(
        OrderLine.shop == shop, OrderLine.order_id == order_id, OrderLine.open_quantity > 0)
        .order_by(OrderLine.line_id)).all()


def order_sync(tx: Session, shop: str, order_id: str) -> OrderSync | None:
    return tx.get(OrderSync, (shop, order_id))


def position_offsets(tx: Session, shop: str, pools: Collection[str]) -> dict[str, int]:
    """By pool: what to take off a line's queue ticket to show its place in the queue."""
    return dict(tx.execute(select(Pool.pool, Pool.position_offset).where(
        Pool.shop == shop, Pool.pool.in_(pools))).all())


# the numbers


def live_lines_ordered_since(tx: Session, shop: str, since: datetime) -> Iterable[OrderLine]:
    return tx.scalars(_live_lines(shop).where(Order.created_at >= since))


def live_lines_waiting(tx: Session, shop: str) -> list[OrderLine]:
    """Open lines with units backordered."""
    return list(tx.scalars(_live_lines(shop).where(
        OrderLine.open_quantity > 0, OrderLine.backordered > 0)))


def live_lines_promised(tx: Session, shop: str) -> Iterable[OrderLine]:
    """Lines that were ever given a date."""
    return tx.scalars(_live_lines(shop).where(OrderLine.first_eta.is_not(None)))


def _live_lines(shop: str) -> Select[tuple[OrderLine]]:
    """Lines of orders that were not cancelled: a cancelled line was not filled, nor short."""
    return select(OrderLine).join(
        Order, (Order.shop == OrderLine.shop) & (Order.order_id == OrderLine.order_id)).where(
        OrderLine.shop == shop, Order.cancelled_at.is_(None))


def eta_changes_by_reason(tx: Session, shop: str, since: datetime) -> dict[str, int]:
    return dict(tx.execute(
        select(EtaChangeRow.reason, func.count()).where(
            EtaChangeRow.shop == shop, EtaChangeRow.changed_at >= since)
        .group_by(EtaChangeRow.reason)).all())
