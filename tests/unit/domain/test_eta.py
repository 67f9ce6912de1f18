from datetime import date, timedelta

from app.domain.allocation import plan_pool
from app.domain.calendar import BusinessCalendar
from app.domain.eta import eta_changes
from app.domain.model import LeadTimeEstimate
from app.domain.policy import Policy
from tests.unit.domain.factories import POOL, TODAY, line, restock

FRI = date(2026, 3, 6)
MON = date(2026, 3, 9)
TUE = date(2026, 3, 10)


def etas(plan):
    return {lp.line_id: lp.eta for lp in plan.lines}


def test_eta_from_the_restock_that_reaches_the_shortfall_position():
    lines = [line(n) for n in range(1, 6)]
    restocks = [restock(1, 2, FRI), restock(2, 2, date(2026, 3, 16))]
    plan = plan_pool(POOL, 1, lines, restocks, Policy(), TODAY)
    got = etas(plan)
    assert got["l001"] is None
    assert got["l002"].ships_on == MON and got["l002"].restock_id == "r1"  # shortfall 1
    assert got["l003"].ships_on == MON  # shortfall 2
    assert got["l004"].restock_id == "r2" and got["l004"].ships_on == date(2026, 3, 17)
    assert got["l005"].restock_id == "r2"
    assert got["l002"].source == "restock" and got["l002"].confidence == "high"
    assert got["l002"].earliest <= got["l002"].ships_on <= got["l002"].latest


def test_a_line_spanning_two_restocks_waits_for_its_last_unit():
    plan = plan_pool(POOL, 0, [line(1, 3)], [restock(1, 2, FRI), restock(2, 5, TUE)],
                     Policy(), TODAY)
    assert etas(plan)["l001"].restock_id == "r2"


def test_holidays_and_processing_days_are_business_days():
    calendar = BusinessCalendar(holidays=frozenset({MON}))
    policy = Policy.from_dict({"processing_days": 2})
    plan = plan_pool(POOL, 0, [line(1)], [restock(1, 1, FRI)], policy, TODAY, calendar=calendar)
    assert etas(plan)["l001"].ships_on == date(2026, 3, 11)  # Tue, Wed (Mon is a holiday)


def test_closed_dates_of_the_policy_count_as_holidays():
    policy = Policy.from_dict({"closed_dates": ["2026-03-09"]})
    plan = plan_pool(POOL, 0, [line(1)], [restock(1, 1, FRI)], policy, TODAY)
    assert etas(plan)["l001"].ships_on == TUE


def test_zero_processing_days_ships_on_arrival_if_open():
    policy = Policy.from_dict({"processing_days": 0})
    plan = plan_pool(POOL, 0, [line(1), line(2)], [restock(1, 1, FRI), restock(2, 1, date(2026, 3, 7))],
                     policy, TODAY)
    assert etas(plan)["l001"].ships_on == FRI
    assert etas(plan)["l002"].ships_on == MON  # arrives Saturday


def test_lead_time_when_no_restock_covers_the_unit():
    policy = Policy()  # 14 days lead, 3 days safety, 1 processing day
    plan = plan_pool(POOL, 0, [line(1)], [], policy, TODAY)
    eta = etas(plan)["l001"]
    arrival = TODAY + timedelta(days=14)  # Wed 18 March
    assert eta.source == "lead_time" and eta.confidence == "low" and eta.restock_id is None
    assert eta.ships_on == date(2026, 3, 23)  # arrival + 3 days = Sat -> Mon
    assert eta.earliest == date(2026, 3, 16)  # arrival - spread 3 = Sun -> Mon
    assert eta.latest == date(2026, 3, 25)  # arrival + 6 days = Tue, + 1 -> Wed
    assert eta.earliest <= eta.ships_on <= eta.latest
    assert plan.lead_time.source == "merchant" and arrival.weekday() == 2


def test_lead_time_uses_the_merchant_value_of_the_variant():
    policy = Policy.from_dict({"lead_times": {"vendor": {"Acme": 5}}})
    plan = plan_pool(POOL, 0, [line(1, vendor="Acme")], [], policy, TODAY)
    assert plan.lead_time.days == 5 and plan.lead_time.scope == "vendor"
    assert etas(plan)["l001"].ships_on == date(2026, 3, 13)  # 4+5+3 = 12th, +1 = Fri


def test_units_beyond_every_restock_never_come_before_the_last_restock():
    policy = Policy()
    restocks = [restock(1, 1, date(2026, 5, 1))]
    plan = plan_pool(POOL, 0, [line(1), line(2)], restocks, policy, TODAY)
    got = etas(plan)
    assert got["l001"].restock_id == "r1"
    assert got["l002"].source == "lead_time"
    assert got["l002"].ships_on == got["l001"].ships_on


