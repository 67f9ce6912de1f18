"""ETAs: when a backordered unit will ship.

The waiting units of a pool form one queue. The unit at shortfall position k (k units owed ahead
of it and including it) ships when cumulative expected supply first reaches k, plus the shop's
processing days in business days: the forecast Odoo and HotWax compute from purchase orders.
Beyond every known restock the variant's lead time plus a safety margin stands in, flagged low
confidence. A restock already past its date is treated as slipped rather than trusted.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from app.domain.calendar import BusinessCalendar, shift
from app.domain.model import Eta, LeadTimeEstimate, Restock
from app.domain.policy import Policy


class EtaSchedule:
    """The ETA of every shortfall position of one pool, computed lazily and shared.

    Many lines land on the same restock, so each restock's ETA is built once; a lookup is a
    bisect over cumulative quantities.
    """

    __slots__ = ("_arrivals", "_cumulative", "_etas", "_fallback", "_ctx")

    def __init__(
        self,
        restocks: Sequence[Restock],
        policy: Policy,
        today: date,
        calendar: BusinessCalendar,
        lead_time: LeadTimeEstimate,
        short_since: date | None = None,
    ) -> None:
        self._ctx = (policy, today, calendar, lead_time, short_since)
        arrivals = sorted(
            (_arrival(r, policy, today, lead_time) for r in restocks),
            key=lambda a: (a[0], a[1].restock_id),
        )
        self._arrivals = arrivals
        total, cumulative = 0, []
        for _, restock, _ in arrivals:
            total += restock.quantity
            cumulative.append(total)
        self._cumulative = cumulative
        self._etas: list[Eta | None] = [None] * len(arrivals)
        self._fallback: Eta | None = None

    def eta_for(self, position: int) -> Eta:
        """ETA of the unit at shortfall position `position` (1-based)."""
        return self.segment(position)[1]

    def segment(self, position: int) -> tuple[float, Eta]:
        """(last position, ETA) of the run of positions sharing `position`'s ETA.

        Callers walking the queue keep the pair and ask again only once they pass its end, so
        a pool costs one lookup per restock rather than one per line.
        """
        cumulative = self._cumulative
        index = bisect_left(cumulative, position)
        if index == len(cumulative):
            if self._fallback is None:
                self._fallback = self._lead_time_eta()
            return math.inf, self._fallback
        eta = self._etas[index]
        if eta is None:
            eta = self._etas[index] = self._restock_eta(index)
        return cumulative[index], eta

    def _restock_eta(self, index: int) -> Eta:
        policy, today, calendar, _, _ = self._ctx
        arrival, restock, slipped = self._arrivals[index]
        ship = _shipper(calendar, policy.processing_days)
        return make_eta(
            ship(arrival),
            ship(today if slipped else restock.expected_on),
            ship(shift(arrival, policy.slip_allowance_days)),
            "restock",
            "medium" if slipped else "high",
            restock.restock_id,
            slipped,
        )

    def _lead_time_eta(self) -> Eta:
        """Lead time plus safety margin, never earlier than the last known restock.

        With no restock known, the merchant is assumed to have reordered when the pool went
        short; units beyond every known restock need a new order, placed today at the earliest.
        """
        policy, today, calendar, lead_time, short_since = self._ctx
        anchor = short_since if (short_since and not self._arrivals) else today
        arrival = shift(anchor, lead_time.days)
        if arrival <= today:
            arrival = shift(today, policy.slip_allowance_days)
        spread = lead_time.spread_days
        margin = max(policy.safety_margin_days, spread)
        ship = _shipper(calendar, policy.processing_days)
        ships_on = ship(shift(arrival, margin))
        earliest = ship(max(today, shift(arrival, -spread)))
        latest = ship(shift(arrival, policy.safety_margin_days + spread))
        if self._arrivals:
            ships_on = max(ships_on, self.eta_for(self._cumulative[-1]).ships_on)
            latest = max(latest, ships_on)
        return make_eta(ships_on, earliest, latest, "lead_time", "low", None, False)


@lru_cache(maxsize=1 << 16)
def make_eta(
    ships_on: date,
    earliest: date,
    latest: date,
    source: str,
    confidence: str,
    restock_id: str | None,
    slipped: bool,
) -> Eta:
    """One shared object per distinct ETA, so that plans can tell an unchanged ETA by identity."""
    return Eta(ships_on, earliest, latest, source, confidence, restock_id, slipped)


def _arrival(
    restock: Restock, policy: Policy, today: date, lead_time: LeadTimeEstimate
) -> tuple[date, Restock, bool]:
    """When a restock is expected to land: its date plus the supplier's usual lateness.

    Once the date has passed without it, what slips of that length took before (when the
    supplier has enough of them), else the policy's slip allowance from today.
    """
    expected = restock.expected_on
    if expected >= today:
        return shift(expected, lead_time.restock_delay_days), restock, False
    late_by = (today - expected).days
    slips = lead_time.slip_delays
    if late_by <= len(slips):
        arrival = max(shift(expected, slips[late_by - 1]), shift(today, 1))
    else:
        arrival = max(
            shift(expected, lead_time.restock_delay_days),
            shift(today, policy.slip_allowance_days),
        )
    return arrival, restock, True


def _shipper(calendar: BusinessCalendar, processing_days: int):
    return lambda arrival: calendar.add_business_days(arrival, processing_days)


@dataclass(frozen=True, slots=True)
class EtaChange:
    """One line's ETA moved. `kind` is "promised" (first ETA), "later", "earlier" or "cleared"
    (no longer waiting); `delta_days` is the move in calendar days when both ends exist."""

    line_id: str
    old: Eta | None
    new: Eta | None
    reason: str
    kind: str
    delta_days: int | None


def eta_changes(
    old: Mapping[str, Eta | None], new: Mapping[str, Eta | None], reason: str
) -> list[EtaChange]:
    """Lines whose promised ship date differs between two plans, by line id.

    Only `ships_on` counts: a range or confidence that moves while the date holds is not news
    for the customer. A line missing from a plan counts as having no ETA.
    """
    changes = []
    for line_id in sorted(set(old) | set(new)):
        before, after = old.get(line_id), new.get(line_id)
        if before is None and after is None:
            continue
        if before is not None and after is not None:
            delta = (after.ships_on - before.ships_on).days
            if delta:
                kind = "later" if delta > 0 else "earlier"
                changes.append(EtaChange(line_id, before, after, reason, kind, delta))
            continue
        kind = "promised" if before is None else "cleared"
        changes.append(EtaChange(line_id, before, after, reason, kind, None))
    return changes
