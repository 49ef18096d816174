"""The FHIR R4 -> case mapping, on small hand-written fixtures (tests/fhir_fixtures)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from pa_docs.fhir import FILL, ImportResult, import_resources, import_source
from pa_docs.fhir._util import table
from pa_docs.vocab import is_icd10cm, vocabulary

FIXTURES = Path(__file__).parent / "fhir_fixtures"
RA = FIXTURES / "ra_bundle.json"
OSA = FIXTURES / "osa"
DAY = dt.date(2026, 11, 20)


def _ra(**kw: Any) -> ImportResult:
    args: dict[str, Any] = {"request_date": dt.date(2026, 11, 2), "item": "infliximab-dyyb"}
    args.update(kw)
    return import_source(RA, **args)


def _by_ref(items: list[dict[str, Any]], ref: str) -> dict[str, Any]:
    return next(i for i in items if i.get("fhir_ref") == ref)


def _paths(result: ImportResult, required: bool | None = None) -> list[str]:
    return [f.path for f in result.to_fill if required is None or f.required is required]


# --- patient, coverage, prescriber -----------------------------------------------------------


def test_patient_coverage_and_prescriber() -> None:
    r = _ra()
    assert r.data["patient"] == {
        "name": "Maria Alvarez",  # a patient's prefix (Mrs.) is not part of the name
        "birth_date": dt.date(1971, 3, 14),
        "sex": "female",
        "member_id": "W284716395",
    }
    assert r.data["coverage"] == {
        "payer": "aetna",
        "plan": "Aetna Choice POS II",
        "line_of_business": "commercial",
        "group_number": "0849572",
    }
    p = r.data["prescriber"]
    assert p["name"] == "Priya Raman, MD"
    assert p["npi"] == "1548362791"
    assert p["specialty"] == "rheumatology"
    assert p["practice"] == "Lakeside Rheumatology Associates"
    assert (p["phone"], p["fax"]) == ("217-555-0142", "217-555-0143")


def test_payer_option_wins_and_medicare_is_recognised() -> None:
    assert _ra(payer="Cigna").data["coverage"]["payer"] == "cigna"
    osa = import_source(OSA, request_date=DAY)
    assert osa.data["coverage"]["payer"] == "medicare"
    assert osa.data["coverage"]["line_of_business"] == "medicare"
    assert osa.data["patient"]["member_id"] == "1EG4-TE5-MK73"  # from the MBI identifier
    assert osa.data["prescriber"]["specialty"] == "sleep medicine"


# --- diagnoses ---------------------------------------------------------------------------------


def test_diagnoses_icd_as_given_snomed_mapped_unmapped_reported() -> None:
    r = _ra()
    codes = [d["code"] for d in r.data["diagnoses"]]
    assert codes == ["M06.9", "E78.5"]  # SNOMED 69896004 mapped; E785 dotted
    ra = _by_ref(r.data["diagnoses"], "Condition/c-ra")
    assert ra["onset"] == dt.date(2022, 5, 10)
    assert any("Condition/c-oa" in u and "239872002" in u for u in r.unmapped)
    excluded = [n for n in r.notes if n.startswith("excluded condition")]
    assert any("c-old" in n and "resolved" in n for n in excluded)
    assert any("c-error" in n and "entered-in-error" in n for n in excluded)
    assert "K50.90" not in codes and "J01.90" not in codes


def test_icd_code_with_stray_space_is_repaired_and_reported() -> None:
    r = import_source(OSA, request_date=DAY)
    assert [d["code"] for d in r.data["diagnoses"]] == ["G47.33", "I10"]
    assert any("Condition/c-osa" in n and "stray spaces" in n for n in r.notes)


def test_snomed_table_targets_are_icd10cm_codes() -> None:
    for snomed, entry in table("conditions")["snomed_icd10cm"].items():
        assert is_icd10cm(entry["icd10cm"]), snomed


def test_snomed_table_covers_the_policy_conditions() -> None:
    targets = {e["icd10cm"] for e in table("conditions")["snomed_icd10cm"].values()}
    for code in (
        "M06.9",
        "L40.9",
        "L40.50",
        "K50.90",
        "K51.90",
        "L20.9",
        "J45.909",
        "J44.9",
        "G47.33",
        "I10",
        "I25.9",
        "I63.9",
    ):
        assert code in targets


# --- observations ------------------------------------------------------------------------------


def test_labs_by_loinc_with_results_units_and_dates() -> None:
    r = _ra()
    labs = r.data["labs"]
    rf = _by_ref(labs, "Observation/o-rf")
    assert rf == {
        "test": "rf",
        "loinc": "11572-5",
        "result": "positive",
        "value": 86,
        "unit": "IU/mL",
        "date": dt.date(2022, 5, 3),
        "fhir_ref": "Observation/o-rf",
    }
    # H on a qualitative test reads as positive; on CRP (numeric) it is left to the value
    assert _by_ref(labs, "Observation/o-ccp")["result"] == "positive"
    crp = _by_ref(labs, "Observation/o-crp")
    assert "result" not in crp and crp["value"] == 24.1
    assert crp["date"] == dt.date(2026, 10, 6) and "issued" in crp["note"]
    assert any("Observation/o-crp" in n and "issued" in n for n in r.notes)
    esr = _by_ref(labs, "Observation/o-esr")
    assert esr["value"] == 38 and "unit" not in esr  # a missing unit is tolerated
    igra = _by_ref(labs, "Observation/o-igra")
    assert igra["test"] == "tb_igra" and igra["result"] == "negative"
    refs = {lab["fhir_ref"] for lab in labs}
    assert "Observation/o-igra-void" not in refs  # entered-in-error
    assert _by_ref(labs, "Observation/o-bmi")["test"] == "bmi"  # kept: a mapped LOINC code


def test_sleep_test_home_marked_with_events() -> None:
    r = import_source(OSA, request_date=DAY)
    ahi = _by_ref(r.data["labs"], "Observation/o-ahi")
    assert ahi["test"] == "hst"  # the method says home sleep apnea test
    assert ahi["value"] == 11.2 and ahi["events"] == 68
    rdi = _by_ref(r.data["labs"], "Observation/o-rdi")
    assert rdi["test"] == "psg" and rdi["value"] == 12 and rdi["date"] == dt.date(2026, 11, 11)
    n = r.data["labs"].index(rdi)
    assert f"labs[{n}].events" in _paths(r, required=False)


def test_observation_without_any_date_is_to_fill() -> None:
    r = import_source(OSA, request_date=DAY)
    hct = _by_ref(r.data["labs"], "Observation/o-hct")
    assert hct["date"] == FILL
    n = r.data["labs"].index(hct)
    assert f"labs[{n}].date" in _paths(r, required=True)
    spo2 = _by_ref(r.data["labs"], "Observation/o-spo2")
    assert f"labs[{r.data['labs'].index(spo2)}].context" in _paths(r, required=False)


def test_scores_through_the_instrument_code_table(monkeypatch: pytest.MonkeyPatch) -> None:
    codes = table("observations")["instrument_codes"]
    monkeypatch.setitem(codes, "http://example.org/scores|ESS", "ess")
    obs = {
        "resourceType": "Observation",
        "id": "o-ess",
        "status": "final",
        "code": {"coding": [{"system": "http://example.org/scores", "code": "ESS"}]},
        "effectiveDateTime": "2026-10-28",
        "valueQuantity": {"value": 12},
    }
    patient = {"resourceType": "Patient", "id": "p-1", "birthDate": "1970-01-01"}
    r = import_resources([patient, obs], request_date=DAY)
    assert r.data["scores"] == [
        {
            "instrument": "ess",
            "value": 12,
            "date": dt.date(2026, 10, 28),
            "fhir_ref": "Observation/o-ess",
        }
    ]


# --- treatments and the request ----------------------------------------------------------------


def test_treatments_merged_across_request_statement_dispense() -> None:
    r = _ra()
    mtx = [t for t in r.data["treatments"] if t["drug"] == "methotrexate"]
    assert len(mtx) == 1
    t = mtx[0]
    assert t["start"] == dt.date(2022, 6, 1) and "end" not in t
    assert t["fhir_ref"] == "MedicationRequest/mr-mtx"
    assert "MedicationStatement/ms-mtx" in t["note"] and "MedicationDispense/md-mtx" in t["note"]
    assert t["dose"] == "20 mg weekly" and t["route"] == "oral" and t["strength"] == "10 MG"


def test_stopped_treatment_gets_its_end_and_outcome_is_to_fill() -> None:
    r = _ra()
    hcq = _by_ref(r.data["treatments"], "MedicationRequest/mr-hcq")
    assert hcq["drug"] == "hydroxychloroquine"  # brand Plaquenil in the text, by name
    assert (hcq["start"], hcq["end"]) == (dt.date(2022, 6, 1), dt.date(2022, 11, 20))
    assert any("mr-hcq" in n and "Plaquenil" in n for n in r.notes)
    n = r.data["treatments"].index(hcq)
    assert f"treatments[{n}].outcome" in _paths(r, required=False)
    naproxen = next(t for t in r.data["treatments"] if t["drug"] == "naproxen")
    assert "Naproxen" in naproxen["note"]  # known now, and kept with the chart's own wording


def test_stopped_without_a_date_needs_the_end() -> None:
    mr = {
        "resourceType": "MedicationRequest",
        "id": "x",
        "status": "stopped",
        "intent": "order",
        "medicationCodeableConcept": {
            "coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "6851"}]
        },
        "subject": {"reference": "Patient/nobody"},
        "authoredOn": "2020-01-01",
    }
    r = import_resources([mr], request_date=DAY)
    assert r.data["treatments"][0]["end"] == FILL
    assert "treatments[0].end" in _paths(r, required=True)


def test_invalid_resource_is_reported_and_the_import_goes_on() -> None:
    bad = {
        "resourceType": "MedicationRequest",
        "id": "no-subject",
        "status": "active",
        "intent": "order",
        "medicationCodeableConcept": {"text": "methotrexate"},
    }
    good = {
        "resourceType": "Condition",
        "id": "ok",
        "subject": {"reference": "Patient/x"},
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M06.9"}]},
    }
    r = import_resources([bad, good], request_date=DAY)
    assert [d["code"] for d in r.data["diagnoses"]] == ["M06.9"]
    assert r.data["treatments"] == []
    assert any(
        "invalid" in n and "MedicationRequest/no-subject" in n and "subject" in n for n in r.notes
    )


def test_request_from_the_pending_order() -> None:
    r = _ra()
    req = r.data["request"]
    assert req == {
        "type": "initial",
        "kind": "drug",
        "item": "infliximab-dyyb",
        "product": "Inflectra",
        "dose": "3 mg/kg at weeks 0, 2 and 6, then every 8 weeks",
        "diagnosis": "M06.9",
    }
    # the pending infliximab order is the request, not a prior treatment
    assert all(t["drug"] != "infliximab" for t in r.data["treatments"])


def test_device_request_under_either_hcpcs_url() -> None:
    r = import_source(OSA, request_date=DAY)
    assert r.data["request"] == {
        "type": "initial",
        "kind": "device",
        "item": "cpap",
        "codes": ["E0601"],
        "diagnosis": "G47.33",
    }
    assert any("request: item 'cpap'" in n for n in r.notes)
    assert any("dr-bed" in u and "E0250" in u for u in r.unmapped)
    cont = import_source(OSA, request_date=DAY, item="cpap", request_type="continuation")
    assert cont.data["request"]["type"] == "continuation"


def test_request_missing_is_to_fill() -> None:
    r = import_source(RA, request_date=dt.date(2026, 11, 2))  # no --item, no pending device
    assert r.data["request"]["item"] == "infliximab"  # the single pending order
    r = import_resources([json.loads(RA.read_text())["entry"][0]["resource"]], request_date=DAY)
    assert r.data["request"]["item"] == FILL and r.data["request"]["diagnosis"] == FILL
    assert {"request.item", "request.diagnosis", "prescriber.npi", "coverage.payer"} <= set(
        _paths(r, required=True)
    )
    assert r.case is not None  # placeholders load: the case lists them
    assert {"request.item", "request.diagnosis"} <= {f.path for f in r.case.to_fill}


# --- encounters, dates, the whole case -----------------------------------------------------------


def test_encounters_and_items_after_the_request_date() -> None:
    r = _ra()
    assert [(e["type"], e["fhir_ref"]) for e in r.data["encounters"]] == [
        ("office_visit", "Encounter/enc-1")
    ]
    assert any("enc-er" in n and "EMER" in n for n in r.notes)
    assert any("dated after the request date" in n and "enc-late" in n for n in r.notes)
    osa = import_source(OSA, request_date=DAY)
    assert [e["type"] for e in osa.data["encounters"]] == ["office_visit", "telehealth"]


def test_complete_import_gives_a_valid_case() -> None:
    r = _ra()
    assert r.missing == []
    assert r.case is not None
    assert r.case.request.item == "infliximab-dyyb"
    assert r.case.labs[0].fhir_ref
    assert r.imported == {
        "diagnoses": 2,
        "labs": 6,
        "scores": 0,
        "treatments": 3,
        "findings": 0,
        "encounters": 1,
    }


def test_request_date_defaults_to_today_and_says_so() -> None:
    r = import_source(RA, item="infliximab")
    assert r.data["request_date"] == dt.date.today()
    assert any("request_date is the import date" in n for n in r.notes)


def test_every_imported_item_keeps_its_source_reference() -> None:
    r = _ra()
    for name in ("diagnoses", "labs", "treatments", "encounters"):
        for item in r.data[name]:
            assert item["fhir_ref"].split("/")[0] in {
                "Condition",
                "Observation",
                "MedicationRequest",
                "Encounter",
            }


def test_library_accepts_r4b_models_and_dicts() -> None:
    from fhir.resources.R4B.condition import Condition
    from fhir.resources.R4B.patient import Patient

    pat = Patient.model_validate(
        {
            "resourceType": "Patient",
            "id": "m1",
            "birthDate": "1980-01-01",
            "name": [{"family": "Doe", "given": ["Jo"]}],
        }
    )
    cond = Condition.model_validate(
        {
            "resourceType": "Condition",
            "id": "m1c",
            "subject": {"reference": "Patient/m1"},
            "code": {"coding": [{"system": "http://snomed.info/sct", "code": "9014002"}]},
        }
    )
    obs = {
        "resourceType": "Observation",
        "id": "m1o",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "4544-3"}]},
        "subject": {"reference": "Patient/m1"},
        "effectiveDateTime": "2026-01-02",
        "valueQuantity": {"value": 41, "unit": "%"},
    }
    r = import_resources([pat, cond, obs], request_date=DAY)
    assert r.patient == "m1"
    assert r.data["patient"]["name"] == "Jo Doe"
    assert [d["code"] for d in r.data["diagnoses"]] == ["L40.9"]
    assert r.data["labs"][0]["test"] == "hematocrit"


def test_drug_table_targets_are_vocabulary_drugs() -> None:
    meds = table("medications")
    for code, key in [
        *meds["rxnorm"].items(),
        *meds["ndc"].items(),
        *meds["snomed_devices"].items(),
    ]:
        assert vocabulary().drug(key) is not None, code
