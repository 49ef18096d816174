"""The date by which an appeal must be filed, from the rules in ``shared/policies/appeals.md``."""

from __future__ import annotations

import datetime as dt


def appeal_deadline_for(
    line_of_business: str,
    notice_date: dt.date,
    *,
    received_date: dt.date | None = None,
    level: int = 1,
) -> dt.date | None:
    """The last calendar day to file the appeal at ``level`` against a denial dated ``notice_date``.

    The one place the case log asks for an appeal deadline: the rules live in ``pa_docs.appeal``
    (``filing_deadline``, from ``shared/policies/appeals.md``). ``None`` where those rules give
    none (a later level of a Medicaid or Part C/D appeal).
    """
    from ..appeal._deadline import filing_deadline
    from ..errors import InputError

    try:
        return filing_deadline(line_of_business, level, notice_date, received_date).deadline
    except InputError:
        return None
