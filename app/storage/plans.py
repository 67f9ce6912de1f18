"""What planning reads and writes: pools and their row locks, the lines' plans column by column,
the orders' desired platform state, and the stockout and ETA history it keeps.

Lines are read as plain rows, never as ORM objects (a pool may hold 100,000 of them), with one
statement per table for a chunk of pools or orders; the statements that run once per line are
built once, so their compiled form is reused.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import (
    Date,
    Row,
    String,
    bindparam,
    case,
    cast,
    func,
    insert,
    null,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.orm import Session

from app.storage.tables import (
    EtaChangeRow,
    Order,
    OrderLine,
    OrderSync,
    Pool,
    RestockRow,
    StockLevel,
    StockoutRow,
    Variant,
)
from app.storage.types import UtcDateTime
from app.storage.upsert import insert_ignore

LINES = OrderLine.__table__
ORDERS = Order.__table__
SYNCS = OrderSync.__table__
ETA_COLUMNS = ("eta", "eta_earliest", "eta_latest", "eta_source", "eta_confidence",
               "eta_restock_id", "eta_slipped")
NO_ETA = (None,) * 6 + (False,)
# What a plan reads of a line (plain columns: no ORM objects for a pool of 100,000 lines).
READ = (LINES.c.line_id, LINES.c.order_id, LINES.c.pool, LINES.c.variant_id,
        LINES.c.open_quantity, LINES.c.ordered_at, LINES.c.manual_priority, LINES.c.covered,
        LINES.c.backordered, LINES.c.queue_ticket, *(LINES.c[c] for c in ETA_COLUMNS),
        LINES.c.told_ready,
        LINES.c.told_quantity, ORDERS.c.number)
# What a stock arrival reads of the waiting lines: dates as stored, turned into dates only when
# compared (a pool's lines share a few ETAs, so each distinct value is parsed once).
WAITING = (LINES.c.line_id, LINES.c.order_id, LINES.c.open_quantity, LINES.c.covered,
           LINES.c.backordered, LINES.c.queue_ticket,
           *(type_coerce(LINES.c[c], String).label(c) for c in ("eta", "eta_earliest",
                                                                 "eta_latest")),
           LINES.c.eta_source, LINES.c.eta_confidence, LINES.c.eta_restock_id, LINES.c.eta_slipped)
# What an order's desired state reads of its lines.
REFRESH = (LINES.c.line_id, LINES.c.order_id, LINES.c.pool, LINES.c.variant_id, LINES.c.title,
           LINES.c.ordered_at,
           LINES.c.open_quantity, LINES.c.covered, LINES.c.backordered, LINES.c.backordered_at,
           LINES.c.alternatives, LINES.c.shipped, *(LINES.c[c] for c in ETA_COLUMNS))
# Writes a line's new plan: its first ETA is kept, the time it first went short is kept once
# set, and the time it was filled is set when it is filled and cleared when it waits again.
# The parameters inside expressions are typed as their columns: untyped, SQLite would store the
# times in another text form than every other write, and compare them wrongly.
WRITE = update(LINES).where(
    LINES.c.shop == bindparam("b_shop"), LINES.c.line_id == bindparam("b_line_id")).values(
    first_eta=func.coalesce(LINES.c.first_eta, bindparam("b_first_eta", type_=Date())),
    backordered_at=func.coalesce(LINES.c.backordered_at,
                                 bindparam("b_short_at", type_=UtcDateTime())),
    filled_at=case((bindparam("b_filled") == 1, bindparam("b_now", type_=UtcDateTime())),
                   (bindparam("b_filled") == -1, null()), else_=LINES.c.filled_at))


# the shop and the pools



def lock_pools(tx: Session, shop: str, pools: list[str]) -> list[Pool]:
    """A chunk of pools' rows, created when missing, locked in the order of their names so that
    two workers locking overlapping pools never deadlock. A pool already locked in this
    transaction is not asked for again: a handler locks its pools before it changes the mirror,
    and the re-plan that follows asks for them once more."""
    held = tx.info.setdefault("locked_pools", {})
    missing = [p for p in pools if (shop, p) not in held]
    if missing:
        tx.execute(insert_ignore(tx, Pool, [{"shop": shop, "pool": p, "supply": 0,
                                             "units_owed": 0} for p in missing]))
        held.update(((shop, row.pool), row) for row in tx.scalars(
            select(Pool).where(Pool.shop == shop, Pool.pool.in_(missing))
            .order_by(Pool.pool).with_for_update()))
    return [held[(shop, p)] for p in pools if (shop, p) in held]


# what a plan reads besides the lines

def variants(tx: Session, shop: str, variant_ids: Iterable[str]) -> Iterable[Row]:
    """What a plan reads of these variants, as plain rows (a shop's re-plan reads 100,000)."""
    return tx.execute(select(
        Variant.variant_id, Variant.inventory_item_id, Variant.tracked, Variant.counts_orders,
        Variant.shipped_since, Variant.vendor, Variant.product_type,
        Variant.inventory_policy).where(
        Variant.shop == shop, Variant.variant_id.in_(variant_ids)))


def stock_levels(tx: Session, shop: str, items: Iterable[str]) -> Iterable[Row]:
    """Each location's reading of these items: `available`, when it was read and whether
    exactly, and the base before that second."""
    return tx.execute(select(StockLevel.inventory_item_id, StockLevel.available,
                             StockLevel.updated_at, StockLevel.exact,
                             StockLevel.base_available, StockLevel.base_at).where(
        StockLevel.shop == shop, StockLevel.inventory_item_id.in_(items)))




def overdue_pools(tx: Session, shop: str, today: date) -> set[str]:
    """Pools waiting on a restock whose expected date has passed without it arriving."""
    return set(tx.scalars(select(RestockRow.pool).where(
        RestockRow.shop == shop, RestockRow.arrived_at.is_(None),
        RestockRow.expected_on < today)))


def cancelled_among(tx: Session, shop: str, order_ids: list[str]) -> set[str]:
    """Those of these orders that were cancelled."""
    return set(tx.scalars(select(ORDERS.c.order_id).where(
        ORDERS.c.shop == shop, ORDERS.c.order_id.in_(order_ids),
        ORDERS.c.cancelled_at.is_not(None))))


def merchant_marks(tx: Session, shop: str,
                   order_ids: list[str]) -> dict[str, tuple[bool, int, bool]]:
    """Of these orders, those the merchant or the customer marked: whether the merchant released
    their holds, how many customer updates were asked for, and whether the customer chose to
    have the order ship together."""
    return {order_id: (released is not None, asked or 0, bool(together))
            for order_id, released, asked, together in
            tx.execute(select(ORDERS.c.order_id, ORDERS.c.holds_released_at,
                              ORDERS.c.updates_asked, ORDERS.c.ship_together).where(
                ORDERS.c.shop == shop, ORDERS.c.order_id.in_(order_ids),
                (ORDERS.c.holds_released_at.is_not(None)) | (ORDERS.c.updates_asked > 0)
                | ORDERS.c.ship_together.is_(True)))}


def short_between(tx: Session, shop: str, after: datetime, before: datetime) -> set[str]:
    """Orders with a line still short that went short between `after` and `before`."""
    return set(tx.scalars(select(LINES.c.order_id).where(
        LINES.c.shop == shop, LINES.c.backordered > 0, LINES.c.backordered_at >= after,
        LINES.c.backordered_at < before).distinct()))


def stockout_history(tx: Session, shop: str, variant_ids: set[str] | None,
                     vendors: set[str] | None) -> Iterable[StockoutRow]:
    """The closed stockouts of these variants or of any of these vendors' variants (None:
    of the whole shop)."""
    query = select(StockoutRow).where(StockoutRow.shop == shop,
                                      StockoutRow.restocked_on.is_not(None))
    if variant_ids is not None:
        same = StockoutRow.variant_id.in_(variant_ids)
        query = query.where(same | StockoutRow.vendor.in_(vendors) if vendors else same)
    return tx.scalars(query)


# the lines

def _lines_query(with_tags: bool):
    """The lines joined to their orders; customer tags only when the queue is ranked by them
    (each is a JSON document to decode)."""
    tags = ORDERS.c.customer_tags if with_tags else null().label("customer_tags")
    return select(*READ, tags).join(ORDERS, (ORDERS.c.shop == LINES.c.shop)
                                    & (ORDERS.c.order_id == LINES.c.order_id))


def pool_lines(tx: Session, shop: str, pools: list[str], with_tags: bool) -> Iterable[Row]:
    """The pools' lines still open, or holding a plan to clear, column by column."""
    return tx.execute(_lines_query(with_tags).where(
        LINES.c.shop == shop, LINES.c.pool.in_(pools),
        (LINES.c.open_quantity > 0) | (LINES.c.backordered > 0) | (LINES.c.covered > 0)))


def order_lines(tx: Session, shop: str, order_id: str, with_tags: bool) -> Iterable[Row]:
    """An order's lines as a plan reads them, found by the order's index, not the pool's."""
    return tx.execute(_lines_query(with_tags).where(LINES.c.shop == shop,
                                                    LINES.c.order_id == order_id))


def open_lines_since(tx: Session, shop: str, pool: str, since: datetime) -> Iterable[Row]:
    """The pool's open lines committed from `since` on: their open units and when."""
    return tx.execute(select(LINES.c.open_quantity, LINES.c.ordered_at).where(
        LINES.c.shop == shop, LINES.c.pool == pool, LINES.c.open_quantity > 0,
        LINES.c.ordered_at >= since))


def any_ready_uncovered(tx: Session, shop: str, pool: str) -> bool:
    """Whether a line of the pool was told more units are ready than it has covered."""
    return bool(tx.scalar(
        select(LINES.c.line_id).where(LINES.c.shop == shop, LINES.c.pool == pool,
                                      LINES.c.told_ready > LINES.c.covered).limit(1)))


def waiting_lines(tx: Session, shop: str, pool: str) -> list[Row]:
    """The pool's backordered lines in queue order, their ETA dates as stored (see `WAITING`)."""
    return tx.execute(select(*WAITING).where(
        LINES.c.shop == shop, LINES.c.pool == pool, LINES.c.backordered > 0)
        .order_by(LINES.c.queue_ticket)).all()


def forget_stockout(tx: Session, row: StockoutRow) -> None:
    tx.delete(row)


def first_waiting_without_offers(tx: Session, shop: str, pool: str, count: int) -> list[str]:
    """The orders of the first `count` waiting lines of the pool that were offered no
    alternative."""
    return list(tx.scalars(select(LINES.c.order_id).where(
        LINES.c.shop == shop, LINES.c.pool == pool, LINES.c.backordered > 0,
        cast(LINES.c.alternatives, String) == "[]")
        .order_by(LINES.c.queue_ticket).limit(count)))


def orders_suggesting(tx: Session, shop: str, variant_ids: set[str],
                      after: datetime | None = None) -> set[str]:
    """Orders with a backordered line that offers one of these variants as an alternative (of
    those ordered at `after` or later, when given)."""
    if not variant_ids:
        return set()
    mentions = or_(*(cast(OrderLine.alternatives, String).like(f'%"{v}"%')
                     for v in variant_ids))
    since = [] if after is None else [OrderLine.ordered_at >= after]
    return set(tx.scalars(select(OrderLine.order_id).where(
        OrderLine.shop == shop, OrderLine.backordered > 0, mentions, *since)))


def lines_of_orders(tx: Session, shop: str, order_ids: list[str]) -> Iterable[Row]:
    """The orders' lines as their desired state reads them (see `REFRESH`)."""
    return tx.execute(select(*REFRESH).where(LINES.c.shop == shop,
                                             LINES.c.order_id.in_(order_ids)))


def line_plan(shop: str, line_id: str, was_backordered: int, covered: int, backordered: int,
              ticket: int | None, eta: tuple | None, now: datetime) -> dict:
    """The values of `save_line_plans` for one line (`eta` in the order of `ETA_COLUMNS`). When
    it went short and when it was filled are set by the statement from these, so a plan never
    reads them."""
    values = dict(zip(ETA_COLUMNS, eta if eta else NO_ETA, strict=True))
    values["eta_slipped"] = bool(values["eta_slipped"])
    went_short = bool(backordered and not was_backordered)
    return {"b_shop": shop, "b_line_id": line_id, **values, "covered": covered,
            "backordered": backordered, "queue_ticket": ticket,
            "b_short_at": now if went_short else None,
            "b_filled": 1 if was_backordered and not backordered else -1 if went_short else 0,
            "b_now": now, "b_first_eta": eta[0] if eta else None}


def save_line_plans(tx: Session, plans: list[dict]) -> None:
    """The lines' new plans, made by `line_plan`, in one statement."""
    tx.execute(WRITE, plans)


def set_alternatives(tx: Session, shop: str, offered: list[tuple[str, list]]) -> None:
    """Each line's (line_id, alternatives) as now offered, in one statement."""
    tx.execute(update(LINES).where(LINES.c.shop == bindparam("b_shop"),
                                   LINES.c.line_id == bindparam("b_line_id")),
               [{"b_shop": shop, "b_line_id": line_id, "alternatives": alternatives}
                for line_id, alternatives in offered])


# the orders' desired state

def lock_syncs(tx: Session, shop: str, order_ids: list[str]) -> dict[str, Row]:
    """The orders' current desired state and its version, locked until the new one is set."""
    return {r.order_id: r for r in tx.execute(
        select(OrderSync.order_id, OrderSync.desired, OrderSync.version).where(
            OrderSync.shop == shop, OrderSync.order_id.in_(order_ids)).with_for_update())}


SET_DESIRED = update(SYNCS).where(
    SYNCS.c.shop == bindparam("b_shop"), SYNCS.c.order_id == bindparam("b_order_id")).values(
    holds_due=or_(SYNCS.c.holds_due, bindparam("b_holds")))


def set_desired(tx: Session, shop: str, wanted: dict[str, dict], syncs: dict[str, Row],
                holds_changed: set[str], now: datetime) -> None:
    """A new desired state is pending, with a new version: a sync that read the old one
    leaves it pending. `syncs` are the orders' rows from `lock_syncs`; the orders of
    `holds_changed` have holds due (and keep them due until the sync places them)."""
    known = [{"b_shop": shop, "b_order_id": order_id, "desired": desired, "pending": True,
              "version": (syncs[order_id].version or 0) + 1, "updated_at": now,
              "b_holds": order_id in holds_changed}
             for order_id, desired in wanted.items() if order_id in syncs]
    if known:
        tx.execute(SET_DESIRED, known)
    new = [{"shop": shop, "order_id": order_id, "desired": desired, "applied": {},
            "pending": True, "version": 1, "attempts": 0, "updated_at": now,
            "awaiting_fulfillment_orders": False, "holds_due": order_id in holds_changed}
           for order_id, desired in wanted.items() if order_id not in syncs]
    if new:
        tx.execute(insert(SYNCS), new)


# the history

def add_eta_changes(tx: Session, changes: list[dict]) -> None:
    """Through the table, not the entity: the ORM's bulk path costs more per row than the row."""
    tx.execute(insert(EtaChangeRow.__table__), changes)


def add_stockouts(tx: Session, rows: list[StockoutRow]) -> None:
    tx.add_all(rows)


def open_stockout(tx: Session, shop: str, pool: str) -> StockoutRow | None:
    """The pool's newest stockout not yet closed by a restock."""
    return tx.scalars(select(StockoutRow).where(
        StockoutRow.shop == shop, StockoutRow.pool == pool,
        StockoutRow.restocked_on.is_(None)).order_by(StockoutRow.id.desc())).first()


def first_expected_of_arrived(tx: Session, shop: str, pool: str, since: datetime) -> date | None:
    """The earliest expected date of the pool's restocks that arrived from `since` on."""
    return tx.scalar(
        select(RestockRow.expected_on).where(
            RestockRow.shop == shop, RestockRow.pool == pool, RestockRow.arrived_at >= since)
        .order_by(RestockRow.expected_on).limit(1))
