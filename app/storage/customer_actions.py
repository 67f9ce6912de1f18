"""Customers' actions on their orders, and the line an action is about."""

from __future__ import annotations

from sqlalchemy import Row, func, select
from sqlalchemy.exc import IntegrityError

from app.storage.db import Tx
from app.storage.tables import CustomerAction, Order, OrderLine, Variant


def by_key(tx: Tx, shop: str, key: str) -> CustomerAction | None:
    return tx.scalars(select(CustomerAction).where(
        CustomerAction.shop == shop, CustomerAction.key == key)).first()


def add(tx: Tx, action: CustomerAction) -> bool:
    """Claim the action's key now; False when another request holds it already."""
    try:
        with tx.begin_nested():
            tx.add(action)
    except IntegrityError:
        return False
    return True


def of_order(tx: Tx, shop: str, order_id: str) -> list[CustomerAction]:
    return list(tx.scalars(select(CustomerAction).where(
        CustomerAction.shop == shop, CustomerAction.order_id == order_id)
        .order_by(CustomerAction.created_at, CustomerAction.id)))


def customer_line(tx: Tx, shop: str, customer_id: str, order_id: str, line_id: str) -> Row | None:
    """The customer's open line, with what the plan says it owes; None when the order is not
    theirs, is cancelled, or has no such line."""
    return tx.execute(
        select(OrderLine.line_id, OrderLine.variant_id, OrderLine.pool, OrderLine.open_quantity,
               OrderLine.backordered, OrderLine.alternatives)
        .join(Order, (Order.shop == OrderLine.shop) & (Order.order_id == OrderLine.order_id))
        .where(OrderLine.shop == shop, OrderLine.order_id == order_id,
               OrderLine.line_id == line_id, Order.customer_id == customer_id,
               Order.cancelled_at.is_(None))).first()


def variants(tx: Tx, shop: str, variant_ids: list[str]) -> dict[str, Row]:
    """(price, inventory item) of these variants, by id."""
    rows = tx.execute(select(Variant.variant_id, Variant.price, Variant.inventory_item_id)
                      .where(Variant.shop == shop, Variant.variant_id.in_(variant_ids)))
    return {row.variant_id: row for row in rows}


def customer_orders(tx: Tx, shop: str, customer_id: str,
                    order_ids: list[str]) -> dict[str, Row]:
    """Of these orders, the customer's open ones: (order_id, ready, owed, ship_together), the
    units ready to ship and still owed over their open lines."""
    if not order_ids:
        return {}
    rows = tx.execute(
        select(Order.order_id, Order.ship_together,
               func.coalesce(func.sum(OrderLine.open_quantity - OrderLine.backordered), 0)
               .label("ready"),
               func.coalesce(func.sum(OrderLine.backordered), 0).label("owed"))
        .join(OrderLine, (Order.shop == OrderLine.shop) & (Order.order_id == OrderLine.order_id))
        .where(Order.shop == shop, Order.order_id.in_(order_ids),
               Order.customer_id == customer_id, Order.cancelled_at.is_(None),
               OrderLine.open_quantity > 0)
        .group_by(Order.order_id, Order.ship_together))
    return {row.order_id: row for row in rows}


def locked_order(tx: Tx, shop: str, order_id: str) -> Order | None:
    return tx.get(Order, (shop, order_id), with_for_update=True)


def locked_line(tx: Tx, shop: str, line_id: str) -> OrderLine | None:
    return tx.get(OrderLine, (shop, line_id), with_for_update=True)
