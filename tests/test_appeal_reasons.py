"""Denial reasons mapped to policy criteria: stated, inferred from words or code, or unmapped."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from pa_docs.appeal import Denial, load_denial, map_reasons
from pa_docs.appeal._reasons import reason_table
from pa_docs.errors import InputError
from pa_docs.policy import load_policies

SHARED = Path(__file__).resolve().parents[2] / "shared" / "examples"
pytestmark = pytest.mark.skipif(
    not SHARED.is_dir(), reason="../shared/examples is not beside the repository"
)
POLICIES = load_policies()
UHC = POLICIES["uhc-vedolizumab-crohns"]  # diagnosis, disease-activity, step-conventional, dosing
AETNA = POLICIES["aetna-infliximab-ra"]
CIGNA = POLICIES["cigna-adalimumab-psoriasis"]
PAP = POLICIES["medicare-pap-osa"]


def denial(*reasons: dict[str, object]) -> Denial:
    return Denial.model_validate(
        {
            "case_id": "X",
            "denial_date": dt.date(2026, 11, 24),
            "reference": "R-1",
            "appeal_level": 1,
            "reasons": list(reasons),
        }
    )


def one(text: str, policy=UHC, code: str | None = None, request_type: str = "initial"):
    r: dict[str, object] = {"text": text}
    if code:
        r["code"] = code
    (m,) = map_reasons(denial(r), policy, request_type)
    return m


ALL_UHC = ["diagnosis", "disease-activity", "step-conventional", "dosing"]


class TestSharedExample:
    def test_stated_then_inferred(self):
        d = load_denial(SHARED / "crohns-vedolizumab-uhc.denial.yaml")
        first, second = map_reasons(d, UHC, "initial")
        assert (first.index, first.how, first.criteria) == (1, "stated", ["step-conventional"])
        assert first.family == "step_therapy"
        assert (second.index, second.how, second.criteria) == (2, "inferred", ["disease-activity"])
        assert (second.family, second.basis, second.matched) == ("severity", "words", "severity")
        assert "inferred from the words 'severity'" in second.note


# Each X12 reason code of appeals.md, with words that name no family.
@pytest.mark.parametrize(
    ("code", "family", "how", "criteria"),
    [
        ("CO-15", "authorization", "unmapped", ALL_UHC),
        ("CO-16", "documentation", "unmapped", ALL_UHC),
        ("CO-50", "medical_necessity", "unmapped", ALL_UHC),
        ("CO-55", "experimental", "unmapped", ALL_UHC),
        ("CO-56", "experimental", "unmapped", ALL_UHC),
        ("PR-96", "coverage", "unmapped", ALL_UHC),
        ("CO-167", "diagnosis", "inferred", ["diagnosis"]),
        ("CO-197", "authorization", "unmapped", ALL_UHC),
        ("198", "dosing", "inferred", ["dosing"]),
        ("PR-204", "coverage", "unmapped", ALL_UHC),
    ],
)
def test_every_reason_code(code, family, how, criteria):
    m = one("Denied.", code=code)
    assert (m.family, m.how, m.criteria) == (family, how, criteria)
    assert (m.basis, m.matched) == ("code", code)
    assert m.code_words  # the X12 wording, for the letter
    if how == "unmapped":
        assert "general medical-necessity argument" in m.note


# Each phrase family, over the policy that has criteria of its kind.
@pytest.mark.parametrize(
    ("text", "policy", "family", "criteria"),
    [
        ("Step therapy requirements not met.", UHC, "step_therapy", ["step-conventional"]),
        ("No record that the member tried and failed methotrexate.", AETNA, "step_therapy",
         ["step-methotrexate"]),
        ("The preferred product was not tried.", UHC, "step_therapy", ["step-conventional"]),
        ("A biosimilar must be used first.", AETNA, "step_therapy", ["step-methotrexate"]),
        ("Disease severity is not documented.", UHC, "severity", ["disease-activity"]),
        ("Disease activity does not qualify.", UHC, "severity", ["disease-activity"]),
        ("TB screening is missing or outdated.", AETNA, "lab", ["tb-screening"]),
        ("No tuberculosis test in the last year.", AETNA, "lab", ["tb-screening"]),
        ("Required lab results were not provided.", AETNA, "lab", ["serology", "tb-screening"]),
        ("No sleep study on file.", PAP, "lab", ["sleep-test"]),
        ("The diagnosis is not covered.", UHC, "diagnosis", ["diagnosis"]),
        ("Must be prescribed by a dermatologist.", CIGNA, "prescriber", ["prescriber"]),
        ("The prescriber is not a specialist.", CIGNA, "prescriber", ["prescriber"]),
        ("Not approved in combination with another biologic.", AETNA, "combination",
         ["no-other-biologic"]),
        ("Infliximab must be used in combination with methotrexate.", AETNA, "combination",
         ["combination"]),
        ("Concurrent therapy does not qualify.", AETNA, "combination",
         ["combination", "no-other-biologic"]),
        ("The requested quantity exceeds the plan limit.", UHC, "dosing", ["dosing"]),
        ("Dosing above the labeled dose.", UHC, "dosing", ["dosing"]),
        ("The member does not meet the age requirement.", CIGNA, "age", ["age"]),
        ("No face-to-face evaluation was documented.", PAP, "encounter", ["face-to-face"]),
    ],
)  # fmt: skip
def test_every_phrase_family(text, policy, family, criteria):
    m = one(text, policy)
    assert (m.family, m.how, m.criteria, m.basis) == (family, "inferred", criteria, "words")


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("The requested use is experimental and investigational.", "experimental"),
        ("Off-label use.", "experimental"),
        ("Insufficient documentation was submitted.", "documentation"),
        ("Not medically necessary.", "medical_necessity"),
        ("The request does not meet the plan's criteria.", "medical_necessity"),
        ("No prior authorization on file.", "authorization"),
        ("Not covered under the member's benefit plan.", "coverage"),
    ],
)
def test_general_families_are_answered_with_every_criterion(text, family):
    m = one(text)
    assert (m.family, m.how, m.criteria, m.basis) == (family, "unmapped", ALL_UHC, "words")


def test_words_beat_a_generic_code():
    m = one("Not medically necessary: no evidence the member tried and failed a TNF blocker.",
            code="CO-50")  # fmt: skip
    assert (m.family, m.how, m.criteria) == ("step_therapy", "inferred", ["step-conventional"])
    assert (m.basis, m.matched) == ("words", "tried and failed")


def test_a_specific_code_beats_general_words():
    m = one("Not medically necessary.", code="CO-167")
    assert (m.family, m.basis, m.criteria) == ("diagnosis", "code", ["diagnosis"])


def test_specific_words_beat_general_words():
    m = one("Insufficient documentation of disease activity.")
    assert (m.family, m.criteria) == ("severity", ["disease-activity"])


def test_several_specific_families_map_to_the_union_in_policy_order():
    m = one("TB screening missing; not in combination with another biologic.", AETNA)
    assert (m.family, m.families) == ("lab", ("lab", "combination"))
    assert m.criteria == ["tb-screening", "no-other-biologic"]
    assert m.note == "inferred from the words 'TB', 'combination': lab, combination"


def test_a_face_to_face_before_the_test_concerns_both():
    m = one("No face-to-face evaluation before the test.", PAP)
    assert m.families == ("lab", "encounter")
    assert m.criteria == ["face-to-face", "sleep-test"]


def test_a_family_the_policy_has_no_criterion_for_is_unmapped():
    m = one("TB screening is missing.", UHC)
    assert (m.family, m.how, m.criteria) == ("lab", "unmapped", ALL_UHC)
    assert "has no such lab criterion" in m.note


def test_tb_words_with_no_tb_criterion_are_unmapped():
    m = one("No tuberculosis screening.", PAP)  # PAP has a lab (sleep test), but no TB test
    assert (m.how, m.criteria) == ("unmapped", ["face-to-face", "sleep-test", "diagnosis"])


def test_nothing_recognised():
    m = one("Denied.")
    assert (m.family, m.how, m.basis, m.matched) == ("medical_necessity", "unmapped", "none", None)
    assert m.criteria == ALL_UHC
    assert "no code or phrase recognised" in m.note


def test_continuation_criteria_are_used_for_a_continuation():
    m = one("No PASI score showing response.", CIGNA, request_type="continuation")
    assert m.criteria == ["response"]


class TestStated:
    def test_stated_criteria_are_kept_in_order(self):
        (m,) = map_reasons(
            denial({"text": "Denied.", "criteria": ["dosing", "diagnosis"]}), UHC, "initial"
        )
        assert (m.how, m.criteria, m.basis) == ("stated", ["dosing", "diagnosis"], "denial")

    def test_an_unknown_criterion_is_an_input_error_naming_the_reason(self):
        d = denial({"text": "Step therapy."}, {"text": "x", "criteria": ["diagnosis", "tb-test"]})
        with pytest.raises(InputError) as e:
            map_reasons(d, UHC, "initial", file="d.yaml")
        msg = str(e.value)
        assert msg.startswith("d.yaml: reasons[1].criteria: reason 2 names criterion 'tb-test'")
        assert "known: diagnosis, disease-activity, step-conventional, dosing" in msg

    def test_a_continuation_id_is_unknown_for_an_initial_request(self):
        d = denial({"text": "x", "criteria": ["response"]})
        with pytest.raises(InputError, match="'response'"):
            map_reasons(d, CIGNA, "initial")


def test_the_table_is_consistent():
    t = reason_table()
    assert set(t.codes) == {"15", "16", "50", "55", "56", "96", "167", "197", "198", "204"}
    kinds = {"step_therapy", "score", "lab", "diagnosis", "prescriber", "concurrent_therapy",
             "dosing", "age", "encounter"}  # fmt: skip
    for f in t.families.values():
        assert set(f.kinds) <= kinds
        for p in [*f.phrases, *(q for n in f.narrow for q in n.phrases)]:
            re.compile(p)
