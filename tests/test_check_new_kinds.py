"""The kinds and options added for issue #14's policies, at their edges.

event_count (dated events in a window), percent_change (a measurement against its baseline before
a drug class), statin intensity by daily dose, step therapy counted by the payer's list entries,
a diagnosis judged on the request's code only, a lab baseline taken before a drug class started,
and a minimum length for trials of any outcome. The request date is 2026-11-02 unless a test
sets another.
"""

from __future__ import annotations

from typing import Any

import pytest

from pa_docs.check import Status

from .conftest import Judge, MakeCase

MET, NOT_MET, MISSING = Status.met, Status.not_met, Status.missing


def _exacerbations(*dates: str) -> list[dict[str, Any]]:
    return [{"name": "asthma_exacerbation", "date": d} for d in dates]


ASTHMA = {
    "coverage": {"payer": "bcbsnd"},
    "request": {"item": "mepolizumab", "diagnosis": "J45.50"},
}


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (("2026-01-10", "2026-06-01"), MET),
        (("2025-11-02", "2026-06-01"), MET),  # 12 months back to the same date: inside
        (("2025-11-01", "2026-06-01"), MISSING),  # a day older: only one counts
        (("2026-06-01",), MISSING),  # one where two are asked: look for the other
        ((), MISSING),
    ],
)
def test_exacerbations_counted_in_12_months(
    make_case: MakeCase, judge: Judge, dates: tuple[str, ...], expected: Status
) -> None:
    case = make_case(**ASTHMA, findings=_exacerbations(*dates))
    v = judge(case, "bcbsnd-mepolizumab-asthma", "uncontrolled")
    assert v.status is expected
    if expected is MISSING:
        assert v.action and "asthma_exacerbation" in v.action
        if dates and dates[0] == "2025-11-01":
            assert "1 older one (2025-11-01) does not count" in v.reason


def test_exacerbation_count_as_recorded_is_a_score_that_can_fail(
    make_case: MakeCase, judge: Judge
) -> None:
    # a chart that states the count (1) is evidence against; other branches are missing
    case = make_case(
        **ASTHMA,
        scores=[{"instrument": "asthma_exacerbations_12m", "value": 1, "date": "2026-10-01"}],
        labs=[{"test": "fev1_pct", "value": 85, "unit": "%", "date": "2026-10-01"}],
        findings=_exacerbations("2026-05-01"),
    )
    v = judge(case, "bcbsnd-mepolizumab-asthma", "uncontrolled")
    assert v.status is MISSING  # the ACT branch and the second exacerbation are still to find
    case = make_case(
        **ASTHMA,
        scores=[
            {"instrument": "asthma_exacerbations_12m", "value": 3, "date": "2026-10-01"},
        ],
    )
    assert judge(case, "bcbsnd-mepolizumab-asthma", "uncontrolled").status is MET


@pytest.mark.parametrize(
    ("act", "expected"), [(19, MET), (20, NOT_MET)]
)  # "less than 20": 20 fails
def test_act_threshold(make_case: MakeCase, judge: Judge, act: int, expected: Status) -> None:
    case = make_case(
        **ASTHMA,
        scores=[
            {"instrument": "act", "value": act, "date": "2026-10-01"},
            {"instrument": "asthma_exacerbations_12m", "value": 0, "date": "2026-10-01"},
        ],
        labs=[{"test": "fev1_pct", "value": 82, "unit": "%", "date": "2026-10-01"}],
        findings=[],
    )
    v = judge(case, "bcbsnd-mepolizumab-asthma", "uncontrolled")
    # with no exacerbation findings the event branch is missing, so a failing ACT leaves it missing
    assert v.status is (MET if expected is MET else MISSING)


@pytest.mark.parametrize(
    ("labs", "expected"),
    [
        ([("2026-09-21", 150)], MET),  # 42 days back: inside, at the threshold
        ([("2026-09-20", 150)], MISSING),  # 43 days: outside 6 weeks, and below 300
        ([("2026-09-20", 300)], MET),  # outside 6 weeks but at least 300 within 12 months
        ([("2026-10-20", 149)], NOT_MET),  # recent and below 150, and below 300
    ],
)
def test_eosinophil_windows(
    make_case: MakeCase, judge: Judge, labs: list[tuple[str, float]], expected: Status
) -> None:
    case = make_case(
        **ASTHMA, labs=[{"test": "eosinophils", "value": v, "date": d} for d, v in labs]
    )
    assert judge(case, "bcbsnd-mepolizumab-asthma", "eosinophils").status is expected


