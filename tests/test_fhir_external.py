"""Import of the real public FHIR test data in ../shared/data/external (read there, never copied),
and the imported cases run through the gap checker."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from pa_docs.case import Case
from pa_docs.fhir import FILL, ImportResult, import_source

EXTERNAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "external"
SYNTHEA = EXTERNAL / "synthea" / "generated-sample-data-r4"
OSA_BULK = EXTERNAL / "synthea" / "sample-bulk-10-patients-osa-extract"
TEST_EHR = EXTERNAL / "davinci" / "test-ehr-seed-data"
DTR = EXTERNAL / "davinci" / "dtr-test-kit" / "pat015_bundle.json"
DAY = dt.date(2025, 11, 1)

pytestmark = pytest.mark.skipif(
    not EXTERNAL.is_dir(),
    reason=f"the shared public FHIR test data is not at {EXTERNAL} (CI clones it next to the repo)",
)


def _synthea(name: str) -> Path:
    return next(SYNTHEA.glob(f"{name}_*.json"))


def _drugs(r: ImportResult) -> list[str]:
    return [t["drug"] for t in r.data["treatments"]]


def _labs(r: ImportResult, test: str) -> list[dict[str, Any]]:
    return [x for x in r.data["labs"] if x["test"] == test]


@pytest.mark.parametrize("name", ["Asa_Hermiston", "Hershel_Marvin"])
def test_synthea_rheumatoid_arthritis(name: str) -> None:
    r = import_source(_synthea(name), request_date=DAY)
    codes = [d["code"] for d in r.data["diagnoses"]]
    assert "M06.9" in codes
    mtx = [t for t in r.data["treatments"] if t["drug"] == "methotrexate"]
    assert len(mtx) == 1 and isinstance(mtx[0]["start"], dt.date) and "end" not in mtx[0]
    assert mtx[0]["fhir_ref"].startswith("MedicationRequest/")
    assert any("SNOMED CT 69896004 -> M06.9" in n for n in r.notes)
    # Synthea has no valid NPI, member ID or payer key: reported as to fill, not invented
    assert {"prescriber.npi", "patient.member_id"} <= {f.path for f in r.missing}


def test_synthea_asa_prior_systemic_therapy_is_stopped_and_undated() -> None:
    r = import_source(_synthea("Asa_Hermiston"), request_date=DAY)
    assert "L20.9" in [d["code"] for d in r.data["diagnoses"]]
    cyclo = next(t for t in r.data["treatments"] if t["drug"] == "cyclosporine")
    assert cyclo["end"] == FILL  # stopped in the chart, with no date
    fluticasone = next(t for t in r.data["treatments"] if t["drug"] == "fluticasone propionate")
    assert fluticasone["route"] == "inhaled"  # the orphan inhaler: kept, and no topical steroid


def test_synthea_resolved_rheumatoid_arthritis_is_excluded() -> None:
    r = import_source(_synthea("Willy_Koepp"), request_date=DAY)
    assert "M06.9" not in [d["code"] for d in r.data["diagnoses"]]
    assert any("Rheumatoid arthritis" in n and "resolved" in n for n in r.notes)
    mtx = next(t for t in r.data["treatments"] if t["drug"] == "methotrexate")
    assert mtx["end"] == FILL


@pytest.mark.parametrize("path", sorted(SYNTHEA.glob("*.json")) if SYNTHEA.is_dir() else [])
def test_every_synthea_bundle_imports(path: Path) -> None:
    r = import_source(path, request_date=DAY)
    assert r.patient and r.data["patient"]["birth_date"] != FILL
    assert r.imported["encounters"] > 0


def test_synthea_osa_bulk_export() -> None:
    r = import_source(OSA_BULK, request_date=DAY, item="cpap")
    assert r.data["diagnoses"][0]["code"] == "G47.33"
    assert "cpap" in _drugs(r)  # the home CPAP unit (Device, SNOMED 702172008)
    assert r.data["request"]["diagnosis"] == "G47.33"
    assert _labs(r, "psg") == _labs(r, "hst") == []  # no AHI in this export


def test_davinci_sleep_patient_pat014() -> None:
    r = import_source(TEST_EHR, patient="pat014", request_date=DAY, item="cpap")
    assert "G47.33" in [d["code"] for d in r.data["diagnoses"]]
    ahi = next(x for x in r.data["labs"] if x.get("loinc") == "69990-0")
    assert (ahi["test"], ahi["value"], ahi["date"]) == ("psg", 25, dt.date(2020, 7, 5))
    assert "issued" in ahi["note"]  # no effective date in the source
    assert any(x.get("loinc") == "90566-1" and x["value"] == 15 for x in r.data["labs"])
    assert sorted(x["value"] for x in _labs(r, "spo2")) == [80, 91, 92]
    assert r.data["request"]["codes"] == ["E0601"]
    assert r.data["coverage"]["payer"] == "medicare"
    # methotrexate and azathioprine: request + statement + dispense merged into one each
    assert sorted(_drugs(r)) == ["acetaminophen / diphenhydramine", "azathioprine", "methotrexate"]
    assert any("MedicationDispense" in n and "intent" in n for n in r.notes)
    assert any("348074389" in n for n in r.notes)  # the 9-digit NPI is reported


@pytest.mark.parametrize(("patient", "spo2"), [("pat013", 85), ("pat016", 81)])
def test_davinci_oxygen_patients(patient: str, spo2: int) -> None:
    r = import_source(TEST_EHR, patient=patient, request_date=DAY)
    assert spo2 in [x["value"] for x in _labs(r, "spo2")]
    assert "J44.9" in [d["code"] for d in r.data["diagnoses"]]


def test_dtr_bundle_pat015() -> None:
    r = import_source(DTR, request_date=DAY)
    assert r.patient == "pat015"
    assert {d["code"] for d in r.data["diagnoses"]} == {"J44.9", "R09.02", "G30.0"}
    assert any("' G30.0'" in n for n in r.notes)
    contexts = {x.get("context"): x["value"] for x in _labs(r, "spo2")}
    assert contexts["rest"] == 95 and contexts["exercise"] == 80 and contexts["sleep"] == 90
    assert any("E0250" in u for u in r.unmapped)  # a hospital bed: not in the vocabulary


def test_davinci_folder_needs_a_patient() -> None:
    from pa_docs.errors import InputError

    with pytest.raises(InputError, match=r"pat013.*pat014.*pat015.*pat016"):
        import_source(TEST_EHR, request_date=DAY)


# --- into the gap checker ------------------------------------------------------------------------


def _check(case: Case, policy_id: str) -> Any:
    check = pytest.importorskip("pa_docs.check", reason="the gap checker is not merged yet")
    from pa_docs.policy import load_policies

    return check.check_case(case, load_policies()[policy_id])


def _filled(r: ImportResult, **values: Any) -> Case:
    """The case once the specialist has filled in what the import lists."""
    data = json.loads(json.dumps(r.data, default=str))
    for path, value in values.items():
        node: Any = data
        *parents, last = path.split(".")
        for p in parents:
            node = node[p]
        node[last] = value
    return Case.model_validate(data)


def _verdict(result: Any, criterion: str) -> str:
    return str(next(v.status for v in result.verdicts if v.id == criterion))


def test_fixture_methotrexate_order_is_not_a_failed_trial() -> None:
    fixture = Path(__file__).parent / "fhir_fixtures" / "ra_bundle.json"
    r = import_source(fixture, request_date=dt.date(2026, 11, 2), item="infliximab-dyyb")
    assert r.case is not None
    result = _check(r.case, "aetna-infliximab-ra")
    assert _verdict(result, "diagnosis") == "met"
    assert _verdict(result, "serology") == "met"  # RF positive
    assert _verdict(result, "step-methotrexate") != "met"  # ongoing, no outcome recorded
    assert result.status != "ready"


def test_synthea_ra_into_the_checker() -> None:
    r = import_source(
        _synthea("Hershel_Marvin"), request_date=DAY, item="infliximab", payer="aetna"
    )
    case = _filled(r, **{"patient.member_id": "W1", "prescriber.npi": "1548362791"})
    result = _check(case, "aetna-infliximab-ra")
    assert _verdict(result, "diagnosis") == "met"
    assert _verdict(result, "step-methotrexate") != "met"
    assert _verdict(result, "tb-screening") != "met"  # Synthea has no TB test
    assert result.status != "ready"


def test_davinci_osa_into_the_checker() -> None:
    r = import_source(TEST_EHR, patient="pat014", request_date=DAY, item="cpap")
    case = _filled(r, **{"prescriber.npi": "1467583922"})
    result = _check(case, "medicare-pap-osa")
    assert _verdict(result, "diagnosis") == "met"
    assert _verdict(result, "sleep-test") != "met"  # AHI 25 but the event count is not recorded
    assert result.status != "ready"


# --- every chart, through the command line: import, then check ----------------------------------

DTR_QR = (
    EXTERNAL
    / "davinci"
    / "dtr-test-kit"
    / ("respiratory_assist_device_pre_populated_questionnaire_response.json")
)
PAS = EXTERNAL / "davinci" / "pas-test-kit"

# chart, --patient, policy to check against, treatments kept, labs kept (request date DAY)
CHARTS = [
    ("synthea/generated-sample-data-r4/Asa_Hermiston", None, "aetna-infliximab-ra", 9, 31),
    ("synthea/generated-sample-data-r4/Birgit_Schmeler", None, "medicare-oxygen", 3, 56),
    ("synthea/generated-sample-data-r4/Fidel_Bins", None, "prime-dupilumab-ad", 3, 38),
    ("synthea/generated-sample-data-r4/Hershel_Marvin", None, "aetna-infliximab-ra", 4, 25),
    ("synthea/generated-sample-data-r4/Mathilda_OKeefe", None, "prime-dupilumab-ad", 6, 38),
    ("synthea/generated-sample-data-r4/Willy_Koepp", None, "aetna-infliximab-ra", 5, 28),
    ("synthea/sample-bulk-10-patients-osa-extract", None, "medicare-pap-osa", 9, 0),
    ("davinci/test-ehr-seed-data", "pat014", "medicare-pap-osa", 3, 12),
    ("davinci/dtr-test-kit/pat015_bundle.json", None, "medicare-oxygen", 0, 10),
    ("davinci/pas-test-kit/conformant_pas_bundle_v110.json", None, "medicare-oxygen", 0, 0),
    ("davinci/pas-test-kit/valid_pa_response_bundle.json", None, "medicare-oxygen", 0, 0),
    ("davinci/pas-test-kit/valid_pa_response_bundle_denial.json", None, "medicare-oxygen", 0, 0),
]


def _chart(name: str) -> Path:
    path = EXTERNAL / name
    return path if path.exists() else next(path.parent.glob(f"{path.name}_*.json"))


@pytest.mark.parametrize(("name", "patient", "policy", "treatments", "labs"), CHARTS)
def test_every_chart_imports_and_checks(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    patient: str | None,
    policy: str,
    treatments: int,
    labs: int,
) -> None:
    from pa_docs.cli import main

    out = tmp_path / "case.yaml"
    argv = ["import-fhir", str(_chart(name)), "-o", str(out), "--request-date", DAY.isoformat()]
    assert main(argv + (["--patient", patient] if patient else [])) == 0
    capsys.readouterr()
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert (len(data["treatments"]), len(data["labs"])) == (treatments, labs)
    code = main(["check", str(out), "--policy", policy, "--format", "json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 1 and result["status"] != "ready"  # never ready with placeholders
    assert result["criteria"] and all(c["status"] for c in result["criteria"])
    assert result["to_fill"] and all(f["line"] for f in result["to_fill"])


def test_a_lone_questionnaire_response_is_no_patient(capsys: pytest.CaptureFixture[str]) -> None:
    from pa_docs.cli import main

    assert main(["import-fhir", str(DTR_QR)]) == 2
    err = capsys.readouterr().err
    assert f"no patient in {DTR_QR}" in err and "Traceback" not in err


def test_asa_keeps_every_medication_record_with_rxnorm_and_percent_strength() -> None:
    r = import_source(_synthea("Asa_Hermiston"), request_date=DAY)
    drugs = _drugs(r)
    for d in ("fluticasone propionate", "albuterol", "naproxen", "methotrexate"):
        assert d in drugs
    hc = next(t for t in r.data["treatments"] if t["drug"] == "hydrocortisone")
    assert (hc["strength"], hc["route"], hc["rxnorm"]) == ("1%", "topical", "106258")


def test_records_after_the_request_date_are_left_out_and_listed() -> None:
    early = dt.date(2018, 1, 1)
    r = import_source(_synthea("Asa_Hermiston"), request_date=early)
    assert all(t["start"] <= early for t in r.data["treatments"])
    assert "M06.9" not in [d["code"] for d in r.data["diagnoses"]]  # RA began in 2019
    late = next(n for n in r.notes if "dated after the request date" in n)
    assert "MedicationRequest/" in late and "Condition/" in late


def test_oxygen_order_selects_stationary_oxygen_and_lists_the_other_orders() -> None:
    r = import_source(TEST_EHR, patient="pat014", request_date=DAY, item="cpap")
    other = next(n for n in r.notes if n.startswith("other orders in the chart"))
    assert "stationary_oxygen E0424" in other and "bilevel_pap E0470" in other
    r = import_source(DTR, request_date=DAY, item="stationary_oxygen")
    assert r.data["request"]["codes"] == ["E0424"]
