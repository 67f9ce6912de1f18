"""Goodwill for long waits: when an order's "waiting long" notice is due and the shop gives
goodwill, its customer gets one code, limited to them and good once, which the notice carries.

One code per order, ever: the order's record is claimed before anything is asked of the
platform, so a sync retried, an order planned again or a notice refused and sent again finds the
same code. The cap per customer and the month's budget are checked in the same transaction; the
sync of a shop runs one at a time, so two orders of one shop are never weighed at once. The code
goes to the platform as an object write (`object_sync`), recorded as wanted with the decision
and written by the sync before the notice that names it."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from app.domain.goodwill import GoodwillSettings, decide
from app.services import object_sync
from app.storage import goodwill as goodwill_store
from app.storage.db import Tx
from app.storage.tables import GoodwillCode

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def new_code() -> str:
    return "WAIT-" + "".join(secrets.choice(_ALPHABET) for _ in range(10))


def grant(s: Tx, shop: str, order_id: str, settings: GoodwillSettings, now: datetime,
          make_code: Callable[[], str] = new_code) -> str | None:
    """The order's code: the one it was given, or one given now when the shop gives goodwill,
    the customer is under the cap and the month has the budget. None when it gets none (the
    decision is kept, with its reason, so it is not weighed again)."""
    row = goodwill_store.of_order(s, shop, order_id)
    if row is not None:
        return row.code if row.status in goodwill_store.GIVEN else None
    if not settings.enabled:
        return None
    month = now.strftime("%Y-%m")
    customer = goodwill_store.customer_of(s, shop, order_id)
    verdict = decide(settings, customer,
                     goodwill_store.given_to(s, shop, customer) if customer else 0,
                     goodwill_store.spent(s, shop, month),
                     goodwill_store.owed_value(s, shop, order_id))
    code = make_code() if verdict.give else None
    row = GoodwillCode(shop=shop, order_id=order_id, customer_id=customer, code=code,
                       kind=settings.kind, amount=str(settings.amount), worth=str(verdict.worth),
                       month=month, status="wanted" if verdict.give else "skipped",
                       reason=verdict.reason, created_at=now)
    if not goodwill_store.add(s, row):
        return grant(s, shop, order_id, settings, now, make_code)
    if code is not None:
        object_sync.want(s, shop, object_sync.GOODWILL, order_id, {
            "code": code, "customer_id": customer, "kind": settings.kind,
            "amount": str(settings.amount), "starts_at": now.isoformat()})
    return code


def created(s: Tx, shop: str, order_id: str) -> None:
    """The platform has the order's code."""
    row = goodwill_store.of_order(s, shop, order_id)
    if row is not None and row.status == "wanted":
        row.status = "created"


def summary(s: Tx, shop: str, settings: GoodwillSettings, now: datetime) -> dict:
    """This month's goodwill for the admin: what was given, against the budget, and what was
    not and why."""
    month = now.strftime("%Y-%m")
    rows = goodwill_store.month(s, shop, month)
    given = [r for r in rows if r.status in goodwill_store.GIVEN]
    spent = sum((Decimal(r.worth) for r in given), Decimal("0.00"))
    return {"enabled": settings.enabled, "month": month, "spent": str(spent),
            "budget": str(settings.budget_per_month),
            "left": str(max(Decimal("0.00"), settings.budget_per_month - spent)),
            "given": len(given), "skipped": len(rows) - len(given),
            "codes": [{"order_id": r.order_id, "code": r.code, "kind": r.kind,
                       "worth": r.worth, "status": r.status, "reason": r.reason,
                       "at": r.created_at.isoformat()} for r in rows]}
