"""Thresholds at the value itself: "at least" includes it, "greater than" excludes it; age on the
18th birthday."""

from __future__ import annotations

from typing import Any

import pytest

from pa_docs.check import Status

from .conftest import Judge, MakeCase

MET, NOT_MET, MISSING = Status.met, Status.not_met, Status.missing


@pytest.mark.parametrize(
    ("birth", "expected"),
    [
        ("2008-11-02", MET),  # 18th birthday on the request date 2026-11-02
        ("2008-11-03", NOT_MET),  # 18th birthday the day after: still 17
        ("2008-02-29", MET),  # born on a leap day
    ],
)
@pytest.mark.parametrize(
    "policy",
    ["bcbsms-biologics-psoriasis", "bcbsnd-infliximab-crohns", "cigna-adalimumab-psoriasis"],
)
def test_age_18(
    make_case: MakeCase, judge: Judge, policy: str, birth: str, expected: Status
) -> None:
    v = judge(make_case(patient={"birth_date": birth}), policy, "age")
    assert v.status is expected
    assert ("Age 18" if expected is MET else "Age 17") in v.reason
    assert (v.action is None) is (expected is MET)


@pytest.mark.parametrize(("bsa", "expected"), [(10, MET), (10.5, MET), (9.9, MISSING)])
def test_bsa_at_least_10(make_case: MakeCase, judge: Judge, bsa: float, expected: Status) -> None:
    # below 10 with no record about sensitive areas: missing (look for that record), not not_met
    case = make_case(scores=[{"instrument": "bsa", "value": bsa, "date": "2026-10-01"}])
    assert judge(case, "bcbsms-biologics-psoriasis", "extent").status is expected


def test_bsa_6_with_no_sensitive_area_record_is_missing(make_case: MakeCase, judge: Judge) -> None:
    case = make_case(scores=[{"instrument": "bsa", "value": 6, "date": "2026-10-01"}])
    v = judge(case, "bcbsms-biologics-psoriasis", "extent")
    assert v.status is MISSING
    assert v.action and "psoriasis_sensitive_area" in v.action


def test_bsa_6_with_a_sensitive_area_is_met(make_case: MakeCase, judge: Judge) -> None:
    case = make_case(
        scores=[{"instrument": "bsa", "value": 6, "date": "2026-10-01"}],
        findings=[
            {"name": "psoriasis_sensitive_area", "date": "2026-10-01", "note": "scalp, hands"}
        ],
    )
    v = judge(case, "bcbsms-biologics-psoriasis", "extent")
    assert v.status is MET
    assert "BSA 6" in v.reason


def test_no_bsa_at_all_is_missing(make_case: MakeCase, judge: Judge) -> None:
    v = judge(make_case(), "bcbsms-biologics-psoriasis", "extent")
    assert v.status is MISSING
    assert v.action and "BSA" in v.action


@pytest.mark.parametrize(
    ("instrument", "value", "expected"),
    [
        ("hbi", 8, MET),
        ("hbi", 7, MISSING),  # the CDAI branch has no score: look for one
        ("cdai_crohns", 220, MET),
        ("cdai_crohns", 219, MISSING),
    ],
)
def test_crohns_activity_thresholds(
    make_case: MakeCase, judge: Judge, instrument: str, value: float, expected: Status
) -> None:
    case = make_case(scores=[{"instrument": instrument, "value": value, "date": "2026-10-20"}])
    assert judge(case, "uhc-vedolizumab-crohns", "disease-activity").status is expected


def test_crohns_activity_both_scores_low_is_not_met(make_case: MakeCase, judge: Judge) -> None:
    case = make_case(
        scores=[
            {"instrument": "hbi", "value": 5, "date": "2026-10-20"},
            {"instrument": "cdai_crohns", "value": 180, "date": "2026-10-20"},
        ]
    )
    v = judge(case, "uhc-vedolizumab-crohns", "disease-activity")
    assert v.status is NOT_MET
    assert "Harvey-Bradshaw Index 5" in v.reason and "180" in v.reason


