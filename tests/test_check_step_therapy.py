"""Step therapy: trial lengths, outcomes, potency, contraindications, samples and brand names."""

from __future__ import annotations

from typing import Any

import pytest

from pa_docs.check import Status

from .conftest import Judge, MakeCase

MET, NOT_MET, MISSING = Status.met, Status.not_met, Status.missing


def _tx(drug: str, start: str | None, end: str | None = None, **extra: Any) -> dict[str, Any]:
    t: dict[str, Any] = {"drug": drug, **extra}
    if start:
        t["start"] = start
    if end:
        t["end"] = end
    return t


@pytest.mark.parametrize(
    ("end", "expected"),
    [("2026-04-01", MET), ("2026-03-31", NOT_MET)],  # 90 days from 2026-01-01; 89 days
)
def test_methotrexate_3_months(
    make_case: MakeCase, judge: Judge, end: str, expected: Status
) -> None:
    tx = _tx("methotrexate", "2026-01-01", end, outcome="inadequate_response")
    v = judge(make_case(treatments=[tx]), "aetna-infliximab-ra", "step-methotrexate")
    assert v.status is expected
    if expected is NOT_MET:
        assert "89 days, shorter than the 90 days required" in v.reason
        assert v.action and "90 days" in v.action


def test_ongoing_trial_counts_to_the_request_date(make_case: MakeCase, judge: Judge) -> None:
    # ongoing and inadequate: 2026-08-04 to the request date 2026-11-02 is 90 days
    tx = _tx("methotrexate", "2026-08-04", outcome="inadequate_response")
    assert (
        judge(make_case(treatments=[tx]), "aetna-infliximab-ra", "step-methotrexate").status is MET
    )
    tx = _tx("methotrexate", "2026-08-05", outcome="inadequate_response")
    assert (
        judge(make_case(treatments=[tx]), "aetna-infliximab-ra", "step-methotrexate").status
        is NOT_MET
    )


@pytest.mark.parametrize(
    "tx",
    [
        _tx("methotrexate", "2026-01-01", "2026-01-09", outcome="intolerance"),  # 8 days
        _tx("methotrexate", None, outcome="contraindication"),  # no trial needed
        _tx("Trexall", "2025-01-01", "2025-06-01", outcome="inadequate_response"),  # brand name
        _tx("OTREXUP", "2025-01-01", "2025-06-01", outcome="inadequate_response"),  # any case
    ],
)
def test_methotrexate_outcomes_that_count(
    make_case: MakeCase, judge: Judge, tx: dict[str, Any]
) -> None:
    assert (
        judge(make_case(treatments=[tx]), "aetna-infliximab-ra", "step-methotrexate").status is MET
    )


def test_no_methotrexate_record_is_missing(make_case: MakeCase, judge: Judge) -> None:
    tx = _tx("leflunomide", "2025-01-01", "2025-06-01", outcome="inadequate_response")
    v = judge(make_case(treatments=[tx]), "aetna-infliximab-ra", "step-methotrexate")
    assert v.status is MISSING
    assert v.action and "methotrexate" in v.action


def test_a_response_is_not_a_failure(make_case: MakeCase, judge: Judge) -> None:
    tx = _tx("methotrexate", "2025-01-01", "2025-06-01", outcome="response")
    assert (
        judge(make_case(treatments=[tx]), "aetna-infliximab-ra", "step-methotrexate").status
        is NOT_MET
    )


def test_a_trial_with_no_outcome_asks_for_it(make_case: MakeCase, judge: Judge) -> None:
    tx = _tx("methotrexate", "2025-01-01", "2025-06-01")
    v = judge(make_case(treatments=[tx]), "aetna-infliximab-ra", "step-methotrexate")
    assert v.status is MISSING
    assert v.action and "outcome" in v.action and "2025-01-01" in v.action


def test_samples_never_count(make_case: MakeCase, judge: Judge) -> None:
    tx = _tx(
        "methotrexate", "2025-01-01", "2025-06-01", outcome="inadequate_response", source="sample"
    )
    v = judge(make_case(treatments=[tx]), "aetna-infliximab-ra", "step-methotrexate")
    assert v.status is MISSING
    assert "step.sample" in v.result.codes()
    tx = _tx(
        "acitretin", "2025-01-01", "2025-06-01", outcome="inadequate_response", source="sample"
    )
    assert (
        judge(make_case(treatments=[tx]), "bcbsms-biologics-psoriasis", "step-conventional").status
        is MISSING
    )


