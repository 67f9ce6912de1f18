"""The shop's business calendar: its policy's weekend and closed dates plus the public holidays
of its country, from the `holidays` package.

This is the one place outside the domain that knows about `holidays`; the domain only receives
the resulting set of dates.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays

from app.domain.calendar import BusinessCalendar
from app.domain.errors import InvalidInput
from app.domain.policy import Policy


@lru_cache(maxsize=256)
def public_holidays(country: str, years: tuple[int, ...]) -> frozenset[date]:
    """Public holidays of a country (ISO 3166-1 alpha-2) in the given years."""
    try:
        calendar = holidays.country_holidays(country, years=years)
    except NotImplementedError:
        raise InvalidInput(f"no holiday calendar for country {country!r}", field="country") from None
    return frozenset(calendar.keys())


def business_calendar_for(policy: Policy, today: date) -> BusinessCalendar:
    """The calendar used to plan on `today`: last year to two years ahead covers every ETA the
    policy allows (lead times are at most a year)."""
    if not policy.country:
        return policy.business_calendar()
    years = tuple(range(today.year - 1, today.year + 3))
    return policy.business_calendar(public_holidays(policy.country, years))
