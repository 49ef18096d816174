"""Appeal letters and the peer-to-peer preparation sheet, from an appeal plan.

The letter answers each denial reason with the payer's own criterion and the dated evidence;
the wording of each level (first-level appeal, second level, external review) is in
``templates/appeal.j2``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from ..appeal import AppealPlan, p2p_points
from ._build import build
from ._context import long_date
from ._document import Document
from ._profile import Profile


def _evidence(items: list[Any]) -> list[dict[str, str]]:
    return [
        {"ref": e.ref, "date": e.date.isoformat() if e.date else "", "summary": e.summary}
        for e in items
    ]


def appeal_context(plan: AppealPlan) -> dict[str, Any]:
    """What the appeal and p2p templates print, besides the case context."""
    d, dl = plan.denial, plan.deadline
    reasons = []
    for r in plan.reasons:
        reasons.append(
            {
                "n": r.index,
                "text": r.text,
                "code": r.code,
                "code_words": r.code_words,
                "how": r.how,
                "family": r.family.replace("_", " "),
                "criteria": [
                    {
                        "id": c.id,
                        "text": c.text,
                        "citation": c.citation,
                        "status": c.status.value,
                        "met": c.met,
                        "reason": c.reason,
                        "action": c.action,
                        "evidence": _evidence(c.evidence),
                    }
                    for c in r.criteria
                ],
            }
        )
    return {
        "date": long_date(plan.as_of),
        "appeal": {
            "level": dl.level,
            "level_name": dl.level_name,
            "program": dl.program,
            "program_name": dl.program_name,
            "independent": dl.independent,
            "is_last_internal": dl.is_last_internal,
            "denial_date": d.denial_date.isoformat(),
            "denial_date_long": long_date(d.denial_date),
            "received_date": d.received_date.isoformat() if d.received_date else None,
            "reference": d.reference,
            "reviewer": d.reviewer,
            "deadline": dl.deadline.isoformat(),
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
    title = "External review request" if plan.deadline.independent else "Appeal"
    return _build(
        "appeal", "appeal.j2", title, plan, appeal_context(plan), profile, templates, case_path,
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
        "p2p", "p2p.j2", "Peer-to-peer preparation", plan, extra, profile, templates, case_path,
        draft=False,
    )
