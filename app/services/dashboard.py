"""What the embedded admin page reads (the queue, the numbers, the settings) and the two small
changes it makes besides restocks: the shop's settings and a line's manual priority.

Reads are plain queries over the mirror and the stored plan; the numbers come from
`app.domain.kpis` so the page and any report compute them the same way. Both writes re-plan in
the caller's transaction and return the orders whose platform state changed, for a sync.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from app.domain import insights as insight_view
from app.domain.alternatives import AlternativesSettings, as_entry
from app.domain.errors import Conflict, InvalidInput, NotFound
from app.domain.insights import InsightsQuery
from app.domain.kpis import BackorderRate, backorder_age, promise_accuracy_counted
from app.domain.notices import KINDS as NOTICE_KINDS
from app.domain.policy import Policy
from app.domain.queue_query import Cursor, QueueQuery
from app.domain.writeback import DesiredState
from app.services import order_actions
from app.services.planning import Planning
from app.services.restocks import variant_title
from app.storage import insights as insight_store
from app.storage import notices as notice_store
from app.storage import objects as object_store
from app.storage import orders as order_store
from app.storage import shops as shop_store
from app.storage.db import Tx
from app.storage.tables import OrderLine, Shop, Variant

PRIORITY_RANGE = (-100, 100)
WINDOW_DAYS = 30


# settings


def policy(s: Tx, shop: str) -> Policy:
    return Policy.from_dict(_shop(s, shop).policy or {})


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
        plans=replace(old, ship_complete=policy.ship_complete, notices=policy.notices,
                      refund_cancelled_units=policy.refund_cancelled_units,
                      goodwill=policy.goodwill) != policy,
        views=old.ship_complete != policy.ship_complete  # a note goes with the next message
        or replace(old.notices, notes=()) != replace(policy.notices, notes=())
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
    priority = _priority(priority)
    row = insight_store.locked_line(s, shop, line_id)
    if row is None:
        raise NotFound(f"no order line {line_id!r}", field="line")
    if row.open_quantity <= 0:
        raise Conflict("this line is no longer open", field="line")
    row.manual_priority = priority
    s.flush()
    return planning.replan(s, shop, {row.pool}, "priority changed")


def set_priorities(s: Tx, planning: Planning, shop: str, body: Any) -> tuple[list[str], set[str]]:
    """The queue's bulk action: one priority for several lines, all or none, their pools planned
    again once together. Returns the lines changed and the orders whose state moved."""
    line_ids, priority = _bulk_priority(body)
    rows = insight_store.locked_lines(s, shop, line_ids)
    missing = sorted(set(line_ids) - {row.line_id for row in rows})
    if missing:
        raise NotFound(f"no order line {missing[0]!r}", field="line_ids")
    closed = sorted(row.line_id for row in rows if row.open_quantity <= 0)
    if closed:
        raise Conflict(f"line {closed[0]!r} is no longer open", field="line_ids")
    for row in rows:
        row.manual_priority = priority
    s.flush()
    return sorted(line_ids), planning.replan(s, shop, {row.pool for row in rows},
                                             "priority changed")


def _bulk_priority(body: Any) -> tuple[list[str], int]:
    if not isinstance(body, Mapping):
        raise InvalidInput("send an object with line_ids and priority", field="body")
    unknown = sorted(set(body) - {"line_ids", "priority"})
    if unknown:
        raise InvalidInput(f"unknown field {unknown[0]!r}", field=unknown[0])
    line_ids = body.get("line_ids")
    if not order_actions.bulk_line_ids(line_ids):
        raise InvalidInput(f"line_ids must be a list of 1 to {order_actions.MAX_BULK_LINES} "
                           "line ids",
                           field="line_ids")
    return sorted(set(line_ids)), _priority(body.get("priority"))


def _priority(priority: Any) -> int:
    low, high = PRIORITY_RANGE
    if isinstance(priority, bool) or not isinstance(priority, int) or not low <= priority <= high:
        raise InvalidInput(f"priority must be a whole number from {low} to {high}",
                           field="priority")
    return priority


# the queue


def queue(s: Tx, shop: str, now: datetime, query: QueueQuery) -> dict:
    """One page of open lines as the merchant searched, filtered and sorted them, with the
    cursors of the pages beside it (None where there is none). `total` counts the lines that
    match up to COUNT_LIMIT; `total_exact` is false when more match."""
    today = now.date()
    cursor = query.cursor
    before = bool(cursor and cursor.before)
    total, rows = insight_store.queue_page(
        s, shop, status=query.status, search=query.search, variant_id=query.variant_id,
        short_by=_short_by(today, query.min_age_days), priority=query.priority,
        keys=query.keys(), descending=query.descending, limit=query.limit,
        start=cursor.values if cursor else None, before=before)
    more = len(rows) > query.limit
    rows = rows[:query.limit]
    if before:
        rows.reverse()
    has_previous, has_next = (more, cursor is not None) if before else (cursor is not None, more)
    return {"lines": _shown(s, shop, [(r[0], r[1]) for r in rows],
                            today), "total": min(total, insight_store.COUNT_LIMIT),
            "total_exact": total <= insight_store.COUNT_LIMIT,
            "limit": query.limit, "status": query.status, "sort": query.sort,
            "previous_cursor": _page_cursor(query, rows[:1], True, has_previous),
            "next_cursor": _page_cursor(query, rows[-1:], False, has_next)}


def _short_by(today: date, min_age_days: int | None) -> datetime | None:
    """Lines waiting at least `min_age_days` whole days went short by the end of that day."""
    if min_age_days is None:
        return None
    return datetime.combine(today - timedelta(days=min_age_days), time.max, UTC)


def _page_cursor(query: QueueQuery, edge: list, before: bool, exists: bool) -> str | None:
    """The cursor of the page before the first row or after the last one. A page left empty
    (its lines filled meanwhile) points back from where it started."""
    if not exists:
        return None
    if edge:
        return Cursor(query.sort, before, tuple(edge[0][2:])).encode()
    if query.cursor is not None and before != query.cursor.before:
        return Cursor(query.sort, before, query.cursor.values).encode()
    return None


def order(s: Tx, shop: str, order_id: str, today: date) -> dict:
    """One order as the queue shows its lines (those still open), and the state the platform
    is asked to show for it."""
    rows = insight_store.open_lines_of_order(s, shop, order_id)
    sync = insight_store.order_sync(s, shop, order_id)
    shown = DesiredState.from_dict(sync.desired if sync else None)
    return {"order_id": order_id, "name": rows[0][1] if rows else "",
            "status": shown.fields.get("status", "ready" if rows else ""),
            "eta": shown.fields.get("eta"), "lines": _shown(s, shop, rows, today)}


def order_detail(s: Tx, shop: str, order_id: str, today: date) -> dict:
    """The order view of the admin: what `order` shows, and why it waits and since when: each
    line's date changes, the units held from fulfillment (wanted, and what the store last
    accepted) and where the store's copy stands."""
    found = order_store.order(s, shop, order_id)
    if found is None:
        raise NotFound(f"no order {order_id!r}", field="order")
    view = order(s, shop, order_id, today)
    sync = insight_store.order_sync(s, shop, order_id)
    wanted = DesiredState.from_dict(sync.desired if sync else None)
    applied = DesiredState.from_dict(sync.applied if sync else None)
    names = {line["line_id"]: line["variant"] or line["title"] for line in view["lines"]}
    return {**view, "name": found.name, "created_at": found.created_at.isoformat(),
            "customer_id": found.customer_id, "customer_name": found.customer_name or "",
            "customer_email": found.customer_email or "",
            "ready_units": sum(line["covered"] for line in view["lines"]),
            "owed_units": sum(line["backordered"] for line in view["lines"]),
            "eta_history": [_eta_change(row, names) for row in
                            insight_store.eta_changes_of_order(s, shop, order_id)],
            "holds": [{"line_id": line, "title": names.get(line, ""), "units": units,
                       "placed": applied.holds.get(line, 0)}
                      for line, units in sorted(wanted.held().items())],
            "hold_note": wanted.hold_note,
            "holds_released_at": _iso_time(found.holds_released_at),
            "updates_asked": found.updates_asked or 0,
            "actions": order_actions.history(s, shop, order_id),
            "store": _store_state(sync)}


