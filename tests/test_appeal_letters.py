"""Appeal letters and the peer-to-peer sheet: every letter kind, as HTML, DOCX text and PDF text.

Snapshots (``tests/__snapshots__/test_appeal_letters.ambr``) hold the HTML (without the stylesheet)
and the DOCX text of each kind; review a diff there as you would read the letter. The assertions
beside them state what a payer's reviewer relies on, so a snapshot update cannot quietly drop it.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docx
import pypdf
import pytest

from pa_docs import build_appeal, build_p2p
from pa_docs import render_document as render
from pa_docs.appeal import load_denial, plan_appeal
from pa_docs.case import load_case
from pa_docs.policy import load_policies, select_policy
from pa_docs.render._html import to_html

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures" / "appeal"
EXAMPLES = ROOT / "examples"


@dataclass(frozen=True)
class Kind:
    case: Path
    denial: Path
    as_of: dt.date
    options: dict[str, bool] = field(default_factory=dict)
    denial_update: dict[str, Any] = field(default_factory=dict)


UHC_DENIAL = FIX / "crohns-vedolizumab-uhc.denial.yaml"
KINDS = {
    # the shared example: UHC Community Plan (Medicaid), plan appeal
    "first_level": Kind(FIX / "crohns-vedolizumab-uhc.yaml", UHC_DENIAL, dt.date(2026, 11, 30)),
    # Medicare level 2: reconsideration by the QIC of the DME MAC's redetermination
    "medicare_qic": Kind(
        FIX / "osa-cpap-medicare.yaml",
        FIX / "osa-cpap-medicare.denial.yaml",
        dt.date(2027, 2, 8),
    ),
    # commercial level 1: the last internal level, so the letter names external review next
    "commercial_internal": Kind(
        FIX / "ra-infliximab-aetna.yaml",
        FIX / "ra-infliximab-aetna.denial.yaml",
        dt.date(2027, 1, 25),
        denial_update={"appeal_level": 1, "reference": "AET-PA-2026-3310092"},
    ),
    # commercial level 2: external review by an independent review organization
    "external_review": Kind(
        FIX / "ra-infliximab-aetna.yaml",
        FIX / "ra-infliximab-aetna.denial.yaml",
        dt.date(2027, 1, 25),
    ),
    "expedited": Kind(FIX / "crohns-expedited.yaml", UHC_DENIAL, dt.date(2026, 11, 30)),
    "late": Kind(
        FIX / "crohns-vedolizumab-uhc.yaml", UHC_DENIAL, dt.date(2027, 2, 1), {"late": True}
    ),
    "draft_with_gaps": Kind(
        FIX / "crohns-no-step-therapy.yaml", UHC_DENIAL, dt.date(2026, 11, 30), {"draft": True}
    ),
    "unmapped_reason": Kind(
        FIX / "crohns-vedolizumab-uhc.yaml",
        FIX / "crohns-unmapped.denial.yaml",
        dt.date(2026, 11, 30),
    ),
}


def plan_for(name: str) -> Any:
    k = KINDS[name]
    case = load_case(k.case)
    denial = load_denial(k.denial, case.case_id)
    if k.denial_update:
        denial = denial.model_copy(update=k.denial_update)
    policy = select_policy(case, load_policies(), None)
    return plan_appeal(case, policy, denial, k.as_of, denial_file=k.denial, **k.options)


def letter(name: str) -> Any:
    return build_appeal(plan_for(name), case_path=KINDS[name].case)


def sheet(name: str) -> Any:
    return build_p2p(plan_for(name), case_path=KINDS[name].case)


def docx_text(data: bytes) -> str:
    """The DOCX's paragraphs, then its tables' cells (one row a line, cells split by ' | ')."""
    d = docx.Document(io.BytesIO(data))
    lines = [p.text for p in d.paragraphs if p.text.strip()]
    for t in d.tables:
        lines.append("---")
        lines.extend(" | ".join(c.text for c in row.cells) for row in t.rows)
    return "\n".join(lines) + "\n"


def flat(text: str) -> str:
    """Text with its line breaks (and breaks after hyphens) undone, for PDF text checks."""
    return re.sub(r"-\s+", "-", " ".join(text.split()))


def pdf_text(data: bytes) -> tuple[str, int]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return flat(" ".join(p.extract_text() or "" for p in reader.pages)), len(reader.pages)


def block_text(doc: Any) -> str:
    """The document's text, block by block (what both renderers lay out)."""
    out = []
    for b in doc.blocks:
        if b.type in {"heading", "paragraph"}:
            out.append(b.text)
        elif b.type == "bullets":
            out.extend("".join(r.text for r in item) for item in b.items)
        elif b.type == "table":
            for row in (b.header, *b.rows):
                out.append(" | ".join("".join(r.text for r in c) for c in row))
    return "\n".join(out)


