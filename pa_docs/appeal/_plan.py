"""The appeal plan: everything an appeal letter (or a peer-to-peer sheet) needs, checked.

``plan_appeal`` checks the case against the policy, maps each denial reason to criteria, works out
the filing deadline, and refuses what the record cannot honestly support: a reason whose criterion
is ``missing`` or ``not_met`` is not argued as met (``NotReadyError`` listing the gaps, or, with
``draft=True``, a plan with the gaps marked). Filing past the deadline is an ``InputError`` unless
``late=True`` (the letter then asks for good cause).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..case import Case
from ..check import CheckResult, Evidence, Status, Verdict, check_case
from ..errors import Hint, InputError, NotReadyError
from ..policy import Policy
from ._deadline import Deadline
from ._deadline import deadline as deadline_of
from ._denial import Denial
from ._reasons import How, MappedReason, map_reasons


@dataclass(frozen=True, slots=True)
class CriterionAnswer:
    """A criterion that answers a reason, with the record's verdict on it."""

    verdict: Verdict

    @property
    def id(self) -> str:
        return self.verdict.id

    @property
    def kind(self) -> str:
        return self.verdict.criterion.kind

    @property
    def text(self) -> str:
        return self.verdict.criterion.text

    @property
    def citation(self) -> str:
        return self.verdict.criterion.citation

    @property
    def provenance(self) -> str:
        return self.verdict.criterion.provenance

    @property
    def quoted(self) -> bool:
        return self.verdict.criterion.quoted

    @property
    def status(self) -> Status:
        return self.verdict.status

    @property
    def reason(self) -> str:
        return self.verdict.reason

    @property
    def action(self) -> str | None:
        return self.verdict.action

    @property
    def evidence(self) -> list[Evidence]:
        return self.verdict.evidence

    @property
    def met(self) -> bool:
        return self.status is Status.met


@dataclass(frozen=True, slots=True)
class ReasonAnswer:
    """One denial reason, quoted verbatim, and the criteria (with evidence) that answer it."""

    index: int
    text: str
    code: str | None
    code_words: str | None
    how: How
    family: str
    note: str
    criteria: list[CriterionAnswer]

    @property
    def supported(self) -> bool:
        return all(c.met for c in self.criteria)

    @property
    def gaps(self) -> list[CriterionAnswer]:
        return [c for c in self.criteria if not c.met]


@dataclass(frozen=True, slots=True)
class Gap:
    """A criterion a reason rests on that the record does not show as met."""

    reason_index: int
    criterion_id: str
    status: Status
    reason: str
    action: str | None

    def __str__(self) -> str:
        todo = f" To do: {self.action}" if self.action else ""
        head = f"reason {self.reason_index}: {self.criterion_id} is {self.status}"
        return f"{head}: {self.reason}{todo}"


@dataclass(frozen=True, slots=True)
class AppealPlan:
    """What an appeal letter renders. ``gaps`` is empty unless the plan was made as a draft."""

    case: Case
    policy: Policy
    denial: Denial
    check: CheckResult
    as_of: dt.date
    deadline: Deadline
    late: bool
    draft: bool
    expedited: bool
    reasons: list[ReasonAnswer]
    gaps: list[Gap]

    @property
    def program(self) -> str:
        return self.deadline.program

    @property
    def level(self) -> int:
        return self.deadline.level

    @property
    def level_name(self) -> str:
        return self.deadline.level_name

    @property
    def days_left(self) -> int:
        return self.deadline.days_left(self.as_of)

    @property
    def is_last_internal(self) -> bool:
        return self.deadline.is_last_internal

    @property
    def unmapped(self) -> list[ReasonAnswer]:
        return [r for r in self.reasons if r.how == "unmapped"]


def _reason_answer(m: MappedReason, verdicts: dict[str, Verdict]) -> ReasonAnswer:
    r = m.reason
    answers = [CriterionAnswer(verdicts[i]) for i in m.criteria]
    return ReasonAnswer(m.index, r.text, r.code, m.code_words, m.how, m.family, m.note, answers)