def _iso_time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _eta_change(row, names: dict[str, str]) -> dict:
    return {"line_id": row.line_id, "title": names.get(row.line_id, ""),
            "old": _iso(row.old_eta), "new": _iso(row.new_eta), "reason": row.reason,
            "changed_at": row.changed_at.isoformat()}


def _store_state(sync) -> dict:
    """Whether the store shows what the app decided yet, and the last error if it does not."""
    if sync is None:
        return {"state": "nothing to show", "last_error": None}
    return {"state": "waiting to be written" if sync.pending else "up to date",
            "last_error": sync.last_error,
            "synced_at": sync.synced_at.isoformat() if sync.synced_at else None}


def _shown(s: Tx, shop: str, rows, today: date) -> list[dict]:
    """(line, order name) rows as the page shows them."""
    offsets = insight_store.position_offsets(s, shop, {r.pool for r, _ in rows})
    wanted = {r.variant_id for r, _ in rows} | {
        as_entry(a)["variant_id"] for r, _ in rows for a in r.alternatives or []}
    variants = object_store.variants(s, shop, wanted)
    return [_queue_line(row, name, variants, today, offsets.get(row.pool, 0))
            for row, name in rows]


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
    """Over the lines ordered in the window (as the insights' daily series counts them); a line
    counts as backordered if it ever went short, so lines filled since then still count."""
    rate = BackorderRate(*insight_store.backorder_counts(s, shop, since))
    return {"lines": rate.lines, "backordered_lines": rate.backordered_lines,
            "line_rate": rate.line_rate, "orders": rate.orders,
            "backordered_orders": rate.backordered_orders, "order_rate": rate.order_rate}


