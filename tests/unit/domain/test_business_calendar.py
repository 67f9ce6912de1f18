"""The services-side calendar with real public holidays (the `holidays` package)."""

from datetime import date

import pytest

from app.domain.allocation import plan_pool
from app.domain.errors import InvalidInput
from app.domain.policy import Policy
from app.services.business_calendar import business_calendar_for
from tests.unit.domain.factories import POOL, line, restock

THANKSGIVING = date(2026, 11, 26)


def test_us_thanksgiving_is_not_a_business_day():
    calendar = business_calendar_for(Policy.from_dict({"country": "US"}), date(2026, 11, 1))
    assert not calendar.is_business_day(THANKSGIVING)
    assert calendar.add_business_days(date(2026, 11, 25), 1) == date(2026, 11, 27)


def test_eta_skips_the_holiday():
    policy = Policy.from_dict({"country": "US"})
    today = date(2026, 11, 20)
    calendar = business_calendar_for(policy, today)
    plan = plan_pool(POOL, 0, [line(1)], [restock(1, 1, date(2026, 11, 25))], policy, today,
                     calendar=calendar)
    assert plan.lines[0].eta.ships_on == date(2026, 11, 27)


def test_closed_dates_and_no_country():
    policy = Policy.from_dict({"closed_dates": ["2026-11-26"]})
    calendar = business_calendar_for(policy, date(2026, 11, 1))
    assert not calendar.is_business_day(THANKSGIVING)
    assert business_calendar_for(Policy(), date(2026, 11, 1)).is_business_day(THANKSGIVING)


def test_holidays_differ_by_country():
    uk = business_calendar_for(Policy.from_dict({"country": "GB"}), date(2026, 11, 1))
    assert uk.is_business_day(THANKSGIVING)
    assert not uk.is_business_day(date(2026, 12, 25))


def test_unknown_country_is_refused():
    with pytest.raises(InvalidInput) as err:
        business_calendar_for(Policy.from_dict({"country": "ZZ"}), date(2026, 11, 1))
    assert err.value.field == "country"
