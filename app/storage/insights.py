"""What the embedded admin page reads: the queue of open lines (searched, filtered, sorted and
paged by cursor), one order's lines, its date changes and its platform state, and the lines and
date changes the numbers count."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime

from sqlalchemy import (
    Row,
    and_,
    case,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    union_all,
)
from sqlalchemy import column as named_column
from sqlalchemy.orm import Session

from app.storage.tables import (
    EtaChangeRow,
    Order,
    OrderLine,
    OrderSync,
    Pool,
    RestockRow,
    Variant,
)

# settings and priority


def locked_line(tx: Session, shop: str, line_id: str) -> OrderLine | None:
    """Locked for a change of its priority."""
    return tx.get(OrderLine, (shop, line_id), with_for_update=True)


def locked_lines(tx: Session, shop: str, line_ids: Collection[str]) -> list[OrderLine]:
    """Locked for a change of their priority, in line order so two changes cannot deadlock."""
    return list(tx.scalars(select(OrderLine).where(
        OrderLine.shop == shop, OrderLine.line_id.in_(line_ids))
        .order_by(OrderLine.line_id).with_for_update()))


# the queue


# A missing key sorts last, as its largest value would: lines not waiting have no ticket, lines
# never short no date or waiting time.
_NO_TICKET = 2**31 - 1
_NO_DATE = date(9999, 12, 31)
_SORT_COLUMNS = {
    "pool": OrderLine.pool,
    "ticket": func.coalesce(OrderLine.queue_ticket, _NO_TICKET),
    "ordered_at": OrderLine.ordered_at,
    "eta": func.coalesce(OrderLine.eta, _NO_DATE),
    "backordered": OrderLine.backordered,
    "order_number": Order.number,
    "line_id": OrderLine.line_id,
}
_STATUS = {
    "waiting": lambda: [OrderLine.backordered > 0],
    "late": lambda: [OrderLine.backordered > 0,
                     or_(OrderLine.eta_slipped.is_(True), OrderLine.eta > OrderLine.first_eta)],
    "ready": lambda: [OrderLine.backordered == 0],
    "all": lambda: [],
}
_PRIORITY = {"raised": lambda: OrderLine.manual_priority > 0,
             "lowered": lambda: OrderLine.manual_priority < 0,
             "normal": lambda: func.coalesce(OrderLine.manual_priority, 0) == 0}


COUNT_LIMIT = 1000


def queue_page(tx: Session, shop: str, *, status: str, search: str, variant_id: str,
               short_by: datetime | None, priority: str, keys: Sequence[str],
               descending: bool, limit: int, start: Sequence | None = None,
               before: bool = False) -> tuple[int, list[Row]]:
    """How many open lines match (at most COUNT_LIMIT + 1), and one page of them: rows of (line,
    order name, its sort values...), in the order asked. A page starts after `start` (the sort values of the row it
    follows), or ends before it when `before`; one row more than `limit` is read, so the caller
    knows whether another page follows."""
    where = _queue_filters(tx, shop, status, search, variant_id, short_by, priority)
    if where is None:  # the search has no candidate
        return 0, []
    columns = [_SORT_COLUMNS[key] for key in keys]
    # The lines are found, counted and sorted on their own table; their orders are read for the
    # page's rows only, unless a search or the sort needs them.
    matching = select(OrderLine.line_id.label("line"),
                      *(column.label(f"key{n}") for n, column in enumerate(columns))).where(*where)
    if search or "order_number" in keys:
        matching = matching.join(Order, _of_order)
    # Counted up to one more than COUNT_LIMIT: an exact count of a big shop's queue reads every
    # line, where a page reads one page.
    counted = matching.with_only_columns(OrderLine.line_id).limit(COUNT_LIMIT + 1).subquery()
    total = tx.scalar(select(func.count()).select_from(counted))
    # The line id always runs up (it only breaks ties); the other keys run as asked, and all
    # backwards to read the page before a cursor.
    directions = [descending] * (len(keys) - 1) + [False]
    if before:
        directions = [not d for d in directions]
    if start is not None:
        matching = matching.where(_beyond(columns, directions, start))
    page = matching.order_by(*_ordered(columns, directions)).limit(limit + 1).subquery()
    values = list(page.c)[1:]
    rows = tx.execute(select(OrderLine, Order.name, *values)
                      .join(page, (OrderLine.shop == shop) & (OrderLine.line_id == page.c.line))
                      .join(Order, _of_order)
                      .order_by(*_ordered(values, directions))).all()
    return total, list(rows)


_of_order = (Order.shop == OrderLine.shop) & (Order.order_id == OrderLine.order_id)


def _ordered(columns: Sequence, descending: Sequence[bool]) -> list:
    return [c.desc() if d else c.asc() for c, d in zip(columns, descending, strict=True)]


def _queue_filters(tx: Session, shop: str, status: str, search: str, variant_id: str,
                   short_by: datetime | None, priority: str) -> list | None:
    where = [OrderLine.shop == shop, OrderLine.open_quantity > 0, *_STATUS[status]()]
    if variant_id:
        where.append(OrderLine.variant_id == variant_id)
    if short_by is not None:
        where.append(OrderLine.backordered_at <= short_by)
    if priority:
        where.append(_PRIORITY[priority]())
    if search:
        found = _search(tx, shop, search)
        if found is None:
            return None
        where += found
    return [*where, _not_cancelled(shop)]


# A trigram index finds a text of at least three characters; a shorter search is looked for in
# every line (it matches most of them, so a page fills quickly).
TRIGRAM = 3
# Up to this many candidate lines are read first, and the page is made of them alone. More
# candidates mean a search that matches many lines: the page is then read as without one, each
# line tested, and fills soon.
MAX_CANDIDATES = 10000


def _search(tx: Session, shop: str, search: str) -> list | None:
    """The lines whose order name, customer (id, name, email), title, or variant's SKU, title or
    product title hold `search`, in any case (None: no line can). The candidate lines are read
    first, from the trigram indexes (migration 0020), and the test itself is then made on them
    alone. A shop has far fewer variants than lines: those matching are looked for in every
    variant, once."""
    pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"

    sqlite = tx.get_bind().dialect.name == "sqlite"

    def like(column):  # SQLite's LIKE ignores the case of ASCII letters, as its lower() does
        return column.like(pattern, escape="\\") if sqlite else column.ilike(pattern, escape="\\")

    variants = select(Variant.variant_id).where(Variant.shop == shop, or_(
        *(like(column) for column in (Variant.sku, Variant.title, Variant.product_title))))
    found = list(tx.scalars(variants.limit(MAX_CANDIDATES + 1)))
    if len(found) <= MAX_CANDIDATES:  # few: named, rather than looked for again by each test
        variants = found
    customer = (Order.name, Order.customer_id, Order.customer_name, Order.customer_email)
    exact = or_(OrderLine.variant_id.in_(variants),
                *(like(column) for column in (*customer, OrderLine.title)))
    if len(search) < TRIGRAM:
        return [exact]
    # Each part reads its own tables, not the query's (no correlation); a line found by two
    # parts comes twice.
    if sqlite:  # from each index's matches to the rows they name (rowids)
        key = literal_column("order_lines.rowid")
        phrase = '"' + search.replace('"', '""') + '"'  # an FTS5 string: the text as it is
        by_order, by_title = table("orders_search", named_column("rowid")), table(
            "order_lines_search", named_column("rowid"))
        # The shop is tested on each row found (a unary + keeps SQLite from reading the shop's
        # rows by their index instead, and looking each up in the trigram index).
        orders = select(Order.order_id).select_from(by_order).join(
            Order, literal_column("orders.rowid") == by_order.c.rowid).where(
            literal_column("orders_search").op("MATCH")(phrase),
            literal_column("+orders.shop") == shop)
        titled = select(key).select_from(by_title).join(
            OrderLine, key == by_title.c.rowid).where(
            literal_column("order_lines_search").op("MATCH")(phrase),
            literal_column("+order_lines.shop") == shop)
    else:  # pg_trgm's GIN indexes serve ILIKE
        key = OrderLine.line_id
        orders = select(Order.order_id).where(Order.shop == shop,
                                              or_(*(like(column) for column in customer)))
        titled = select(key).where(OrderLine.shop == shop, like(OrderLine.title))
    parts = [select(key).where(OrderLine.shop == shop,
                               OrderLine.order_id.in_(orders.correlate(None))).correlate(None),
             titled.correlate(None)]
    if found:
        parts.append(select(key).where(OrderLine.shop == shop, OrderLine.variant_id.in_(variants))
                     .correlate(None))
    keys = set(tx.scalars(union_all(*parts).limit(3 * MAX_CANDIDATES + 1)))
    if not keys:
        return None
    if len(keys) > MAX_CANDIDATES:
        return [exact]
    return [key.in_(sorted(keys)), exact]


def _beyond(columns: Sequence, descending: Sequence[bool], start: Sequence):
    """Rows that sort after `start` under these directions: equal on the first keys and past it
    on the next one, for each next one."""
    alternatives = []
    for index, (column, desc) in enumerate(zip(columns, descending, strict=True)):
        value = literal(start[index], column.type)
        past = column < value if desc else column > value
        alternatives.append(and_(*(c == literal(v, c.type) for c, v in
                                   zip(columns[:index], start[:index], strict=False)), past))
    return or_(*alternatives)


def open_lines_of_order(tx: Session, shop: str,
                        order_id: str) -> Sequence[Row[tuple[OrderLine, str]]]:
    """The order's open lines with its name, by line id."""
    return tx.execute(select(OrderLine, Order.name).join(
        Order, (Order.shop == OrderLine.shop) & (Order.order_id == OrderLine.order_id)).where(
        OrderLine.shop == shop, OrderLine.order_id == order_id, OrderLine.open_quantity > 0)
        .order_by(OrderLine.line_id)).all()


