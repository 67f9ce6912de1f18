"""The mirrored catalog and stock, as the alternatives read them for every plan.

These reads run for each order planned, in shops of a hundred thousand variants: each statement
is built once, with its parameters bound at execution, and the claims of waiting lines are read
through the driver itself (see `waiting_suggestions`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Row, String, bindparam, cast, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import Compiled

from app.storage.tables import OrderLine, Pool, StockLevel, Variant


def catalog(tx: Session, shop: str) -> Sequence[Row]:
    """The shop's variants not deleted, with what a catalog index is built from."""
    return tx.execute(select(*_CATALOG_COLUMNS).where(Variant.shop == shop,
                                                      Variant.status != "DELETED")).all()


def catalog_values(row: Variant) -> tuple:
    """What a catalog index is built from, of one variant: the columns `catalog` reads."""
    return tuple(getattr(row, column.key) for column in _CATALOG_COLUMNS)


def items_of(tx: Session, shop: str, variant_ids: list[str]) -> Sequence[Row]:
    """(variant, inventory item, whether its count takes out what orders hold) of those of
    these variants not deleted: as for the catalog, a deleted one has no stock to offer."""
    return tx.execute(select(Variant.variant_id, Variant.inventory_item_id, Variant.counts_orders)
                      .where(Variant.shop == shop, Variant.variant_id.in_(variant_ids),
                             Variant.status != "DELETED")).all()


def levels(tx: Session, shop: str, items: list[str]) -> Sequence[Row]:
    """(inventory item, location, units available) of these items."""
    return tx.connection().execute(_STOCK_READ, {"shop": shop, "items": items}).all()


def uncounted_needs(tx: Session, shop: str, variant_ids: list[str],
                    all_locations: str) -> Sequence[Row]:
    """(variant, units shipped since its count was set, units its own open lines need) of those
    of these variants whose count does not take out what orders hold. `all_locations`: what
    follows a variant's id in the name of its pool across all locations."""
    return tx.connection().execute(_UNCOUNTED_READ, {
        "shop": shop, "variants": variant_ids, "all_locations": all_locations}).all()


def stocked_items(tx: Session, shop: str) -> Iterable[Row]:
    """The inventory items in stock at some location, each once."""
    return tx.execute(_STOCKED_READ, {"shop": shop})


def waiting_suggestions(tx: Session, shop: str) -> list[tuple]:
    """(line, units owed, its stored suggestions as JSON text, its order time as stored) of the
    shop's waiting lines that have suggestions, as plain tuples: two reads of the same rows
    compare equal, cheaply."""
    return _plain_rows(tx, _WAITING_READ, {"shop": shop})


def stored_time(tx: Session, value: datetime):
    """An order time in the form `waiting_suggestions` hands back, so the two compare: the
    driver's own value, or SQLite's fixed-width text."""
    dialect = tx.connection().dialect
    process = OrderLine.__table__.c.ordered_at.type.dialect_impl(dialect).bind_processor(dialect)
    return process(value) if process else value


_compiled: dict[tuple[int, str, str], Compiled] = {}


def _plain_rows(tx: Session, statement, params: dict) -> list[tuple]:
    """The rows of a statement as the driver returns them (tuples of plain values), for a
    statement whose columns need no conversion."""
    conn = tx.connection()
    key = (id(statement), conn.dialect.name, conn.dialect.driver)
    compiled = _compiled.get(key)
    if compiled is None:
        compiled = _compiled[key] = statement.compile(dialect=conn.dialect)
    values = compiled.construct_params(params)
    if compiled.positional:
        values = tuple(values[name] for name in compiled.positiontup)
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(compiled.string, values)
        return cursor.fetchall()
    finally:
        cursor.close()


_STOCK_READ = select(StockLevel.inventory_item_id, StockLevel.location_id,
                     StockLevel.available).where(
    StockLevel.shop == bindparam("shop"),
    StockLevel.inventory_item_id.in_(bindparam("items", expanding=True)))

_UNCOUNTED_READ = select(Variant.variant_id, Variant.shipped_since, Pool.open_units).join(
    Pool, (Pool.shop == Variant.shop)
    & (Pool.pool == Variant.variant_id + bindparam("all_locations", type_=String)),
    isouter=True).where(
    Variant.shop == bindparam("shop"), Variant.counts_orders.is_(False),
    Variant.variant_id.in_(bindparam("variants", expanding=True)))

_STOCKED_READ = select(StockLevel.inventory_item_id).distinct().where(
    StockLevel.shop == bindparam("shop"), StockLevel.available > 0)

_SUGGESTED_TEXT = cast(OrderLine.alternatives, String)
_WAITING_READ = select(OrderLine.line_id, OrderLine.backordered, _SUGGESTED_TEXT,
                       OrderLine.ordered_at).where(
    OrderLine.shop == bindparam("shop"), OrderLine.backordered > 0, _SUGGESTED_TEXT != "[]")


_CATALOG_COLUMNS = (Variant.variant_id, Variant.product_id, Variant.inventory_item_id,
                    Variant.product_title, Variant.title, Variant.options, Variant.product_type,
                    Variant.vendor, Variant.tags, Variant.collections, Variant.price,
                    Variant.status, Variant.substitutes, Variant.counts_orders)
