from datetime import date, timedelta

import pytest

from app.domain.calendar import BusinessCalendar
from app.domain.errors import InvalidInput

FRI, SAT, SUN, MON, TUE = (date(2026, 3, d) for d in (6, 7, 8, 9, 10))


def test_weekend_is_skipped():
    cal = BusinessCalendar()
    assert cal.add_business_days(FRI, 1) == MON
    assert cal.add_business_days(SAT, 1) == MON
    assert cal.add_business_days(SUN, 2) == TUE
    assert cal.add_business_days(FRI, 0) == FRI
    assert cal.add_business_days(SAT, 0) == MON


def test_holidays_are_skipped():
    cal = BusinessCalendar(holidays=frozenset({MON}))
    assert cal.add_business_days(FRI, 1) == TUE
    assert not cal.is_business_day(MON)
    assert cal.is_business_day(TUE)


def test_custom_weekend():
    friday_saturday = BusinessCalendar(weekend_days=frozenset({4, 5}))
    assert friday_saturday.add_business_days(date(2026, 3, 5), 1) == SUN  # Thursday -> Sunday


def test_business_days_between_counts_open_days():
    cal = BusinessCalendar()
    assert cal.business_days_between(FRI, TUE) == 2
    assert cal.business_days_between(TUE, FRI) == -2


def test_memoised_answers_match_a_fresh_calendar():
    holidays = frozenset({date(2026, 4, 3), date(2026, 4, 6)})
    cal = BusinessCalendar(holidays=holidays)
    for offset in range(40):
        start = date(2026, 3, 20) + timedelta(days=offset)
        for days in range(6):
            expected = BusinessCalendar(holidays=holidays).add_business_days(start, days)
            assert cal.add_business_days(start, days) == expected
            assert cal.add_business_days(start, days) == expected
            assert cal.is_business_day(expected)


@pytest.mark.parametrize("weekend", [frozenset({7}), frozenset(range(7))])
def test_bad_weekends_are_refused(weekend):
    with pytest.raises(InvalidInput) as err:
        BusinessCalendar(weekend_days=weekend)
    assert err.value.field == "weekend_days"
