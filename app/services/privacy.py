"""The mandatory privacy requests, done for real over every table we have.

A table holding a shop's data has a `shop` column; one holding a customer's data has a
`customer_id` column, and its other personal columns carry `info={"personal": True}`. So a table
added later is covered without touching this module."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, delete, select, update
from sqlalchemy.orm import Session

from app.domain.errors import InvalidInput
from app.storage.tables import Base, DataExport


def _tables_with(column: str) -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if column in t.c]


def customer_id_of(payload: dict) -> str:
    customer = payload.get("customer") or {}
    if customer.get("id") is None:
        raise InvalidInput("payload names no customer id", field="customer.id")
    return str(customer["id"])


def export_customer(s: Session, shop: str, payload: dict, now: datetime) -> str:
    """Everything held about the customer, stored for the merchant to hand over."""
    customer_id = customer_id_of(payload)
    data: dict[str, list[dict]] = {}
    for table in _tables_with("customer_id"):
        if table.name == DataExport.__tablename__ or "shop" not in table.c:
            continue
        rows = s.execute(select(table).where(table.c.shop == shop, table.c.customer_id == customer_id))
        found = [_jsonable(dict(r._mapping)) for r in rows]
        if found:
            data[table.name] = found
    request_id = str((payload.get("data_request") or {}).get("id") or "") or None
    s.add(DataExport(shop=shop, customer_id=customer_id, data_request_id=request_id,
                     created_at=now, data={"customer_id": customer_id, "records": data}))
    return f"exported {sum(len(v) for v in data.values())} records"


def redact_customer(s: Session, shop: str, payload: dict) -> str:
    """Personal columns set to NULL (the order lines stay, so the queue stays correct), and
    earlier exports of that customer deleted."""
    customer_id = customer_id_of(payload)
    changed = 0
    for table in _tables_with("customer_id"):
        where = (table.c.shop == shop) & (table.c.customer_id == customer_id)
        if table.name == DataExport.__tablename__:
            changed += s.execute(delete(table).where(where)).rowcount
            continue
        personal = {c.name: None for c in table.c if c.info.get("personal")}
        changed += s.execute(update(table).where(where).values(customer_id=None, **personal)).rowcount
    return f"redacted {changed} records"


def purge_shop(s: Session, shop: str) -> str:
    removed = 0
    for table in reversed(_tables_with("shop")):
        removed += s.execute(delete(table).where(table.c.shop == shop)).rowcount
    return f"purged {removed} records"


def exports_for(s: Session, shop: str) -> list[dict]:
    rows = s.scalars(select(DataExport).where(DataExport.shop == shop).order_by(DataExport.id))
    return [{"id": r.id, "customer_id": r.customer_id, "data_request_id": r.data_request_id,
             "created_at": r.created_at.isoformat(), "data": r.data} for r in rows]


def _jsonable(row: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}