def test_most_recent_score_decides(make_case: MakeCase, judge: Judge) -> None:
    case = make_case(
        scores=[
            {"instrument": "hbi", "value": 12, "date": "2026-09-01"},
            {"instrument": "hbi", "value": 4, "date": "2026-10-20"},
            {"instrument": "cdai_crohns", "value": 150, "date": "2026-10-20"},
        ]
    )
    assert judge(case, "uhc-vedolizumab-crohns", "disease-activity").status is NOT_MET


@pytest.mark.parametrize(
    ("instrument", "value", "expected"),
    [("easi", 16, MET), ("iga", 3, MET), ("bsa", 10, MET), ("easi", 15.9, MISSING)],
)
def test_ad_severity_thresholds(
    make_case: MakeCase, judge: Judge, instrument: str, value: float, expected: Status
) -> None:
    case = make_case(scores=[{"instrument": instrument, "value": value, "date": "2026-10-20"}])
    assert judge(case, "prime-dupilumab-ad", "severity").status is expected


def _sleep(value: float, events: int, **extra: Any) -> dict[str, Any]:
    return {"test": "psg", "value": value, "events": events, "date": "2026-11-10", **extra}


@pytest.mark.parametrize(
    ("ahi", "events", "expected"),
    [
        (15, 30, MET),  # path (a) at both thresholds
        (15, 29, NOT_MET),  # (a) too few events; (b) covers only AHI under 15
        (14.9, 10, MISSING),  # path (b) without a qualifying condition on record
        (4.9, 40, NOT_MET),
    ],
)
def test_sleep_test_thresholds(
    make_case: MakeCase, judge: Judge, ahi: float, events: int, expected: Status
) -> None:
    case = make_case(
        request_date="2026-11-20",
        request={"item": "cpap", "diagnosis": "G47.33"},
        diagnoses=[{"code": "G47.33"}],
        labs=[_sleep(ahi, events)],
    )
    assert judge(case, "medicare-pap-osa", "sleep-test").status is expected


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"scores": [{"instrument": "ess", "value": 11, "date": "2026-11-01"}]}, MET),
        ({"scores": [{"instrument": "ess", "value": 10, "date": "2026-11-01"}]}, MISSING),
        ({"findings": [{"name": "insomnia", "date": "2026-11-01"}]}, MET),
        ({"diagnoses": [{"code": "G47.33"}, {"code": "I25.10"}]}, MET),
        ({"diagnoses": [{"code": "G47.33"}, {"code": "Z86.73"}]}, MET),
        ({"diagnoses": [{"code": "G47.33"}, {"code": "I16.0"}]}, MET),
        ({"diagnoses": [{"code": "G47.33"}, {"code": "I26.99"}]}, MISSING),
    ],
)
def test_sleep_test_ahi_5_to_14_path(
    make_case: MakeCase, judge: Judge, extra: dict[str, Any], expected: Status
) -> None:
    overrides: dict[str, Any] = {"diagnoses": [{"code": "G47.33"}], **extra}
    case = make_case(
        request_date="2026-11-20",
        request={"item": "cpap", "diagnosis": "G47.33"},
        labs=[_sleep(5, 10)],
        **overrides,
    )
    assert judge(case, "medicare-pap-osa", "sleep-test").status is expected


def _oxy(test: str, value: float, context: str = "rest", **extra: Any) -> dict[str, Any]:
    lab = {"test": test, "value": value, "context": context, "date": "2026-10-20"}
    return {**lab, "evaluated_by_treating_practitioner": True, **extra}


