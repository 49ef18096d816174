"""Look-back windows and windows counted from a treatment start, at the day they open and close.

The request date of every case here is 2026-11-02 unless a test sets another.
"""

from __future__ import annotations

import pytest

from pa_docs.check import Status

from .conftest import Judge, MakeCase

MET, NOT_MET, MISSING = Status.met, Status.not_met, Status.missing


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("2025-11-02", MET),  # the same calendar date a year earlier: inside
        ("2025-11-01", MISSING),  # a day before: too old, counts as no test
        ("2026-11-02", MET),  # the request date itself
    ],
)
def test_tb_12_month_window(make_case: MakeCase, judge: Judge, date: str, expected: Status) -> None:
    case = make_case(labs=[{"test": "tb_igra", "result": "negative", "date": date}])
    v = judge(case, "aetna-infliximab-ra", "tb-screening")
    assert v.status is expected
    if expected is MISSING:
        assert {"lab.too_old", "lab.order", "lab.a_tb_test"} <= v.result.codes()


def test_tb_window_on_leap_day(make_case: MakeCase, judge: Judge) -> None:
    # 12 months before 2028-02-29 is 2027-02-28 (February 2027 has no 29th).
    case = make_case(
        request_date="2028-02-29",
        labs=[{"test": "tst", "result": "negative", "date": "2027-02-28"}],
    )
    assert judge(case, "aetna-infliximab-ra", "tb-screening").status is MET
    case = make_case(
        request_date="2028-02-29",
        labs=[{"test": "tst", "result": "negative", "date": "2027-02-27"}],
    )
    assert judge(case, "aetna-infliximab-ra", "tb-screening").status is MISSING


@pytest.mark.parametrize(("date", "expected"), [("2026-10-03", MET), ("2026-10-02", MISSING)])
def test_oxygen_30_day_window(
    make_case: MakeCase, judge: Judge, date: str, expected: Status
) -> None:
    lab = {
        "test": "spo2",
        "value": 86,
        "context": "rest",
        "date": date,
        "evaluated_by_treating_practitioner": True,
    }
    case = make_case(labs=[lab])
    assert judge(case, "medicare-oxygen", "qualifying-test").status is expected
    assert judge(case, "medicare-oxygen", "group").status is expected


@pytest.mark.parametrize(("date", "expected"), [("2026-08-04", MET), ("2026-08-03", MISSING)])
def test_hbi_90_day_window(make_case: MakeCase, judge: Judge, date: str, expected: Status) -> None:
    case = make_case(scores=[{"instrument": "hbi", "value": 9, "date": date}])
    v = judge(case, "uhc-vedolizumab-crohns", "disease-activity")
    assert v.status is expected
    if expected is MISSING:
        assert "2026-08-03" in v.reason and "90 days" in v.reason


@pytest.mark.parametrize(("date", "expected"), [("2026-05-06", MET), ("2026-05-05", MISSING)])
def test_bsa_180_day_window(make_case: MakeCase, judge: Judge, date: str, expected: Status) -> None:
    case = make_case(scores=[{"instrument": "bsa", "value": 12, "date": date}])
    assert judge(case, "bcbsms-biologics-psoriasis", "extent").status is expected


@pytest.mark.parametrize(("date", "expected"), [("2026-05-06", MET), ("2026-05-05", MISSING)])
def test_ad_difficult_area_180_day_window(
    make_case: MakeCase, judge: Judge, date: str, expected: Status
) -> None:
    case = make_case(findings=[{"name": "ad_difficult_to_treat_area", "date": date}])
    assert judge(case, "prime-dupilumab-ad", "severity").status is expected