def eta_changes_of_order(tx: Session, shop: str, order_id: str) -> list[EtaChangeRow]:
    """Every date change of the order's lines, oldest first."""
    lines = select(OrderLine.line_id).where(OrderLine.shop == shop,
                                            OrderLine.order_id == order_id)
    return list(tx.scalars(select(EtaChangeRow).where(
        EtaChangeRow.shop == shop, EtaChangeRow.line_id.in_(lines))
        .order_by(EtaChangeRow.changed_at, EtaChangeRow.id)))


def order_sync(tx: Session, shop: str, order_id: str) -> OrderSync | None:
    return tx.get(OrderSync, (shop, order_id))


def position_offsets(tx: Session, shop: str, pools: Collection[str]) -> dict[str, int]:
    """By pool: what to take off a line's queue ticket to show its place in the queue."""
    return dict(tx.execute(select(Pool.pool, Pool.position_offset).where(
        Pool.shop == shop, Pool.pool.in_(pools))).all())


# the numbers


# Each read takes only the columns its figure needs: whole lines cost many times more to load,
# and a shop's numbers read every line it has.


def backorder_counts(tx: Session, shop: str, since: datetime) -> tuple[int, int, int, int]:
    """Of the live lines ordered since then: (orders, orders with a line that went short, lines,
    lines that went short), counted from `ix_order_lines_ordered` alone, order by order (one
    grouping, where counting distinct orders twice would take two)."""
    by_order = select(
        func.max(case((OrderLine.backordered_at.is_not(None), 1), else_=0)).label("short"),
        func.count().label("lines"), func.count(OrderLine.backordered_at).label("short_lines"),
    ).where(*_live_where(shop, OrderLine.ordered_at >= since)).group_by(
        OrderLine.order_id).subquery()
    row = tx.execute(select(func.count(), func.sum(by_order.c.short), func.sum(by_order.c.lines),
                            func.sum(by_order.c.short_lines))).one()
    return tuple(int(n or 0) for n in row)


