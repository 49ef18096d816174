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
from ..errors import InputError
from ..kinds import ENGLISH, Said
from ._build import build
from ._clinical import name_classes, objections
from ._context import long_date
from ._document import Document
from ._profile import Profile, Signer
from ._relevance import for_template, relevant

# A reason that says the record lacks something: the letter says the record is now enclosed.
NOT_FOUND = re.compile(
    r"no documentation|not (?:been )?(?:documented|found|provided|submitted)|"
    r"not in the record|missing|absent",
    re.IGNORECASE,
)
# Which attachments bear on a criterion: words of the attachment's title, by criterion kind.
ATTACHMENT_WORDS = {
    "score": r"visit|progress|clinic|note|score|colonoscop|endoscop|patholog|imaging|radiograph",
    "lab": r"lab|result|IGRA|quantiferon|tubercul|TB|hepatitis|serolog|sleep|polysomnogra|oximetr",
    "step_therapy": r"pharmacy|medication|prescription|claims|treatment|history|visit|note",
    "diagnosis": r"visit|progress|clinic|note|patholog|colonoscop|endoscop|imaging",
    "encounter": r"visit|progress|clinic|note|face",
}


def _split_therapy(support: list[dict[str, Any]], own: set[str]) -> dict[str, Any]:
    """A met step-therapy answer: first what the verdict counted (the trials that meet the
    payer's list, whatever their class, and a finding such as corticosteroid dependence), then
    the rest of the treatment history as context, so the answer leads with what meets it."""
    counted = [s for s in support if s["ref"] in own]
    trials = all(s["section"] == "treatments" for s in counted)
    return {
        "counted": [s["text"] for s in counted],
        "lead": ("The trials that meet it:" if len(counted) > 1 else "The trial that meets it:")
        if trials
        else "The record that meets it:",
        "other": [
            s["text"] for s in support if s["ref"] not in own and s["section"] != "treatments"
        ],
        "context": [
            s["text"] for s in support if s["ref"] not in own and s["section"] == "treatments"
        ],
    }


def _attachments_for(titles: list[str], kinds: list[str]) -> list[str]:
    pats = [re.compile(ATTACHMENT_WORDS[k], re.IGNORECASE) for k in kinds if k in ATTACHMENT_WORDS]
    return [a for a in titles if any(p.search(a) for p in pats)]


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


def _answer(c: CriterionAnswer, said: Said) -> tuple[str, list[dict[str, Any]]]:
    """A met criterion's answer: the verdict's reason as a sentence, with the notes of the items it
    names, and the evidence items it does not name (each printed once, with its date)."""
    sentence = said.text[:1].upper() + said.text[1:]
    more = []
    for e in c.evidence:
        if e not in said.named:
            more.extend(_evidence([e], c.verdict.wording))
        elif e.note and e not in said.noted:
            sentence = f"{sentence.rstrip('.')}. {e.note}"
    return sentence, more


def _new(support: list[dict[str, Any]], c: CriterionAnswer, said: Said) -> list[dict[str, Any]]:
    """The supporting items the reason does not already say in the same words."""
    named = {e.ref: e for e in said.named}
    return [
        s
        for s in support
        if not (s["ref"] in named and s["text"] == c.verdict.wording.summary(named[s["ref"]]))
    ]


def _expedited_time(decision_time: str | None) -> str | None:
    """'30 days standard, 72 hours expedited' -> '72 hours' (also '72 hours urgent')."""
    m = re.search(r"(\d+ hours) (?:expedited|urgent)", decision_time or "")
    return m.group(1) if m else None


def _expedited_reason(plan: AppealPlan) -> str | None:
    """The clinical reason for an expedited review: the request's own, else the last visit note."""
    c = plan.case
    reason: str | None = c.request.urgency_reason
    if reason:
        return reason
    visits = [e for e in c.encounters if e.note]
    if not visits:
        return None
    e = max(visits, key=lambda e: e.date)
    return f"at the visit of {e.date.isoformat()}: {(e.note or '').strip().rstrip('.')}"


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


