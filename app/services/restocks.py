"""Restocks the merchant expects: entered by hand, imported from a CSV file, or from a purchase order.

A restock changes the ETAs of the lines waiting on its pool, so every change re-plans that pool in
the same transaction as the change itself: the queue never shows dates from supply that is no
longer there. The store is told afterwards, through a sync job, once the change has committed.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from app.domain.errors import Conflict, InvalidInput, NotFound
from app.domain.queue_query import whole_number
from app.domain.restock_csv import HORIZON, MAX_QUANTITY, beyond_horizon, parse_restock_csv
from app.services.caps import follow_ups
from app.services.messages import Enqueue, FollowUp
from app.services.mirror import pool_of
from app.services.planning import Planning
from app.storage import objects as object_store
from app.storage import orders as order_store
from app.storage import restocks as restock_store
from app.storage.db import Database, Tx
from app.storage.tables import RestockRow, Variant

SOURCES = ("merchant", "csv", "purchase_order")
FIELDS = frozenset({"variant_id", "sku", "quantity", "expected_date", "source", "reference"})
MAX_REFERENCE = 255
MAX_PAGE = 500


class Restocks:
    def __init__(self, db: Database, planning: Planning, clock: Callable[[], datetime],
                 enqueue: Enqueue):
        self._db = db
        self._planning = planning
        self._clock = clock
        self._enqueue = enqueue

    def page(self, shop: str, args: Mapping[str, str]) -> dict:
        """Expected restocks first by date (arrived ones only when asked, they no longer plan),
        `limit` of them (every one without it) from
        `offset`, and how many there are: a big shop expects thousands, which a page cannot
        show at once."""
        include_arrived = args.get("arrived", "") in ("1", "true")
        limit = whole_number(args, "limit", 1, MAX_PAGE, None)
        offset = whole_number(args, "offset", 0, 10**9, 0)
        with self._db.read() as s:
            rows = restock_store.of_shop(s, shop, include_arrived, limit, offset)
            total = len(rows) if limit is None else restock_store.count_of_shop(
                s, shop, include_arrived)
            titles = _titles(s, shop, {r.variant_id for r in rows})
            return {"restocks": [to_dict(r, titles) for r in rows], "total": total,
                    "offset": offset if limit is not None else 0}

    def create(self, shop: str, data: Any) -> dict:
        values = _checked(data, required=("quantity", "expected_date"), today=self._today())
        with self._db.transaction() as s:
            variant = _variant(s, shop, values)
            row = RestockRow(id=uuid.uuid4().hex, shop=shop, pool=pool_of(variant.variant_id),
                             variant_id=variant.variant_id, quantity=values["quantity"],
                             expected_on=values["expected_date"],
                             source=values.get("source", "merchant"),
                             reference=values.get("reference", ""), created_at=self._clock())
            restock_store.add(s, row)
            s.flush()
            follow = self._replan(s, shop, {row.pool}, "restock entered")
            result = to_dict(row, _titles(s, shop, {row.variant_id}))
        self._send(follow)
        return result

    def update(self, shop: str, restock_id: str, data: Any) -> dict:
        """Edit any field; a new variant moves the restock to its pool, so both pools re-plan."""
        values = _checked(data, required=(), today=self._today())
        with self._db.transaction() as s:
            row = self._owned(s, shop, restock_id)
            if row.arrived_at is not None:
                raise Conflict("this restock has arrived; it can no longer be edited",
                               field="restock")
            pools = {row.pool}
            if "variant_id" in values or "sku" in values:
                variant = _variant(s, shop, values)
                row.variant_id, row.pool = variant.variant_id, pool_of(variant.variant_id)
            if "quantity" in values:
                row.quantity = values["quantity"]
            if "expected_date" in values:
                row.expected_on = values["expected_date"]
            row.source = values.get("source", row.source)
            row.reference = values.get("reference", row.reference)
            s.flush()
            follow = self._replan(s, shop, pools | {row.pool}, "restock changed")
            result = to_dict(row, _titles(s, shop, {row.variant_id}))
        self._send(follow)
        return result

    def delete(self, shop: str, restock_id: str) -> None:
        with self._db.transaction() as s:
            row = self._owned(s, shop, restock_id)
            pool = row.pool
            restock_store.delete(s, row)
            s.flush()
            follow = self._replan(s, shop, {pool}, "restock removed")
        self._send(follow)

    def import_csv(self, shop: str, text: str) -> list[dict]:
        """All or nothing: any bad row (an unknown SKU included) imports nothing, and the error
        lists every bad row with its line number so the file is fixed in one pass."""
        with self._db.transaction() as s:
            rows = [row for _, row in self._csv_rows(s, shop, text)]
            restock_store.add_all(s, rows)
            s.flush()
            follow = self._replan(s, shop, {r.pool for r in rows}, "restocks imported")
            titles = _titles(s, shop, {r.variant_id for r in rows})
            result = [to_dict(r, titles) for r in rows]
        self._send(follow)
        return result

    def preview_csv(self, shop: str, text: str) -> dict:
        """What importing the file would do, with nothing written: the same checks as the import
        (the same errors), then the import and its re-plan in a unit of work that is rolled back.
        Per row the restock it would create; per variant the lines waiting on it, how many of
        them the imported stock would fill when it arrives, and whose dates would move."""
        with self._db.trial() as s:
            parsed = self._csv_rows(s, shop, text)
            rows = [row for _, row in parsed]
            pools = {r.pool for r in rows}
            before = restock_store.waiting_in_pools(s, shop, pools)
            restock_store.add_all(s, rows)
            s.flush()
            self._planning.replan(s, shop, pools, "restocks imported")
            after = restock_store.waiting_in_pools(s, shop, pools)
            titles = _titles(s, shop, {r.variant_id for r in rows})
        created = [{**to_dict(row, titles), "id": None, "line": line} for line, row in parsed]
        variants = _effects(rows, before, after, titles)
        totals = {key: sum(v[key] for v in variants)
                  for key in ("units", "waiting_lines", "units_owed", "lines_filled",
                              "units_filled", "eta_earlier", "eta_later")}
        return {"preview": True, "rows": created, "variants": variants,
                "totals": {"restocks": len(created), **totals}}

    def _csv_rows(self, s: Tx, shop: str, text: str) -> list[tuple[int, RestockRow]]:
        """The file's restocks with their line numbers, or InvalidInput listing every bad row."""
        try:
            parsed = parse_restock_csv(text, self._today())
        except InvalidInput as error:
            raise _with_unknown_references(s, shop, text, error) from None
        variants, errors = _resolve_rows(s, shop, parsed)
        if errors:
            raise InvalidInput(f"{len(errors)} row(s) are invalid; nothing was imported",
                               field="file", errors=errors)
        now = self._clock()
        return [(p.line, RestockRow(id=uuid.uuid4().hex, shop=shop, pool=pool_of(v.variant_id),
                                    variant_id=v.variant_id, quantity=p.quantity,
                                    expected_on=p.expected_on, source="csv",
                                    reference=p.reference[:MAX_REFERENCE], created_at=now))
                for p, v in zip(parsed, variants, strict=True)]

    def _owned(self, s: Tx, shop: str, restock_id: str) -> RestockRow:
        """Another shop's restock is reported exactly like a missing one: ids reveal nothing."""
        row = restock_store.owned(s, shop, restock_id)
        if row is None:
            raise NotFound(f"no restock {restock_id!r}", field="restock")
        return row

    def _replan(self, s: Tx, shop: str, pools: set[str], reason: str) -> list[FollowUp]:
        """Re-plan the pools; what is left to send: a sync, and caps that follow incoming stock
        re-checked against the restocks now expected."""
        return follow_ups(s, shop, pools, self._planning.replan(s, shop, pools, reason))

    def _send(self, follow: list[FollowUp]) -> None:
        for message in follow:
            self._enqueue(message)

    def _today(self) -> date:
        return self._clock().date()


