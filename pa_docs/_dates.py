"""Dates: the one parser of a date a user types (the CLI's date options), and calendar
arithmetic shared by policies, appeal deadlines and the case log."""

from __future__ import annotations

import calendar
import datetime as dt

from ._limits import check_date
from .errors import InputError


def parse_date(text: str, name: str) -> dt.date:
    """``text`` (``YYYY-MM-DD``) as a date within the years pa-docs accepts; else an
    ``InputError`` naming ``name`` (the option or field it was given as)."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{text!r} is not a date (YYYY-MM-DD)", field=name) from None
    try:
        return check_date(day)
    except ValueError as exc:
        raise InputError(str(exc), field=name) from None


def add_months(d: dt.date, months: int) -> dt.date:
    """The same calendar day ``months`` later (or earlier); the month's last day if it has none."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))
