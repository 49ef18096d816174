"""Current therapy: exclusions, required combinations, time on therapy, response from baseline."""

from __future__ import annotations

from typing import Any

import pytest

from pa_docs.check import Status

from .conftest import Judge, MakeCase

MET, NOT_MET, MISSING = Status.met, Status.not_met, Status.missing


@pytest.mark.parametrize(
    ("tx", "expected"),
    [
        ({"drug": "Rinvoq", "start": "2026-01-01"}, NOT_MET),  # brand of upadacitinib, ongoing
        ({"drug": "etanercept", "start": "2026-01-01", "end": "2026-11-02"}, NOT_MET),  # ends today
        (
            {"drug": "etanercept", "start": "2026-01-01", "end": "2026-11-01"},
            MET,
        ),  # ended yesterday
        (
            {"drug": "Humira", "start": "2026-10-01", "source": "sample"},
            MET,
        ),  # samples: not current
        ({"drug": "adalimumab", "outcome": "contraindication"}, MET),  # never taken
        ({"drug": "methotrexate", "start": "2026-01-01"}, MET),  # not a biologic
    ],
)
def test_aetna_no_other_biologic(
    make_case: MakeCase, judge: Judge, tx: dict[str, Any], expected: Status
) -> None:
    v = judge(make_case(treatments=[tx]), "aetna-infliximab-ra", "no-other-biologic")
    assert v.status is expected
    if expected is NOT_MET:
        assert {"concurrent.excluded_current", "concurrent.document_stop"} <= v.result.codes()


def test_exclusion_matches_any_indication(make_case: MakeCase, judge: Judge) -> None:
    # ruxolitinib cream for vitiligo is still a current JAK inhibitor for Prime
    tx = {"drug": "Opzelura", "form": "cream", "start": "2026-09-01", "note": "for vitiligo"}
    v = judge(make_case(treatments=[tx]), "prime-dupilumab-ad", "no-other-biologic")
    assert v.status is NOT_MET


@pytest.mark.parametrize(
    ("txs", "expected"),
    [
        ([{"drug": "methotrexate", "start": "2026-01-01"}], MET),
        ([{"drug": "Arava", "start": "2026-10-30"}], MET),
        ([{"drug": "methotrexate", "start": "2025-01-01", "end": "2026-03-01"}], NOT_MET),
        ([], MISSING),
        (
            [
                {"drug": "methotrexate", "outcome": "contraindication"},
                {"drug": "leflunomide", "outcome": "contraindication"},
            ],
            MET,
        ),
        # one contraindicated, nothing on the other: look for the other (missing)
        ([{"drug": "methotrexate", "outcome": "contraindication"}], MISSING),
        ([{"drug": "methotrexate", "start": "2026-10-01", "source": "sample"}], MISSING),
    ],
)
def test_aetna_combination(
    make_case: MakeCase, judge: Judge, txs: list[dict[str, Any]], expected: Status
) -> None:
    v = judge(make_case(treatments=txs), "aetna-infliximab-ra", "combination")
    assert v.status is expected


# Cigna continuation: adalimumab for at least 3 months, and BSA lower than at the start.
def _cigna(txs: list[dict[str, Any]], scores: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "request_date": "2026-09-15",
        "coverage": {"payer": "cigna"},
        "request": {"type": "continuation", "item": "Humira", "diagnosis": "L40.0"},
        "treatments": txs,
        "scores": scores or [],
    }


@pytest.mark.parametrize(
    ("start", "expected"),
    [("2026-06-17", MET), ("2026-06-18", NOT_MET)],  # 90 and 89 days before 2026-09-15
)
def test_cigna_on_therapy_3_months(
    make_case: MakeCase, judge: Judge, start: str, expected: Status
) -> None:
    case = make_case(**_cigna([{"drug": "Hyrimoz", "start": start}]))
    assert judge(case, "cigna-adalimumab-psoriasis", "on-therapy").status is expected


def test_cigna_on_therapy_samples_do_not_count(make_case: MakeCase, judge: Judge) -> None:
    case = make_case(**_cigna([{"drug": "Humira", "start": "2026-01-01", "source": "sample"}]))
    assert judge(case, "cigna-adalimumab-psoriasis", "on-therapy").status is MISSING


BSA = "bsa"


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([(14, "2026-04-01"), (3, "2026-09-01")], MET),
        ([(14, "2026-04-06"), (3, "2026-09-01")], MET),  # baseline on the start day itself
        ([(14, "2026-04-01"), (14, "2026-09-01")], NOT_MET),  # equal is no improvement
        ([(14, "2026-04-01"), (20, "2026-09-01")], NOT_MET),
        ([(3, "2026-09-01")], MISSING),  # no baseline
        ([(14, "2026-04-01"), (3, "2026-06-16")], MISSING),  # 91 days old: not current
        ([(14, "2026-04-01")], MISSING),
    ],
)
def test_cigna_response_from_baseline(
    make_case: MakeCase, judge: Judge, scores: list[tuple[float, str]], expected: Status
) -> None:
    case = make_case(
        **_cigna(
            [{"drug": "adalimumab", "start": "2026-04-06"}],
            [{"instrument": BSA, "value": v, "date": d} for v, d in scores],
        )
    )
    v = judge(case, "cigna-adalimumab-psoriasis", "response")
    assert v.status is expected
    if expected is MET:
        assert "against a baseline of 14" in v.reason
