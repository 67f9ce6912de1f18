from datetime import date, timedelta

import pytest

from app.domain.errors import InvalidInput
from app.domain.lead_time import (
    RestockArrival,
    StockoutRestock,
    lead_time_for,
    learn_lead_times,
    summarise_history,
)
from app.domain.policy import Policy

D0 = date(2025, 6, 2)


def row(variant, vendor, lead, start=0, late=None):
    stockout = D0 + timedelta(days=start)
    restocked = stockout + timedelta(days=lead)
    expected = None if late is None else restocked - timedelta(days=late)
    return StockoutRestock(variant, vendor, stockout, restocked, expected)


def test_no_history_means_no_learned_estimate():
    assert learn_lead_times([], prior_days=14) == {}


def test_thin_history_leans_on_the_prior():
    learned = learn_lead_times([row("v1", "Acme", 30)], prior_days=14, prior_weight=3)
    estimate = learned["variant:v1"]
    assert estimate.days == 18  # (3*14 + 30) / 4
    assert estimate.source == "learned" and estimate.scope == "variant"
    assert estimate.observations == 1
    assert learned["vendor:Acme"].days == 18


def test_rich_history_outweighs_the_prior():
    history = [row("v1", "Acme", lead) for lead in [9, 10, 11, 10, 9, 11, 10, 10] * 5]
    estimate = learn_lead_times(history, prior_days=30, prior_weight=3)["variant:v1"]
    assert estimate.days == 11  # (90 + 400) / 43 = 11.4
    assert estimate.observations == 40


def test_spread_grows_with_noise():
    steady = [row("v1", "A", 10) for _ in range(20)]
    noisy = [row("v2", "B", lead) for lead in [4, 16, 6, 14, 8, 12, 10, 10] * 3]
    learned = learn_lead_times(steady + noisy, prior_days=10, prior_spread_days=2)
    assert learned["variant:v1"].spread_days <= 1
    assert learned["variant:v2"].spread_days >= 4


def test_prior_weight_zero_trusts_history_alone():
    learned = learn_lead_times([row("v1", "A", 30)], prior_days=14, prior_weight=0)
    assert learned["variant:v1"].days == 30


def test_supplier_lateness_is_learned_as_a_quantile():
    history = [row("v1", "Slow", 10, late=0) for _ in range(16)] + [
        row("v1", "Slow", 10, late=4) for _ in range(4)
    ]
    estimate = learn_lead_times(history, prior_days=10)["vendor:Slow"]
    assert estimate.restock_delay_days == 4  # 4 late of 23 (prior included) > 10%
    punctual = learn_lead_times([row("v2", "Fast", 10, late=0) for _ in range(20)], prior_days=10)
    assert punctual["vendor:Fast"].restock_delay_days == 0
    early = learn_lead_times([row("v3", "Early", 10, late=-3) for _ in range(5)], prior_days=10)
    assert early["vendor:Early"].restock_delay_days == 0


def test_lead_time_for_prefers_the_variant_then_its_vendor():
    policy = Policy.from_dict({"lead_times": {"vendor": {"Acme": 20}}})
    history = [row("v1", "Acme", 10) for _ in range(9)] + [row("v2", "Acme", 30) for _ in range(9)]
    stats = summarise_history(history)
    own = lead_time_for(policy, stats, "v1", vendor="Acme")
    assert (own.scope, own.days) == ("variant", 12)  # (3*20 + 90) / 12 = 12.5 -> 12
    sibling = lead_time_for(policy, stats, "v9", vendor="Acme")
    assert (sibling.scope, sibling.days) == ("vendor", 20)  # (60 + 90 + 270) / 21
    stranger = lead_time_for(policy, stats, "v7", vendor="Other")
    assert (stranger.source, stranger.scope, stranger.days) == ("merchant", "shop", 14)


def test_learning_can_be_switched_off():
    policy = Policy.from_dict({"learn_lead_times": False, "lead_times": {"variant": {"v1": 6}}})
    stats = summarise_history([row("v1", "Acme", 40)])
    estimate = lead_time_for(policy, stats, "v1", vendor="Acme")
    assert (estimate.source, estimate.scope, estimate.days) == ("merchant", "variant", 6)


def test_variant_estimate_takes_lateness_from_the_vendor_sample():
    history = [row("v1", "Acme", 10, late=0)] + [row("v2", "Acme", 10, late=6) for _ in range(9)]
    estimate = lead_time_for(Policy(), summarise_history(history), "v1", vendor="Acme")
    assert estimate.scope == "variant" and estimate.restock_delay_days == 6


def test_impossible_history_is_refused():
    bad = StockoutRestock("v1", "A", D0, D0 - timedelta(days=1))
    with pytest.raises(InvalidInput) as err:
        learn_lead_times([bad], prior_days=10)
    assert err.value.field == "history"
    with pytest.raises(InvalidInput):
        learn_lead_times([], prior_days=0)


def test_arrivals_without_a_stockout_teach_lateness():
    arrivals = [RestockArrival("v1", "Slow", D0, D0 + timedelta(days=5)) for _ in range(10)]
    learned = learn_lead_times([], prior_days=10, arrivals=arrivals)
    assert learned["vendor:Slow"].restock_delay_days == 5
    assert learned["vendor:Slow"].days == 10  # no shortage seen: the prior stands
    assert learned["vendor:Slow"].observations == 0


def test_slip_delays_condition_on_how_late_a_restock_already_is():
    lateness = [0] * 20 + [1, 1, 2, 6, 7, 8, 9]
    arrivals = [RestockArrival("v1", "A", D0, D0 + timedelta(days=d)) for d in lateness]
    slips = learn_lead_times([], prior_days=10, arrivals=arrivals)["vendor:A"].slip_delays
    # already 1 day late: 7 such restocks, 90% came within 9 days; 3+ days late: 4 left
    assert slips[0] == 9 and slips[2] == 9
    assert len(slips) == 7  # seven days late still has three restocks to learn from
