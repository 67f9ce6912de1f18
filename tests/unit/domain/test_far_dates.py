"""A restock dated at the end of the calendar (merchants write 9999-12-31 for "unknown") never
breaks planning: dates are held at `date.max` instead of overflowing. New restocks that far
ahead are refused (see the restock parsers)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.domain.allocation import plan_pool
from app.domain.calendar import BusinessCalendar, shift
from app.domain.errors import InvalidInput
from app.domain.eta import EtaSchedule
from app.domain.model import LeadTimeEstimate
from app.domain.policy import Policy
from app.domain.restock_csv import HORIZON, parse_restock_csv
from tests.unit.domain.factories import POOL, TODAY, line, restock

LATE = LeadTimeEstimate(days=30, spread_days=5, source="learned", scope="vendor",
                        restock_delay_days=7)


@pytest.mark.parametrize("on", [date.max, date.max - timedelta(days=1), date(9999, 12, 24)])
def test_a_pool_with_a_restock_at_the_end_of_time_plans(on):
    lines = [line(n, 2) for n in range(1, 4)]
    plan = plan_pool(POOL, 0, lines, [restock(1, 1, on), restock(2, 1, on)],
                     Policy(processing_days=5, safety_margin_days=20), TODAY)
    etas = [lp.eta for lp in plan.lines]
    assert all(e is not None and e.ships_on <= date.max for e in etas)
    assert etas[-1].ships_on == date.max  # beyond every restock: never before the last one


def test_the_schedule_holds_dates_at_the_end_of_the_calendar():
    schedule = EtaSchedule([restock(1, 1, date.max)], Policy(processing_days=3), TODAY,
                           BusinessCalendar(), LATE)
    assert schedule.eta_for(1).ships_on == date.max and schedule.eta_for(1).latest == date.max
    assert schedule.eta_for(2).ships_on == date.max


def test_business_days_stop_at_the_last_day():
    calendar = BusinessCalendar()
    assert calendar.add_business_days(date.max - timedelta(days=2), 10) == date.max
    assert shift(date.max, 1) == date.max and shift(date.min, -1) == date.min
    assert shift(TODAY, 3) == TODAY + timedelta(days=3)


@pytest.mark.parametrize("expected", ["9999-12-31", (TODAY + HORIZON + timedelta(days=1)).isoformat()])
def test_a_csv_date_beyond_the_horizon_is_refused_naming_its_line(expected):
    with pytest.raises(InvalidInput) as error:
        parse_restock_csv(f"sku,quantity,expected_date\nA,1,{TODAY.isoformat()}\nB,1,{expected}\n",
                          TODAY)
    assert error.value.field == "file"
    assert [e["line"] for e in error.value.details["errors"]] == [3]
    assert "days ahead" in error.value.details["errors"][0]["message"]


def test_a_csv_date_on_the_horizon_is_accepted():
    rows = parse_restock_csv(f"sku,quantity,expected_date\nA,1,{(TODAY + HORIZON).isoformat()}\n",
                             TODAY)
    assert rows[0].expected_on == TODAY + HORIZON