# --- snapshots: one per letter kind, HTML and DOCX text ---


@pytest.mark.parametrize("name", list(KINDS))
def test_letter_html(name, snapshot):
    assert to_html(letter(name), inline_css=False) == snapshot


@pytest.mark.parametrize("name", list(KINDS))
def test_letter_docx_text(name, snapshot):
    assert docx_text(render(letter(name), "docx")) == snapshot


@pytest.mark.parametrize("name", ["first_level", "draft_with_gaps"])
def test_p2p_html(name, snapshot):
    assert to_html(sheet(name), inline_css=False) == snapshot


@pytest.mark.parametrize("name", ["first_level", "draft_with_gaps"])
def test_p2p_docx_text(name, snapshot):
    assert docx_text(render(sheet(name), "docx")) == snapshot


# --- PDF text: what every letter must carry ---


@pytest.mark.parametrize("name", list(KINDS))
def test_pdf_carries_the_facts_of_the_appeal(name):
    plan = plan_for(name)
    text, _ = pdf_text(render(build_appeal(plan, case_path=KINDS[name].case), "pdf"))
    case, denial = plan.case, plan.denial
    for fact in (
        case.patient.name,
        case.patient.member_id,
        denial.reference,
        denial.denial_date.isoformat(),
        plan.deadline.deadline.isoformat(),
        "peer-to-peer",
    ):
        assert fact in text, fact
    for r in plan.reasons:
        assert flat(r.text) in text, f"reason {r.index} not quoted verbatim"
        for c in r.criteria:
            assert flat(c.citation) in text, c.citation
            for e in c.evidence:
                if e.date:
                    assert e.date.isoformat() in text, (c.id, e.ref)
    if denial.reviewer:
        assert flat(denial.reviewer) in text


# --- what each kind says ---


def test_first_level_letter():
    text = block_text(letter("first_level"))
    assert "Request for first-level appeal" in text
    assert "Level 1: plan appeal; Medicaid managed care" in text
    assert "Reviewer | UnitedHealthcare Community Plan Medical Director" in text
    # the address names the payer once; the salutation is not the reviewer's job title
    assert "Appeals Department\nUnitedHealthcare Community Plan" in text
    assert "Dear Medical Director," in text
    # the criterion is quoted with its policy number and section
    assert "UHC CS2021D0053N, Crohn's disease, initial therapy, criterion 2" in text
    # the evidence notes from the case make the argument: why azathioprine was stopped
    assert "Stopped for drug-induced pancreatitis (lipase 1,240 U/L)." in text
    # the HBI threshold is a documentation convention: never attributed to the payer
    assert "(threshold: at least 8)" in text and "(policy: at least 8)" not in text
    assert "same specialty (gastroenterology)" in text
    assert "meets every criterion of UnitedHealthcare Community Plan policy CS2021D0053N" in text
    assert "The denial notice of 2026-11-24 (reference UHC-PA-88231947)" in text
    assert "DRAFT" not in text
    for absent in ("expedited", "good cause", "external review", "file by"):
        assert absent not in text.lower(), absent


def test_medicare_reconsideration_is_addressed_to_the_qic():
    text = block_text(letter("medicare_qic"))
    assert "Qualified Independent Contractor (QIC)" in text
    assert "Request for reconsideration" in text
    assert "Medicare number | 1EG4-TE5-MK73" in text
    assert "Decision appealed | Redetermination (MAC) decision of 2027-01-29" in text
    assert "Dear Reviewer," in text
    # read only in secondary copies of the LCD: cited by its number alone, never quoted
    assert "LCD L33718 — A Medicare-covered sleep test" in text
    assert "hypertension" in text  # the qualifying condition the redetermination missed
    assert "we will request the next level, ALJ hearing" in text
    assert "external review" not in text.lower() and "the plan's" not in text


def test_last_internal_level_names_the_external_review_right():
    text = block_text(letter("commercial_internal"))
    assert "Request for first-level appeal" in text
    assert "This is the last level of internal review" in text
    assert "we will request external review (independent review organization)" in text


def test_external_review_letter():
    text = block_text(letter("external_review"))
    assert "Independent Review Organization" in text
    assert "Request for external review" in text
    assert "final internal adverse determination by Aetna" in text
    assert "Decision appealed | Internal appeal decision of 2027-01-12" in text
    assert "The internal appeal decision of 2027-01-12 (reference AET-APL-2027-0448120)" in text
    assert "Further review" not in text  # the last level there is: nothing to threaten


