"""The insights page's figures over time and by variant, and the reorder suggestions: pure
functions over plain values, so the page, the CSV export and any report count the same way.

A reorder suggestion is what a variant needs ordered from its supplier so every waiting line can
be filled and a safety stock is left: units owed, less the units already expected from restocks,
plus the safety stock; never below zero.
"""

from __future__ import annotations

import csv
import heapq
import io
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.domain.errors import BadParameter

PARAMETERS = ("days", "safety_stock")
DAYS = (7, 365)
MAX_SAFETY_STOCK = 1_000_000
# A cell a spreadsheet would run as a formula gets a leading apostrophe (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class InsightsQuery:
    days: int = 30
    safety_stock: int = 0


def parse_insights_query(args: Mapping[str, str]) -> InsightsQuery:
    """`days`: how far back the series go; `safety_stock`: units to keep per variant."""
    unknown = sorted(set(args) - set(PARAMETERS))
    if unknown:
        raise BadParameter(f"unknown parameter {unknown[0]!r}; insights take "
                           f"{', '.join(PARAMETERS)}", field=unknown[0])
    return InsightsQuery(days=_number(args, "days", *DAYS, 30),
                         safety_stock=_number(args, "safety_stock", 0, MAX_SAFETY_STOCK, 0))


def _number(args: Mapping[str, str], name: str, low: int, high: int, default: int) -> int:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or not low <= int(raw) <= high:
        raise BadParameter(f"{name} must be a whole number from {low} to {high}", field=name)
    return int(raw)


def days_of(start: date, end: date) -> list[date]:
    """Every day from `start` to `end`, both included."""
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _day(at: date | datetime) -> date:
    return at.date() if isinstance(at, datetime) else at


def backorder_rate_by_day(lines: Iterable[tuple], start: date, end: date) -> list[dict]:
    """Per day a line was ordered: lines, lines that went short, and the share of them (None on
    a day without orders, so a chart shows a gap rather than a false 0%). Each of `lines` is
    (when ordered, went short) for one line, or (day, went short, how many) counted already."""
    ordered: Counter[date] = Counter()
    short: Counter[date] = Counter()
    for at, went_short, *count in lines:
        day, n = _day(at), count[0] if count else 1
        ordered[day] += n
        short[day] += n if went_short else 0
    return [{"date": day.isoformat(), "lines": ordered[day], "backordered": short[day],
             "rate": short[day] / ordered[day] if ordered[day] else None}
            for day in days_of(start, end)]


def eta_changes_by_day(changes: Iterable[tuple], start: date, end: date) -> list[dict]:
    """Per day: dates moved later and moved earlier (a first promise or a fill is no change).
    Each of `changes` is (when, why) for one change, or (day, why, how many) counted already."""
    later: Counter[date] = Counter()
    earlier: Counter[date] = Counter()
    for at, reason, *count in changes:
        n = count[0] if count else 1
        if reason.startswith("later"):
            later[_day(at)] += n
        elif reason.startswith("earlier"):
            earlier[_day(at)] += n
    return [{"date": day.isoformat(), "later": later[day], "earlier": earlier[day]}
            for day in days_of(start, end)]


def owed_by_variant(waiting: Iterable[tuple[str, int, int, date | None]],
                    today: date) -> dict[str, dict]:
    """By variant, from (variant, units owed, lines waiting, the day the oldest went short): the
    units, the lines and how many whole days the oldest has waited."""
    return {variant_id: {"units_owed": int(units), "lines": int(lines),
                         "oldest_age_days": max(0, (today - oldest).days) if oldest else None}
            for variant_id, units, lines, oldest in waiting}


def reorder_suggestions(owed: Mapping[str, int], incoming: Mapping[str, int],
                        safety_stock: int, largest: int | None = None) -> list[dict]:
    """Per variant owed or expected: owed − incoming + safety stock, at least 0; the largest
    first, then by variant id. `largest`: only that many (a big shop has thousands)."""
    def suggested(variant_id: str) -> int:
        return max(0, owed.get(variant_id, 0) - incoming.get(variant_id, 0) + safety_stock)

    def rank(variant_id: str) -> tuple[int, str]:
        return -suggested(variant_id), variant_id

    variants = owed.keys() | incoming.keys()
    chosen = sorted(variants, key=rank) if largest is None else heapq.nsmallest(
        largest, variants, key=rank)
    return [{"variant_id": variant_id, "owed": owed.get(variant_id, 0),
             "incoming": incoming.get(variant_id, 0), "safety_stock": safety_stock,
             "suggested": suggested(variant_id)} for variant_id in chosen]


def reorder_csv(rows: Iterable[Mapping]) -> str:
    """The suggestions as CSV for a spreadsheet or a supplier."""
    columns = ("sku", "variant", "variant_id", "owed", "incoming", "safety_stock", "suggested")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column, "")) for column in columns])
    return out.getvalue()


def _cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
