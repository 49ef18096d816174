"""The case file an import writes, and the import-fhir command."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from pa_docs.case import load_case
from pa_docs.cli import FLAGS, app
from pa_docs.errors import InputError
from pa_docs.fhir import import_source, render_case, write_case

FIXTURES = Path(__file__).parent / "fhir_fixtures"
RA = FIXTURES / "ra_bundle.json"
OSA = FIXTURES / "osa"


def test_complete_import_written_loads_unchanged(tmp_path: Path) -> None:
    result = import_source(RA, request_date=dt.date(2026, 11, 2), item="infliximab-dyyb")
    assert result.case is not None
    out = write_case(result, tmp_path / "case.yaml", source="ra_bundle.json")
    assert load_case(out) == result.case
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["case.yaml"]  # no temporary file left


def test_rendering_is_deterministic_and_in_case_field_order() -> None:
    a = render_case(import_source(RA, request_date=dt.date(2026, 11, 2), item="infliximab"))
    b = render_case(import_source(RA, request_date=dt.date(2026, 11, 2), item="infliximab"))
    assert a == b
    keys = [line.split(":")[0] for line in a.splitlines() if line and line[0].isalpha()]
    assert keys == [
        "case_id",
        "request_date",
        "patient",
        "coverage",
        "prescriber",
        "request",
        "diagnoses",
        "labs",
        "scores",
        "treatments",
        "findings",
        "encounters",
    ]
    assert 'npi: "1548362791"' in a or "npi: '1548362791'" in a  # stays a string


def test_header_lists_imported_and_to_fill() -> None:
    text = render_case(import_source(OSA, request_date=dt.date(2026, 11, 20)), "osa")
    header = [line for line in text.splitlines() if line.startswith("#")]
    joined = "\n".join(header)
    assert "# Imported: 2 diagnoses, 4 labs" in joined
    assert "TO FILL IN before the case can be checked" in joined
    assert "labs[0].date" in joined  # the observation with no date
    assert "TO COMPLETE where the policy asks" in joined
    assert "NOT IMPORTED" in joined and "E0250" in joined


def test_placeholders_block_loading_until_filled(tmp_path: Path) -> None:
    result = import_source(OSA, request_date=dt.date(2026, 11, 20))
    assert [f.path for f in result.missing] == ["labs[0].date"]
    path = write_case(result, tmp_path / "osa.yaml")
    text = path.read_text(encoding="utf-8")
    assert "date: FILL-IN  # TO FILL:" in text
    pending = load_case(path)  # a placeholder loads, and is listed with its line
    (fill,) = pending.to_fill
    assert fill.path == "labs[0].date"
    assert text.splitlines()[fill.line - 1].strip().startswith("date: FILL-IN")  # type: ignore[operator]
    path.write_text(text.replace("date: FILL-IN", "date: 2026-10-28"), encoding="utf-8")
    case = load_case(path)
    assert case.request.item == "cpap"
    lab = next(x for x in case.labs if x.fhir_ref == "Observation/o-ahi")
    assert (lab.test, lab.value, lab.events) == ("hst", 11.2, 68)


def test_existing_file_is_kept_unless_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "case.yaml"
    target.write_text("mine", encoding="utf-8")
    result = import_source(OSA, request_date=dt.date(2026, 11, 20))
    with pytest.raises(InputError, match="exists"):
        write_case(result, target)
    assert target.read_text(encoding="utf-8") == "mine"
    write_case(result, target, overwrite=True)
    assert yaml.safe_load(target.read_text(encoding="utf-8"))["case_id"] == "FHIR-p-osa"


# --- the command ---------------------------------------------------------------------------------


def _app() -> typer.Typer:
    """The pa-docs command line, whose import-fhir command these tests run."""
    return app


def test_command_writes_the_case(tmp_path: Path) -> None:
    out = tmp_path / "ra.yaml"
    res = CliRunner().invoke(
        _app(),
        [
            "import-fhir",
            str(RA),
            "-o",
            str(out),
            "--request-date",
            "2026-11-02",
            "--item",
            "infliximab-dyyb",
            "--payer",
            "aetna",
            "--request-type",
            "initial",
            "--case-id",
            "RA-1",
        ],
    )
    assert res.exit_code == 0, res.output
    case = load_case(out)
    assert case.case_id == "RA-1" and case.coverage.payer == "aetna"
    assert "complete enough to check" in res.output


def test_command_prints_to_stdout_and_lists_what_to_fill() -> None:
    res = CliRunner().invoke(_app(), ["import-fhir", str(OSA), "--request-date", "2026-11-20"])
    assert res.exit_code == 0, res.output
    assert "case_id: FHIR-p-osa" in res.output
    assert "to fill in before checking (1)" in res.output


def test_command_input_errors_propagate() -> None:
    res = CliRunner().invoke(_app(), ["import-fhir", str(FIXTURES / "bulk")])
    assert isinstance(res.exception, InputError)
    assert "--patient" in res.exception.say(FLAGS)
    res = CliRunner().invoke(_app(), ["import-fhir", str(OSA), "--request-date", "20-11-2026"])
    assert isinstance(res.exception, InputError)