@pytest.mark.parametrize(
    ("contra", "expected", "others"),
    [
        # one contraindication alone counts only together with the others: missing, not not_met
        (
            ["methotrexate"],
            MISSING,
            "cyclosporine, acitretin, PUVA (psoralen plus UVA) and narrowband UVB phototherapy",
        ),
        (
            ["methotrexate", "cyclosporine", "acitretin", "puva"],
            MISSING,
            "narrowband UVB phototherapy",
        ),
        (["methotrexate", "cyclosporine", "acitretin", "PUVA", "nb-uvb"], MET, None),  # all five
    ],
)
def test_bcbsms_contraindication_to_all(
    make_case: MakeCase, judge: Judge, contra: list[str], expected: Status, others: str | None
) -> None:
    txs = [_tx(d, None, outcome="contraindication") for d in contra]
    v = judge(make_case(treatments=txs), "bcbsms-biologics-psoriasis", "step-conventional")
    assert v.status is expected
    if others:
        assert v.action and others in v.action and "failed trial" in v.action


def test_bcbsms_contraindication_beside_a_failing_trial_is_not_met(
    make_case: MakeCase, judge: Judge
) -> None:
    """A record that fails on its own is evidence against the criterion: not_met, even beside a
    contraindication that would count only together with the others."""
    txs = [
        _tx("methotrexate", None, outcome="contraindication"),
        _tx("cyclosporine", "2026-01-01", "2026-02-01", outcome="response"),
    ]
    v = judge(make_case(treatments=txs), "bcbsms-biologics-psoriasis", "step-conventional")
    assert v.status is NOT_MET


def test_bcbsms_phototherapy_failure_counts(make_case: MakeCase, judge: Judge) -> None:
    tx = _tx("narrowband uvb", "2026-01-05", "2026-02-20", outcome="inadequate_response")
    assert (
        judge(make_case(treatments=[tx]), "bcbsms-biologics-psoriasis", "step-conventional").status
        is MET
    )


def test_cigna_contraindication_only_to_methotrexate(make_case: MakeCase, judge: Judge) -> None:
    crit = ("cigna-adalimumab-psoriasis", "step-systemic")
    mtx = _tx("methotrexate", None, outcome="contraindication")
    assert judge(make_case(treatments=[mtx]), *crit).status is MET
    cyc = _tx("cyclosporine", None, outcome="contraindication")
    assert judge(make_case(treatments=[cyc]), *crit).status is MISSING


@pytest.mark.parametrize(
    ("tx", "expected"),
    [
        (_tx("Otezla", "2026-05-01", "2026-06-01", outcome="response"), MET),  # any outcome
        (_tx("Sotyktu", "2026-05-01"), MET),
        (_tx("Cosentyx", "2025-05-01", "2025-11-01", outcome="inadequate_response"), MET),
        (_tx("apremilast", "2026-05-01", source="sample"), MISSING),
        (_tx("cyclosporine", "2026-05-01", "2026-06-15", outcome="inadequate_response"), MISSING),
        (_tx("acitretin", "2026-02-01", "2026-03-01", outcome="intolerance"), MET),
    ],
)
def test_cigna_step_systemic(
    make_case: MakeCase, judge: Judge, tx: dict[str, Any], expected: Status
) -> None:
    v = judge(make_case(treatments=[tx]), "cigna-adalimumab-psoriasis", "step-systemic")
    assert v.status is expected


def _ad(*txs: dict[str, Any]) -> dict[str, Any]:
    # a contraindication to tralokinumab is no prior treatment: branch (b) is not_met, so the
    # criterion shows branch (a) alone (with no record at all, (b) would make it missing)
    no_ad_biologic = _tx("tralokinumab", None, outcome="contraindication")
    return {"treatments": [*txs, no_ad_biologic]}


TCS = {"strength": "0.1%", "form": "cream", "route": "topical"}
TCI = _tx(
    "tacrolimus",
    "2026-01-01",
    "2026-02-12",
    strength="0.1%",
    form="ointment",
    outcome="inadequate_response",
)


