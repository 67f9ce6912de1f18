"""The data the planner works on: open lines, expected restocks, and the plan it returns.

All of it is immutable so that a plan can be shared, cached and compared safely; the planner never
mutates its inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import NamedTuple

from app.domain.errors import InvalidInput

RESTOCK_SOURCES = frozenset({"merchant", "csv", "purchase_order", "platform_incoming"})
ETA_SOURCES = frozenset({"restock", "lead_time"})
CONFIDENCES = ("high", "medium", "low")


@dataclass(frozen=True, slots=True)
class Line:
    """An open order line waiting on one pool.

    `ready_units` are covered units the store has been told about; they are served first so that
    a line told "ready" is never bumped by a line that sorts ahead of it later. `order_number`
    breaks ties between orders of one second (platform times have whole seconds).
    """

    line_id: str
    order_id: str
    pool: str
    quantity: int
    ordered_at: datetime
    customer_tags: frozenset[str] = frozenset()
    manual_priority: int = 0
    ready_units: int = 0
    variant_id: str = ""
    vendor: str = ""
    product_type: str = ""
    order_number: int = 0
    # Seconds since the epoch (naive times read as UTC): the queue sorts on a float, far faster
    # than comparing datetimes, and a naive and an aware time can still be ordered.
    queue_time: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.ordered_at, datetime):
            raise InvalidInput("ordered_at must be a datetime", field="ordered_at")
        moment = self.ordered_at
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        object.__setattr__(self, "queue_time", moment.timestamp())
        if not self.line_id:
            raise InvalidInput("a line needs an id", field="line_id")
        if not isinstance(self.quantity, int) or self.quantity < 1:
            raise InvalidInput("quantity must be a positive integer", field="quantity")
        if not isinstance(self.ready_units, int) or not 0 <= self.ready_units <= self.quantity:
            raise InvalidInput("ready units must be between 0 and the quantity", field="ready_units")
        if not isinstance(self.manual_priority, int):
            raise InvalidInput("manual priority must be an integer", field="manual_priority")


@dataclass(frozen=True, slots=True)
class Restock:
    """Supply expected in a pool on a date, from a merchant entry, a CSV, a PO or the platform."""

    restock_id: str
    pool: str
    quantity: int
    expected_on: date
    source: str = "merchant"
    reference: str = ""

    def __post_init__(self) -> None:
        if not self.restock_id:
            raise InvalidInput("a restock needs an id", field="restock_id")
        if not isinstance(self.quantity, int) or self.quantity < 1:
            raise InvalidInput("quantity must be a positive integer", field="quantity")
        if self.source not in RESTOCK_SOURCES:
            raise InvalidInput(f"unknown restock source {self.source!r}", field="source")
        if not isinstance(self.expected_on, date) or isinstance(self.expected_on, datetime):
            raise InvalidInput("expected_on must be a date", field="expected_on")


class Eta(NamedTuple):
    """When a backordered line is expected to ship, and how sure we are.

    `ships_on` is the date promised; `earliest`..`latest` is the range shown beside it.
    `slipped` marks an ETA that rests on a restock already past its expected date.
    A named tuple of dates and text holds no references the garbage collector must follow, so
    the million line plans that point at a few shared ETAs cost it nothing to track.
    """

    ships_on: date
    earliest: date
    latest: date
    source: str
    confidence: str
    restock_id: str | None = None
    slipped: bool = False


class LinePlan(NamedTuple):
    """The plan for one line: covered units ship now, backordered units wait for `eta`.

    `queue_position` is the 1-based rank among the pool's waiting lines (None when fully covered).
    A named tuple rather than a dataclass: it is just as immutable, and a plan builds one per open
    line, where a frozen dataclass costs three times as much to construct.
    """

    line_id: str
    order_id: str
    pool: str
    quantity: int
    covered: int
    backordered: int
    queue_position: int | None
    eta: Eta | None


@dataclass(frozen=True, slots=True)
class LeadTimeEstimate:
    """Expected days from shortage to arrival, with a spread for the ETA range.

    `source` is "merchant" or "learned"; `scope` says what it was keyed by ("variant",
    "product_type", "vendor" or "shop"). `restock_delay_days` is how many days after their expected
    date this supplier's restocks arrive, nine times in ten. `slip_delays[n - 1]` is the same for
    a restock already n days late (learned from restocks that were at least that late), so a slipped
    restock is promised from what such slips took, not from a fixed allowance.
    """

    days: int
    spread_days: int
    source: str
    scope: str
    observations: int = 0
    restock_delay_days: int = 0
    slip_delays: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class PoolPlan:
    """The plan for one pool; `lines` are in queue order. `lead_time` is the estimate the ETAs
    beyond known restocks rest on (None for a pool without lines)."""

    pool: str
    supply: int
    lines: tuple[LinePlan, ...]
    units_owed: int
    units_covered: int = 0
    lead_time: LeadTimeEstimate | None = None
