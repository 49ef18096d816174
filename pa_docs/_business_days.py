"""Business days: weekdays that are not US federal holidays (observed dates included).

The one home of this rule: the case log's follow-up and escalation dates and turnaround KPI count
business days; an appeal deadline counts calendar days, and its "file by" advice is the business
day on or before it.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("US", years=year))


def is_business_day(day: dt.date) -> bool:
    """A weekday that is not a US federal holiday (nor the weekday a holiday is observed on)."""
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_business_days(start: dt.date, n: int) -> dt.date:
    """The ``n``-th business day after ``start`` (``start`` itself is never counted)."""
    if n < 0:
        raise ValueError("n must be zero or more")
    day = start
    while n:
        day += dt.timedelta(days=1)
        if is_business_day(day):
            n -= 1
    return day


def business_days_between(start: dt.date, end: dt.date) -> int:
    """Business days after ``start`` up to and including ``end`` (0 for the same day).

    A request submitted on Friday and decided on Monday took one business day.
    """
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_business_day(day)
    return count


def previous_business_day(day: dt.date) -> dt.date:
    """``day`` itself when it is a business day, else the last business day before it."""
    while not is_business_day(day):
        day -= dt.timedelta(days=1)
    return day
