"""What the embedded admin page reads (the queue, the numbers, the settings) and the two small
changes it makes besides restocks: the shop's settings and a line's manual priority.

Reads are plain queries over the mirror and the stored plan; the numbers come from
`app.domain.kpis` so the page and any report compute them the same way. Both writes re-plan in
the caller's transaction and return the orders whose platform state changed, for a sync.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from app.domain.alternatives import AlternativesSettings, as_entry
from app.domain.errors import Conflict, InvalidInput, NotFound
from app.domain.kpis import PromiseOutcome, backorder_age, backorder_rate, promise_accuracy
from app.domain.model import LinePlan
from app.domain.policy import Policy
from app.domain.writeback import DesiredState
from app.services.planning import Planning
from app.services.restocks import variant_title
from app.storage import insights as insight_store
from app.storage import objects as object_store
from app.storage import shops as shop_store
from app.storage.db import Tx
from app.storage.tables import OrderLine, Shop, Variant

STATUSES = ("waiting", "all")
MAX_LIMIT = 200
PRIORITY_RANGE = (-100, 100)
WINDOW_DAYS = 30


# settings


def settings(s: Tx, shop: str) -> dict:
    row = _shop(s, shop)
    return {"policy": Policy.from_dict(row.policy or {}).to_dict(),
            "alternatives": AlternativesSettings.from_dict(row.alternatives or {}).to_dict()}


@dataclass(frozen=True)
class SettingsChange:
    """What a save changed, so that the job after it does only the work the change needs: a
    shop of many lines takes minutes to plan again. `plans`: the queue's order, dates or caps;
    `views`: what an order shows without its plan moving (holds under ship-complete, the
    alternatives offered)."""

    plans: bool
    views: bool


def save_settings(s: Tx, shop: str, data: Any) -> SettingsChange:
    """Both parts are validated before anything is written. The pools are planned again under
    the new policy by a job, not here: a shop of many lines would hold the request, and on
    SQLite every other shop's writes with it."""
    if not isinstance(data, Mapping):
        raise InvalidInput("settings must be an object", field="settings")
    unknown = sorted(set(data) - {"policy", "alternatives"})
    if unknown:
        raise InvalidInput(f"unknown setting {unknown[0]!r}", field=unknown[0])
    for part in ("policy", "alternatives"):
        if part not in data:
            raise InvalidInput(f"{part} is required", field=part)
    policy = Policy.from_dict(data["policy"])
    if policy.cap_follows_incoming and policy.default_cap is None and not policy.cap_by_variant:
        raise InvalidInput("caps follow incoming stock only where a cap is set: set caps.default "
                           "or caps.variant", field="cap_follows_incoming")
    alternatives = AlternativesSettings.from_dict(data["alternatives"])
    row = _shop(s, shop)
    old = Policy.from_dict(row.policy or {})
    change = SettingsChange(
        plans=replace(old, ship_complete=policy.ship_complete, notices=policy.notices) != policy,
        views=old.ship_complete != policy.ship_complete or old.notices != policy.notices
        or AlternativesSettings.from_dict(row.alternatives or {}) != alternatives)
    row.policy, row.alternatives = policy.to_dict(), alternatives.to_dict()
    return change


def _shop(s: Tx, shop: str) -> Shop:
    row = shop_store.find(s, shop)
    if row is None:
        raise NotFound(f"{shop} is not installed", field="shop")
    return row


# manual priority


def set_priority(s: Tx, planning: Planning, shop: str, line_id: str, priority: Any) -> set[str]:
    """A merchant bumps (or sinks) one line; its pool is re-planned at once."""
    low, high = PRIORITY_RANGE
    if isinstance(priority, bool) or not isinstance(priority, int) or not low <= priority <= high:
        raise InvalidInput(f"priority must be a whole number from {low} to {high}",
                           field="priority")
    row = insight_store.locked_line(s, shop, line_id)
    if row is None:
        raise NotFound(f"no order line {line_id!r}", field="line")
    if row.open_quantity <= 0:
        raise Conflict("this line is no longer open", field="line")
    row.manual_priority = priority
    s.flush()
    return planning.replan(s, shop, {row.pool}, "priority changed")


# the queue


def queue(s: Tx, shop: str, today: date, status: str = "waiting", limit: int = 50,
          offset: int = 0) -> dict:
    """Open lines in queue order per pool (waiting: only those with units backordered)."""
    _check_page(status, limit, offset)
    total, rows = insight_store.queue(s, shop, status == "waiting", limit, offset)
    return {"lines": _shown(s, shop, rows, today), "total": total, "limit": limit,
            "offset": offset, "status": status}


def order(s: Tx, shop: str, order_id: str, today: date) -> dict:
    """One order as the queue shows its lines (those still open), and the state the platform
    is asked to show for it."""
    rows = insight_store.open_lines_of_order(s, shop, order_id)
    sync = insight_store.order_sync(s, shop, order_id)
    shown = DesiredState.from_dict(sync.desired if sync else None)
    return {"order_id": order_id, "name": rows[0][1] if rows else "",
            "status": shown.fields.get("status", "ready" if rows else ""),
            "eta": shown.fields.get("eta"), "lines": _shown(s, shop, rows, today)}