@pytest.mark.parametrize(
    ("steroid", "expected"),
    [
        (
            _tx(
                "triamcinolone acetonide",
                "2026-01-01",
                "2026-01-29",
                outcome="inadequate_response",
                **TCS,
            ),
            MET,
        ),
        (
            _tx("triamcinolone", "2026-01-01", "2026-01-28", outcome="inadequate_response", **TCS),
            NOT_MET,
        ),
        (_tx("Kenalog", "2026-01-01", "2026-01-02", outcome="intolerance", **TCS), MET),
        (
            _tx(
                "desonide",
                "2026-01-01",
                "2026-03-01",
                strength="0.05%",
                form="cream",
                outcome="inadequate_response",
            ),
            MISSING,  # class 6: not a qualifying drug at all
        ),
        (
            _tx(
                "hydrocortisone",
                "2026-01-01",
                "2026-03-01",
                strength="2.5%",
                form="cream",
                outcome="inadequate_response",
            ),
            MISSING,  # class 7
        ),
        (
            _tx(
                "mometasone furoate",
                "2026-01-01",
                "2026-03-01",
                strength="0.1%",
                form="ointment",
                outcome="inadequate_response",
            ),
            MET,
        ),
    ],
)
def test_ad_topical_steroid_4_weeks_and_potency(
    make_case: MakeCase, judge: Judge, steroid: dict[str, Any], expected: Status
) -> None:
    v = judge(make_case(**_ad(steroid, TCI)), "prime-dupilumab-ad", "step-topicals")
    assert v.status is expected
    if expected is MISSING:
        assert "drug.weaker" in v.result.codes()


@pytest.mark.parametrize(
    ("end", "expected"),
    [("2026-02-12", MET), ("2026-02-11", NOT_MET)],  # 42 and 41 days
)
def test_ad_calcineurin_inhibitor_6_weeks(
    make_case: MakeCase, judge: Judge, end: str, expected: Status
) -> None:
    steroid = _tx(
        "clobetasol",
        "2025-10-01",
        "2025-11-15",
        strength="0.05%",
        form="ointment",
        outcome="inadequate_response",
    )
    tci = _tx("Protopic", "2026-01-01", end, outcome="inadequate_response")
    v = judge(make_case(**_ad(steroid, tci)), "prime-dupilumab-ad", "step-topicals")
    assert v.status is expected


def test_ad_prior_ad_biologic_is_enough(make_case: MakeCase, judge: Judge) -> None:
    tx = _tx("Adbry", "2025-06-01", "2026-03-01", outcome="inadequate_response")
    assert judge(make_case(treatments=[tx]), "prime-dupilumab-ad", "step-topicals").status is MET


@pytest.mark.parametrize(
    ("tx", "expected"),
    [
        (_tx("prednisone", "2026-01-01", "2026-01-15", outcome="inadequate_response"), MET),
        # the payer's text: "or all immunosuppressants are contraindicated"
        (_tx("Imuran", None, outcome="contraindication"), MISSING),
        (_tx("6-MP", "2025-01-01", "2025-02-01", outcome="intolerance"), MET),
        (
            _tx(
                "hydrocortisone",
                "2026-01-01",
                "2026-02-01",
                form="cream",
                outcome="inadequate_response",
            ),
            MISSING,
        ),
        (_tx("budesonide", "2026-01-01", "2026-02-01", outcome="response"), NOT_MET),
    ],
)
def test_bcbsnd_immunosuppressant(
    make_case: MakeCase, judge: Judge, tx: dict[str, Any], expected: Status
) -> None:
    v = judge(make_case(treatments=[tx]), "bcbsnd-infliximab-crohns", "step-immunosuppressant")
    assert v.status is expected


@pytest.mark.parametrize(
    ("tx", "expected"),
    [
        (_tx("Humira", "2025-01-01", "2025-09-01", outcome="inadequate_response"), MET),
        (
            _tx(
                "hydrocortisone",
                "2026-01-01",
                "2026-02-01",
                route="oral",
                outcome="inadequate_response",
            ),
            MET,
        ),
        (
            _tx(
                "hydrocortisone",
                "2026-01-01",
                "2026-02-01",
                route="rectal",
                outcome="inadequate_response",
            ),
            MISSING,
        ),
        (_tx("methotrexate", "2025-01-01", "2025-09-01", outcome="inadequate_response"), MISSING),
    ],
)
def test_uhc_step_conventional(
    make_case: MakeCase, judge: Judge, tx: dict[str, Any], expected: Status
) -> None:
    v = judge(make_case(treatments=[tx]), "uhc-vedolizumab-crohns", "step-conventional")
    assert v.status is expected


def test_uhc_corticosteroid_dependence_finding(make_case: MakeCase, judge: Judge) -> None:
    case = make_case(findings=[{"name": "corticosteroid_dependence", "date": "2024-01-01"}])
    v = judge(case, "uhc-vedolizumab-crohns", "step-conventional")
    assert v.status is MET
    assert v.reason.startswith("corticosteroid dependence:")
