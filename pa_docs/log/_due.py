"""The work list: what needs doing today, from the cases' current state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ._dates import previous_business_day
from ._model import CaseState, WorkItem

APPEAL_WINDOW_DAYS = 14
RENEWAL_WINDOW_DAYS = 30
KINDS = ("escalation", "follow_up", "appeal_deadline", "auth_expiring")


def work_list(
    cases: Iterable[CaseState], as_of: dt.date, owner: str | None = None
) -> list[WorkItem]:
    """Follow-ups due or overdue, escalations, appeal deadlines within 14 days and authorizations
    ending within 30 days, soonest first.

    A case waiting on the payer (submitted or pended) appears once: as an escalation from its
    escalation date, else as a follow-up from its follow-up date. Deadlines and expiry dates already
    past are not listed: nothing can be done about them any more.
    """
    items = []
    for c in cases:
        if owner is not None and c.owner != owner:
            continue
        item = _item(c, as_of)
        if item is not None:
            items.append(item)
    return sorted(items, key=lambda i: (i.due_on, KINDS.index(i.kind), i.case_id))


def _item(c: CaseState, as_of: dt.date) -> WorkItem | None:
    def make(kind: str, due: dt.date, action: str) -> WorkItem:
        return WorkItem(c.case_id, kind, due, (due - as_of).days, c.payer, c.owner, action)

    waiting = "more information sent" if c.status == "pended" else "submission"
    if c.status in {"submitted", "pended"}:
        if c.escalate_on is not None and c.escalate_on <= as_of:
            return make(
                "escalation",
                c.escalate_on,
                f"escalate: no decision 5 business days after the {waiting}",
            )
        if c.follow_up_on is not None and c.follow_up_on <= as_of:
            return make("follow_up", c.follow_up_on, f"call the payer about the {waiting}")
    horizon_appeal = as_of + dt.timedelta(days=APPEAL_WINDOW_DAYS)
    if c.status == "denied" and c.appeal_deadline and as_of <= c.appeal_deadline <= horizon_appeal:
        file_by = previous_business_day(c.appeal_deadline)
        return make("appeal_deadline", c.appeal_deadline, f"file the appeal by {file_by}")
    horizon_auth = as_of + dt.timedelta(days=RENEWAL_WINDOW_DAYS)
    if c.status == "approved" and c.valid_through and as_of <= c.valid_through <= horizon_auth:
        return make("auth_expiring", c.valid_through, "prepare the continuation request")
    return None