def to_dict(row: RestockRow, titles: Mapping[str, str]) -> dict:
    return {
        "id": row.id, "variant_id": row.variant_id, "variant": titles.get(row.variant_id, ""),
        "quantity": row.quantity, "expected_date": row.expected_on.isoformat(),
        "source": row.source, "reference": row.reference,
        "arrived": row.arrived_at is not None,
    }


def _effects(rows: list[RestockRow], before: list, after: list,
             titles: Mapping[str, str]) -> list[dict]:
    """Per variant of the import, in the file's order: its units, the lines waiting on it now,
    the lines whose date would rest on one of the new restocks (filled when it arrives), and the
    lines whose date would move earlier or later."""
    new_ids = {r.id for r in rows}
    old = {r.line_id: r for r in before}
    out: dict[str, dict] = {}
    for r in rows:
        entry = out.setdefault(r.pool, {
            "variant_id": r.variant_id, "variant": titles.get(r.variant_id, ""), "restocks": 0,
            "units": 0, "waiting_lines": 0, "units_owed": 0, "lines_filled": 0,
            "units_filled": 0, "eta_earlier": 0, "eta_later": 0})
        entry["restocks"] += 1
        entry["units"] += r.quantity
    for line in before:
        out[line.pool]["waiting_lines"] += 1
        out[line.pool]["units_owed"] += line.backordered
    for line in after:
        entry = out[line.pool]
        if line.eta_restock_id in new_ids:
            entry["lines_filled"] += 1
            entry["units_filled"] += line.backordered
        was = old.get(line.line_id)
        if was is not None and was.eta and line.eta and line.eta != was.eta:
            entry["eta_earlier" if line.eta < was.eta else "eta_later"] += 1
    return list(out.values())