def waiting_by_day(tx: Session, shop: str) -> list[tuple[date | None, int, int]]:
    """(UTC day it went short, lines, units owed) of the live open lines with units backordered,
    counted here so a shop's many waiting lines are not each read."""
    day = _utc_day(tx, OrderLine.backordered_at)
    return [(_as_date(d) if d is not None else None, int(n), int(units))
            for d, n, units in _core(tx).execute(
                select(day, func.count(), func.sum(OrderLine.backordered)).where(
                    *_live_where(shop, *_waiting()))
                .group_by(day))]


def promise_counts(tx: Session, shop: str, today: date) -> tuple[dict[int, int], int, int]:
    """Of the live lines given a date, counted in one read: those filled in full by how many
    days before their first date they were filled (negative: after it), and those not filled
    in full, past their first date and not yet. The lines are counted by first date and UTC day
    filled, a few hundred pairs however many lines, and the days between are reckoned here."""
    # A line's `filled_at` is set as its last units are covered and cleared if it goes short
    # again, so it alone says the line was filled: the count reads `ix_order_lines_promised`.
    filled = _utc_day(tx, OrderLine.filled_at)
    by_days: dict[int, int] = {}
    past = not_yet = 0
    for first, day, n in _core(tx).execute(select(OrderLine.first_eta, filled, func.count()).where(
            *_live_where(shop, OrderLine.first_eta.is_not(None))).group_by(OrderLine.first_eta, filled)):
        first = _as_date(first)
        if day is not None:
            days = (first - _as_date(day)).days
            by_days[days] = by_days.get(days, 0) + int(n)
        elif first < today:
            past += int(n)
        else:
            not_yet += int(n)
    return by_days, past, not_yet