def _shown(s: Tx, shop: str, rows, today: date) -> list[dict]:
    """(line, order name) rows as the page shows them."""
    offsets = insight_store.position_offsets(s, shop, {r.pool for r, _ in rows})
    wanted = {r.variant_id for r, _ in rows} | {
        as_entry(a)["variant_id"] for r, _ in rows for a in r.alternatives or []}
    variants = object_store.variants(s, shop, wanted)
    return [_queue_line(row, name, variants, today, offsets.get(row.pool, 0))
            for row, name in rows]


def _check_page(status: str, limit: int, offset: int) -> None:
    if status not in STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(STATUSES)}", field="status")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be from 1 to {MAX_LIMIT}", field="limit")
    if offset < 0:
        raise InvalidInput("offset must be 0 or more", field="offset")


def _queue_line(row: OrderLine, order_name: str, variants: dict[str, Variant], today: date,
                offset: int) -> dict:
    variant = variants.get(row.variant_id)
    waiting_since = row.backordered_at.date() if row.backordered and row.backordered_at else None
    return {
        "line_id": row.line_id, "order_id": row.order_id, "order_name": order_name,
        "title": row.title, "variant_id": row.variant_id,
        "variant": variant_title(variant) if variant else "",
        "sku": variant.sku if variant else "", "pool": row.pool,
        "quantity": row.open_quantity, "covered": row.covered, "backordered": row.backordered,
        "queue_position": None if row.queue_ticket is None else row.queue_ticket - offset, "manual_priority": row.manual_priority or 0,
        "eta": _eta(row), "first_eta": _iso(row.first_eta),
        "days_waiting": (today - waiting_since).days if waiting_since else None,
        "alternatives": [_alternative(as_entry(a), variants) for a in row.alternatives or []],
    }


def _alternative(entry: dict, variants: dict[str, Variant]) -> dict:
    variant = variants.get(entry["variant_id"])
    return {**entry, "title": variant_title(variant) if variant else entry["variant_id"]}


def _eta(row: OrderLine) -> dict | None:
    if row.eta is None:
        return None
    return {"date": row.eta.isoformat(), "earliest": _iso(row.eta_earliest),
            "latest": _iso(row.eta_latest), "source": row.eta_source,
            "confidence": row.eta_confidence, "slipped": bool(row.eta_slipped)}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


# the numbers


def metrics(s: Tx, shop: str, now: datetime) -> dict:
    today = now.date()
    since = now - timedelta(days=WINDOW_DAYS)
    return {
        "window_days": WINDOW_DAYS,
        "backorder_rate": _rate(s, shop, since),
        "open": _open(s, shop, today),
        "promise_accuracy": _accuracy(s, shop, today),
        "eta_changes": _eta_changes(s, shop, since),
    }


def _rate(s: Tx, shop: str, since: datetime) -> dict:
    """Over the lines of orders placed in the window; a line counts as backordered if it ever
    went short, so lines filled since then still count."""
    rows = insight_store.live_lines_ordered_since(s, shop, since)
    rate = backorder_rate(
        LinePlan(r.line_id, r.order_id, r.pool, max(r.open_quantity, 1), r.covered,
                 1 if r.backordered_at else 0, None, None) for r in rows)
    return {"lines": rate.lines, "backordered_lines": rate.backordered_lines,
            "line_rate": rate.line_rate, "orders": rate.orders,
            "backordered_orders": rate.backordered_orders, "order_rate": rate.order_rate}


def _open(s: Tx, shop: str, today: date) -> dict:
    rows = insight_store.live_lines_waiting(s, shop)
    age = backorder_age([r.backordered_at.date() for r in rows if r.backordered_at], today)
    return {"lines": len(rows), "units": sum(r.backordered for r in rows),
            "age_days": {"median": age.p50_days, "p90": age.p90_days, "max": age.max_days,
                         "buckets": age.buckets}}


def _accuracy(s: Tx, shop: str, today: date) -> dict:
    """Judged against the FIRST date promised, so a date moved later does not count as kept."""
    rows = insight_store.live_lines_promised(s, shop)
    result = promise_accuracy(
        (PromiseOutcome(r.line_id, r.first_eta,
                        r.filled_at.date() if r.filled_at and not r.backordered else None)
         for r in rows), today)
    return {"rate": result.rate, "kept": result.kept, "broken": result.broken,
            "pending": result.pending, "mean_abs_error_days": result.mean_abs_error_days}


def _eta_changes(s: Tx, shop: str, since: datetime) -> dict:
    """Moves of a date already promised; the first promise and a fill are not changes."""
    counts = insight_store.eta_changes_by_reason(s, shop, since)
    later = sum(n for reason, n in counts.items() if reason.startswith("later"))
    earlier = sum(n for reason, n in counts.items() if reason.startswith("earlier"))
    return {"total": later + earlier, "later": later, "earlier": earlier}
