"""What a verdict is, and how verdicts compose. The one home of the met / not_met / missing rules.

``all_of`` is not_met if any part is not_met, else missing if any part is missing, else met.
``any_of`` is met if any part is met, else missing if any part is missing, else not_met.
A case is ``ready`` when every criterion is met and no ``FILL-IN`` placeholder remains,
``not_met`` when any criterion is not_met, else ``gaps``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ..notices import InputWarning, ToFill
from ..policy import Criterion, Policy


class Status(StrEnum):
    met = "met"
    not_met = "not_met"
    missing = "missing"


class CaseStatus(StrEnum):
    ready = "ready"
    gaps = "gaps"
    not_met = "not_met"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One item of the case a verdict rests on: where it is, its date, and what it says."""

    ref: str
    date: dt.date | None
    summary: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "date": self.date.isoformat() if self.date else None,
            "summary": self.summary,
        }


@dataclass(slots=True)
class Result:
    """The outcome of one rule: status, a sentence of reason, what to do, and the evidence."""

    status: Status
    reason: str
    action: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    label: str | None = None


def all_of(parts: list[Result], label: str | None = None) -> Result:
    bad = [p for p in parts if p.status is Status.not_met]
    gaps = [p for p in parts if p.status is Status.missing]
    if bad:
        return _join(Status.not_met, bad, label)
    if gaps:
        return _join(Status.missing, gaps, label, evidence_from=parts)
    return _join(Status.met, parts, label)


def any_of(parts: list[Result], label: str | None = None) -> Result:
    met = [p for p in parts if p.status is Status.met]
    if met:
        first = met[0]
        reason = f"{first.label}: {first.reason}" if first.label else first.reason
        return Result(Status.met, reason, None, list(first.evidence), label)
    gaps = [p for p in parts if p.status is Status.missing]
    if gaps:
        return _join(Status.missing, parts, label, actions_from=gaps, joiner=" Or: ")
    return _join(Status.not_met, parts, label, joiner=" Or: ")


def _join(
    status: Status,
    parts: list[Result],
    label: str | None,
    *,
    evidence_from: list[Result] | None = None,
    actions_from: list[Result] | None = None,
    joiner: str = " ",
) -> Result:
    # a sentence that an earlier part already said (the same resting result judged for Group I
    # and for Group II) is said once
    seen: set[str] = set()
    reasons = []
    for p in parts:
        said = _unsaid(p.reason, seen)
        if said:
            reasons.append(f"{p.label}: {said}" if p.label else said)
    actions = [a for a in (_unsaid(p.action or "", seen) for p in actions_from or parts) if a]
    evidence: list[Evidence] = []
    for p in evidence_from or parts:
        evidence.extend(e for e in p.evidence if e not in evidence)
    action = joiner.join(actions) if actions else None
    return Result(status, " ".join(reasons), action, evidence, label)


def _unsaid(text: str, seen: set[str]) -> str:
    """``text`` without the sentences in ``seen`` (keeping the 'Or:' between the rest)."""
    if ". " not in text:  # one sentence, the common case
        if not text or text in seen:
            return ""
        seen.add(text)
        return text
    alternatives = []
    for alt in text.split(" Or: "):
        parts = alt.split(". ")
        sentences = [x + "." for x in parts[:-1]] + [parts[-1]]
        kept = [x for x in sentences if x and x not in seen]
        seen.update(kept)
        if kept:
            alternatives.append(" ".join(kept))
    return " Or: ".join(alternatives)


@dataclass(slots=True)
class Verdict:
    """The verdict on one criterion of a policy."""

    criterion: Criterion
    status: Status
    reason: str
    action: str | None
    evidence: list[Evidence]

    @property
    def id(self) -> str:
        return self.criterion.id

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
        statuses = {v.status for v in self.verdicts}
        if Status.not_met in statuses:
            return CaseStatus.not_met
        if Status.missing in statuses or self.to_fill:
            return CaseStatus.gaps
        return CaseStatus.ready

    @property
    def gaps(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.status is not Status.met]

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