def _core(tx: Session):
    """The transaction's connection, for reads of thousands of rows: the session would pass each
    row through the ORM a second time, which costs more than reading it."""
    return tx.connection()


def _waiting() -> list:
    """Open lines with units owed: the terms of `ix_order_lines_waiting`, a partial index, written
    out rather than bound so that the database sees they match the index's."""
    zero = literal_column("0")
    return [OrderLine.open_quantity > zero, OrderLine.backordered > zero]


def _live_where(shop: str, *where) -> list:
    """The shop's lines that meet `where`, of orders that were not cancelled (a cancelled line was
    not filled, nor short). The shop's few cancelled orders are looked up (a partial index holds
    them) rather than each line's order, and last, for the lines the other terms leave."""
    return [OrderLine.shop == shop, *where, _not_cancelled(shop)]


def _not_cancelled(shop: str):
    return OrderLine.order_id.not_in(
        select(Order.order_id).where(Order.shop == shop, Order.cancelled_at.is_not(None)))


def eta_moves_by_reason(tx: Session, shop: str, since: datetime) -> dict[str, int]:
    """How many dates moved later or earlier since then, by reason."""
    return {reason: int(n) for kind in MOVES for reason, n in tx.execute(
        select(EtaChangeRow.reason, func.count()).where(*_moves_since(shop, since, kind))
        .group_by(EtaChangeRow.reason))}


MOVES = ("later", "earlier")


def _moves_since(shop: str, since: datetime, kind: str) -> list:
    """Changes of one kind of move (their reason starts "later: " or "earlier: "), found as a
    range of `ix_eta_changes_time` rather than among every first promise (one range a query:
    SQLite reads the whole index for two ranges joined by OR)."""
    return [EtaChangeRow.shop == shop, EtaChangeRow.reason >= f"{kind}:",
            EtaChangeRow.reason < f"{kind};", EtaChangeRow.changed_at >= since]


# the insights page


def line_times_since(tx: Session, shop: str, since: datetime) -> list[tuple[date, bool, int]]:
    """(UTC day ordered, went short once, how many) of the live lines ordered since then,
    counted from `ix_order_lines_ordered` alone."""
    day = _utc_day(tx, OrderLine.ordered_at)
    short = OrderLine.backordered_at.is_not(None)
    return [(_as_date(d), bool(went_short), int(n)) for d, went_short, n in _core(tx).execute(
        select(day, short, func.count()).where(*_live_where(shop, OrderLine.ordered_at >= since))
        .group_by(day, short))]


def waiting_by_variant(tx: Session, shop: str) -> list[tuple[str, int, int, date | None]]:
    """(variant, units owed, lines waiting, the UTC day the oldest went short) of each variant
    with live lines waiting, summed from `ix_order_lines_waiting` alone. The day, not the time:
    a big shop waits on thousands of variants, and a day costs less to read."""
    return [(variant_id, int(units), int(n), _as_date(oldest) if oldest is not None else None)
            for variant_id, units, n, oldest in _core(tx).execute(
                select(OrderLine.variant_id, func.sum(OrderLine.backordered), func.count(),
                       func.min(_utc_day(tx, OrderLine.backordered_at)))
                .where(*_live_where(shop, *_waiting()))
                .group_by(OrderLine.variant_id))]


def incoming_by_variant(tx: Session, shop: str) -> dict[str, int]:
    """Units expected by variant from restocks not yet arrived."""
    return {variant: int(units) for variant, units in _core(tx).execute(
        select(RestockRow.variant_id, func.sum(RestockRow.quantity)).where(
            RestockRow.shop == shop, RestockRow.arrived_at.is_(None))
        .group_by(RestockRow.variant_id))}


def eta_move_times(tx: Session, shop: str, since: datetime) -> list[tuple[date, str, int]]:
    """(UTC day, why, how many) of the dates moved later or earlier since then, counted here."""
    day = _utc_day(tx, EtaChangeRow.changed_at)
    return [(_as_date(d), reason, int(n)) for kind in MOVES for d, reason, n in tx.execute(
        select(day, EtaChangeRow.reason, func.count()).where(*_moves_since(shop, since, kind))
        .group_by(day, EtaChangeRow.reason))]


def _utc_day(tx: Session, column):
    """The UTC day of a stored time: SQLite keeps UTC text ("YYYY-MM-DD HH:MM:SS"), PostgreSQL
    an instant, shown in UTC before its date is taken."""
    if tx.get_bind().dialect.name == "sqlite":
        return func.substr(column, 1, 10)
    return func.date(func.timezone("UTC", column))


def _as_date(value) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value