@pytest.mark.parametrize(
    ("labs", "extra", "expected", "group"),
    [
        ([_oxy("spo2", 88)], {}, MET, "Group I, at rest"),
        ([_oxy("pao2", 55)], {}, MET, "Group I, at rest"),
        ([_oxy("spo2", 89)], {}, MISSING, None),  # Group II lacks its second condition
        ([_oxy("pao2", 60)], {}, MISSING, None),  # no exercise or sleep result on record
        (
            [_oxy("spo2", 89)],
            {"findings": [{"name": "dependent_edema", "date": "2026-10-20"}]},
            MET,
            "Group II",
        ),
        ([_oxy("pao2", 56)], {"diagnoses": [{"code": "I27.20"}]}, MET, "Group II"),
        (
            [_oxy("pao2", 59)],
            {"findings": [{"name": "cor_pulmonale", "date": "2026-10-01"}]},
            MET,
            "Group II",
        ),
        ([_oxy("spo2", 89), _oxy("hematocrit", 56.1)], {}, MET, "Group II"),
        ([_oxy("spo2", 89), _oxy("hematocrit", 56)], {}, MISSING, None),  # 56 is not > 56
        ([_oxy("spo2", 87, "exercise"), _oxy("spo2", 93)], {}, MET, "Group I, during exercise"),
        (
            [_oxy("spo2", 87, "sleep", minutes_at_or_below=14), _oxy("spo2", 89)],
            {},
            MET,
            "Group I, during sleep",
        ),
        (  # exactly 5 minutes at or below 88% is enough
            [_oxy("spo2", 88, "sleep", minutes_at_or_below=5), _oxy("pao2", 56)],
            {},
            MET,
            "Group I, during sleep",
        ),
        # overnight oximetry without the time at or below 88%: the specialist must document it
        ([_oxy("spo2", 87, "sleep"), _oxy("spo2", 93)], {}, MISSING, None),
        ([_oxy("spo2", 87, "sleep")], {}, MISSING, None),  # no awake resting result
    ],
)
def test_oxygen_groups(
    make_case: MakeCase,
    judge: Judge,
    labs: list[dict[str, Any]],
    extra: dict[str, Any],
    expected: Status,
    group: str | None,
) -> None:
    extra = {**extra, "diagnoses": [{"code": "J44.1"}, *extra.get("diagnoses", [])]}
    case = make_case(
        request={"item": "oxygen_concentrator", "diagnosis": "J44.1"}, labs=labs, **extra
    )
    v = judge(case, "medicare-oxygen", "group")
    assert v.status is expected
    if group:
        assert v.reason.startswith(group + ":")


def test_oxygen_group_ii_with_hematocrit_by_loinc_only(make_case: MakeCase, judge: Judge) -> None:
    hct = {"loinc": "4544-3", "value": 58, "unit": "%", "date": "2026-10-20"}
    case = make_case(labs=[_oxy("pao2", 57), hct])
    assert judge(case, "medicare-oxygen", "group").status is MET


def test_thresholds_are_said_in_their_unit(make_case: MakeCase, judge: Judge) -> None:
    # a percent threshold reads "at least 10%", a blood gas "mm Hg": never a bare number
    bsa = make_case(scores=[{"instrument": "bsa", "value": 6, "date": "2026-10-01"}])
    assert (
        "the policy asks for at least 10%."
        in judge(bsa, "bcbsms-biologics-psoriasis", "extent").reason
    )
    high = make_case(scores=[{"instrument": "bsa", "value": 12, "date": "2026-10-01"}])
    assert "(threshold: at least 10%)" in judge(high, "bcbsms-biologics-psoriasis", "extent").reason
    o2 = make_case(
        request={"item": "oxygen_concentrator", "diagnosis": "J44.1"},
        diagnoses=[{"code": "J44.1"}],
        labs=[_oxy("pao2", 62), _oxy("spo2", 93)],
    )
    reason = judge(o2, "medicare-oxygen", "group").reason
    assert "PaO2 at most 55 mm Hg" in reason or "SpO2 at most 88%" in reason
    assert "at least 56 mm Hg and at most 59 mm Hg" in reason or "SpO2 89%" in reason
