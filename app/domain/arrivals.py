"""Arrivals: which expected restocks a rise in stock brings.

The platform reports only that `available` rose by some units; the merchant may also receive
stock they never entered (a purchase order not typed in, a return). Marking the earliest
restock arrived on every rise would take a restock still on its way off the books: the lines
it will serve lose their date, and the supplier looks punctual when it was not. So a rise is
matched to a restock of exactly that quantity first (a delivery is usually a whole order),
else to the restocks due about now, earliest first; what is left is stock nobody entered.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from app.domain.calendar import shift

# A supplier rarely delivers more than this many days before the date it gave: a rise earlier
# than that is not taken for a restock, unless its quantity says it is one.
EARLY_DAYS = 7


def match_arrival(
    restocks: Sequence[tuple[str, int, date]], units: int, today: date
) -> list[tuple[str, int]]:
    """(restock id, units arrived) for a rise of `units` on `today`, given the expected
    restocks as (id, quantity, expected date) soonest first. A restock given fewer units
    than it holds came in part."""
    if units <= 0:
        return []
    for restock_id, quantity, _ in restocks:
        if quantity == units:
            return [(restock_id, units)]
    arrived = []
    for restock_id, quantity, expected in restocks:
        if units <= 0 or shift(expected, -EARLY_DAYS) > today:
            break
        take = min(quantity, units)
        arrived.append((restock_id, take))
        units -= take
    return arrived
