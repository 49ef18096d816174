"""Text pa-docs writes for other programs: a case file from a FHIR export (no chart text can add
a line of YAML) and a spreadsheet (no cell can run as a formula)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml

from pa_docs.fhir._write import _scalar, one_line
from pa_docs.log._csv import neutralise

from .support import assert_input_error, attack, cli

SEPARATORS = ["\u2028", "\u2029", "\x85", "\r", "\n", "\x0b", "\x0c"]


def test_a_line_separator_in_a_fhir_display_adds_nothing_to_the_case(tmp_path: Path) -> None:
    out = tmp_path / "case.yaml"
    run = cli("import-fhir", attack("fhir_u2028_inject.json"), "-o", out,
              "--request-date", "2023-02-01")  # fmt: skip
    assert run.code == 0, run.err
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert "attachments" not in data
    assert "../o.pdf" not in json.dumps(data, default=str)
    text = out.read_text(encoding="utf-8")
    assert not any(s in text for s in SEPARATORS if s != "\n")


@pytest.mark.parametrize("sep", SEPARATORS)
def test_every_line_separator_is_kept_out_of_comments_and_quoted_in_values(sep: str) -> None:
    hostile = f"X{sep}attachments:{sep}- ../o.pdf{sep}#"
    assert sep not in one_line(hostile)
    line = f"key: {_scalar(hostile)}"
    assert sep not in line
    assert yaml.safe_load(line) == {"key": hostile}


def test_every_chart_text_field_is_written_safely(tmp_path: Path) -> None:
    """The same attack in a patient name, an observation display and a condition's text."""
    bundle = json.loads(attack("fhir_u2028_inject.json").read_text(encoding="utf-8"))
    evil = "Oster\u2028attachments: [../o.pdf]\u2028notes: x\u2028#"
    for entry in bundle["entry"]:
        res = entry["resource"]
        if res["resourceType"] == "Patient":
            res["name"][0]["family"] = evil
        for coding in res.get("code", {}).get("coding", []):
            coding["display"] = evil
    src = tmp_path / "bundle.json"
    src.write_text(json.dumps(bundle), encoding="utf-8")
    out = tmp_path / "case.yaml"
    run = cli("import-fhir", src, "-o", out, "--request-date", "2023-02-01")
    assert run.code == 0, run.err
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert "attachments" not in data and "notes" not in data
    assert "\u2028" in data["patient"]["name"]  # kept as a value, quoted
    load = cli("check", out)
    assert load.code == 2 and "U+2028" in load.err  # and refused as a name when loaded


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1" * 5000])
def test_json_numbers_that_are_no_numbers_are_exit_2(tmp_path: Path, value: str) -> None:
    text = attack("fhir_u2028_inject.json").read_text(encoding="utf-8")
    src = tmp_path / "bundle.json"
    src.write_text(text.replace('"value": 32,', f'"value": {value},', 1), encoding="utf-8")
    assert_input_error(cli("import-fhir", src, "--request-date", "2023-02-01"), "bundle.json")


def test_deeply_nested_json_is_exit_2(tmp_path: Path) -> None:
    src = tmp_path / "deep.json"
    src.write_text('{"resourceType": "Patient", "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert_input_error(cli("import-fhir", src, bound=10), "deep.json", "nested")


# -- the spreadsheet --------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def test_formula_cells_are_neutralised_on_export(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite3"
    run = cli("log", "import-csv", attack("formula.csv"), "--skip-bad", "--db", db)
    assert run.code == 0, run.err
    assert "imported 1 case(s)" in run.out and "case_id" in run.err  # formula id refused
    cli("log", "note", "F-2", "x", "--db", db)
    out = tmp_path / "export.csv"
    assert cli("log", "export-csv", "-o", out, "--db", db).code == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    cells = [c for row in rows[1:] for c in row]
    assert "'=1+1" in cells and any(c.startswith("'=IMPORTXML") for c in cells)
    assert not [c for c in cells if c.startswith(FORMULA_START)]
    # and the export imports back to the same values
    db2 = tmp_path / "copy.sqlite3"
    assert cli("log", "import-csv", out, "--db", db2).code == 0
    again = tmp_path / "again.csv"
    assert cli("log", "export-csv", "-o", again, "--db", db2).code == 0
    assert again.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")


@pytest.mark.parametrize("cell", ["=1+1", "+SUM(1)", "-2+3", "@A1", "\tx", "\rx"])
def test_every_formula_start_is_neutralised(cell: str) -> None:
    assert neutralise(cell) == "'" + cell
    assert neutralise("Maria Alvarez") == "Maria Alvarez"


@pytest.mark.parametrize(
    ("cell", "what"),
    [("Maria\x1b[2J", "U+001B"), ("x" * 301, "too long"), ("A\x00B", "U+0000")],
)
def test_bad_spreadsheet_cells_are_named(tmp_path: Path, cell: str, what: str) -> None:
    sheet = tmp_path / "s.csv"
    sheet.write_text(f"case_id,patient,payer,submitted_on\nC-1,{cell},aetna,2026-03-02\n")
    run = cli("log", "import-csv", sheet, "--db", tmp_path / "log.sqlite3")
    assert_input_error(run, "s.csv:2", "patient", what)


def test_an_oversized_spreadsheet_field_is_exit_2(tmp_path: Path) -> None:
    sheet = tmp_path / "s.csv"
    sheet.write_text(
        'case_id,patient,payer,submitted_on\nC-1,"' + "x" * 200_000 + '",a,2026-03-02\n'
    )
    assert_input_error(cli("log", "import-csv", sheet, "--db", tmp_path / "l.db"), "s.csv")
