"""What the log returns: a case's current state, its appeals, its history, the work list."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any


@dataclasses.dataclass(frozen=True)
class Appeal:
    level: int
    filed_on: dt.date
    outcome: str | None = None
    outcome_on: dt.date | None = None


@dataclasses.dataclass(frozen=True)
class CaseState:
    """A case as it stands now; ``first_decision`` is the first approved or denied decision."""

    case_id: str
    payer: str
    line_of_business: str
    submitted_on: dt.date
    status: str
    status_on: dt.date
    patient: str | None = None
    item: str | None = None
    policy: str | None = None
    owner: str | None = None
    method: str | None = None
    confirmation: str | None = None
    first_decision: str | None = None
    first_decision_on: dt.date | None = None
    follow_up_on: dt.date | None = None
    escalate_on: dt.date | None = None
    auth_number: str | None = None
    valid_from: dt.date | None = None
    valid_through: dt.date | None = None
    denial_reference: str | None = None
    appeal_deadline: dt.date | None = None
    appeals: tuple[Appeal, ...] = ()

    @property
    def latest_appeal(self) -> Appeal | None:
        return max(self.appeals, key=lambda a: a.level) if self.appeals else None

    @property
    def open_appeal(self) -> Appeal | None:
        """The appeal filed and not yet decided, if any."""
        a = self.latest_appeal
        return a if a is not None and a.outcome is None else None


@dataclasses.dataclass(frozen=True)
class Event:
    """One change, as recorded: ``at`` is UTC."""

    id: int
    case_id: str
    at: dt.datetime
    who: str
    kind: str
    data: dict[str, Any]

    def summary(self) -> str:
        d = self.data
        match self.kind:
            case "submit":
                conf = f", confirmation {d['confirmation']}" if d.get("confirmation") else ""
                return f"submitted by {d['method']} on {d['date']}{conf}"
            case "decision":
                extra = f", auth {d['auth_number']}" if d.get("auth_number") else ""
                if d.get("valid_through"):
                    extra += f", valid {d.get('valid_from') or '?'} to {d['valid_through']}"
                if d.get("denial_reference"):
                    extra += f", reference {d['denial_reference']}"
                return f"{d['decision']} on {d['date']}{extra}"
            case "appeal":
                return f"level {d['level']} appeal filed on {d['date']}"
            case "appeal_outcome":
                return f"level {d['level']} appeal {d['outcome']} on {d['date']}"
            case "note":
                return str(d["text"])
            case "assign":
                return f"owner set to {d['owner']}" if d.get("owner") else "owner cleared"
            case "import":
                return f"imported from {d['file']} (row {d['row']})"
        return self.kind


@dataclasses.dataclass(frozen=True)
class WorkItem:
    """One line of the work list: what to do on a case, and by when."""

    case_id: str
    kind: str  # follow_up | escalation | appeal_deadline | auth_expiring
    due_on: dt.date
    days: int  # calendar days from the as-of date to due_on; negative when overdue
    payer: str
    owner: str | None
    action: str