# percent_change: Cigna Wegovy continuation, "lost ≥ 5% of baseline body weight" -------------------

WEGOVY = {
    "coverage": {"payer": "cigna"},
    "request": {"item": "semaglutide", "diagnosis": "E66.9", "type": "continuation"},
}
ON_GLP1 = [{"drug": "semaglutide", "start": "2026-04-01"}]


def _weights(*pairs: tuple[str, float]) -> list[dict[str, Any]]:
    return [{"test": "body_weight", "value": v, "unit": "kg", "date": d} for d, v in pairs]


@pytest.mark.parametrize(
    ("current", "expected"),
    [(95.0, MET), (94.9, MET), (95.1, NOT_MET), (101.0, NOT_MET)],
)
def test_weight_loss_five_percent_edge(
    make_case: MakeCase, judge: Judge, current: float, expected: Status
) -> None:
    case = make_case(
        **WEGOVY,
        treatments=ON_GLP1,
        labs=_weights(("2026-03-25", 100.0), ("2026-10-20", current)),
    )
    v = judge(case, "cigna-wegovy-weight", "weight-loss")
    assert v.status is expected
    assert "baseline of 100 kg on 2026-03-25" in v.reason


def test_weight_baseline_is_before_the_first_glp1(make_case: MakeCase, judge: Judge) -> None:
    # tirzepatide before semaglutide: the baseline is before tirzepatide (any GLP-1 agonist)
    case = make_case(
        **WEGOVY,
        treatments=[
            {"drug": "tirzepatide", "start": "2025-10-01", "end": "2026-03-31"},
            *ON_GLP1,
        ],
        labs=_weights(("2025-09-15", 120.0), ("2026-03-25", 110.0), ("2026-10-20", 108.0)),
    )
    v = judge(case, "cigna-wegovy-weight", "weight-loss")
    assert v.status is MET and "baseline of 120 kg on 2025-09-15" in v.reason


@pytest.mark.parametrize(
    ("labs", "treatments", "words"),
    [
        ([("2026-10-20", 94.0)], ON_GLP1, "No baseline weight"),
        ([("2026-03-25", 100.0)], ON_GLP1, "no weight after semaglutide started"),
        ([("2026-03-25", 100.0), ("2026-08-03", 90.0)], ON_GLP1, "within 90 days"),
        ([("2026-03-25", 100.0), ("2026-10-20", 90.0)], [], "No start date"),
    ],
)
def test_weight_loss_missing(
    make_case: MakeCase,
    judge: Judge,
    labs: list[tuple[str, float]],
    treatments: list[dict[str, Any]],
    words: str,
) -> None:
    case = make_case(**WEGOVY, treatments=treatments, labs=_weights(*labs))
    v = judge(case, "cigna-wegovy-weight", "weight-loss")
    assert v.status is MISSING
    assert words in v.reason


def test_baseline_bmi_ignores_results_after_the_glp1_start(
    make_case: MakeCase, judge: Judge
) -> None:
    bmi = [
        {"test": "bmi", "value": 31.0, "date": "2026-03-25"},
        {"test": "bmi", "value": 28.0, "date": "2026-10-20"},  # after: not the baseline
    ]
    case = make_case(**WEGOVY, treatments=ON_GLP1, labs=bmi)
    v = judge(case, "cigna-wegovy-weight", "bmi")
    assert v.status is MET and "31" in v.reason
    # with no GLP-1 on record (an initial request) the most recent BMI is the baseline
    initial = {**WEGOVY, "request": {**WEGOVY["request"], "type": "initial"}}
    case = make_case(**initial, labs=bmi)
    assert judge(case, "cigna-wegovy-weight", "bmi").status is NOT_MET  # 28, no comorbidity


@pytest.mark.parametrize(("days", "expected"), [(90, MET), (89, NOT_MET)])
def test_lifestyle_trial_three_months(
    make_case: MakeCase, judge: Judge, days: int, expected: Status
) -> None:
    import datetime as dt

    start = (dt.date(2026, 11, 2) - dt.timedelta(days=days)).isoformat()
    initial = {**WEGOVY, "request": {**WEGOVY["request"], "type": "initial"}}
    case = make_case(**initial, treatments=[{"drug": "lifestyle program", "start": start}])
    assert judge(case, "cigna-wegovy-weight", "lifestyle-trial").status is expected


