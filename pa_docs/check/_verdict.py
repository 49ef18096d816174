"""The verdicts of a checked case: one per criterion of the policy, and the case's status.

The rules of met / not_met / missing and how they compose live in ``pa_docs.kinds._result``.
A case is never ``ready`` while a ``FILL-IN`` placeholder remains in it: it has ``gaps``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from ..kinds import ENGLISH, CaseStatus, Evidence, Result, Said, Status, Wording, case_status
from ..notices import InputWarning, ToFill
from ..policy import Criterion, Policy


@dataclass(slots=True)
class Verdict:
    """The verdict on one criterion of a policy.

    ``result`` is the rule's result as data: its status, its reason and action as message codes
    with parameters, its typed evidence, and for ``all_of`` / ``any_of`` the results of its
    parts. ``reason`` and ``action`` are those messages in words (``wording``, English unless
    given).
    """

    criterion: Criterion
    result: Result
    wording: Wording = ENGLISH

    @property
    def id(self) -> str:
        return self.criterion.id

    @property
    def status(self) -> Status:
        return self.result.status

    @property
    def evidence(self) -> list[Evidence]:
        return self.result.evidence

    @property
    def parts(self) -> list[Result]:
        """The results of the parts of an ``all_of`` / ``any_of`` rule (none for other kinds)."""
        return self.result.parts

    @property
    def code(self) -> str:
        """The code of the reason's message (``all_of`` / ``any_of`` for a composition)."""
        return self.result.reason.code

    @property
    def reason(self) -> str:
        """Why the criterion is met, not met or missing, naming the evidence and its date."""
        return self.wording.reason(self.result)

    @property
    def action(self) -> str | None:
        """What the documentation specialist should do (None when met)."""
        return self.wording.action(self.result)

    def said(self) -> Said:
        """The reason in words, with the evidence it names and the notes it already quotes."""
        return self.wording.said(self.result)

    def to_dict(self) -> dict[str, Any]:
        c = self.criterion
        return {
            "id": c.id,
            "kind": c.kind,
            "status": self.status.value,
            "text": c.text,
            "citation": c.citation,
            "reason": self.reason,
            "action": self.action,
            "evidence": [e.to_dict() for e in self.evidence],
            "message": self.result.reason.to_dict(),
            "parts": [_part(p) for p in self.parts],
        }


def _part(r: Result) -> dict[str, Any]:
    """A part of a composition as JSON: what it checks, its status and message, its parts."""
    return {
        "kind": r.kind,
        "label": r.label,
        "status": r.status.value,
        "message": r.reason.to_dict(),
        "evidence": [e.ref for e in r.evidence],
        "parts": [_part(p) for p in r.parts],
    }


@dataclass(slots=True)
class CheckResult:
    """A case checked against one policy: a verdict per criterion and the case's status, with
    the warnings about its input (case and policy) and the placeholders still to fill."""

    case_id: str
    request_date: dt.date
    request_type: str
    policy: Policy
    verdicts: list[Verdict]
    warnings: list[InputWarning] = field(default_factory=list)
    to_fill: list[ToFill] = field(default_factory=list)

    @property
    def status(self) -> CaseStatus:
        status = case_status(v.status for v in self.verdicts)
        if status is CaseStatus.ready and self.to_fill:
            return CaseStatus.gaps
        return status

    @property
    def gaps(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.status is not Status.met]

    def worded(self, wording: Wording) -> CheckResult:
        """The same result said in ``wording``: a translation, or shorter sentences for one
        document (``build_packet(case, policy, result.worded(short))``)."""
        return replace(self, verdicts=[replace(v, wording=wording) for v in self.verdicts])

    def to_dict(self) -> dict[str, Any]:
        p = self.policy
        return {
            "case_id": self.case_id,
            "request_date": self.request_date.isoformat(),
            "request_type": self.request_type,
            "status": self.status.value,
            "policy": {
                "id": p.id,
                "payer": p.payer,
                "title": p.title,
                "number": p.number,
                "version": p.version,
                "effective": p.effective.isoformat() if p.effective else None,
                "url": p.url,
            },
            "criteria": [v.to_dict() for v in self.verdicts],
            "warnings": [w.to_dict() for w in self.warnings],
            "to_fill": [f.to_dict() for f in self.to_fill],
        }
