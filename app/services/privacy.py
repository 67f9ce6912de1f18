"""The mandatory privacy requests, done for real over every table we have.

The tables say themselves which hold a shop's or a customer's data and which columns are
personal (see `app.storage.redaction`), so a table added later is covered without touching this
module.

Webhook receipts are the exception: a receipt not yet processed (waiting, or a dead letter) still
holds its payload as the platform sent it, so redaction has the platform's adapter scrub the
payloads that concern the customer, and clears the error text of their failed attempts."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app.storage import redaction as redaction_store
from app.storage.db import Tx
from app.storage.tables import DataExport


@dataclass(frozen=True)
class CustomerRequest:
    """A customer's data request or redaction, as the platform's adapter read it."""

    customer_id: str
    request_id: str | None = None
    order_ids: frozenset[str] = frozenset()  # orders the platform names for redaction
    email: str | None = None


# A stored payload cleared of the request's customer, or None when it does not concern them:
# only the platform's adapter knows the shape of its payloads.
Scrub = Callable[[dict, str, CustomerRequest], "dict | None"]


def export_customer(s: Tx, shop: str, request: CustomerRequest, now: datetime) -> str:
    """Everything held about the customer, stored for the merchant to hand over."""
    data = {name: [_jsonable(row) for row in rows] for name, rows in
            redaction_store.customer_records(s, shop, request.customer_id).items()}
    redaction_store.add_export(s, DataExport(
        shop=shop, customer_id=request.customer_id, data_request_id=request.request_id,
        created_at=now, data={"customer_id": request.customer_id, "records": data}))
    return f"exported {sum(len(v) for v in data.values())} records"


def redact_customer(s: Tx, shop: str, request: CustomerRequest, scrub: Scrub) -> str:
    """Personal columns set to NULL (the order lines stay, so the queue stays correct), and
    earlier exports of that customer deleted."""
    changed = redaction_store.redact_customer_rows(s, shop, request.customer_id)
    changed += _redact_receipts(s, shop, request, scrub)
    return f"redacted {changed} records"


def _redact_receipts(s: Tx, shop: str, request: CustomerRequest, scrub: Scrub) -> int:
    """Unprocessed receipts about the customer lose the customer's data, and so does the error
    text of their failed attempts."""
    changed = 0
    for receipt in redaction_store.unprocessed_receipts(s, shop):
        cleaned = scrub(_loads(receipt.payload), receipt.topic, request)
        if cleaned is None:
            continue
        receipt.payload = json.dumps(cleaned)
        redaction_store.clear_failure_error(s, receipt.id)
        changed += 1
    return changed


def _loads(raw: str) -> dict:
    try:
        body = json.loads(raw)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def purge_shop(s: Tx, shop: str) -> str:
    return f"purged {redaction_store.delete_shop_rows(s, shop)} records"


def exports_for(s: Tx, shop: str) -> list[dict]:
    return [{"id": r.id, "customer_id": r.customer_id, "data_request_id": r.data_request_id,
             "created_at": r.created_at.isoformat(), "data": r.data}
            for r in redaction_store.exports(s, shop)]


def _jsonable(row: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}
