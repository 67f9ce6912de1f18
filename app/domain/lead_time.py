"""Lead times: how long a pool stays short before stock comes back.

The merchant's value is a prior; history (stockout date to restock date) sharpens it. While the
history is thin the prior counts as `prior_weight` pseudo-observations, so one odd restock does not
swing every promise. Restocks the merchant entered with an expected date also teach how late a
supplier tends to be against that date, which becomes a buffer on restock-based ETAs.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from app.domain.errors import InvalidInput
from app.domain.model import LeadTimeEstimate
from app.domain.policy import Policy

# One-sided 90% normal quantile: the spread covers nine restocks in ten.
Z_90 = 1.2816
DELAY_QUANTILE = 0.9


@dataclass(frozen=True, slots=True)
class StockoutRestock:
    """One past shortage: when the variant ran out, when stock came back, and when it was expected
    (the restock's expected date, if the merchant had entered one)."""

    variant_id: str
    vendor: str
    stockout_on: date
    restocked_on: date
    expected_on: date | None = None


@dataclass(frozen=True, slots=True)
class RestockArrival:
    """A restock that came in, against the date it had been expected: teaches how late the
    supplier runs even when the pool never went short."""

    variant_id: str
    vendor: str
    expected_on: date
    arrived_on: date


@dataclass(frozen=True, slots=True)
class HistoryStats:
    """The raw sample for one variant or vendor, kept apart from any prior."""

    lead_days: tuple[int, ...]
    delays: tuple[int, ...]


def summarise_history(
    history: Sequence[StockoutRestock], arrivals: Sequence[RestockArrival] = ()
) -> dict[str, HistoryStats]:
    """Samples keyed "variant:<id>" and "vendor:<name>". Lateness comes from the stockouts'
    expected dates and from `arrivals` (restocks that came in without a shortage)."""
    leads: dict[str, list[int]] = defaultdict(list)
    delays: dict[str, list[int]] = defaultdict(list)
    for row in history:
        lead = (row.restocked_on - row.stockout_on).days
        if lead < 0:
            raise InvalidInput("a restock cannot come before its stockout", field="history")
        for key in _keys(row.variant_id, row.vendor):
            leads[key].append(lead)
            if row.expected_on is not None:
                delays[key].append(max(0, (row.restocked_on - row.expected_on).days))
    for arrival in arrivals:
        for key in _keys(arrival.variant_id, arrival.vendor):
            delays[key].append(max(0, (arrival.arrived_on - arrival.expected_on).days))
    return {
        k: HistoryStats(tuple(leads.get(k, ())), tuple(delays.get(k, ())))
        for k in leads.keys() | delays.keys()
    }


def _keys(variant_id: str, vendor: str) -> list[str]:
    return [f"variant:{variant_id}"] + ([f"vendor:{vendor}"] if vendor else [])


def blend(
    stats: HistoryStats, prior_days: int, prior_weight: int, prior_spread_days: int, scope: str
) -> LeadTimeEstimate:
    """Weighted mean of the sample and the prior (worth `prior_weight` observations).

    The spread counts the prior's own uncertainty and how far the sample sits from it, so a
    history that contradicts the merchant widens the range instead of hiding the disagreement.
    """
    n, k = len(stats.lead_days), prior_weight
    if n + k == 0:  # only lateness observed and no prior weight: the prior is all there is
        k = 1
    mean = (k * prior_days + sum(stats.lead_days)) / (k + n)
    squares = sum((x - mean) ** 2 for x in stats.lead_days)
    squares += k * ((prior_spread_days / Z_90) ** 2 + (prior_days - mean) ** 2)
    sd = math.sqrt(squares / (k + n))
    return LeadTimeEstimate(
        days=max(1, round(mean)),
        spread_days=math.ceil(Z_90 * sd - 1e-9),
        source="learned",
        scope=scope,
        observations=n,
        restock_delay_days=_delay_quantile(stats.delays, k),
        slip_delays=_slip_delays(stats.delays),
    )


def _delay_quantile(delays: Sequence[int], prior_weight: int) -> int:
    """Nearest-rank quantile of lateness, the prior adding `prior_weight` on-time restocks."""
    if not delays:
        return 0
    sample = sorted([0] * prior_weight + list(delays))
    return sample[max(0, math.ceil(DELAY_QUANTILE * len(sample)) - 1)]


def _slip_delays(delays: Sequence[int], min_sample: int = 3) -> tuple[int, ...]:
    """Entry n - 1: the lateness quantile among restocks more than n - 1 days late, for as long
    as at least `min_sample` restocks were that late."""
    table = []
    for late_by in range(1, max(delays, default=0) + 1):
        later = sorted(d for d in delays if d >= late_by)
        if len(later) < min_sample:
            break
        table.append(later[max(0, math.ceil(DELAY_QUANTILE * len(later)) - 1)])
    return tuple(table)


def learn_lead_times(
    history: Sequence[StockoutRestock],
    prior_days: int,
    prior_weight: int = 3,
    prior_spread_days: int = 3,
    arrivals: Sequence[RestockArrival] = (),
) -> dict[str, LeadTimeEstimate]:
    """Estimates keyed "variant:<id>" and "vendor:<name>", each blended with one shop-wide prior."""
    if prior_days < 1:
        raise InvalidInput("the prior lead time must be a positive number of days", field="prior_days")
    return {
        key: blend(stats, prior_days, prior_weight, prior_spread_days, key.split(":", 1)[0])
        for key, stats in summarise_history(history, arrivals).items()
    }


def lead_time_for(
    policy: Policy,
    stats: Mapping[str, HistoryStats],
    variant_id: str,
    product_type: str = "",
    vendor: str = "",
) -> LeadTimeEstimate:
    """The estimate for one variant: the merchant's most specific value as the prior, sharpened
    by the variant's own history, else its vendor's, when the shop lets the app learn."""
    prior, scope = policy.merchant_lead_time(variant_id, product_type, vendor)
    merchant = LeadTimeEstimate(prior, policy.safety_margin_days, "merchant", scope)
    if not policy.learn_lead_times:
        return merchant
    own = stats.get(f"variant:{variant_id}")
    by_vendor = stats.get(f"vendor:{vendor}") if vendor else None
    sample = own or by_vendor
    if sample is None:
        return merchant
    estimate = blend(
        sample, prior, policy.prior_weight, policy.safety_margin_days,
        "variant" if own else "vendor",
    )
    if by_vendor is not None and by_vendor.delays and own is not None:
        # Lateness is a trait of the supplier: the vendor's larger sample says more about it.
        delay = _delay_quantile(by_vendor.delays, policy.prior_weight)
        estimate = _with_delay(estimate, delay, by_vendor)
    return estimate


def _with_delay(
    estimate: LeadTimeEstimate, delay: int, by_vendor: HistoryStats
) -> LeadTimeEstimate:
    return LeadTimeEstimate(
        estimate.days, estimate.spread_days, estimate.source, estimate.scope,
        estimate.observations, delay, _slip_delays(by_vendor.delays),
    )