def _open(s: Tx, shop: str, today: date) -> dict:
    by_day = insight_store.waiting_by_day(s, shop)
    age = backorder_age({day: n for day, n, _ in by_day if day is not None}, today)
    return {"lines": sum(n for _, n, _ in by_day), "units": sum(units for _, _, units in by_day),
            "age_days": {"median": age.p50_days, "p90": age.p90_days, "max": age.max_days,
                         "buckets": age.buckets}}


def _accuracy(s: Tx, shop: str, today: date) -> dict:
    """Judged against the FIRST date promised, so a date moved later does not count as kept."""
    shipped_early, overdue, not_due = insight_store.promise_counts(s, shop, today)
    result = promise_accuracy_counted(shipped_early, overdue=overdue, not_due=not_due)
    return {"rate": result.rate, "kept": result.kept, "broken": result.broken,
            "pending": result.pending, "mean_abs_error_days": result.mean_abs_error_days}


def _eta_changes(s: Tx, shop: str, since: datetime) -> dict:
    """Moves of a date already promised; the first promise and a fill are not changes."""
    counts = insight_store.eta_moves_by_reason(s, shop, since)
    later = sum(n for reason, n in counts.items() if reason.startswith("later"))
    earlier = sum(n for reason, n in counts.items() if reason.startswith("earlier"))
    return {"total": later + earlier, "later": later, "earlier": earlier}


# the insights page


# What the page shows of the two lists by variant: the chart's variants and the reorder table's
# rows, the largest first. A big shop waits on thousands of variants; the CSV export has them all.
VARIANTS_SHOWN = 12
REORDER_SHOWN = 50


def insights(s: Tx, shop: str, now: datetime, query: InsightsQuery) -> dict:
    """The charts' series over the last `query.days` days, the units owed and waiting age of
    the VARIANTS_SHOWN variants owed most, promise accuracy, the REORDER_SHOWN largest reorder
    suggestions (`variants_waiting` and `reorder_total` count them all), and the messages sent
    per kind. The lines waiting are read once, summed by variant, for both lists, and only the
    rows shown are made."""
    today = now.date()
    start = today - timedelta(days=query.days - 1)
    since = datetime.combine(start, time.min, UTC)
    waiting = insight_store.waiting_by_variant(s, shop)
    owed = _owed(waiting)
    most_owed = heapq.nsmallest(VARIANTS_SHOWN, waiting, key=lambda row: (-row[1], row[0]))
    incoming = insight_store.incoming_by_variant(s, shop)
    return {
        "days": query.days,
        "backorder_rate": insight_view.backorder_rate_by_day(
            insight_store.line_times_since(s, shop, since), start, today),
        "eta_changes": insight_view.eta_changes_by_day(
            insight_store.eta_move_times(s, shop, since), start, today),
        "promise_accuracy": _accuracy(s, shop, today),
        "by_variant": _titled(s, shop, [
            {"variant_id": variant_id, **figures} for variant_id, figures in
            insight_view.owed_by_variant(most_owed, today).items()]),
        "variants_waiting": len(waiting),
        "reorder": _titled(s, shop, insight_view.reorder_suggestions(
            owed, incoming, query.safety_stock, largest=REORDER_SHOWN)),
        "reorder_total": len(owed.keys() | incoming.keys()),
        "messages_sent": messages_sent(s, shop, since),
    }


def messages_sent(s: Tx, shop: str, since: datetime) -> dict:
    """The customer's messages the platform took since then (what the sync recorded as sent,
    not what was wanted), per kind of notice, every kind named."""
    counts = notice_store.sent_by_kind(s, shop, since)
    by_kind = {kind: counts.get(kind, 0) for kind in NOTICE_KINDS}
    return {"total": sum(by_kind.values()), "by_kind": by_kind}


def reorder(s: Tx, shop: str, safety_stock: int) -> list[dict]:
    """Per variant: owed − incoming + safety stock, with the variant's title and SKU; all of
    them, the largest first."""
    return _titled(s, shop, insight_view.reorder_suggestions(
        _owed(insight_store.waiting_by_variant(s, shop)),
        insight_store.incoming_by_variant(s, shop), safety_stock))


def _owed(waiting: list[tuple]) -> dict[str, int]:
    """Units owed by variant, from `waiting_by_variant`'s rows."""
    return {variant_id: units for variant_id, units, _, _ in waiting}


def reorder_csv(s: Tx, shop: str, safety_stock: int) -> str:
    return insight_view.reorder_csv(reorder(s, shop, safety_stock))


def _titled(s: Tx, shop: str, rows: list[dict]) -> list[dict]:
    """Each row with its variant's title and SKU, as the merchant knows it."""
    variants = object_store.variant_names(s, shop, {row["variant_id"] for row in rows})
    for row in rows:
        variant = variants.get(row["variant_id"])
        row["variant"] = variant_title(variant) if variant else row["variant_id"]
        row["sku"] = variant.sku if variant else ""
    return rows
