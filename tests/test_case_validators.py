"""The validators a reviewer relies on: NPI check digit, score ranges, no future results, and labs
identified by test key or LOINC (both agreeing)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from pa_docs.case import Case, npi_is_valid
from pa_docs.vocab import vocabulary

from .conftest import case_dict


@pytest.mark.parametrize(
    "npi", ["1234567893", "1548362791", "1093817264", "1467583922", "1847263518"]
)
def test_valid_npis(npi: str) -> None:
    assert npi_is_valid(npi)


@pytest.mark.parametrize(
    "npi", ["1234567890", "1234567894", "123456789", "12345678930", "123456789X", "", "0000000000"]
)
def test_invalid_npis(npi: str) -> None:
    assert not npi_is_valid(npi)


def test_every_single_digit_change_breaks_the_check_digit() -> None:
    good = "1234567893"
    for i in range(10):
        for d in "0123456789":
            if d != good[i]:
                assert not npi_is_valid(good[:i] + d + good[i + 1 :])


def _invalid(**overrides: Any) -> str:
    with pytest.raises(ValidationError) as info:
        Case.model_validate(case_dict(**overrides))
    return str(info.value)


INSTRUMENTS = sorted(vocabulary().instruments.values(), key=lambda i: i.key)


@pytest.mark.parametrize("inst", INSTRUMENTS, ids=lambda i: i.key)
def test_score_range_per_instrument(inst: Any) -> None:
    def scores(value: float) -> dict[str, Any]:
        return {"scores": [{"instrument": inst.key, "value": value, "date": "2026-10-01"}]}

    Case.model_validate(case_dict(**scores(inst.min)))
    assert "must be" in _invalid(**scores(inst.min - 0.1))
    if inst.max is not None:
        Case.model_validate(case_dict(**scores(inst.max)))
        assert "must be" in _invalid(**scores(inst.max + 0.1))
    else:
        Case.model_validate(case_dict(**scores(10_000)))


@pytest.mark.parametrize("block", ["labs", "scores", "findings", "encounters"])
def test_no_result_after_the_request_date(block: str) -> None:
    item = {
        "labs": {"test": "crp", "value": 3, "date": "2026-11-03"},
        "scores": {"instrument": "hbi", "value": 3, "date": "2026-11-03"},
        "findings": {"name": "insomnia", "date": "2026-11-03"},
        "encounters": {"type": "office_visit", "date": "2026-11-03"},
    }[block]
    assert "after the request date" in _invalid(**{block: [item]})
    # the request date itself is fine
    Case.model_validate(case_dict(**{block: [{**item, "date": "2026-11-02"}]}))


def test_birth_and_onset_not_after_the_request_date() -> None:
    assert "after the request date" in _invalid(patient={"birth_date": "2026-11-03"})
    assert "after the request date" in _invalid(
        diagnoses=[{"code": "M05.79", "onset": "2026-12-01"}]
    )


@pytest.mark.parametrize(
    ("lab", "key"),
    [
        ({"test": "crp"}, "crp"),
        ({"loinc": "1988-5"}, "crp"),
        ({"loinc": "30522-7"}, "crp"),  # hs-CRP
        ({"test": "esr", "loinc": "4537-7"}, "esr"),
        ({"loinc": "53027-9"}, "anti_ccp"),
        ({"loinc": "38445-3"}, "fecal_calprotectin"),
        ({"loinc": "2708-6"}, "spo2"),
        ({"test": "hst", "loinc": "69990-0"}, "hst"),
        ({"loinc": "90566-1"}, "psg"),
    ],
)
def test_lab_identified_by_test_or_loinc(lab: dict[str, Any], key: str) -> None:
    case = Case.model_validate(case_dict(labs=[{**lab, "value": 1, "date": "2026-10-01"}]))
    assert case.labs[0].key == key


@pytest.mark.parametrize(
    ("lab", "says"),
    [
        ({}, "needs `test`"),
        ({"test": "crp", "loinc": "30341-2"}, "disagree"),
        ({"loinc": "0000-0"}, "not in the test vocabulary"),
        ({"test": "c_reactive"}, "unknown test"),
    ],
)
def test_lab_identification_errors(lab: dict[str, Any], says: str) -> None:
    assert says in _invalid(labs=[{**lab, "value": 1, "date": "2026-10-01"}])


def test_brand_and_generic_names_resolve() -> None:
    case = Case.model_validate(
        case_dict(
            treatments=[
                {"drug": name, "start": "2025-01-01"}
                for name in ("Humira", "Trexall", "Otezla", "Rinvoq", "infliximab-dyyb", "Entyvio®")
            ]
        )
    )
    generics = [t.generic for t in case.treatments]
    assert generics == [
        "adalimumab",
        "methotrexate",
        "apremilast",
        "upadacitinib",
        "infliximab",
        "vedolizumab",
    ]


def test_contraindication_needs_no_start_but_a_trial_does() -> None:
    Case.model_validate(
        case_dict(treatments=[{"drug": "methotrexate", "outcome": "contraindication"}])
    )
    assert "needs `start`" in _invalid(
        treatments=[{"drug": "methotrexate", "outcome": "intolerance"}]
    )
