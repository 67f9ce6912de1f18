"""The orders the merchant acts on from the admin's queue and order view, and the record of
what was done (who, when)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.storage.tables import Order, OrderAction, OrderLine, OrderSync


def orders_of_lines(tx: Session, shop: str, line_ids: Collection[str]) -> dict[str, str]:
    """line id → order id, for those of these lines that exist."""
    return dict(tx.execute(select(OrderLine.line_id, OrderLine.order_id).where(
        OrderLine.shop == shop, OrderLine.line_id.in_(line_ids))).all())


def locked_orders(tx: Session, shop: str, order_ids: Collection[str]) -> list[Order]:
    """Locked, in id order so two actions cannot deadlock."""
    return list(tx.scalars(select(Order).where(Order.shop == shop,
                                               Order.order_id.in_(order_ids))
                           .order_by(Order.order_id).with_for_update()))


def owed_orders(tx: Session, shop: str, order_ids: Collection[str]) -> set[str]:
    """Those of these orders with units still owed."""
    return set(tx.scalars(select(OrderLine.order_id).where(
        OrderLine.shop == shop, OrderLine.order_id.in_(order_ids),
        OrderLine.open_quantity > 0, OrderLine.backordered > 0)))


def syncs(tx: Session, shop: str, order_ids: Collection[str]) -> dict[str, OrderSync]:
    return {row.order_id: row for row in tx.scalars(select(OrderSync).where(
        OrderSync.shop == shop, OrderSync.order_id.in_(order_ids)))}


def record(tx: Session, actions: list[OrderAction]) -> None:
    tx.add_all(actions)


def of_order(tx: Session, shop: str, order_id: str) -> list[OrderAction]:
    """The order's actions, newest first."""
    return list(tx.scalars(select(OrderAction).where(
        OrderAction.shop == shop, OrderAction.order_id == order_id)
        .order_by(OrderAction.at.desc(), OrderAction.id.desc())))
