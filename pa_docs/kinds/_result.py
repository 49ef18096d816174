"""What a rule's evaluation is, and how results compose: the one home of the met / not_met /
missing rules.

``all_of`` is not_met if any part is not_met, else missing if any part is missing, else met.
``any_of`` is met if any part is met, else missing if any part is missing, else not_met.
A case is ``ready`` when every criterion is met, ``not_met`` when any is not_met, else ``gaps``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    met = "met"
    not_met = "not_met"
    missing = "missing"


class CaseStatus(StrEnum):
    ready = "ready"
    gaps = "gaps"
    not_met = "not_met"


def case_status(statuses: Iterable[Status]) -> CaseStatus:
    """The status of a case from the statuses of its criteria."""
    seen = set(statuses)
    if Status.not_met in seen:
        return CaseStatus.not_met
    if Status.missing in seen:
        return CaseStatus.gaps
    return CaseStatus.ready


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


def compose_all(parts: list[Result], label: str | None = None) -> Result:
    bad = [p for p in parts if p.status is Status.not_met]
    gaps = [p for p in parts if p.status is Status.missing]
    if bad:
        return _join(Status.not_met, bad, label)
    if gaps:
        return _join(Status.missing, gaps, label, evidence_from=parts)
    return _join(Status.met, parts, label)


def compose_any(parts: list[Result], label: str | None = None) -> Result:
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
