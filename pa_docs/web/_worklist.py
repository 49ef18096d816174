"""The work list: every case of the folder and the log, with its stage, owner and urgency.

Urgency follows the rules of ``pa-docs log due`` (``pa_docs.log.work_list``): follow-up due 3
business days after the submission, escalation at 5, appeal deadline within 14 days, renewal when
the authorization ends within 30 days; and, beyond ``log due``, an appeal deadline already past.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from ..log import CaseState, business_days_between, work_list
from ._folder import CaseFile

STAGES = ("documentation", "submitted", "appeal", "decided")
URGENCY = {
    "escalation": (0, "escalation"),
    "appeal_past": (1, "appeal deadline past"),
    "appeal_deadline": (2, "appeal deadline near"),
    "follow_up": (3, "follow-up due"),
    "auth_expiring": (4, "renewal due"),
}


@dataclasses.dataclass(frozen=True)
class Row:
    case_id: str
    patient: str
    payer: str
    item: str
    stage: str
    status: str
    owner: str | None
    submitted_on: dt.date | None
    business_days: int | None
    urgency: str | None
    due_on: dt.date | None
    action: str | None
    file: str | None
    check: str | None

    @property
    def urgency_label(self) -> str:
        return URGENCY[self.urgency][1] if self.urgency else ""

    @property
    def open(self) -> bool:
        return self.stage != "decided" or self.urgency is not None


def stage_of(state: CaseState | None) -> str:
    if state is None:
        return "documentation"
    if state.status in {"submitted", "pended"}:
        return "submitted"
    if state.status in {"denied", "appealed"}:
        return "appeal"
    return "decided"


def _urgency(state: CaseState, as_of: dt.date) -> tuple[str | None, dt.date | None, str | None]:
    items = work_list([state], as_of)
    if items:
        i = items[0]
        return i.kind, i.due_on, i.action
    if state.status == "denied" and state.appeal_deadline and state.appeal_deadline < as_of:
        return "appeal_past", state.appeal_deadline, "the appeal deadline has passed"
    return None, None, None


def _text(f: CaseFile | None, *keys: str) -> str:
    value = f.get(*keys) if f is not None else None
    return "" if value is None else str(value)


def rows(
    files: dict[str, CaseFile],
    states: Iterable[CaseState],
    owners: dict[str, str],
    checks: dict[str, str],
    as_of: dt.date,
) -> list[Row]:
    """One row per case id, from the log and the case folder; most urgent first."""
    by_id = {s.case_id: s for s in states}
    out = []
    for cid in sorted(set(files) | set(by_id)):
        f, s = files.get(cid), by_id.get(cid)
        urgency, due, action = _urgency(s, as_of) if s else (None, None, None)
        out.append(
            Row(
                case_id=cid,
                patient=(s.patient if s and s.patient else _text(f, "patient", "name")),
                payer=(s.payer if s else _text(f, "coverage", "payer")),
                item=(s.item if s and s.item else _text(f, "request", "item")),
                stage=stage_of(s),
                status=s.status if s else "in documentation",
                owner=(s.owner if s else owners.get(cid)),
                submitted_on=s.submitted_on if s else None,
                business_days=business_days_between(s.submitted_on, as_of) if s else None,
                urgency=urgency,
                due_on=due,
                action=action,
                file=f.name if f else None,
                check=checks.get(cid),
            )
        )
    rank = {k: v[0] for k, v in URGENCY.items()}
    return sorted(
        out,
        key=lambda r: (
            rank.get(r.urgency or "", 9),
            r.due_on or dt.date.max,
            STAGES.index(r.stage),
            r.case_id,
        ),
    )