# PAP continuation: CPAP started 2026-06-01; day 31 is 2026-07-02 and day 91 is 2026-08-31.
CPAP = {"drug": "cpap", "start": "2026-06-01"}


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("2026-07-01", MISSING),  # day 30: too soon
        ("2026-07-02", MET),  # day 31
        ("2026-08-31", MET),  # day 91
        ("2026-09-01", MISSING),  # day 92: too late
    ],
)
def test_pap_re_evaluation_day_31_to_91(
    make_case: MakeCase, judge: Judge, date: str, expected: Status
) -> None:
    case = make_case(
        request_date="2026-09-10",
        request={"type": "continuation", "item": "cpap", "diagnosis": "G47.33"},
        treatments=[CPAP],
        encounters=[{"type": "face_to_face", "date": date, "symptoms_improved": True}],
    )
    v = judge(case, "medicare-pap-osa", "re-evaluation")
    assert v.status is expected
    if expected is MISSING:
        assert "2026-07-02" in v.reason and "2026-08-31" in v.reason


@pytest.mark.parametrize(("improved", "expected"), [(True, MET), (False, NOT_MET), (None, MISSING)])
def test_pap_re_evaluation_needs_improved_symptoms(
    make_case: MakeCase, judge: Judge, improved: bool | None, expected: Status
) -> None:
    encounter = {"type": "telehealth", "date": "2026-07-20"}
    if improved is not None:
        encounter["symptoms_improved"] = improved
    case = make_case(
        request_date="2026-09-10",
        request={"type": "continuation", "item": "cpap", "diagnosis": "G47.33"},
        treatments=[CPAP],
        encounters=[encounter],
    )
    assert judge(case, "medicare-pap-osa", "re-evaluation").status is expected


@pytest.mark.parametrize(
    ("date", "value", "period", "expected"),
    [
        ("2026-08-31", 70, 30, MET),  # day 91, exactly 70%
        ("2026-09-01", 80, 30, MISSING),  # day 92: outside the first 3 months
        ("2026-07-15", 69.9, 30, NOT_MET),
        ("2026-07-15", 90, 14, MISSING),  # does not cover a 30-day period
    ],
)
def test_pap_adherence(
    make_case: MakeCase, judge: Judge, date: str, value: float, period: int, expected: Status
) -> None:
    case = make_case(
        request_date="2026-09-10",
        request={"type": "continuation", "item": "cpap", "diagnosis": "G47.33"},
        treatments=[CPAP],
        scores=[
            {"instrument": "pap_adherence", "value": value, "period_days": period, "date": date}
        ],
    )
    assert judge(case, "medicare-pap-osa", "adherence").status is expected


def test_pap_continuation_without_a_cpap_start_is_missing(
    make_case: MakeCase, judge: Judge
) -> None:
    case = make_case(
        request_date="2026-09-10",
        request={"type": "continuation", "item": "cpap", "diagnosis": "G47.33"},
        encounters=[{"type": "face_to_face", "date": "2026-07-20", "symptoms_improved": True}],
    )
    v = judge(case, "medicare-pap-osa", "re-evaluation")
    assert v.status is MISSING
    assert "continuous positive airway pressure (CPAP) device" in v.reason


@pytest.mark.parametrize(
    ("visit", "expected"),
    [("2026-11-09", MET), ("2026-11-10", MISSING), ("2026-11-11", MISSING)],
)
def test_pap_face_to_face_before_the_sleep_test(
    make_case: MakeCase, judge: Judge, visit: str, expected: Status
) -> None:
    case = make_case(
        request_date="2026-11-20",
        labs=[{"test": "hst", "value": 20, "events": 140, "date": "2026-11-10"}],
        encounters=[{"type": "face_to_face", "date": visit}],
    )
    assert judge(case, "medicare-pap-osa", "face-to-face").status is expected


def test_pap_office_visit_is_a_face_to_face(make_case: MakeCase, judge: Judge) -> None:
    """The sheet: an in-person office visit is a face-to-face evaluation."""
    case = make_case(
        request_date="2026-11-20",
        labs=[{"test": "psg", "value": 20, "events": 140, "date": "2026-11-10"}],
        encounters=[{"type": "office_visit", "date": "2026-11-01"}],
    )
    assert judge(case, "medicare-pap-osa", "face-to-face").status is MET
