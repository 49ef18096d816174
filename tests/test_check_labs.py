"""Labs: TB results and latent-TB treatment, serology, LOINC-only labs, supplier-performed tests,
and a blood gas against oximetry on the same day."""

from __future__ import annotations

from typing import Any

import pytest

from pa_docs.check import Status

from .conftest import Judge, MakeCase

MET, NOT_MET, MISSING = Status.met, Status.not_met, Status.missing
TB = ("aetna-infliximab-ra", "tb-screening")
POSITIVE = {"test": "tb_igra", "result": "positive", "date": "2026-06-01"}


@pytest.mark.parametrize(
    ("txs", "expected"),
    [
        ([], MISSING),  # positive and no treatment: document it (not not_met)
        ([{"drug": "isoniazid", "start": "2026-06-15", "end": "2026-09-15"}], MET),  # 3HP, done
        ([{"drug": "Priftin", "start": "2026-06-20"}], MET),  # ongoing, brand of rifapentine
        ([{"drug": "rifampin", "start": "2026-05-01", "end": "2026-05-30"}], MISSING),  # before it
        ([{"drug": "isoniazid", "start": "2026-06-15", "source": "sample"}], MISSING),
    ],
)
def test_positive_tb_test_and_latent_tb_treatment(
    make_case: MakeCase, judge: Judge, txs: list[dict[str, Any]], expected: Status
) -> None:
    v = judge(make_case(labs=[POSITIVE], treatments=txs), *TB)
    assert v.status is expected
    if expected is MISSING:
        assert {"lab.positive_untreated", "lab.document_tb_treatment"} <= v.result.codes()
        assert v.action and "latent-TB treatment" in v.action and "2026-06-01" in v.action


def test_indeterminate_tb_result_is_no_result(make_case: MakeCase, judge: Judge) -> None:
    lab = {"test": "tb_igra", "result": "indeterminate", "date": "2026-10-01"}
    v = judge(make_case(labs=[lab]), *TB)
    assert v.status is MISSING
    assert {"lab.indeterminate", "lab.repeat"} <= v.result.codes()


def test_tb_result_not_recorded_is_missing(make_case: MakeCase, judge: Judge) -> None:
    v = judge(make_case(labs=[{"test": "tst", "date": "2026-10-01"}]), *TB)
    assert v.status is MISSING
    assert {"lab.no_qualitative", "lab.record_qualitative"} <= v.result.codes()


def test_no_tb_test_is_missing(make_case: MakeCase, judge: Judge) -> None:
    v = judge(make_case(), *TB)
    assert v.status is MISSING
    assert {"lab.no_result", "lab.order", "lab.a_tb_test"} <= v.result.codes()


@pytest.mark.parametrize("loinc", ["71773-6", "46217-6", "71775-1"])
def test_tb_igra_by_loinc_only(make_case: MakeCase, judge: Judge, loinc: str) -> None:
    lab = {"loinc": loinc, "result": "negative", "date": "2026-10-01"}
    v = judge(make_case(labs=[lab]), *TB)
    assert v.status is MET
    assert "IGRA negative" in v.reason


def test_most_recent_tb_test_decides(make_case: MakeCase, judge: Judge) -> None:
    labs = [
        {"test": "tb_igra", "result": "negative", "date": "2026-01-10"},
        {"test": "tst", "result": "positive", "date": "2026-09-01"},
    ]
    assert judge(make_case(labs=labs), *TB).status is MISSING


SEROLOGY = ("aetna-infliximab-ra", "serology")