def variant_title(row: Variant) -> str:
    """"Product - Variant" as the admin shows it; the default variant is just the product."""
    if row.title and row.title != "Default Title":
        return f"{row.product_title} - {row.title}" if row.product_title else row.title
    return row.product_title or row.variant_id


def _titles(s: Tx, shop: str, variant_ids: set[str]) -> dict[str, str]:
    return {variant_id: variant_title(v)
            for variant_id, v in object_store.variants(s, shop, variant_ids).items()}


def _checked(data: Any, required: tuple[str, ...], today: date) -> dict:
    """The request body as typed values; the first bad field raises InvalidInput naming it."""
    if not isinstance(data, Mapping):
        raise InvalidInput("the restock must be a JSON object", field="restock")
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        raise InvalidInput(f"unknown field {unknown[0]!r}", field=unknown[0])
    for name in required:
        if data.get(name) is None:
            raise InvalidInput(f"{name} is required", field=name)
    values: dict[str, Any] = {}
    for name, parse in _PARSERS.items():
        if name in data:
            values[name] = parse(data[name], today)
    if values.get("variant_id") and values.get("sku"):
        raise InvalidInput("give either variant_id or sku, not both", field="sku")
    if not required and not values:
        raise InvalidInput("nothing to change", field="restock")
    return values


def _text(name: str, limit: int):
    def parse(value: Any, _today: date) -> str:
        if not isinstance(value, str) or len(value.strip()) > limit:
            raise InvalidInput(f"{name} must be text of at most {limit} characters", field=name)
        return value.strip()

    return parse


def _quantity(value: Any, _today: date) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_QUANTITY:
        raise InvalidInput(f"quantity must be a whole number from 1 to {MAX_QUANTITY}",
                           field="quantity")
    return value


