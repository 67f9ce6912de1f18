"""Business days: the days on which the shop processes and ships orders.

ETAs are counted in business days so that a promise never lands on a weekend or a public
holiday. The calendar is plain data (weekend weekdays and a set of closed dates); the holidays of a
country are looked up outside the domain and handed in, which keeps planning free of I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from app.domain.errors import InvalidInput

_ONE_DAY = timedelta(days=1)


def shift(day: date, days: int) -> date:
    """`day` moved by `days`, held at the ends of the calendar: a date near `date.max` (a merchant
    writing 9999-12-31 for "unknown") stays there instead of overflowing."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    weekend_days: frozenset[int] = frozenset({5, 6})
    holidays: frozenset[date] = frozenset()
    # Planning asks the same (date, days) questions for many pools; answers are memoised here.
    _memo: dict[tuple[date, int], date] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        if any(not isinstance(d, int) or not 0 <= d <= 6 for d in self.weekend_days):
            raise InvalidInput("weekend days are weekday numbers 0..6", field="weekend_days")
        if len(self.weekend_days) == 7:
            raise InvalidInput("at least one day of the week must be open", field="weekend_days")

    def is_business_day(self, day: date) -> bool:
        return day.weekday() not in self.weekend_days and day not in self.holidays

    def add_business_days(self, start: date, days: int) -> date:
        """The `days`-th business day after `start`; with 0, the first business day on or after it.

        Stock that arrives on a Saturday with one processing day ships on the next business day
        after it, the same as stock that arrives on the Friday before.
        """
        key = (start, days)
        found = self._memo.get(key)
        if found is None:
            found = self._walk(start, days)
            self._memo[key] = found
        return found

    def business_days_between(self, start: date, end: date) -> int:
        """Business days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.business_days_between(end, start)
        count, day = 0, start
        while day < end:
            day += _ONE_DAY
            if self.is_business_day(day):
                count += 1
        return count

    def _walk(self, start: date, days: int) -> date:
        if days < 0:
            raise ValueError("days must not be negative")
        day = start
        while not self.is_business_day(day) and day < date.max:
            day += _ONE_DAY
        if days and day != start:
            days -= 1
        while days and day < date.max:  # the last day there is ships whatever is left
            day += _ONE_DAY
            if self.is_business_day(day):
                days -= 1
        return day
