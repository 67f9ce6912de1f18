"""What the platform should show for an order, derived from its view: a mark to filter on, the
values of the app's fields the merchant and the customer read, and which units to hold.

Pure and platform-neutral: each platform adapter decides where a field goes (a Shopify
metafield and its type, Saleor metadata). The sync compares this with what the platform shows
and sends only the difference."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from app.domain.alternatives import as_entry
from app.domain.notices import NoticeFacts
from app.domain.order_view import OrderView

TAG = "backordered"
# status: ready | partially_ready | waiting; eta: ISO date; lines: JSON per line; alternatives:
# JSON list of variant ids; alternative_reasons: JSON, one entry per line and suggestion.
FIELDS = ("status", "eta", "lines", "alternatives", "alternative_reasons")


@dataclass(frozen=True)
class DesiredState:
    """One order as the platform should show it. Stored as `as_dict()`."""

    tags: tuple[str, ...] = ()
    fields: Mapping[str, str] = field(default_factory=dict)
    holds: Mapping[str, int] = field(default_factory=dict)  # line -> units to hold
    hold_note: str = ""
    # What the customer's notices are computed from (`NoticeFacts.as_dict()`); empty: none.
    notify: Mapping = field(default_factory=dict)

    def as_dict(self) -> dict:
        shown = {"tags": list(self.tags), "fields": dict(self.fields), "holds": dict(self.holds),
                 "hold_note": self.hold_note}
        return {**shown, "notify": dict(self.notify)} if self.notify else shown

    @classmethod
    def from_dict(cls, data: Mapping | None) -> DesiredState:
        data = data or {}
        return cls(tuple(data.get("tags") or ()), dict(data.get("fields") or {}),
                   {k: int(v) for k, v in (data.get("holds") or {}).items()},
                   str(data.get("hold_note") or ""), dict(data.get("notify") or {}))

    def held(self) -> dict[str, int]:
        """The lines with units to hold."""
        return {line: units for line, units in self.holds.items() if units}


def desired_state(view: OrderView, titles: Mapping[str, str],
                  alternatives: Mapping[str, Sequence[str | Mapping]], today: date,
                  notify: NoticeFacts | None = None, hold: bool = True,
                  together: bool = False) -> DesiredState:
    """`holds` maps each backordered line to the units to hold; `eta` is the day the order ships
    (today once everything is ready, so the date shown is never a stale promise).

    `alternatives` gives each line's suggestions, as variant ids or as stored entries with their
    reasons. The list of variants is kept apart from the reasons (a platform may store it as a
    list of references, which cannot carry a reason). `notify`: the facts the customer's
    notices are computed from (see `app.domain.notices`). `hold` False: the merchant released
    the order's holds (to ship it anyway), so nothing is held though units are still owed.
    `together`: the customer chose to have the order ship together, so while units are owed the
    units ready are held with them (by default only the owed units are held and the ready ones
    may ship now)."""
    owed = {plan.line_id: plan.backordered for plan in view.lines if plan.backordered}
    held = {plan.line_id: plan.covered + plan.backordered for plan in view.lines
            if plan.covered + plan.backordered} if together and owed else owed
    eta = view.eta.ships_on if view.eta else today
    offered = [{"line_id": line_id, **as_entry(item)}
               for line_id in sorted(owed) for item in alternatives.get(line_id, ())]
    values = {
        "status": view.status,
        "eta": eta.isoformat(),
        "lines": json.dumps([_line(plan, titles, view) for plan in view.lines], sort_keys=True),
        "alternatives": json.dumps(sorted({entry["variant_id"] for entry in offered})),
        "alternative_reasons": json.dumps(offered, sort_keys=True),
    }
    return DesiredState(
        tags=(TAG,) if owed else (),
        fields=values,
        holds=held if hold else {},
        hold_note=(f"Backordered{', shipping together' if held != owed else ''}, expected to "
                   f"ship {eta.isoformat()}") if owed and hold else "",
        notify=notify.as_dict() if notify else {},
    )


def _line(plan, titles: Mapping[str, str], view: OrderView) -> dict:
    """The queue position is left out on purpose: it moves for every waiting line each time one
    is filled, and rewriting every waiting order for that would cost more than it tells."""
    eta = view.line_etas.get(plan.line_id) if plan.backordered else None
    detail = {
        "line_id": plan.line_id,
        "title": titles.get(plan.line_id, ""),
        "quantity": plan.quantity,
        "ready": plan.covered,
        "backordered": plan.backordered,
    }
    if eta is not None:
        detail.update(eta=eta.ships_on.isoformat(), earliest=eta.earliest.isoformat(),
                      latest=eta.latest.isoformat(), source=eta.source,
                      confidence=eta.confidence, slipped=eta.slipped)
    return detail
