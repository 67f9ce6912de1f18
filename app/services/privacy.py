"""The mandatory privacy requests, done for real over every table we have.

The tables say themselves which hold a shop's or a customer's data and which columns are
personal (see `app.storage.redaction`), so a table added later is covered without touching this
module.

Webhook receipts are the exception: a receipt not yet processed (waiting, or a dead letter) still
holds its payload as the platform sent it, so redaction scrubs the payloads that concern the
customer, and the error text of their failed attempts."""

from __future__ import annotations

import json
from datetime import datetime

from app.domain.errors import InvalidInput
from app.storage import redaction as redaction_store
from app.storage.db import Tx
from app.storage.tables import DataExport

# Keys of a webhook payload, at any depth, that hold a person's data: removed on redaction.
PERSONAL_KEYS = frozenset({
    "customer", "email", "contact_email", "phone", "billing_address", "shipping_address",
    "destination", "client_details", "browser_ip", "note", "note_attributes", "customer_locale",
    "first_name", "last_name",
})


def customer_id_of(payload: dict) -> str:
    customer = payload.get("customer") or {}
    if customer.get("id") is None:
        raise InvalidInput("payload names no customer id", field="customer.id")
    return str(customer["id"])


def export_customer(s: Tx, shop: str, payload: dict, now: datetime) -> str:
    """Everything held about the customer, stored for the merchant to hand over."""
    customer_id = customer_id_of(payload)
    data = {name: [_jsonable(row) for row in rows]
            for name, rows in redaction_store.customer_records(s, shop, customer_id).items()}
    request_id = str((payload.get("data_request") or {}).get("id") or "") or None
    redaction_store.add_export(s, DataExport(
        shop=shop, customer_id=customer_id, data_request_id=request_id, created_at=now,
        data={"customer_id": customer_id, "records": data}))
    return f"exported {sum(len(v) for v in data.values())} records"


def redact_customer(s: Tx, shop: str, payload: dict) -> str:
    """Personal columns set to NULL (the order lines stay, so the queue stays correct), and
    earlier exports of that customer deleted."""
    customer_id = customer_id_of(payload)
    changed = redaction_store.redact_customer_rows(s, shop, customer_id)
    changed += _redact_receipts(s, shop, payload, customer_id)
    return f"redacted {changed} records"


def _redact_receipts(s: Tx, shop: str, payload: dict, customer_id: str) -> int:
    """Unprocessed receipts about the customer keep what their handler needs (the order, its
    lines, the ids of a compliance request) and lose the personal keys. The order is still
    planned when its receipt is handled, without the customer."""
    customer = payload.get("customer") or {}
    order_ids = {str(o) for o in payload.get("orders_to_redact") or []}
    emails = {customer["email"]} if isinstance(customer.get("email"), str) else set()
    changed = 0
    for receipt in redaction_store.unprocessed_receipts(s, shop):
        body = _loads(receipt.payload)
        if not _concerns(body, customer_id, order_ids, emails):
            continue
        receipt.payload = json.dumps(_scrubbed(body, customer_id, receipt.topic))
        redaction_store.clear_failure_error(s, receipt.id)
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


def purge_shop(s: Tx, shop: str) -> str:
    return f"purged {redaction_store.delete_shop_rows(s, shop)} records"


def exports_for(s: Tx, shop: str) -> list[dict]:
    return [{"id": r.id, "customer_id": r.customer_id, "data_request_id": r.data_request_id,
             "created_at": r.created_at.isoformat(), "data": r.data}
            for r in redaction_store.exports(s, shop)]


def _jsonable(row: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}
