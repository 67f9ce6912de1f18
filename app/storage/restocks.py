"""Restocks the merchant expects, and the units they bring to each pool."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from app.storage.tables import OrderLine, RestockRow, Variant


def of_shop(tx: Session, shop: str, include_arrived: bool, limit: int | None = None,
            offset: int = 0) -> list[RestockRow]:
    """By expected date, then as entered (then by id, so pages neither skip nor repeat one);
    `limit` of them from `offset` when given."""
    query = select(RestockRow).where(*_listed(shop, include_arrived)).order_by(
        RestockRow.expected_on, RestockRow.created_at, RestockRow.id)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return list(tx.scalars(query))


def count_of_shop(tx: Session, shop: str, include_arrived: bool) -> int:
    return tx.scalar(select(func.count()).select_from(RestockRow)
                     .where(*_listed(shop, include_arrived))) or 0


def _listed(shop: str, include_arrived: bool) -> list:
    where = [RestockRow.shop == shop]
    if not include_arrived:
        where.append(RestockRow.arrived_at.is_(None))
    return where


def owned(tx: Session, shop: str, restock_id: str) -> RestockRow | None:
    """The shop's restock, locked for a change; None for another shop's as for a missing one."""
    row = tx.get(RestockRow, restock_id, with_for_update=True)
    return None if row is None or row.shop != shop else row


def add(tx: Session, row: RestockRow) -> None:
    tx.add(row)


def add_all(tx: Session, rows: list[RestockRow]) -> None:
    tx.add_all(rows)


def delete(tx: Session, row: RestockRow) -> None:
    tx.delete(row)


def incoming(tx: Session, shop: str, pools: Collection[str]) -> dict[str, int]:
    """Units expected by pool from restocks not yet arrived; pools expecting none are left out."""
    return dict(tx.execute(
        select(RestockRow.pool, func.sum(RestockRow.quantity)).where(
            RestockRow.shop == shop, RestockRow.pool.in_(pools),
            RestockRow.arrived_at.is_(None)).group_by(RestockRow.pool)).all())

def expected_restocks(tx: Session, shop: str, pools: list[str]) -> Iterable[RestockRow]:
    """The restocks of these pools that have not arrived, soonest first."""
    return tx.scalars(select(RestockRow).where(
        RestockRow.shop == shop, RestockRow.pool.in_(pools), RestockRow.arrived_at.is_(None))
        .order_by(RestockRow.expected_on, RestockRow.id))


def expected_restock_rows(tx: Session, shop: str, pools: list[str]) -> Iterable[Row]:
    """The same as `expected_restocks`, as plain rows, for reading only: a shop's re-plan reads
    three for each of 100,000 pools."""
    return tx.execute(select(
        RestockRow.id, RestockRow.pool, RestockRow.quantity, RestockRow.expected_on,
        RestockRow.source, RestockRow.reference).where(
        RestockRow.shop == shop, RestockRow.pool.in_(pools), RestockRow.arrived_at.is_(None))
        .order_by(RestockRow.expected_on, RestockRow.id))


def arrivals(tx: Session, shop: str, variant_ids: Collection[str] | None,
             vendors: Collection[str] | None) -> Iterable[tuple[str, str, date, datetime]]:
    """(variant id, vendor, expected date, arrived at) of every restock that came in, for these
    variants and every variant of these vendors (None: of the whole shop): how late each
    supplier delivers."""
    query = select(RestockRow.variant_id, Variant.vendor, RestockRow.expected_on,
                   RestockRow.arrived_at).join(
        Variant, (Variant.shop == RestockRow.shop) & (Variant.variant_id == RestockRow.variant_id)
    ).where(RestockRow.shop == shop, RestockRow.arrived_at.is_not(None))
    if variant_ids is not None:
        same = RestockRow.variant_id.in_(variant_ids)
        query = query.where(same | Variant.vendor.in_(vendors) if vendors else same)
    return tx.execute(query).all()


def waiting_in_pools(tx: Session, shop: str, pools: Collection[str]) -> list[Row]:
    """The backordered lines of these pools with their planned date and the restock it rests on:
    what an import is compared against before and after its re-plan."""
    rows: list[Row] = []
    pools = sorted(set(pools))
    for start in range(0, len(pools), 500):
        rows += tx.execute(select(
            OrderLine.pool, OrderLine.line_id, OrderLine.backordered, OrderLine.eta,
            OrderLine.eta_restock_id).where(
            OrderLine.shop == shop, OrderLine.pool.in_(pools[start:start + 500]),
            OrderLine.backordered > 0)).all()
    return rows