# statin intensity ---------------------------------------------------------------------------------

PRALUENT = {
    "coverage": {"payer": "cigna"},
    "request": {"item": "alirocumab", "diagnosis": "I25.10"},
}
LDL_HIGH = [{"test": "ldl", "value": 80, "unit": "mg/dL", "date": "2026-10-01"}]


@pytest.mark.parametrize(
    ("drug", "dose", "strength", "expected"),
    [
        ("atorvastatin", "40 mg daily", None, MET),
        (
            "atorvastatin",
            "20 mg daily",
            None,
            MISSING,
        ),  # moderate intensity: not a qualifying trial
        ("atorvastatin", None, "80 mg", MET),  # the strength when the dose gives no mg
        ("rosuvastatin", "20 mg daily", None, MET),
        ("rosuvastatin", "10 mg daily", None, MISSING),
        ("simvastatin", "40 mg daily", None, MISSING),  # no intensity in the payer's definition
        ("Lipitor", "40 mg once daily", None, MET),  # a brand name
    ],
)
def test_high_intensity_statin(
    make_case: MakeCase,
    judge: Judge,
    drug: str,
    dose: str | None,
    strength: str | None,
    expected: Status,
) -> None:
    t: dict[str, Any] = {"drug": drug, "start": "2026-01-05", "outcome": "inadequate_response"}
    if dose:
        t["dose"] = dose
    if strength:
        t["strength"] = strength
    case = make_case(**PRALUENT, treatments=[t], labs=LDL_HIGH)
    v = judge(case, "cigna-alirocumab-ascvd", "statin")
    assert v.status is expected
    if expected is MISSING and drug != "simvastatin":
        assert "not high-intensity" in v.reason


@pytest.mark.parametrize(("days", "expected"), [(56, MET), (55, NOT_MET)])
def test_statin_eight_weeks(make_case: MakeCase, judge: Judge, days: int, expected: Status) -> None:
    import datetime as dt

    start = (dt.date(2026, 11, 2) - dt.timedelta(days=days)).isoformat()
    t = {"drug": "atorvastatin", "dose": "80 mg daily", "start": start}
    case = make_case(**PRALUENT, treatments=[t], labs=LDL_HIGH)
    v = judge(case, "cigna-alirocumab-ascvd", "statin")
    # too short is evidence against the statin branch; the intolerance branch is still missing
    assert v.status is (MET if expected is MET else MISSING)
    if expected is NOT_MET:
        assert "55 days, shorter than the 56 days required" in v.reason


@pytest.mark.parametrize(("ldl", "expected"), [(55, MET), (54, NOT_MET)])
def test_ldl_threshold(make_case: MakeCase, judge: Judge, ldl: int, expected: Status) -> None:
    t = {"drug": "atorvastatin", "dose": "80 mg daily", "start": "2026-01-05"}
    labs = [{"test": "ldl", "value": ldl, "date": "2026-10-01"}]
    case = make_case(**PRALUENT, treatments=[t], labs=labs)
    v = judge(case, "cigna-alirocumab-ascvd", "statin")
    assert v.status is (MET if expected is MET else MISSING)


def test_statin_intolerance_needs_both_statins(make_case: MakeCase, judge: Judge) -> None:
    one = [
        {
            "drug": "atorvastatin",
            "start": "2025-01-01",
            "end": "2025-02-01",
            "outcome": "intolerance",
        }
    ]
    both = [
        *one,
        {
            "drug": "rosuvastatin",
            "start": "2025-03-01",
            "end": "2025-03-20",
            "outcome": "intolerance",
        },
    ]
    assert (
        judge(make_case(**PRALUENT, treatments=both), "cigna-alirocumab-ascvd", "statin").status
        is MET
    )
    assert (
        judge(make_case(**PRALUENT, treatments=one), "cigna-alirocumab-ascvd", "statin").status
        is not MET
    )


# step therapy counted by the payer's list entries ------------------------------------------------

MIGRAINE = {"coverage": {"payer": "uhc"}, "request": {"item": "erenumab", "diagnosis": "G43.709"}}


def _trial(drug: str, start: str = "2025-01-01", end: str = "2025-04-01") -> dict[str, Any]:
    return {"drug": drug, "start": start, "end": end, "outcome": "inadequate_response"}