def plan_appeal(
    case: Case,
    policy: Policy,
    denial: Denial,
    as_of: dt.date,
    *,
    late: bool = False,
    draft: bool = False,
    denial_file: str | Path | None = None,
    time_of_need_days: int = 30,
) -> AppealPlan:
    """Plan the appeal of ``denial`` at its ``appeal_level``, dated ``as_of``
    (``time_of_need_days``: the practice's time-of-need convention, as for ``check_case``)."""
    if denial.case_id != case.case_id:
        raise InputError(
            f"case_id {denial.case_id!r} does not match the case ({case.case_id!r})",
            file=denial_file,
            field="case_id",
        )
    if as_of < denial.denial_date:
        raise InputError(f"{as_of} is before the denial date {denial.denial_date}", param="as_of")
    mapped = map_reasons(denial, policy, case.request.type, file=denial_file)
    deadline = deadline_of(case, denial, file=denial_file)
    if deadline.is_past(as_of) and not late:
        ago = -deadline.days_left(as_of)
        raise InputError(
            f"the deadline to file the {deadline.level_name} (level {deadline.level}, "
            f"{deadline.program}) was {deadline.deadline} ({ago} day{'s' if ago != 1 else ''} "
            "ago)",
            file=denial_file,
            field="denial_date",
            hint=Hint("late", "pass {} to file anyway with a request for good cause"),
        )
    result = check_case(case, policy, time_of_need_days=time_of_need_days)
    verdicts = {v.id: v for v in result.verdicts}
    reasons = [_reason_answer(m, verdicts) for m in mapped]
    gaps = [Gap(r.index, c.id, c.status, c.reason, c.action) for r in reasons for c in r.gaps]
    if gaps and not draft:
        raise NotReadyError(
            "The record does not support an answer to every denial reason",
            gaps=[str(g) for g in gaps],
            hint=Hint("draft", "pass {} for a letter with the gaps marked"),
        )
    return AppealPlan(
        case=case,
        policy=policy,
        denial=denial,
        check=result,
        as_of=as_of,
        deadline=deadline,
        late=deadline.is_past(as_of),
        draft=draft,
        expedited=case.request.urgency == "expedited",
        reasons=reasons,
        gaps=gaps,
    )


# The wording of peer-to-peer questions, in one place.
ASK_MET = "Which part of {citation} does the reviewer consider unmet, given {evidence}?"
ASK_GAP = "What would the reviewer accept for {citation}? The record has: {reason}"
ASK_UNMAPPED = (
    'Which criterion of {policy} does the denial rest on? The reason given names none: "{text}"'
)


@dataclass(frozen=True, slots=True)
class P2PPoint:
    """For one denial reason: the strongest evidence (most recent first) and what to ask."""

    reason_index: int
    reason_text: str
    evidence: list[Evidence]
    questions: list[str]


def _by_date(items: list[Evidence]) -> list[Evidence]:
    unique = list(dict.fromkeys(items))
    return sorted(unique, key=lambda e: e.date or dt.date.min, reverse=True)


def p2p_points(plan: AppealPlan) -> list[P2PPoint]:
    """Talking points for a peer-to-peer review, one per denial reason."""
    policy = f"{plan.policy.payer} policy {plan.policy.number or plan.policy.id}"
    out = []
    for r in plan.reasons:
        evidence = _by_date([e for c in r.criteria if c.met for e in c.evidence])
        questions = []
        if r.how == "unmapped":
            questions.append(ASK_UNMAPPED.format(policy=policy, text=r.text))
        for c in r.criteria:
            if c.met:
                best = _by_date(c.evidence)
                shown = c.verdict.wording.dated(best[0]) if best else c.reason
                questions.append(ASK_MET.format(citation=c.citation, evidence=shown))
            else:
                questions.append(ASK_GAP.format(citation=c.citation, reason=c.reason))
        out.append(P2PPoint(r.index, r.text, evidence, questions))
    return out