def test_expedited_letter_asks_for_the_expedited_time_frame():
    text = block_text(letter("expedited"))
    assert "Request for expedited first-level appeal" in text
    assert "Urgency | Expedited appeal requested" in text
    assert "decided on the expedited time frame (72 hours)" in text
    assert "expedited" not in block_text(letter("first_level")).lower()


def test_late_letter_asks_for_good_cause():
    text = block_text(letter("late"))
    assert "Request for good cause." in text
    assert "This appeal is filed after the deadline of January 23, 2027." in text
    assert "received on November 27, 2026" in text
    assert "Filing deadline | 2027-01-23 (passed; good cause requested below)" in text


def test_draft_marks_the_gap_and_argues_only_what_the_record_holds():
    doc = letter("draft_with_gaps")
    text = block_text(doc)
    assert doc.draft and doc.gaps
    assert text.startswith("DRAFT — not for filing.")
    assert "Reason 1, step-conventional (missing)" in text
    assert "Not yet supported by the record (missing):" in text
    # reason 2 (disease activity) is met; reason 1 is not argued as met
    assert text.count("The record meets this criterion.") == 1
    assert "meets every criterion" not in text
    assert "ask that the denial be overturned on the record summarized above." in text
    gaps = [b for b in doc.blocks if b.type == "paragraph" and b.style == "gap"]
    assert len(gaps) == 2  # the DRAFT box and the marked criterion
    text_pdf, _ = pdf_text(render(doc, "pdf"))
    assert "DRAFT" in text_pdf


def test_unmapped_reason_is_answered_with_every_criterion():
    plan = plan_for("unmapped_reason")
    text = block_text(build_appeal(plan))
    assert "This reason names no criterion of UnitedHealthcare Community Plan policy" in text
    assert "The record meets every criterion of the policy:" in text
    for c in plan.policy.criteria("initial"):
        assert c.citation in text and " ".join(c.text.split()) in text


def test_letter_does_not_claim_the_whole_policy_when_another_criterion_is_open():
    # the reasons' criteria are met, but the dosing criterion (which no reason concerns) is not
    plan = plan_for("first_level")
    case = plan.case.model_copy(
        update={"request": plan.case.request.model_copy(update={"dose": "600 mg"})}
    )
    p = plan_appeal(case, plan.policy, plan.denial, plan.as_of)
    assert p.check.status.value != "ready" and not p.gaps
    text = block_text(build_appeal(p))
    assert "meets every criterion" not in text
    assert text.count("The record meets this criterion.") == 2


# --- the peer-to-peer sheet ---


@pytest.mark.parametrize("name", ["first_level", "draft_with_gaps", "unmapped_reason"])
def test_p2p_sheet_is_one_page(name):
    _, pages = pdf_text(render(sheet(name), "pdf"))
    assert pages == 1


def test_p2p_sheet_has_reasons_criteria_evidence_and_questions():
    plan = plan_for("first_level")
    doc = build_p2p(plan)
    text = block_text(doc)
    assert not doc.draft  # an internal working sheet: never watermarked
    for r in plan.reasons:
        assert r.text in text
        for c in r.criteria:
            assert f"{c.citation} — met" in text
    assert (
        "Call-back | Helen Cho, MD, direct line 937-555-0190; "
        "ask for a reviewer in gastroenterology" in text
    )
    assert "Deadline | Level 1 (plan appeal): 2027-01-23, file by 2027-01-22; 54 days left" in text
    # the strongest evidence: what bears on each reason, by class (not the most recent first)
    assert (
        "prednisone (systemic corticosteroid), 2025-01-06 to 2025-04-15: inadequate response"
        in text
    )
    assert "Stopped for drug-induced pancreatitis" in text  # an objection's answer
    assert "Harvey-Bradshaw Index 11 on 2026-11-03: moderate disease; CRP 38 mg/L" in text
    for heading in ("Case summary", "Anticipated objections", "Our ask"):
        assert heading in [b.text for b in doc.blocks if b.type == "heading"]
    assert "Which part of UHC CS2021D0053N, Crohn's disease, initial therapy, criterion 2" in text
    assert "Weak points" not in text


def test_p2p_sheet_lists_the_weak_points():
    text = block_text(sheet("draft_with_gaps"))
    assert "initial therapy, criterion 2 — missing (see the weak points)" in text
    assert "Weak points" in text and "Reason 1, step-conventional (missing). To do:" in text
    # the gap's reason is said once (in the question), not three times
    assert text.count("No trial of TNF inhibitor") == 1


def test_p2p_sheet_when_late():
    plan = plan_for("late")
    text = block_text(build_p2p(plan))
    assert "past the deadline by 9 days on 2027-02-01" in text