@pytest.mark.parametrize(
    ("trials", "expected"),
    [
        ([_trial("propranolol"), _trial("topiramate")], MET),
        # two beta-blockers are one therapy of the list: look for a second one
        ([_trial("propranolol"), _trial("metoprolol")], MISSING),
        ([_trial("duloxetine"), _trial("amitriptyline")], MET),  # an SNRI and a TCA
        ([_trial("propranolol"), _trial("topiramate", end="2025-01-30")], NOT_MET),  # 29 days
        ([_trial("propranolol"), _trial("topiramate", end="2025-03-02")], MET),  # 60 days
    ],
)
def test_two_preventive_therapies(
    make_case: MakeCase, judge: Judge, trials: list[dict[str, Any]], expected: Status
) -> None:
    case = make_case(**MIGRAINE, treatments=trials)
    v = judge(case, "uhc-erenumab-migraine", "step-preventives")
    assert v.status is expected
    if trials[1]["drug"] == "metoprolol":
        assert v.action and "2 different therapies of the list are required" in v.action


@pytest.mark.parametrize(
    ("scores", "findings", "expected"),
    [
        ({"migraine_days_month": 8}, [], MET),
        ({"migraine_days_month": 4, "headache_days_month": 14}, [], MET),
        # 15 headache days fail, but the predominant-migraine attestation may still be found
        ({"migraine_days_month": 7, "headache_days_month": 15}, [], MISSING),
        (
            {"migraine_days_month": 7, "headache_days_month": 15},
            ["migraine_predominant_headache"],
            MET,
        ),
        ({"migraine_days_month": 3}, [], NOT_MET),
        ({"migraine_days_month": 6}, [], MISSING),
    ],
)
def test_migraine_frequency(
    make_case: MakeCase,
    judge: Judge,
    scores: dict[str, int],
    findings: list[str],
    expected: Status,
) -> None:
    case = make_case(
        **MIGRAINE,
        scores=[{"instrument": k, "value": v, "date": "2026-10-15"} for k, v in scores.items()],
        findings=[{"name": f, "date": "2026-10-15"} for f in findings],
    )
    assert judge(case, "uhc-erenumab-migraine", "frequency").status is expected


# a diagnosis judged on the request's code: Humana excludes weight loss -------------------------

HUMANA = {"coverage": {"payer": "humana"}}


@pytest.mark.parametrize(
    ("request_dx", "on_record", "expected"),
    [
        ("E11.65", [], MET),
        ("E66.01", ["E11.9"], NOT_MET),  # diabetes on record, but the claim is for weight loss
        ("Z68.41", [], NOT_MET),
    ],
)
def test_humana_indication_is_the_claims_code(
    make_case: MakeCase, judge: Judge, request_dx: str, on_record: list[str], expected: Status
) -> None:
    case = make_case(
        **HUMANA,
        request={"item": "semaglutide", "diagnosis": request_dx},
        diagnoses=[{"code": c} for c in on_record],
    )
    assert judge(case, "humana-glp1-t2d", "indication").status is expected


# Medicare CGM: insulin or problematic hypoglycemia; the 6-month visit -------------------------

CGM = {
    "coverage": {"payer": "medicare"},
    "request": {"item": "cgm", "kind": "device", "diagnosis": "E11.65"},
}


@pytest.mark.parametrize(
    ("findings", "treatments", "expected"),
    [
        ([], [{"drug": "insulin glargine", "start": "2025-01-01"}], MET),
        ([], [{"drug": "metformin", "start": "2025-01-01"}], MISSING),  # oral: not insulin-treated
        ([("hypoglycemia_level_3", "2019-05-01")], [], MET),  # a history: no window
        (
            [
                ("hypoglycemia_level_2", "2026-06-01"),
                ("hypoglycemia_level_2", "2026-07-01"),
                ("diabetes_regimen_adjusted", "2026-06-02"),
                ("diabetes_regimen_adjusted", "2026-07-02"),
            ],
            [],
            MET,
        ),
        (
            [
                ("hypoglycemia_level_2", "2026-06-01"),
                ("hypoglycemia_level_2", "2026-07-01"),
                ("diabetes_regimen_adjusted", "2026-06-02"),
            ],
            [],
            MISSING,
        ),  # one adjustment: not "multiple"
    ],
)
def test_cgm_insulin_or_hypoglycemia(
    make_case: MakeCase,
    judge: Judge,
    findings: list[tuple[str, str]],
    treatments: list[dict[str, Any]],
    expected: Status,
) -> None:
    case = make_case(
        **CGM, treatments=treatments, findings=[{"name": n, "date": d} for n, d in findings]
    )
    assert judge(case, "medicare-cgm", "insulin-or-hypoglycemia").status is expected


