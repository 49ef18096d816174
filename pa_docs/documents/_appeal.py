"""Appeal letters and the peer-to-peer preparation sheet, from an appeal plan.

The letter answers each denial reason with the payer's own criterion and the dated evidence;
the wording of each kind of letter (first-level appeal, a later internal level, a Medicare
reconsideration by the QIC, an external review) is in ``templates/appeal.j2``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..appeal import AppealPlan, CriterionAnswer, p2p_points
from ..appeal._deadline import deadline_table
from ..check import Evidence, Wording
from ..kinds import ENGLISH
from ._build import build
from ._context import long_date
from ._document import Document
from ._profile import Profile


def _evidence(items: list[Evidence], wording: Wording = ENGLISH) -> list[dict[str, Any]]:
    return [
        {
            "ref": e.ref,
            "date": e.date.isoformat() if e.date else "",
            "summary": wording.summary(e),
            "dated": wording.dated(e),  # the summary with its date, printed once
            "note": e.note,
        }
        for e in items
    ]


def _answer(c: CriterionAnswer) -> tuple[str, list[dict[str, Any]]]:
    """A met criterion's answer: the verdict's reason as a sentence, with the notes of the items it
    names, and the evidence items it does not name (each printed once, with its date)."""
    said = c.verdict.said()
    sentence = said.text[:1].upper() + said.text[1:]
    more = []
    for e in c.evidence:
        if e not in said.named:
            more.extend(_evidence([e], c.verdict.wording))
        elif e.note and e not in said.noted:
            sentence = f"{sentence.rstrip('.')}. {e.note}"
    return sentence, more


def _expedited_time(decision_time: str | None) -> str | None:
    """'30 days standard, 72 hours expedited' -> '72 hours' (also '72 hours urgent')."""
    m = re.search(r"(\d+ hours) (?:expedited|urgent)", decision_time or "")
    return m.group(1) if m else None


TITLES = {
    "first_level": "Appeal",
    "next_level": "Appeal",
    "medicare_qic": "Reconsideration request",
    "external_review": "External review request",
}


def _letter_kind(plan: AppealPlan) -> str:
    """first_level | next_level (a later internal level) | medicare_qic | external_review."""
    dl = plan.deadline
    if dl.independent:
        return "medicare_qic" if dl.program == "medicare" else "external_review"
    return "first_level" if dl.level == 1 else "next_level"


def _previous_level(plan: AppealPlan) -> str | None:
    """The name of the level whose decision is appealed (None at level 1)."""
    levels = {r.level: r.name for r in deadline_table()[plan.deadline.program].levels}
    return levels.get(plan.deadline.level - 1)


def appeal_context(plan: AppealPlan) -> dict[str, Any]:
    """What the appeal and p2p templates print, besides the case context."""
    d, dl = plan.denial, plan.deadline
    conventions = {v.id: v.criterion.convention for v in plan.check.verdicts}
    reasons = []
    for r in plan.reasons:
        criteria = []
        for c in r.criteria:
            evidence = _evidence(c.evidence, c.verdict.wording)
            sentence, more = _answer(c)
            criteria.append(
                {
                    "id": c.id,
                    "text": c.text,
                    "citation": c.citation,
                    "status": c.status.value.replace("_", " "),
                    "met": c.met,
                    "reason": c.reason,
                    "reason_sentence": sentence,
                    "convention": conventions.get(c.id),
                    "action": c.action,
                    "evidence": evidence,
                    "more_evidence": more,
                }
            )
        reasons.append(
            {
                "n": r.index,
                "text": r.text,
                "code": r.code,
                "code_words": r.code_words,
                "how": r.how,
                "unmapped": r.how == "unmapped",
                "supported": r.supported,
                "family": r.family.replace("_", " "),
                "criteria": criteria,
            }
        )
    previous = _previous_level(plan)
    return {
        "date": long_date(plan.as_of),
        "appeal": {
            "kind": _letter_kind(plan),
            "level": dl.level,
            "level_name": dl.level_name,
            "previous_level_name": previous,
            "previous_level_title": previous[:1].upper() + previous[1:] if previous else None,
            "program": dl.program,
            "program_name": dl.program_name,
            "independent": dl.independent,
            "is_last_internal": dl.is_last_internal,
            "decision_time": dl.decision_time,
            "expedited_time": _expedited_time(dl.decision_time),
            "denial_date": d.denial_date.isoformat(),
            "denial_date_long": long_date(d.denial_date),
            "received_date": d.received_date.isoformat() if d.received_date else None,
            "received_date_long": long_date(d.received_date),
            "reference": d.reference,
            "reviewer": d.reviewer,
            "deadline": dl.deadline.isoformat(),
            "deadline_long": long_date(dl.deadline),
            "file_by": dl.file_by.isoformat(),
            "rule": dl.rule,
            "days_left": plan.days_left,
            "late": plan.late,
            "expedited": plan.expedited,
            "next_levels": [
                {"level": n.level, "name": n.name, "window": n.window} for n in dl.next_levels
            ],
            "as_of": plan.as_of.isoformat(),
        },
        "reasons": reasons,
        "appeal_gaps": [str(g) for g in plan.gaps],
        "gap_items": [
            {
                "reason": g.reason_index,
                "id": g.criterion_id,
                "status": g.status.value.replace("_", " "),
                "why": g.reason,
                "action": g.action,
            }
            for g in plan.gaps
        ],
    }


def _build(
    kind: str,
    template: str,
    title: str,
    plan: AppealPlan,
    extra: dict[str, Any],
    profile: Profile | None,
    templates: Path | None,
    case_path: str | Path | None,
    *,
    draft: bool,
) -> Document:
    doc = build(
        kind,
        plan.case,
        plan.policy,
        plan.check,
        template=template,
        title=title,
        profile=profile,
        draft=draft,
        templates=templates,
        case_path=case_path,
        extra=extra,
        hash_parts=(plan.denial, plan.as_of.isoformat(), plan.late),
    )
    return replace(doc, date=plan.as_of, gaps=tuple(str(g) for g in plan.gaps))


def build_appeal(
    plan: AppealPlan,
    *,
    profile: Profile | None = None,
    templates: Path | None = None,
    case_path: str | Path | None = None,
) -> Document:
    """The appeal letter for the plan's level: each reason quoted and answered."""
    title = TITLES[_letter_kind(plan)]
    return _build(
        "appeal",
        "appeal.j2",
        title,
        plan,
        appeal_context(plan),
        profile,
        templates,
        case_path,
        draft=plan.draft,
    )


def build_p2p(
    plan: AppealPlan,
    *,
    profile: Profile | None = None,
    templates: Path | None = None,
    case_path: str | Path | None = None,
) -> Document:
    """A one-page peer-to-peer preparation sheet for the physician."""
    extra = appeal_context(plan)
    extra["points"] = [
        {
            "n": p.reason_index,
            "text": p.reason_text,
            "evidence": _evidence(p.evidence[:4]),
            "questions": p.questions,
        }
        for p in p2p_points(plan)
    ]
    # an internal working sheet: never watermarked; its weak points are listed instead
    return _build(
        "p2p",
        "p2p.j2",
        "Peer-to-peer preparation",
        plan,
        extra,
        profile,
        templates,
        case_path,
        draft=False,
    )
