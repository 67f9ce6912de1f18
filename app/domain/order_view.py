"""The order as the merchant and the customer see it: ready, partially ready or waiting, and
when it ships.

Shipping complete, an order leaves when its last line is ready, so every line's effective date
is the latest one. Shipping as available, each line leaves on its own date.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from app.domain.errors import InvalidInput
from app.domain.model import Eta, LinePlan
from app.domain.policy import Policy

READY, PARTIALLY_READY, WAITING = "ready", "partially_ready", "waiting"


@dataclass(frozen=True, slots=True)
class OrderView:
    """`eta` is when the order is complete (ship complete) or when its next shipment leaves
    (ship as available); None when everything is ready. `line_etas` is each line's effective
    date by line id, None for a line that ships now."""

    order_id: str
    status: str
    eta: Eta | None
    lines: tuple[LinePlan, ...]
    line_etas: Mapping[str, Eta | None]
    ship_complete: bool


def order_status(line_plans: Sequence[LinePlan]) -> str:
    """Ready when nothing is owed, waiting when no unit is covered, partially ready between."""
    owed = sum(plan.backordered for plan in line_plans)
    if not owed:
        return READY
    return PARTIALLY_READY if any(plan.covered for plan in line_plans) else WAITING


def order_view(order_id: str, line_plans: Sequence[LinePlan], policy: Policy) -> OrderView:
    if not line_plans:
        raise InvalidInput("an order view needs at least one line", field="line_plans")
    strangers = [plan.line_id for plan in line_plans if plan.order_id != order_id]
    if strangers:
        raise InvalidInput(f"line {strangers[0]} belongs to another order", field="line_plans")
    lines = tuple(sorted(line_plans, key=lambda plan: plan.line_id))
    pending = [plan.eta for plan in lines if plan.backordered and plan.eta is not None]
    if policy.ship_complete:
        eta = max(pending, key=_ships_on, default=None)
        line_etas = {plan.line_id: eta for plan in lines}
    else:
        eta = min(pending, key=_ships_on, default=None)
        line_etas = {plan.line_id: plan.eta if plan.backordered else None for plan in lines}
    return OrderView(
        order_id, order_status(lines), eta, lines, MappingProxyType(line_etas), policy.ship_complete
    )


def _ships_on(eta: Eta):
    return (eta.ships_on, eta.latest)