@pytest.mark.parametrize(
    ("labs", "expected"),
    [
        ([{"loinc": "11572-5", "result": "positive", "date": "2020-01-01"}], MET),  # no window
        ([{"loinc": "32218-0", "result": "positive", "date": "2024-01-01"}], MET),  # anti-CCP
        (
            [
                {"test": "rf", "result": "negative", "date": "2024-01-01"},
                {"test": "anti_ccp", "result": "negative", "date": "2024-01-01"},
                {"loinc": "4537-7", "value": 32, "date": "2024-01-01"},  # ESR, by LOINC alone
            ],
            MET,  # all three tested, whatever the results
        ),
        (
            [
                {"test": "rf", "result": "negative", "date": "2024-01-01"},
                {"test": "anti_ccp", "result": "negative", "date": "2024-01-01"},
            ],
            MISSING,  # CRP or ESR not on record
        ),
        ([], MISSING),
    ],
)
def test_serology(
    make_case: MakeCase, judge: Judge, labs: list[dict[str, Any]], expected: Status
) -> None:
    assert judge(make_case(labs=labs), *SEROLOGY).status is expected


def _oxy(test: str, value: float, **extra: Any) -> dict[str, Any]:
    lab = {"test": test, "value": value, "context": "rest", "date": "2026-10-20"}
    return {**lab, "evaluated_by_treating_practitioner": True, **extra}


def test_supplier_performed_oximetry_is_ignored(make_case: MakeCase, judge: Judge) -> None:
    case = make_case(labs=[_oxy("spo2", 85, performed_by="supplier")])
    for crit in ("qualifying-test", "group"):
        v = judge(case, "medicare-oxygen", crit)
        assert v.status is MISSING
        assert "supplier" in v.reason
    # the other policies do not disqualify supplier tests
    case = make_case(
        labs=[
            {
                "test": "tb_igra",
                "result": "negative",
                "date": "2026-10-01",
                "performed_by": "supplier",
            }
        ]
    )
    assert judge(case, *TB).status is MET


def test_supplier_test_beside_a_practitioner_test(make_case: MakeCase, judge: Judge) -> None:
    labs = [
        _oxy("spo2", 85, performed_by="supplier", date="2026-10-25"),
        _oxy("spo2", 87, performed_by="practitioner"),
    ]
    v = judge(make_case(labs=labs), "medicare-oxygen", "group")
    assert v.status is MET
    assert "87" in v.reason


@pytest.mark.parametrize(("flag", "expected"), [(True, MET), (False, NOT_MET), (None, MISSING)])
def test_evaluated_by_treating_practitioner(
    make_case: MakeCase, judge: Judge, flag: bool | None, expected: Status
) -> None:
    lab = _oxy("pao2", 52)
    if flag is None:
        del lab["evaluated_by_treating_practitioner"]
    else:
        lab["evaluated_by_treating_practitioner"] = flag
    assert judge(make_case(labs=[lab]), "medicare-oxygen", "qualifying-test").status is expected


@pytest.mark.parametrize("order", [0, 1])
def test_blood_gas_decides_over_oximetry_on_the_same_day(
    make_case: MakeCase, judge: Judge, order: int
) -> None:
    labs = [_oxy("spo2", 87), _oxy("pao2", 62)]
    if order:
        labs.reverse()
    v = judge(make_case(labs=labs), "medicare-oxygen", "group")
    # PaO2 62 at rest qualifies for no group; SpO2 87 of the same day would have
    assert v.status is not MET
    assert "PaO2 62" in v.reason


def test_oximetry_by_loinc_only(make_case: MakeCase, judge: Judge) -> None:
    lab = _oxy("spo2", 88)
    del lab["test"]
    lab["loinc"] = "59408-5"
    v = judge(make_case(labs=[lab]), "medicare-oxygen", "group")
    assert v.status is MET
    assert "SpO2 88" in v.reason


def test_sleep_test_by_loinc_only(make_case: MakeCase, judge: Judge) -> None:
    lab = {"loinc": "69990-0", "value": 22, "events": 150, "date": "2026-11-10"}
    case = make_case(request_date="2026-11-20", labs=[lab])
    assert judge(case, "medicare-pap-osa", "sleep-test").status is MET


def test_sleep_test_without_event_count_is_missing(make_case: MakeCase, judge: Judge) -> None:
    lab = {"test": "hst", "value": 22, "date": "2026-11-10"}
    v = judge(make_case(request_date="2026-11-20", labs=[lab]), "medicare-pap-osa", "sleep-test")
    assert v.status is MISSING
    assert v.action and "event count" in v.action
