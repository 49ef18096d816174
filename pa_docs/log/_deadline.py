"""The date by which an appeal must be filed, from the rules in ``shared/policies/appeals.md``."""

from __future__ import annotations

import calendar
import datetime as dt

PRESUMED_RECEIPT_DAYS = 5


def _add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month ``months`` later, or that month's last day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def appeal_deadline_for(
    line_of_business: str,
    notice_date: dt.date,
    *,
    received_date: dt.date | None = None,
    level: int = 1,
) -> dt.date | None:
    """The last calendar day to file the appeal at ``level`` against a denial dated ``notice_date``.

    The one place the case log asks for an appeal deadline; it will delegate to ``pa_docs.appeal``
    once that package computes deadlines. Rules (calendar days, never extended):

    - commercial: level 1 (internal appeal) 180 days from the notice; level 2 and up
      (external review) 4 months after the final internal denial;
    - medicaid: level 1 (plan appeal) 60 days from the notice;
    - medicare (Part A/B): from receipt of the decision, presumed 5 days after the notice unless an
      earlier ``received_date`` is given: level 1 120 days, level 2 180 days, levels 3 to 5 60 days;
    - medicare_part_d and medicare_advantage: level 1 65 days from the notice.

    ``None`` where the table gives no rule (a later level of a Medicaid or Part C/D appeal).
    """
    if level == 1 and line_of_business == "commercial":
        return notice_date + dt.timedelta(days=180)
    if line_of_business == "commercial":
        return _add_months(notice_date, 4)
    if level == 1 and line_of_business == "medicaid":
        return notice_date + dt.timedelta(days=60)
    if level == 1 and line_of_business in {"medicare_part_d", "medicare_advantage"}:
        return notice_date + dt.timedelta(days=65)
    if line_of_business == "medicare" and 1 <= level <= 5:
        receipt = notice_date + dt.timedelta(days=PRESUMED_RECEIPT_DAYS)
        if received_date is not None and received_date < receipt:
            receipt = received_date
        days = {1: 120, 2: 180}.get(level, 60)
        return receipt + dt.timedelta(days=days)
    return None