def test_short_since_anchors_the_lead_time_when_no_restock_is_known():
    estimate = LeadTimeEstimate(10, 2, "learned", "vendor", 8)
    since = TODAY - timedelta(days=6)
    plan = plan_pool(POOL, 0, [line(1)], [], Policy(), TODAY, lead_time=estimate, short_since=since)
    # arrival 26 Feb + 10 = 8 March (Sun), + 3 margin = Wed 11, + 1 = Thu 12
    assert etas(plan)["l001"].ships_on == date(2026, 3, 12)
    # an overdue shortage is promised from today plus the slip allowance
    overdue = plan_pool(POOL, 0, [line(1)], [], Policy(), TODAY, lead_time=estimate,
                        short_since=TODAY - timedelta(days=30))
    assert etas(overdue)["l001"].ships_on == date(2026, 3, 11)  # 4+3 = 7 Sat, +3 = 10, +1


def test_a_restock_past_its_date_is_slipped():
    policy = Policy.from_dict({"slip_allowance_days": 4})
    late = restock(1, 5, TODAY - timedelta(days=2))
    plan = plan_pool(POOL, 0, [line(1)], [late], policy, TODAY)
    eta = etas(plan)["l001"]
    assert eta.slipped and eta.confidence == "medium" and eta.restock_id == "r1"
    assert eta.ships_on == date(2026, 3, 9)  # today + 4 = Sunday 8th, +1 business day
    assert eta.earliest == date(2026, 3, 5)
    assert not etas(plan_pool(POOL, 0, [line(1)], [restock(1, 5, TODAY)], policy, TODAY))[
        "l001"
    ].slipped


def test_slipped_restock_is_queued_behind_ones_now_due_sooner():
    late = restock(1, 1, TODAY - timedelta(days=1))
    soon = restock(2, 1, TODAY + timedelta(days=1))
    plan = plan_pool(POOL, 0, [line(1), line(2)], [late, soon], Policy(), TODAY)
    assert [lp.eta.restock_id for lp in plan.lines] == ["r2", "r1"]


def test_supplier_lateness_buffers_restock_dates():
    estimate = LeadTimeEstimate(14, 3, "learned", "vendor", 12, restock_delay_days=3)
    plan = plan_pool(POOL, 0, [line(1)], [restock(1, 1, FRI)], Policy(), TODAY, lead_time=estimate)
    eta = etas(plan)["l001"]
    assert eta.earliest == MON  # if it comes on the date entered
    assert eta.ships_on == date(2026, 3, 10)  # Fri + 3 = Mon, + 1 = Tue


def test_identical_etas_are_shared_objects():
    lines = [line(n) for n in range(1, 4)]
    plan = plan_pool(POOL, 0, lines, [restock(1, 3, FRI)], Policy(), TODAY)
    first, second, third = (lp.eta for lp in plan.lines)
    assert first is second is third


def test_eta_changes_between_plans():
    lines = [line(n) for n in range(1, 5)]
    before = plan_pool(POOL, 1, lines[:3], [restock(1, 1, FRI)], Policy(), TODAY)
    after = plan_pool(POOL, 2, lines, [restock(1, 1, FRI), restock(2, 5, TUE)], Policy(), TODAY)
    changes = eta_changes(etas(before), etas(after), "restock_entered")
    summary = [(c.line_id, c.kind, c.delta_days) for c in changes]
    assert summary == [
        ("l002", "cleared", None),
        ("l003", "earlier", -14),
        ("l004", "promised", None),
    ]
    assert all(c.reason == "restock_entered" for c in changes)
    assert eta_changes(etas(after), etas(after), "noop") == []
    later = eta_changes(etas(after), etas(before), "restock_cancelled")
    assert [(c.line_id, c.kind) for c in later] == [
        ("l002", "promised"), ("l003", "later"), ("l004", "cleared")
    ]


def test_a_slipped_restock_is_promised_from_what_such_slips_took():
    estimate = LeadTimeEstimate(14, 3, "learned", "vendor", 20, 1, slip_delays=(6, 8, 9))
    two_days_late = restock(1, 1, TODAY - timedelta(days=2))
    plan = plan_pool(POOL, 0, [line(1)], [two_days_late], Policy(), TODAY, lead_time=estimate)
    eta = etas(plan)["l001"]
    # expected 2 March + 8 days = Tue 10 March, + 1 processing day
    assert eta.slipped and eta.ships_on == date(2026, 3, 11)
    ten_days_late = restock(1, 1, TODAY - timedelta(days=10))  # beyond what was learned
    plan = plan_pool(POOL, 0, [line(1)], [ten_days_late], Policy(), TODAY, lead_time=estimate)
    assert etas(plan)["l001"].ships_on == date(2026, 3, 9)  # today + 3 allowance, + 1
