"""Goodwill codes: one per order, what a customer has been given, what a month has spent."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.storage.db import Tx
from app.storage.tables import GoodwillCode, Order, OrderLine, Variant

GIVEN = ("wanted", "created")


def of_order(tx: Tx, shop: str, order_id: str) -> GoodwillCode | None:
    return tx.scalars(select(GoodwillCode).where(
        GoodwillCode.shop == shop, GoodwillCode.order_id == order_id)).first()


def add(tx: Tx, row: GoodwillCode) -> bool:
    """Claim the order's one code; False when it has one already."""
    try:
        with tx.begin_nested():
            tx.add(row)
    except IntegrityError:
        return False
    return True


def given_to(tx: Tx, shop: str, customer_id: str) -> int:
    return tx.scalar(select(func.count()).select_from(GoodwillCode).where(
        GoodwillCode.shop == shop, GoodwillCode.customer_id == customer_id,
        GoodwillCode.status.in_(GIVEN))) or 0


def month(tx: Tx, shop: str, month: str) -> list[GoodwillCode]:
    """Every code of the month, given or not, oldest first."""
    return list(tx.scalars(select(GoodwillCode).where(
        GoodwillCode.shop == shop, GoodwillCode.month == month)
        .order_by(GoodwillCode.created_at, GoodwillCode.id)))


def spent(tx: Tx, shop: str, month_: str) -> Decimal:
    return sum((Decimal(row.worth) for row in month(tx, shop, month_) if row.status in GIVEN),
               Decimal(0))


def customer_of(tx: Tx, shop: str, order_id: str) -> str | None:
    return tx.scalar(select(Order.customer_id).where(Order.shop == shop,
                                                     Order.order_id == order_id))


def owed_value(tx: Tx, shop: str, order_id: str) -> Decimal:
    """What the units the order still waits for cost, at the variants' prices."""
    rows = tx.execute(select(OrderLine.backordered, Variant.price)
                      .join(Variant, (Variant.shop == OrderLine.shop)
                            & (Variant.variant_id == OrderLine.variant_id))
                      .where(OrderLine.shop == shop, OrderLine.order_id == order_id,
                             OrderLine.backordered > 0))
    total = Decimal(0)
    for units, price in rows:
        try:
            total += Decimal(price or "0") * units
        except ArithmeticError:
            continue
    return total
