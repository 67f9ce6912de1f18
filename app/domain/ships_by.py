"""The "ships by" date shown before purchase: what a new order placed now would be promised.

A customer on the product page is about to join the pool's queue at its tail. One unit ordered
now is covered when the pool has a unit that no waiting line is owed (`None`: in stock);
otherwise it waits at shortfall position `owed + 1`, and gets exactly the ETA the planner would
give that position. Computing it from the same schedule keeps the page's promise and the order's
first ETA the same date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from app.domain.calendar import BusinessCalendar
from app.domain.eta import EtaSchedule
from app.domain.model import LeadTimeEstimate, Restock
from app.domain.policy import Policy


def new_order_ships_by(
    supply: int,
    covered: int,
    owed: int,
    restocks: Sequence[Restock],
    policy: Policy,
    today: date,
    lead_time: LeadTimeEstimate,
    calendar: BusinessCalendar | None = None,
    short_since: date | None = None,
) -> date | None:
    """The date one unit ordered now would ship, or None when it would be covered from stock.

    `supply`, `covered` and `owed` are the pool's plan totals: its supply, the units its lines
    hold, and the units they are owed. A supply below zero covers nothing, as in planning."""
    if max(0, supply) - covered > 0:
        return None
    schedule = EtaSchedule(restocks, policy, today, calendar or policy.business_calendar(),
                           lead_time, short_since)
    return schedule.eta_for(owed + 1).ships_on