def appeal_context(plan: AppealPlan, attachments: list[str] | None = None) -> dict[str, Any]:
    """What the appeal and p2p templates print, besides the case context."""
    d, dl = plan.denial, plan.deadline
    conventions = {v.id: v.criterion.convention for v in plan.check.verdicts}
    titles = attachments or []
    reasons = []
    for r in plan.reasons:
        criteria: list[dict[str, Any]] = []
        for c in r.criteria:
            evidence = _evidence(c.evidence, c.verdict.wording)
            said = c.verdict.wording.said(name_classes(c.verdict))
            why = said.text
            sentence, more = _answer(c, said)
            support = relevant(plan.case, c.kind, c.text, c.evidence, said)
            own = {e.ref for e in c.evidence}
            therapy = _split_therapy(support, own) if c.kind == "step_therapy" else None
            criteria.append(
                {
                    "id": c.id,
                    "text": c.text,
                    "wording": f"\u201c{' '.join(c.text.split())}\u201d" if c.quoted else c.text,
                    "citation": c.citation,
                    "secondary": c.provenance == "summary",
                    "status": c.status.value.replace("_", " "),
                    "met": c.met,
                    "reason": why,
                    "reason_sentence": sentence,
                    "convention": conventions.get(c.id),
                    "action": c.action,
                    "evidence": evidence,
                    "more_evidence": more,
                    "kind": c.kind,
                    # every piece of evidence bearing on the criterion, by its wording
                    "support": for_template(_new(support, c, said)),
                    "therapy": therapy,
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
                "not_found": bool(NOT_FOUND.search(r.text)),
                "enclosures": _attachments_for(titles, [c["kind"] for c in criteria]),
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
            "expedited_reason": _expedited_reason(plan),
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
    signer: Signer | None = None,
    fax: bool = False,
    allow_to_fill: bool | None = None,
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
        signer=signer,
        fax=fax,
        allow_to_fill=allow_to_fill,
    )
    return replace(doc, date=plan.as_of, gaps=tuple(str(g) for g in plan.gaps))


def _attachment_titles(plan: AppealPlan, case_path: str | Path | None) -> list[str]:
    from ._build import enclosures

    return [e.title for e in enclosures(plan.case, case_path)]


def build_appeal(
    plan: AppealPlan,
    *,
    profile: Profile | None = None,
    templates: Path | None = None,
    case_path: str | Path | None = None,
    signer: Signer | None = None,
    fax: bool = False,
) -> Document:
    """The appeal letter for the plan's level: each reason quoted and answered."""
    title = TITLES[_letter_kind(plan)]
    return _build(
        "appeal",
        "appeal.j2",
        title,
        plan,
        appeal_context(plan, _attachment_titles(plan, case_path)),
        profile,
        templates,
        case_path,
        draft=plan.draft,
        signer=signer,
        fax=fax,
    )


def build_p2p(
    plan: AppealPlan,
    *,
    profile: Profile | None = None,
    templates: Path | None = None,
    case_path: str | Path | None = None,
    signer: Signer | None = None,
    fax: bool = False,
    draft: bool = False,
) -> Document:
    """A one-page peer-to-peer preparation sheet for the physician: case summary, the reasons
    with the strongest evidence, anticipated objections with answers, and the ask. Refused where
    the level decides on paper (a Medicare QIC reconsideration, an external review). A case with
    placeholders still to fill is refused unless ``draft``."""
    if plan.deadline.independent:
        raise InputError(
            f"no peer-to-peer sheet for level {plan.deadline.level} ({plan.deadline.level_name}): "
            "this review is decided on the written record, with no peer-to-peer call; "
            "write the appeal letter instead"
        )
    extra = appeal_context(plan)
    points = []
    for p, r in zip(p2p_points(plan), extra["reasons"], strict=True):
        best = [s["brief"] for c in r["criteria"] for s in c["support"]]
        if not best:
            best = [e["dated"] for e in _evidence(p.evidence)]
        points.append(
            {"n": p.reason_index, "text": p.reason_text, "best": best[:3], "questions": p.questions}
        )
    extra["points"] = points
    extra["objections"] = objections(plan.case)
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
        signer=signer,
        fax=fax,
        allow_to_fill=draft,
    )
