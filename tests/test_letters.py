"""Letters a reviewer approves on first read: the prescriber signs, scores are read against their
published bands, each criterion cites the evidence that bears on it, appeals carry the case, the
peer-to-peer sheet is a one-minute read, Medicare DME letters speak to the DME MAC, fax layout."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import docx
import pytest

from pa_docs import build_appeal, build_p2p
from pa_docs import render_document as render
from pa_docs.appeal import load_denial, plan_appeal
from pa_docs.case import load_case
from pa_docs.check import check_case
from pa_docs.documents import load_profile, parse_signer
from pa_docs.documents._clinical import band, dose, guidelines, name_classes
from pa_docs.errors import InputError
from pa_docs.policy import load_policies, select_policy
from tests.fixtures.documents.support import ROOT, build, case_data, example, write_case

DEMO = ROOT / "examples" / "practice-profile.yaml"
FIX = ROOT / "tests" / "fixtures" / "appeal"


def text_of(doc: Any) -> str:
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


def plan(case: Path, denial: Path, as_of: dt.date, **kw: Any) -> Any:
    c = load_case(case)
    d = load_denial(denial, c.case_id)
    if "update" in kw:
        d = d.model_copy(update=kw.pop("update"))
    return plan_appeal(c, select_policy(c, load_policies(), None), d, as_of, **kw)


def crohns_plan() -> Any:
    return plan(
        example("crohns-vedolizumab-uhc"),
        example("crohns-vedolizumab-uhc").with_suffix(".denial.yaml"),
        dt.date(2026, 11, 30),
    )


# --- the signer ---


def test_with_the_demo_profile_the_prescriber_signs_and_the_practice_is_letterhead() -> None:
    doc = build("letter", example("ra-infliximab-aetna"), profile=load_profile(DEMO))
    text = text_of(doc)
    assert text.startswith("Lakeview Family Medicine")  # letterhead, first block
    assert "Priya Raman, MD" in text and "NPI 1548362791" in text
    assert "Jordan Lee" not in text and "1234567893" not in text
    assert "direct line 217-555-0142" in text  # the peer-to-peer call-back: the prescriber's
    assert doc.author == "Priya Raman, MD"


def test_the_profile_signer_signs_when_it_is_the_prescriber(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "profile.yaml").write_text(
        "practice: Lakeside\nsigner:\n  name: Priya Raman\n  credentials: MD, FACR\n"
        "  npi: '1548362791'\n"
    )
    doc = build(
        "letter", example("ra-infliximab-aetna"), profile=load_profile(folder / "profile.yaml")
    )
    assert "Priya Raman, MD, FACR" in text_of(doc)


def test_an_explicit_signer_signs() -> None:
    who = parse_signer("Jordan Lee, MD, FACP, 1234567893")
    doc = build("letter", example("ra-infliximab-aetna"), signer=who)
    text = text_of(doc)
    assert "Jordan Lee, MD, FACP" in text and "NPI 1234567893" in text


@pytest.mark.parametrize("bad", ["Jordan Lee", "Jordan Lee, MD, 1234567890", "Jordan Lee, 12"])
def test_a_malformed_signer_is_an_input_error(bad: str) -> None:
    with pytest.raises(InputError, match=r"^signer: "):
        parse_signer(bad)


def test_every_appeal_is_signed_by_the_prescriber_under_the_practice_letterhead() -> None:
    doc = build_appeal(crohns_plan(), profile=load_profile(DEMO))
    text = text_of(doc)
    assert text.startswith("Lakeview Family Medicine")
    assert "Helen Cho, MD" in text and "NPI 1093817264" in text and "Jordan Lee" not in text


# --- clinical reasoning from data ---


@pytest.mark.parametrize(
    ("instrument", "value", "dx", "label"),
    [
        ("das28_crp", 2.59, None, "remission"),
        ("das28_crp", 2.6, None, "low disease activity"),
        ("das28_crp", 5.1, None, "moderate disease activity"),
        ("das28_crp", 5.6, None, "high disease activity"),
        ("cdai_ra", 22, None, "moderate disease activity"),
        ("cdai_ra", 31, None, "high disease activity"),
        ("sdai", 3.3, None, "remission"),
        ("rapid3", 12.5, None, "high severity"),
        ("hbi", 4, "K50.812", "remission"),
        ("hbi", 11, "K50.812", "moderate disease"),
        ("hbi", 17, "K50.812", "severe disease"),
        ("cdai_crohns", 284, "K50.00", "moderate-to-severe disease"),
        ("cdai_crohns", 220, "K50.00", "moderate-to-severe disease"),
        ("easi", 7.0, None, "mild"),
        ("easi", 7.1, None, "moderate"),
        ("iga", 3, None, "moderate"),
        ("bsa", 6, "L40.0", "moderate psoriasis"),
        ("ess", 13, None, "moderate excessive daytime sleepiness"),
        ("ahi", 28.6, None, "moderate obstructive sleep apnea"),
        ("ahi", 30, None, "severe obstructive sleep apnea"),
    ],
)
def test_scores_read_against_their_published_bands(
    instrument: str, value: float, dx: str | None, label: str
) -> None:
    b = band(instrument, value, dx)
    assert b is not None and b.label == label and b.source


def test_no_band_is_invented() -> None:
    assert band("pasi", 14) is None  # no published cut-off confirmed: none printed
    assert band("cdai_crohns", 460, "K50.00") is None  # the > 450 band could not be confirmed
    assert band("hbi", 11, "M05.79") is None  # the HBI is read for Crohn's disease only


def test_the_ra_letter_reads_das28_as_high_activity_under_the_severity_criterion() -> None:
    text = text_of(build("letter", example("ra-infliximab-aetna")))
    criterion = text[text.index("1. Diagnosis of moderately to severely active rheumatoid") :]
    criterion = criterion[: criterion.index("2. \u201cmember be tested")]
    assert "DAS28-CRP 5.6 on 2026-10-06: high disease activity" in criterion
    assert "CRP 24.1 mg/L on 2026-10-06" in criterion
    assert "DAS28-CRP 5.6 on 2026-10-06, which is high disease activity" in text  # the summary
    assert "2021 American College of Rheumatology Guideline" in text
    assert "Screening done: IGRA negative on 2026-07-21" in text


def test_a_guideline_is_cited_only_where_the_facts_match(tmp_path: Path) -> None:
    data = case_data("ra-infliximab-aetna")
    data["scores"] = [{"instrument": "das28_crp", "value": 2.9, "date": "2026-10-06"}]
    case = load_case(write_case(tmp_path, data))
    assert guidelines(case) == []  # low activity: the ACR statement is about patients not at target
    data["scores"][0]["value"] = 4.0
    assert [g["id"] for g in guidelines(load_case(write_case(tmp_path, data)))] == ["acr-2021-ra"]


def test_a_weight_based_dose_is_worked_out(tmp_path: Path) -> None:
    data = case_data("ra-infliximab-aetna")
    data["patient"]["weight_kg"] = 72
    data["request"].update(ndc="0069-0809-01", quantity="3 vials", days_supply=56,
                           site_of_care="hospital outpatient infusion center")  # fmt: skip
    path = write_case(tmp_path, data)
    assert dose(load_case(path))["text"] == "3 mg/kg × 72 kg = 216 mg (3 vials of 100 mg)"
    text = text_of(build("letter", path))
    assert "At 72 kg, each dose is 3 mg/kg × 72 kg = 216 mg (3 vials of 100 mg)." in text
    assert "NDC | 0069-0809-01" in text and "Quantity | 3 vials, 56 days' supply" in text
    assert "Site of care | hospital outpatient infusion center" in text


def test_units_and_percent_always_print() -> None:
    text = text_of(build("packet", ROOT / "examples" / "dupilumab-ad-prime.yaml"))
    assert "Body surface area involved 18%" in text
    assert re.search(r"\| 18 \|", text) is None


# --- evidence chosen by relevance; lab notes and who performed the test ---


def test_lab_notes_print_where_a_criterion_asks_for_the_test() -> None:
    text = text_of(build("letter", ROOT / "examples" / "osa-cpap-medicare.yaml"))
    assert "Attended in-lab polysomnography, 6.5 hours of sleep; nadir SpO2 81%" in text
    assert "AHI 28.6 events/h" in text


def test_a_biologic_is_never_called_conventional_therapy() -> None:
    case = load_case(ROOT / "examples" / "crohns-vedolizumab-uhc.yaml")
    policy = load_policies()["uhc-vedolizumab-crohns"]
    (verdict,) = [v for v in check_case(case, policy).verdicts if v.id == "step-conventional"]
    # the policy's branch label: the payer's "conventional therapies" include a TNF blocker
    assert verdict.reason.startswith(
        "a conventional therapy the policy lists (TNF blocker, immunomodulator or corticosteroid): "
        "Humira"
    )
    relabelled = name_classes(verdict)
    assert verdict.wording.reason(relabelled).startswith("TNF inhibitor: Humira")
    p = plan(
        ROOT / "examples" / "crohns-vedolizumab-uhc.yaml",
        ROOT / "examples" / "crohns-vedolizumab-uhc.denial.yaml",
        dt.date(2026, 8, 10),
    )
    text = text_of(build_appeal(p))
    assert not re.search(r"conventional therap\w*: Humira", text, re.IGNORECASE)
    # the answer leads with the trial that meets the payer's list (a TNF blocker is on it),
    # the corticosteroid course that worked follows as context, never as the answer
    answer = text[text.index("Reason 1") : text.index("Reason 2")]
    assert "The trial that meets it:" in answer
    assert answer.index("Humira (TNF inhibitor)") < answer.index("Other treatment on record:")
    assert answer.index("Other treatment on record:") < answer.index("prednisone")


# --- appeals carry the case ---


def test_the_crohns_appeal_answers_severity_with_markers_and_endoscopy() -> None:
    text = text_of(build_appeal(crohns_plan()))
    answer = text[text.index("Disease severity is not documented.") :]
    answer = answer[: answer.index("Criteria applied")]
    for piece in (
        "Harvey-Bradshaw Index 11 on 2026-11-03: moderate disease",
        "CRP 38 mg/L on 2026-11-03",
        "fecal calprotectin 640 ug/g on 2026-11-03",
        "Colonoscopy (2026-10-28) showed deep ulcers",
        "weight loss of 6 kg over 3 months",
    ):
        assert piece in answer, piece
    assert "The reason says this is not documented: it is in the record" in answer


@pytest.mark.parametrize(
    ("case", "denial", "as_of", "update"),
    [
        ("crohns-vedolizumab-uhc.yaml", "crohns-vedolizumab-uhc.denial.yaml", "2026-11-30", {}),
        ("osa-cpap-medicare.yaml", "osa-cpap-medicare.denial.yaml", "2027-02-08", {}),
        ("ra-infliximab-aetna.yaml", "ra-infliximab-aetna.denial.yaml", "2027-01-25", {}),
        (
            "ra-infliximab-aetna.yaml",
            "ra-infliximab-aetna.denial.yaml",
            "2027-01-25",
            {"appeal_level": 1},
        ),
    ],
)
def test_every_appeal_carries_a_clinical_and_an_evidence_summary(
    case: str, denial: str, as_of: str, update: dict[str, Any]
) -> None:
    p = plan(FIX / case, FIX / denial, dt.date.fromisoformat(as_of), update=update)
    doc = build_appeal(p)
    heads = [b.text for b in doc.blocks if b.type == "heading"]
    assert "Clinical summary" in heads and "Evidence summary" in heads
    assert "Criteria applied" in heads
    text = text_of(doc)
    assert "same specialty" in text


def test_a_medicaid_appeal_names_the_state_fair_hearing() -> None:
    assert "right to request a State Fair Hearing" in text_of(build_appeal(crohns_plan()))


def test_an_expedited_appeal_gives_the_clinical_reason() -> None:
    p = plan(FIX / "crohns-expedited.yaml", FIX / "crohns-vedolizumab-uhc.denial.yaml",
             dt.date(2026, 11, 30))  # fmt: skip
    text = text_of(build_appeal(p))
    assert re.search(r"maximum function — .*\d{4}-\d{2}-\d{2}", text)


def test_attachments_are_enclosed_with_the_reasons_they_bear_on(tmp_path: Path) -> None:
    from pa_docs.documents._appeal import _attachments_for

    titles = ["Colonoscopy report 2026-10-28", "Pharmacy claims history", "IGRA result"]
    assert _attachments_for(titles, ["score"]) == ["Colonoscopy report 2026-10-28"]
    assert _attachments_for(titles, ["step_therapy"]) == ["Pharmacy claims history"]
    assert _attachments_for(titles, ["lab"]) == ["IGRA result"]


# --- the peer-to-peer sheet ---


def test_the_p2p_sheet_is_refused_where_the_level_decides_on_paper() -> None:
    p = plan(FIX / "osa-cpap-medicare.yaml", FIX / "osa-cpap-medicare.denial.yaml",
             dt.date(2027, 2, 8))  # fmt: skip
    assert p.deadline.independent
    with pytest.raises(InputError, match="decided on the written record"):
        build_p2p(p)


def test_the_p2p_sheet_answers_the_objections_from_the_record() -> None:
    text = text_of(build_p2p(crohns_plan()))
    assert "Another course of corticosteroids should be tried first." in text
    assert "Unable to taper prednisone below 15 mg daily without relapse" in text
    assert "Overturn the denial and approve Entyvio (vedolizumab), 300 mg" in text


# --- Medicare DME ---


def test_a_medicare_dme_letter_speaks_to_the_dme_mac() -> None:
    text = text_of(build("letter", example("osa-cpap-medicare")))
    assert "DME Medicare Administrative Contractor (DME MAC)" in text
    assert "Documentation supporting the supplier's claim" in text
    assert "Dear Medical Director" not in text
    for element in ("Beneficiary |", "Item |", "Quantity |", "Order date | 2026-11-20",
                    "Treating practitioner | Samuel Ortiz, DO, NPI 1467583922"):  # fmt: skip
        assert element in text, element
    heads = [
        b.text for b in build("letter", example("osa-cpap-medicare")).blocks if b.type == "heading"
    ]
    assert "Standard written order" in heads and "Face-to-face evaluation" in heads
    assert "Qualifying test report" in heads


def test_only_a_new_drug_says_why_it_follows_and_a_visit_lists_no_treatments() -> None:
    text = text_of(build("letter", ROOT / "examples" / "cgm-medicare.yaml"))
    assert "Why FreeStyle Libre 3 follows" not in text  # a CGM is not the next drug class
    assert "is a device." not in text
    visit = text.split("\n3. Within six (6) months")[1].split("Treatment plan")[0]
    assert "Office visit on 2026-10-15" in visit
    assert "metformin" not in visit and "insulin glargine" not in visit  # not the visit's evidence
    for name in ("lumbar-mri-aetna", "ascvd-alirocumab-cigna-continuation"):
        text = text_of(build("letter", ROOT / "examples" / f"{name}.yaml"))
        assert not re.search(r"^Why .* follows", text, re.MULTILINE), name  # procedure; renewal
    text = text_of(build("letter", ROOT / "examples" / "ascvd-alirocumab-cigna.yaml"))
    assert "Why Praluent follows." in text  # a new drug after the statin still says why


def test_a_device_takes_its_article() -> None:
    text = text_of(build("letter", ROOT / "examples" / "insulin-pump-medicare.yaml"))
    assert "I am prescribing an Omnipod 5 (external insulin infusion pump)." in text
    assert "a Omnipod" not in text
    text = text_of(build("letter", ROOT / "examples" / "cgm-medicare.yaml"))
    assert "I am prescribing a FreeStyle Libre 3" in text


def test_a_policy_without_a_number_is_named_once() -> None:
    title = "Aimovig (erenumab) — migraine prevention"
    for kind in ("letter", "packet"):
        text = text_of(build(kind, ROOT / "examples" / "migraine-erenumab-uhc.yaml"))
        assert "UnitedHealthcare policy Aimovig (erenumab) — migraine prevention," in text
        assert f"{title}, {title}" not in text and f"{title} — {title}" not in text, kind


# --- layout ---


def test_fax_output_is_black_on_white_and_never_below_9_pt() -> None:
    from pa_docs.render._html import to_html

    doc = build("packet", example("ra-infliximab-aetna"), "docx", fax=True)
    assert '<body class="packet fax">' in to_html(doc)
    d = docx.Document(io.BytesIO(render(doc, "docx")))
    xml = d.element.xml + "".join(s.footer._element.xml for s in d.sections)
    assert 'w:fill="1F3B5B"' not in xml  # no tinted header fills
    sizes = [int(s) for s in re.findall(r'<w:sz w:val="(\d+)"', xml)]  # half-points
    assert sizes and min(sizes) >= 18


def test_a_docx_table_never_breaks_inside_a_date() -> None:
    data = render(build("packet", example("ra-infliximab-aetna"), "docx"), "docx")
    d = docx.Document(io.BytesIO(data))
    cells = [c._tc.xml for t in d.tables for row in t.rows for c in row.cells]
    assert any("w:noBreakHyphen" in x for x in cells)
    assert not any(re.search(r"<w:t[^>]*>[^<]*\d{4}-\d{2}-\d{2}", x) for x in cells)


def test_the_signature_never_stands_alone_on_a_page() -> None:
    from pypdf import PdfReader

    for kind in ("letter", "packet"):
        for name in ("ra-infliximab-aetna", "crohns-vedolizumab-uhc", "osa-cpap-medicare"):
            data = render(build(kind, example(name), "pdf"), "pdf")
            pages = [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]
            page = next(p for p in pages if "Sincerely," in p)
            before = page[: page.index("Sincerely,")]
            assert "peer-to-peer discussion" in before, (kind, name)


def test_a_draft_letter_puts_the_letterhead_above_the_draft_box() -> None:
    doc = build(
        "letter", ROOT / "examples" / "oxygen-concentrator-medicare-supplier.yaml", draft=True
    )
    styles = [b.style for b in doc.blocks if b.type == "paragraph"]
    assert styles[0] == "letterhead" and styles[1] == "gap"


def test_a_diagnosis_inside_a_sentence_is_not_capitalized_unless_an_eponym() -> None:
    psoriasis = text_of(build("letter", ROOT / "examples" / "psoriasis-adalimumab-cigna.yaml"))
    assert "coverage of Humira (adalimumab), " in psoriasis
    assert "for psoriasis vulgaris (L40.0)" in psoriasis
    assert "male with psoriasis vulgaris (L40.0)" in psoriasis
    crohns = text_of(build("letter", example("crohns-vedolizumab-uhc")))
    assert "male with Crohn's disease of both small and large intestine" in crohns
    assert "for Crohn's disease of both small and large intestine" in crohns
    # the table keeps the code set's own capital
    assert "Diagnosis | K50.812 — Crohn's disease" in crohns
    assert "Diagnosis | L40.0 — Psoriasis vulgaris" in psoriasis
    # a first word followed by a comma is a word all the same
    spine = text_of(build("letter", ROOT / "examples" / "lumbar-mri-aetna.yaml"))
    assert "male with radiculopathy, lumbar region (M54.16)" in spine