def _expected_date(value: Any, today: date) -> date:
    """Not in the past: a restock entered late would be promised from as if it were on time.
    Not beyond the horizon either: a far-future date is a placeholder, not a date."""
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError
        expected = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("expected_date must be a date as YYYY-MM-DD",
                           field="expected_date") from None
    if expected < today:
        raise InvalidInput(f"expected_date {value} is in the past", field="expected_date")
    if beyond_horizon(expected, today):
        raise InvalidInput(f"expected_date {value} is more than {HORIZON.days} days ahead",
                           field="expected_date")
    return expected


def _source(value: Any, _today: date) -> str:
    if value not in SOURCES:
        raise InvalidInput(f"source must be one of {', '.join(SOURCES)}", field="source")
    return value


_PARSERS = {
    "variant_id": _text("variant_id", 100),
    "sku": _text("sku", 255),
    "quantity": _quantity,
    "expected_date": _expected_date,
    "source": _source,
    "reference": _text("reference", MAX_REFERENCE),
}


def _variant(s: Tx, shop: str, values: Mapping[str, str]) -> Variant:
    """The variant named by id or SKU; a field error when there is none (or more than one)."""
    variant, problem = _lookup(s, shop, values.get("variant_id", ""), values.get("sku", ""))
    if problem:
        raise InvalidInput(problem, field="sku" if values.get("sku") else "variant_id")
    return variant


def _lookup(s: Tx, shop: str, variant_id: str, sku: str) -> tuple[Variant | None, str]:
    if variant_id:
        row = order_store.variant(s, shop, variant_id) or _by_number(s, shop, variant_id)
        if row is None or row.status == "DELETED":
            return None, f"unknown variant {variant_id!r}"
        return row, ""
    if not sku:
        return None, "variant_id or sku is required"
    rows = object_store.variants_with_sku(s, shop, sku, limit=2)
    if not rows:
        return None, f"unknown SKU {sku!r}"
    if len(rows) > 1:
        return None, f"SKU {sku!r} belongs to several variants; give the variant_id"
    return rows[0], ""


def _by_number(s: Tx, shop: str, number: str) -> Variant | None:
    """A variant named by the number its platform id ends with, as merchants see ids in the
    admin's addresses and exports (a Shopify id `gid://…/ProductVariant/1001` is 1001)."""
    if not number.isdigit():
        return None
    return object_store.variant_numbered(s, shop, number)


def _resolve_rows(s: Tx, shop: str, parsed) -> tuple[list[Variant], list[dict]]:
    variants, errors = [], []
    for row in parsed:
        variant, problem = _lookup(s, shop, row.variant_id, row.sku)
        if problem:
            errors.append({"line": row.line, "message": problem})
        variants.append(variant)
    return variants, errors


def _with_unknown_references(s: Tx, shop: str, text: str, error: InvalidInput) -> InvalidInput:
    """The parser stops at the first kind of problem (bad values); unknown SKUs in the other rows
    are added to its list so the merchant sees every bad row at once. Header errors stand alone."""
    errors = list(error.details.get("errors") or [])
    if not errors or any(e["line"] == 1 for e in errors):
        return error
    by_line = {e["line"]: e["message"] for e in errors}
    try:
        _add_unknown_references(s, shop, text, by_line)
    except csv.Error:  # the file is not readable as CSV: its error says where
        return error
    merged = [{"line": line, "message": by_line[line]} for line in sorted(by_line)]
    return InvalidInput(f"{len(merged)} row(s) are invalid; nothing was imported",
                        field="file", errors=merged)


def _add_unknown_references(s: Tx, shop: str, text: str, by_line: dict[int, str]) -> None:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    for record in reader:
        values = {(k or "").strip().lower(): (v or "").strip() for k, v in record.items()
                  if isinstance(v, str)}
        if not values.get("sku") and not values.get("variant_id"):
            continue
        _, problem = _lookup(s, shop, values.get("variant_id", ""), values.get("sku", ""))
        if problem:
            line = reader.line_num
            by_line[line] = f"{by_line[line]}; {problem}" if line in by_line else problem
