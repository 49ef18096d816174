"""Reading FHIR sources: Bundles, folders, NDJSON, several patients, and bad input."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pa_docs.cli import FLAGS
from pa_docs.errors import InputError
from pa_docs.fhir import import_source

FIXTURES = Path(__file__).parent / "fhir_fixtures"
DAY = dt.date(2026, 11, 20)


def test_folder_of_resources_skips_other_files_and_says_so() -> None:
    r = import_source(FIXTURES / "osa", request_date=DAY)
    assert r.patient == "p-osa"
    assert any("README.txt" in n for n in r.notes)


def test_bulk_ndjson_with_two_patients_needs_patient() -> None:
    with pytest.raises(InputError) as err:
        import_source(FIXTURES / "bulk", request_date=DAY)
    text = str(err.value)  # the library names its parameter; the CLI its option
    assert "2 patients" in text and text.endswith("choose one with patient")
    assert err.value.say(FLAGS).endswith("choose one with --patient")
    assert "b1 (Ann One, born 1980-01-02)" in text and "b2" in text


def test_bulk_ndjson_with_patient_keeps_only_that_record() -> None:
    r = import_source(FIXTURES / "bulk", patient="b1", request_date=DAY)
    assert r.data["patient"]["name"] == "Ann One"
    assert [d["code"] for d in r.data["diagnoses"]] == ["L20.9"]
    t = r.data["treatments"][0]
    assert (t["drug"], t["form"], t["route"], t["end"]) == (
        "hydrocortisone",
        "cream",
        "topical",
        dt.date(2024, 4, 10),
    )
    assert any("other patients" in n for n in r.notes)
    r2 = import_source(FIXTURES / "bulk", patient="b2", request_date=DAY)
    assert [d["code"] for d in r2.data["diagnoses"]] == ["J45.909"]
    assert r2.data["treatments"][0]["drug"] == "dupilumab"  # Dupixent, by name


def test_unknown_patient_lists_the_patients() -> None:
    with pytest.raises(InputError, match=r"'zz' is not in the source.*b1.*b2"):
        import_source(FIXTURES / "bulk", patient="zz", request_date=DAY)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"hello": 1}', "not a FHIR resource"),
        ("[1, 2]", "not a FHIR resource"),
        ('{"resourceType": "Bundle", "type": "history", "entry": []}', "Bundle type 'history'"),
        ("", "empty"),
    ],
)
def test_bad_input_is_an_input_error(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "x.json"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message) as err:
        import_source(f, request_date=DAY)
    assert str(f) in str(err.value)


def test_bad_ndjson_line_names_the_line(tmp_path: Path) -> None:
    f = tmp_path / "Patient.ndjson"
    f.write_text('{"resourceType": "Patient", "id": "a"}\n{oops\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        import_source(f, request_date=DAY)
    assert f"{f}:2:" in str(err.value)


def test_missing_source_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        import_source(tmp_path / "nope.json")
    with pytest.raises(InputError, match=r"no \.json or \.ndjson"):
        import_source(tmp_path)


@pytest.mark.parametrize("kind", ["transaction", "collection", "searchset", "document"])
def test_bundle_types(tmp_path: Path, kind: str) -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": kind,
        "entry": [
            {
                "fullUrl": "urn:uuid:1",
                "resource": {"resourceType": "Patient", "id": "1", "birthDate": "1990-01-01"},
            },
            {
                "search": {"mode": "outcome"},
                "resource": {"resourceType": "OperationOutcome", "issue": []},
            },
        ],
    }
    f = tmp_path / "b.json"
    f.write_text(json.dumps(bundle), encoding="utf-8")
    r = import_source(f, request_date=DAY)
    assert r.patient == "1" and r.data["patient"]["birth_date"] == dt.date(1990, 1, 1)


def test_fhir_resources_is_imported_lazily() -> None:
    code = (
        "import sys, pa_docs.fhir, pa_docs.fhir._cli; "
        "assert 'fhir.resources' not in sys.modules, 'imported at load'; "
        "from pa_docs.fhir import import_resources; "
        "import_resources([{'resourceType': 'Patient', 'id': 'p'}]); "
        "assert 'fhir.resources.R4B' in sys.modules"
    )
    root = Path(__file__).resolve().parents[1]
    subprocess.run(
        [sys.executable, "-c", code], check=True, cwd=root, env={"PYTHONPATH": str(root)}
    )
