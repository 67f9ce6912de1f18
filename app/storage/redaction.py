"""What the privacy requests read, redact and erase, over every table we have.

A table holding a shop's data has a `shop` column; one holding a customer's data has a
`customer_id` column, and its other personal columns carry `info={"personal": True}`. So a table
added later is covered without touching this module."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Table, delete, select, text, update
from sqlalchemy.orm import Session

from app.storage.dead_letters import ReceiptFailure
from app.storage.tables import Base, DataExport, WebhookReceipt


def _tables_with(column: str) -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if column in t.c]


def customer_records(tx: Session, shop: str, customer_id: str) -> dict[str, list[dict]]:
    """The customer's rows per table, as column → value, leaving out the exports made for
    them; tables where none is found are left out."""
    data: dict[str, list[dict]] = {}
    for table in _tables_with("customer_id"):
        if table.name == DataExport.__tablename__ or "shop" not in table.c:
            continue
        rows = tx.execute(select(table).where(table.c.shop == shop,
                                              table.c.customer_id == customer_id))
        found = [dict(r._mapping) for r in rows]
        if found:
            data[table.name] = found
    return data


def add_export(tx: Session, export: DataExport) -> None:
    tx.add(export)


def redact_customer_rows(tx: Session, shop: str, customer_id: str) -> int:
    """Personal columns set to NULL (the rows stay, so the queue stays correct), and earlier
    exports of that customer deleted; how many rows."""
    changed = 0
    for table in _tables_with("customer_id"):
        where = (table.c.shop == shop) & (table.c.customer_id == customer_id)
        if table.name == DataExport.__tablename__:
            changed += tx.execute(delete(table).where(where)).rowcount
            continue
        personal = {c.name: None for c in table.c if c.info.get("personal")}
        changed += tx.execute(update(table).where(where).values(customer_id=None,
                                                                **personal)).rowcount
    if changed:
        _purge_search_index(tx, ("orders_search",))
    return changed


def _purge_search_index(tx: Session, indexes: tuple[str, ...]) -> None:
    """On SQLite the queue's search index (migration 0020) marks text taken out of it as
    deleted and drops it only when its segments merge: merged now, so no trace of the customer
    is left in it."""
    if tx.get_bind().dialect.name == "sqlite":
        for index in indexes:
            tx.execute(text(f"INSERT INTO {index}({index}) VALUES ('optimize')"))


def unprocessed_receipts(tx: Session, shop: str) -> Iterable[WebhookReceipt]:
    """Receipts whose payload is still kept, as the platform sent it, for their handler."""
    return tx.scalars(select(WebhookReceipt).where(
        WebhookReceipt.shop == shop, WebhookReceipt.processed_at.is_(None),
        WebhookReceipt.payload.is_not(None)))


def clear_failure_error(tx: Session, receipt_id: int) -> None:
    """A failed attempt's error text may quote the payload."""
    tx.execute(update(ReceiptFailure).where(ReceiptFailure.receipt_id == receipt_id)
               .values(last_error=None))


def delete_shop_rows(tx: Session, shop: str) -> int:
    """Every row of the shop, dependent tables first; how many."""
    removed = 0
    for table in reversed(_tables_with("shop")):
        removed += tx.execute(delete(table).where(table.c.shop == shop)).rowcount
    _purge_search_index(tx, ("orders_search", "order_lines_search"))
    return removed


def exports(tx: Session, shop: str) -> Iterable[DataExport]:
    """The shop's exports, oldest first."""
    return tx.scalars(select(DataExport).where(DataExport.shop == shop).order_by(DataExport.id))
