"""Defects the fuzz harness found (``scripts/fuzz.py``), each kept as a test of its class."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from ..conftest import ROOT
from .support import assert_input_error, cli

EXAMPLE = ROOT / "examples" / "ra-infliximab-aetna.yaml"
DENIAL = ROOT / "examples" / "ra-infliximab-aetna.denial.yaml"


def _case(tmp_path: Path, **changes: Any) -> Path:
    data = copy.deepcopy(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))
    data.update(changes)
    p = tmp_path / "case.yaml"
    p.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return p


@pytest.mark.parametrize(
    "argv",
    [
        ["packet", "--draft", "--format", "html"],
        ["letter", "--draft", "--format", "docx"],
        ["appeal", "--denial", DENIAL, "--as-of", "2027-01-20", "--draft", "--format", "html"],
    ],
)
def test_names_pa_docs_does_not_know_are_printed_as_written(
    tmp_path: Path, argv: list[Any]
) -> None:
    """An encounter type or finding pa-docs does not know loads with a warning; the documents
    printed it by looking it up in the vocabulary (KeyError, exit 3)."""
    case = _case(
        tmp_path,
        encounters=[{"type": "home_visit_by_drone", "date": "2026-10-06", "note": "seen"}],
        findings=[{"name": "mild_hand_stiffness", "date": "2026-10-06"}],
    )
    cmd, *rest = argv
    run = cli(cmd, case, *rest, "-o", tmp_path / "out")
    assert run.code == 0, run.err
    assert "home_visit_by_drone" in run.err  # the warning names it


def test_a_duplicate_bad_case_id_in_a_sheet_is_shown_not_sent(tmp_path: Path) -> None:
    """The 'also on line' message printed the raw case id: a C1 control reached the terminal."""
    sheet = tmp_path / "s.csv"
    sheet.write_text(
        "case_id,payer,submitted_on\n\x9a,aetna,2026-03-02\n\x9a,aetna,2026-03-02\n"
        "C-1,aetna,2026-03-02\n",
        encoding="utf-8",
    )
    run = cli("log", "import-csv", sheet, "--skip-bad", "--db", tmp_path / "log.sqlite3")
    assert run.code == 0, run.err
    assert "also on line 2" in run.err and "\\x9a" in run.err
    assert "\x9a" not in run.err + run.out


@pytest.mark.parametrize("fmt", ["html", "docx"])
def test_a_lab_whose_test_is_still_to_fill_is_left_out_of_a_draft(tmp_path: Path, fmt: str) -> None:
    """A lab with ``test: FILL-IN`` loads (it is no evidence yet); the documents looked its test
    up anyway (AssertionError, exit 3)."""
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["labs"][1]["test"] = "FILL-IN"
    case = _case(tmp_path, labs=data["labs"])
    run = cli("packet", case, "--draft", "--format", fmt, "-o", tmp_path / f"p.{fmt}")
    assert run.code == 0, run.err


BUNDLE = ROOT / "tests" / "fhir_fixtures" / "ra_bundle.json"


def _bundle_with(tmp_path: Path, change: Any) -> Path:
    data = json.loads(BUNDLE.read_text(encoding="utf-8"))
    by_id = {e["resource"].get("id"): e["resource"] for e in data["entry"]}
    change(data, by_id)
    p = tmp_path / "bundle.json"
    p.write_text(json.dumps(data), encoding="utf-8")
    return p


def _contained_patient(data: Any, by_id: dict[str, Any]) -> None:
    by_id["mr-ifx"]["contained"] = [{"resourceType": "Patient", "id": "med-ifx"}]


@pytest.mark.parametrize(
    "change",
    [
        # a reference that names a resource of another type than the element expects
        lambda d, r: r["mr-ifx"].update(medicationReference={"reference": "urn:uuid:p-ra-1"}),
        _contained_patient,
        lambda d, r: r["role-1"].update(practitioner={"reference": "urn:uuid:p-ra-1"}),
        lambda d, r: r["role-1"].update(organization={"reference": "urn:uuid:c-ra"}),
        # a name part that is null (a FHIR list may hold null beside an extension)
        lambda d, r: r["pr-1"]["name"][0].update(suffix=[None, "MD"]),
        lambda d, r: r["p-ra-1"]["name"][0].update(suffix=[None]),
        # a contained resource of a type FHIR does not have (fhir.resources: KeyError)
        lambda d, r: r["mr-ifx"]["contained"][0].update(resourceType="2029-02-15"),
    ],
    ids=[
        "med->patient",
        "contained-patient",
        "role->patient",
        "role-org->condition",
        "null-suffix",
        "only-null-suffix",
        "contained-unknown-type",
    ],
)
def test_odd_chart_content_imports_without_a_crash(tmp_path: Path, change: Any) -> None:
    run = cli("import-fhir", _bundle_with(tmp_path, change), "--request-date", "2026-11-02",
              "--item", "infliximab", "-o", tmp_path / "case.yaml")  # fmt: skip
    assert run.code == 0, run.err
    assert "Traceback" not in run.err and (tmp_path / "case.yaml").is_file()


def test_a_bundle_whose_entry_is_not_a_list_is_exit_2(tmp_path: Path) -> None:
    bundle = _bundle_with(tmp_path, lambda d, r: d.update(entry=10**29))
    run = cli("import-fhir", bundle, "--request-date", "2026-11-02", "-o", tmp_path / "c.yaml")
    assert_input_error(run, "bundle.json", "entry", "must be a list")
    assert not (tmp_path / "c.yaml").exists()
