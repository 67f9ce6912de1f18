"""A customer's own backorders, as their page in the shop shows them: what each short line still
owes, when it should ship and how that date moved, and what is in stock instead, with why.

Read-only, and only ever for the customer the platform vouched for (a signed storefront request,
or a link the app signed for that customer)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from app.domain.alternatives import as_entry
from app.storage import customer_orders
from app.storage.db import Database


@dataclass(frozen=True)
class DateChange:
    old: date | None
    new: date | None
    reason: str
    changed_at: datetime


@dataclass(frozen=True)
class Offer:
    variant_id: str
    title: str
    reason: str
    weak: bool  # another kind of product: offered, and said so


@dataclass(frozen=True)
class ShortLine:
    order_id: str
    order_name: str
    line_id: str
    title: str
    quantity: int
    ready: int
    owed: int
    ships_on: date | None
    earliest: date | None
    latest: date | None
    slipped: bool
    history: tuple[DateChange, ...]
    offers: tuple[Offer, ...]


class CustomerBackorders:
    def __init__(self, db: Database):
        self._db = db

    def lines(self, shop: str, customer_id: str) -> list[ShortLine]:
        with self._db.read() as s:
            rows = customer_orders.short_lines(s, shop, customer_id)
            history = defaultdict(list)
            for change in customer_orders.eta_history(s, shop, [r.line_id for r in rows]):
                history[change.line_id].append(DateChange(
                    change.old_eta, change.new_eta, _said(change.reason), change.changed_at))
            offered = {r.line_id: [as_entry(e) for e in r.alternatives or []] for r in rows
                       if r.backordered}
            titles = customer_orders.variant_titles(
                s, shop, {e["variant_id"] for entries in offered.values() for e in entries})
        return [ShortLine(
            r.order_id, r.name, r.line_id, r.title, r.open_quantity, r.covered, r.backordered,
            r.eta if r.backordered else None, r.eta_earliest if r.backordered else None,
            r.eta_latest if r.backordered else None, bool(r.eta_slipped and r.backordered),
            tuple(history[r.line_id]),
            tuple(Offer(e["variant_id"], titles.get(e["variant_id"], ""), e["reason"], e["weak"])
                  for e in offered.get(r.line_id, ()) if e["variant_id"] in titles))
            for r in rows]


def _said(reason: str) -> str:
    """An ETA change's reason as stored (`kind: why`), in the words a customer reads: the why."""
    return reason.split(": ", 1)[-1]
