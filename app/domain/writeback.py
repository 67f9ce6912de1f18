"""What the platform should show for an order, derived from its view: a tag to filter on,
app-owned metafields the merchant and the customer read, and which units to hold.

Pure: the sync compares this with what the platform shows and sends only the difference."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date

from app.domain.alternatives import as_entry
from app.domain.order_view import OrderView

TAG = "backordered"
NAMESPACE = "$app:backorders"
METAFIELD_TYPES = {
    "status": "single_line_text_field",
    "eta": "date",
    "lines": "json",
    "alternatives": "list.variant_reference",
    "alternative_reasons": "json",
}


def desired_state(view: OrderView, titles: Mapping[str, str],
                  alternatives: Mapping[str, Sequence[str | Mapping]], today: date) -> dict:
    """`holds` maps each backordered line to the units to hold; `eta` is the day the order ships
    (today once everything is ready, so the date shown is never a stale promise).

    `alternatives` gives each line's suggestions, as variant ids or as stored entries with their
    reasons. A variant reference list cannot carry a reason, so the reasons go in a companion
    JSON metafield, one entry per line and suggestion."""
    owed = {plan.line_id: plan.backordered for plan in view.lines if plan.backordered}
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
    return {
        "tags": [TAG] if owed else [],
        "metafields": {key: [METAFIELD_TYPES[key], value] for key, value in values.items()},
        "holds": owed,
        "hold_note": f"Backordered, expected to ship {eta.isoformat()}" if owed else "",
    }


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