@pytest.mark.parametrize(("date", "expected"), [("2026-05-02", MET), ("2026-05-01", MISSING)])
def test_cgm_visit_within_six_months(
    make_case: MakeCase, judge: Judge, date: str, expected: Status
) -> None:
    case = make_case(**CGM, encounters=[{"type": "telehealth", "date": date}])
    assert judge(case, "medicare-cgm", "visit").status is expected


# Medicare insulin pump: C-peptide as a percent of the lower limit of normal --------------------

PUMP = {
    "coverage": {"payer": "medicare"},
    "request": {"item": "insulin_pump", "kind": "device", "diagnosis": "E10.9"},
}


@pytest.mark.parametrize(
    ("labs", "expected"),
    [
        ({"c_peptide_pct_lln": 110, "fasting_glucose": 225}, MET),
        ({"c_peptide_pct_lln": 111, "fasting_glucose": 150, "creatinine_clearance": 80}, NOT_MET),
        ({"c_peptide_pct_lln": 110, "fasting_glucose": 226}, NOT_MET),  # not a valid C-peptide
        ({"c_peptide_pct_lln": 190, "fasting_glucose": 150, "creatinine_clearance": 50}, MET),
        ({"c_peptide_pct_lln": 190, "fasting_glucose": 150, "creatinine_clearance": 51}, NOT_MET),
        ({"c_peptide_pct_lln": 110}, MISSING),  # the fasting glucose is not on record
    ],
)
def test_insulinopenia(
    make_case: MakeCase, judge: Judge, labs: dict[str, float], expected: Status
) -> None:
    # a negative autoantibody closes the alternative branch, so a failing C-peptide is not_met
    rows: list[dict[str, Any]] = [
        {"test": k, "value": v, "date": "2026-10-01"} for k, v in labs.items()
    ]
    rows.append({"test": "beta_cell_autoantibody", "result": "negative", "date": "2026-10-01"})
    case = make_case(**PUMP, labs=rows)
    assert judge(case, "medicare-insulin-pump", "insulinopenia").status is expected


def test_beta_cell_autoantibody_is_the_alternative(make_case: MakeCase, judge: Judge) -> None:
    labs = [
        {"test": "c_peptide_pct_lln", "value": 300, "date": "2026-10-01"},
        {"test": "fasting_glucose", "value": 120, "date": "2026-10-01"},
        {"test": "beta_cell_autoantibody", "result": "positive", "date": "2026-10-01"},
    ]
    assert (
        judge(make_case(**PUMP, labs=labs), "medicare-insulin-pump", "insulinopenia").status is MET
    )


# the vocabulary the new policies need ----------------------------------------------------------


@pytest.mark.parametrize(
    ("loinc", "key"),
    [
        ("4548-4", "hba1c"),
        ("13457-7", "ldl"),
        ("18262-6", "ldl"),
        ("711-2", "eosinophils"),
        ("26449-9", "eosinophils"),
        ("19113-0", "ige_total"),
        ("39156-5", "bmi"),
        ("29463-7", "body_weight"),
        ("8302-2", "body_height"),
    ],
)
def test_a_lab_given_by_loinc_alone(make_case: MakeCase, loinc: str, key: str) -> None:
    case = make_case(labs=[{"loinc": loinc, "value": 1, "date": "2026-10-01"}])
    assert case.labs[0].key == key


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("Ozempic", "glp1_ra"),
        ("Zepbound", "glp1_ra"),
        ("Lantus", "insulin"),
        ("Repatha", "pcsk9_inhibitor"),
        ("Emgality", "cgrp_antagonist"),
        ("Maxalt", "triptan"),
        ("Fasenra", "anti_il5"),
        ("Xolair", "anti_ige"),
        ("Breo Ellipta", "ics_laba"),
        ("Pulmicort Flexhaler", "inhaled_corticosteroid"),
        ("Crestor", "statin"),
    ],
)
def test_brands_belong_to_their_class(name: str, cls: str) -> None:
    from pa_docs.vocab import vocabulary

    drug = vocabulary().drug(name)
    assert drug is not None and cls in drug.all_classes
