"""What the merchant asks of the queue: a search, filters, a sort and a page, read from the
query string of the admin's queue API and checked here, so that a bad parameter is refused with
its name before any query runs.

Pages are cursors, not offsets: a cursor holds the sort values of the row it starts after (or
before), so a page stays right while lines are filled and planned under the merchant's eyes, and
a deep page costs what the first one does. A cursor is opaque to the page (base64 of JSON); one
made for another sort is refused.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from app.domain.errors import BadParameter

STATUSES = ("waiting", "late", "ready", "all")
PRIORITY_CLASSES = ("raised", "normal", "lowered")
# Each sort: the keys it orders by, with their kinds (how a cursor's value is read back). The
# line id ends every sort, so the order is total and a cursor names one place.
SORT_KEYS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "queue": (("pool", "str"), ("ticket", "int")),
    "ordered_at": (("ordered_at", "datetime"),),
    "eta": (("eta", "date"),),
    "backordered": (("backordered", "int"),),
    "order": (("order_number", "int"),),
}
SORTS = tuple(name for key in SORT_KEYS for name in (key, f"-{key}"))
PARAMETERS = ("status", "q", "variant", "min_age_days", "priority", "sort", "limit", "cursor")
MAX_LIMIT = 200
MAX_SEARCH = 100
MAX_AGE_DAYS = 3650
MAX_CURSOR = 2000


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after (or before) the row whose sort values these are."""

    sort: str
    before: bool
    values: tuple

    def encode(self) -> str:
        raw = [self.sort, "before" if self.before else "after", [_plain(v) for v in self.values]]
        text = json.dumps(raw, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(text).decode().rstrip("=")


@dataclass(frozen=True)
class QueueQuery:
    status: str = "waiting"
    search: str = ""
    variant_id: str = ""
    min_age_days: int | None = None
    priority: str = ""
    sort: str = "queue"
    limit: int = 50
    cursor: Cursor | None = None

    @property
    def sort_key(self) -> str:
        return self.sort.lstrip("-")

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")

    def keys(self) -> tuple[str, ...]:
        """The sort's key names, the line id last."""
        return tuple(name for name, _ in SORT_KEYS[self.sort_key]) + ("line_id",)


def parse_queue_query(args: Mapping[str, str]) -> QueueQuery:
    """The query from the request's parameters; anything unknown, malformed or out of range is
    a BadParameter naming the parameter."""
    unknown = sorted(set(args) - set(PARAMETERS))
    if unknown:
        raise BadParameter(f"unknown parameter {unknown[0]!r}; the queue takes "
                           f"{', '.join(PARAMETERS)}", field=unknown[0])
    sort = _choice(args, "sort", SORTS, "queue")
    return QueueQuery(
        status=_choice(args, "status", STATUSES, "waiting"),
        search=_text(args, "q"),
        variant_id=_text(args, "variant"),
        min_age_days=whole_number(args, "min_age_days", 0, MAX_AGE_DAYS, None),
        priority=_choice(args, "priority", PRIORITY_CLASSES, ""),
        sort=sort,
        limit=whole_number(args, "limit", 1, MAX_LIMIT, 50),
        cursor=_cursor(args.get("cursor") or "", sort),
    )


def _choice(args: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = args.get(name) or default
    if value not in allowed and value != default:
        raise BadParameter(f"{name} must be one of {', '.join(allowed)}", field=name)
    return value


def _text(args: Mapping[str, str], name: str) -> str:
    value = (args.get(name) or "").strip()
    if len(value) > MAX_SEARCH:
        raise BadParameter(f"{name} may be at most {MAX_SEARCH} characters", field=name)
    if any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise BadParameter(f"{name} holds a character that cannot be searched", field=name)
    return value


def whole_number(args: Mapping[str, str], name: str, low: int, high: int, default):
    """A query parameter that must be a whole number in [low, high]; `default` when absent."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12 or not low <= int(raw) <= high:
        raise BadParameter(f"{name} must be a whole number from {low} to {high}", field=name)
    return int(raw)


def _cursor(raw: str, sort: str) -> Cursor | None:
    """A cursor made by `Cursor.encode` for this sort, its values read back to their kinds."""
    if not raw:
        return None
    bad = BadParameter("cursor is not one this queue gave out; start again from the first page",
                       field="cursor")
    if len(raw) > MAX_CURSOR:
        raise bad
    try:
        name, direction, values = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (ValueError, TypeError, binascii.Error, RecursionError):
        raise bad from None
    if name != sort:
        raise BadParameter("cursor was made for another sort; start again from the first page",
                           field="cursor")
    kinds = [kind for _, kind in SORT_KEYS[sort.lstrip("-")]] + ["str"]
    if direction not in ("after", "before") or not isinstance(values, list) \
            or len(values) != len(kinds):
        raise bad
    try:
        read = tuple(_read(value, kind) for value, kind in zip(values, kinds, strict=True))
    except (ValueError, TypeError):
        raise bad from None
    return Cursor(sort, direction == "before", read)


def _read(value, kind: str):
    """One cursor value back to its kind; None stands for a key the row does not have."""
    if value is None and kind in ("date", "datetime", "int"):
        return None
    if kind == "int" and type(value) is int and abs(value) < 2**62:
        return value
    if kind == "str" and isinstance(value, str) and len(value) <= 255:
        return value
    if kind == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    if kind == "datetime" and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("a cursor's time carries its zone")
        return moment
    raise ValueError(f"not a {kind}")


def _plain(value):
    return value.isoformat() if isinstance(value, date | datetime) else value
