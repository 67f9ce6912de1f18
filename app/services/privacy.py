"""The mandatory privacy requests, done for real over every table we have.

A table holding a shop's data has a `shop` column; one holding a customer's data has a
`customer_id` column, and its other personal columns carry `info={"personal": True}`. So a table
added later is covered without touching this module.

Webhook receipts are the exception: a receipt not yet processed (waiting, or a dead letter) still
holds its payload as the platform sent it, so redaction scrubs the payloads that concern the
customer, and the error text of their failed attempts."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Table, delete, select, update
from sqlalchemy.orm import Session

from app.domain.errors import InvalidInput
from app.storage.dead_letters import ReceiptFailure
from app.storage.tables import Base, DataExport, WebhookReceipt

# Keys of a webhook payload, at any depth, that hold a person's data: removed on redaction.
PERSONAL_KEYS = frozenset({
    "customer", "email", "contact_email", "phone", "billing_address", "shipping_address",
    "destination", "client_details", "browser_ip", "note", "note_attributes", "customer_locale",
    "first_name", "last_name",
})


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
    changed += _redact_receipts(s, shop, payload, customer_id)
    return f"redacted {changed} records"


def _redact_receipts(s: Session, shop: str, payload: dict, customer_id: str) -> int:
    """Unprocessed receipts about the customer keep what their handler needs (the order, its
    lines, the ids of a compliance request) and lose the personal keys. The order is still
    planned when its receipt is handled, without the customer."""
    customer = payload.get("customer") or {}
    order_ids = {str(o) for o in payload.get("orders_to_redact") or []}
    emails = {customer["email"]} if isinstance(customer.get("email"), str) else set()
    receipts = s.scalars(select(WebhookReceipt).where(
        WebhookReceipt.shop == shop, WebhookReceipt.processed_at.is_(None),
        WebhookReceipt.payload.is_not(None)))
    changed = 0
    for receipt in receipts:
        body = _loads(receipt.payload)
        if not _concerns(body, customer_id, order_ids, emails):
            continue
        receipt.payload = json.dumps(_scrubbed(body, customer_id, receipt.topic))
        s.execute(update(ReceiptFailure).where(ReceiptFailure.receipt_id == receipt.id)
                  .values(last_error=None))
        changed += 1
    return changed


def _loads(raw: str) -> dict:
    try:
        body = json.loads(raw)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _concerns(body: dict, customer_id: str, order_ids: set[str], emails: set[str]) -> bool:
    customer = body.get("customer") if isinstance(body.get("customer"), dict) else {}
    named = {v for v in (body.get("email"), body.get("contact_email"), customer.get("email"))
             if isinstance(v, str)}
    return (str(customer.get("id")) == customer_id or str(body.get("id")) in order_ids
            or bool(emails & named))


def _scrubbed(body, customer_id: str, topic: str):
    """The payload without its personal keys. A compliance request keeps the customer's id only,
    which is all its handler reads."""
    cleaned = _without_personal(body)
    if topic.startswith("customers/"):
        cleaned["customer"] = {"id": customer_id}
    return cleaned


def _without_personal(value):
    if isinstance(value, dict):
        return {k: _without_personal(v) for k, v in value.items() if k not in PERSONAL_KEYS}
    if isinstance(value, list):
        return [_without_personal(v) for v in value]
    return value


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
