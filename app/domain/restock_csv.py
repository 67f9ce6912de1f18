"""Restocks imported from a CSV file, all or nothing.

Columns: `sku` or `variant_id` (at least one per row), `quantity`, `expected_date` (YYYY-MM-DD),
and optionally `location` and `reference`. Every bad row is reported at once with its line
number, so the merchant fixes the file in one pass; a file with any bad row imports nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

from app.domain.errors import InvalidInput

REQUIRED = ("quantity", "expected_date")
OPTIONAL = ("sku", "variant_id", "location", "reference")
MAX_ROWS = 10_000
MAX_QUANTITY = 1_000_000
# How far ahead a restock may be expected. A date past it ("9999-12-31" for "unknown") says
# nothing a promise could be made from; the lead time stands in for an unknown date.
HORIZON = timedelta(days=3 * 365)


def beyond_horizon(expected: date, today: date) -> bool:
    return expected > today + HORIZON


@dataclass(frozen=True, slots=True)
class RestockRow:
    """One parsed row; `line` is its line number in the file (the header is line 1)."""

    line: int
    sku: str
    variant_id: str
    quantity: int
    expected_on: date
    location: str = ""
    reference: str = ""


def parse_restock_csv(text: str, today: date | None = None) -> list[RestockRow]:
    """Parse the whole file or raise one InvalidInput whose `errors` lists every bad row.

    With `today`, a date in the past is refused: a restock entered late would be promised
    from as if it were on time.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        return _parse(reader, today)
    except csv.Error as exc:  # a field over the reader's limit, a stray quote at the end
        line = reader.line_num + 1  # the line being read when it failed
        raise InvalidInput(f"line {line} cannot be read as CSV: {exc}", field="file",
                           errors=[{"line": line, "message": f"not readable as CSV: {exc}"}]
                           ) from None


def _parse(reader: csv.DictReader, today: date | None) -> list[RestockRow]:
    _check_header(reader.fieldnames)
    rows: list[RestockRow] = []
    errors: list[dict] = []
    for record in reader:
        line = reader.line_num
        if not any((value or "").strip() for value in record.values()):
            continue
        if len(rows) + len(errors) >= MAX_ROWS:
            raise InvalidInput(f"a file may hold at most {MAX_ROWS} rows", field="file")
        try:
            rows.append(_row(line, record, today))
        except ValueError as exc:
            errors.append({"line": line, "message": str(exc)})
    if errors:
        raise InvalidInput(f"{len(errors)} row(s) are invalid; nothing was imported",
                           field="file", errors=errors)
    if not rows:
        raise InvalidInput("the file has no restock rows", field="file")
    return rows


def _check_header(names: list[str] | None) -> None:
    header = [n.strip().lower() for n in names or []]
    missing = [n for n in REQUIRED if n not in header]
    if not {"sku", "variant_id"} & set(header):
        missing.insert(0, "sku or variant_id")
    if missing:
        raise InvalidInput(f"missing column(s): {', '.join(missing)}", field="file",
                           errors=[{"line": 1, "message": f"missing column(s): {', '.join(missing)}"}])
    unknown = [n for n in header if n not in REQUIRED + OPTIONAL]
    if unknown:
        raise InvalidInput(f"unknown column(s): {', '.join(unknown)}", field="file",
                           errors=[{"line": 1, "message": f"unknown column(s): {', '.join(unknown)}"}])


def _row(line: int, record: dict, today: date | None) -> RestockRow:
    if None in record:
        raise ValueError("more values than columns")
    values = {(k or "").strip().lower(): (v or "").strip() for k, v in record.items()}
    problems = []
    sku, variant_id = values.get("sku", ""), values.get("variant_id", "")
    if not sku and not variant_id:
        problems.append("sku or variant_id is required")
    quantity = _quantity(values.get("quantity", ""), problems)
    expected = _expected(values.get("expected_date", ""), today, problems)
    if problems:
        raise ValueError("; ".join(problems))
    return RestockRow(line, sku, variant_id, quantity, expected,
                      values.get("location", ""), values.get("reference", ""))


def _quantity(raw: str, problems: list[str]) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_QUANTITY:
        problems.append(f"quantity must be a whole number from 1 to {MAX_QUANTITY}, got {raw!r}")
        return 0
    return int(raw)


def _expected(raw: str, today: date | None, problems: list[str]) -> date:
    try:
        if len(raw) != 10:
            raise ValueError
        expected = date.fromisoformat(raw)
    except ValueError:
        problems.append(f"expected_date must be a date as YYYY-MM-DD, got {raw!r}")
        return date.min
    if today is not None and expected < today:
        problems.append(f"expected_date {raw} is in the past")
    if today is not None and beyond_horizon(expected, today):
        problems.append(f"expected_date {raw} is more than {HORIZON.days} days ahead")
    return expected
