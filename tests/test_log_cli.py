"""The ``pa-docs log`` commands and ``pa-docs kpi`` through typer, on a SQLite log."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from pa_docs.cli import app
from pa_docs.errors import InputError
from pa_docs.log import CaseLog, compute_kpis, render_kpi_html
from tests.test_log_backends import EXAMPLES
from tests.test_log_store import known_data_set

CASE = str(EXAMPLES / "crohns-vedolizumab-uhc.yaml")
DENIAL = str(EXAMPLES / "crohns-vedolizumab-uhc.denial.yaml")


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("PA_DOCS_DB", raising=False)
    monkeypatch.setenv("PA_DOCS_USER", "ann")
    return str(tmp_path / "log.sqlite3")


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["log", *args])


def ok(*args: str) -> Result:
    result = run(*args)
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def test_submit_deny_appeal_and_show(db: str) -> None:
    out = ok("submit", CASE, "--method", "portal", "--date", "2026-11-20", "--owner", "bea",
             "--db", db).output  # fmt: skip
    assert "follow up 2026-11-25, escalate 2026-11-30" in out
    out = ok("decision", "GI-2026-0311", "denied", "--denial", DENIAL, "--db", db).output
    assert "appeal by 2027-01-23" in out
    ok("note", "GI-2026-0311", "Called UHC: denial letter received", "--user", "cy", "--db", db)
    shown = json.loads(ok("show", "GI-2026-0311", "--format", "json", "--db", db).output)
    assert shown["case"]["status"] == "denied"
    assert shown["case"]["appeal_deadline"] == "2027-01-23"
    assert [(h["kind"], h["who"]) for h in shown["history"]] == [
        ("submit", "ann"), ("decision", "ann"), ("note", "cy"),
    ]  # fmt: skip
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+\+00:00", shown["history"][0]["at"])
    table = ok("show", "GI-2026-0311", "--db", db).output
    assert "Called UHC" in table and "2027-01-23" in table


def test_due_as_json(db: str) -> None:
    ok("submit", CASE, "--method", "fax", "--date", "2026-11-20", "--owner", "bea", "--db", db)
    due = json.loads(ok("due", "--as-of", "2026-11-25", "--format", "json", "--db", db).output)
    assert due == {
        "as_of": "2026-11-25",
        "items": [{
            "case_id": "GI-2026-0311", "kind": "follow_up", "due_on": "2026-11-25", "days": 0,
            "payer": "uhc", "owner": "bea", "action": "call the payer about the submission",
        }],
    }  # fmt: skip
    assert json.loads(ok("due", "--as-of", "2026-11-25", "--owner", "cy", "--format", "json",
                         "--db", db).output)["items"] == []  # fmt: skip


def test_user_errors_are_input_errors(db: str) -> None:
    result = run("note", "NOPE", "hello", "--db", db)
    assert isinstance(result.exception, InputError)  # no log yet
    ok("submit", CASE, "--method", "fax", "--date", "2026-11-20", "--db", db)
    for args in (
        ["decision", "NOPE", "approved"],
        ["decision", "GI-2026-0311", "approved", "--date", "20/11/2026"],
        ["appeal", "GI-2026-0311", "--level", "1"],
    ):
        result = run(*args, "--db", db)
        assert isinstance(result.exception, InputError), args
    assert run("submit", CASE, "--method", "pigeon", "--db", db).exit_code == 2


def test_csv_export_and_import_with_bad_rows(db: str, tmp_path: Path) -> None:
    ok("submit", CASE, "--method", "fax", "--date", "2026-11-20", "--db", db)
    sheet = tmp_path / "out.csv"
    ok("export-csv", "--output", str(sheet), "--db", db)
    assert sheet.read_text().splitlines()[1].startswith("GI-2026-0311,Daniel Okafor,uhc,")
    bad = tmp_path / "bad.csv"
    bad.write_text("case_id,payer,submitted_on\nX-1,aetna,2026-03-02\nX-2,aetna,soon\n")
    result = run("import-csv", str(bad), "--db", db)
    assert isinstance(result.exception, InputError)
    assert f"{bad}:3: submitted_on" in str(result.exception)
    assert "X-1" not in ok("export-csv", "--db", db).output  # nothing imported
    result = ok("import-csv", str(bad), "--skip-bad", "--db", db)
    assert "imported 1 case(s)" in result.output and "1 bad row(s) skipped" in result.output
    assert "X-1" in ok("export-csv", "--db", db).output


def test_kpi_command_json_and_html(db: str, tmp_path: Path) -> None:
    with CaseLog.open(db, user="ann") as log:
        known_data_set(log)
    runner = CliRunner()
    result = runner.invoke(app, ["kpi", "--format", "json", "--team-cost", "600", "--db", db])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["overall"]["first_pass_approval_rate"] == 0.6
    assert data["overall"]["appeal_success_rate"] == 0.5
    assert data["overall"]["cost_per_pa"] == 100.0
    assert data["by_payer"]["aetna"]["submissions"] == 3
    html = tmp_path / "kpi.html"
    result = runner.invoke(app, ["kpi", "--format", "html", "-o", str(html), "--db", db])
    assert result.exit_code == 0, result.output
    assert html.read_text().startswith("<!DOCTYPE html>")
    result = runner.invoke(app, ["kpi", "--from", "2026-03-01", "--to", "2026-02-01", "--db", db])
    assert isinstance(result.exception, InputError)


def test_kpi_html_is_self_contained_with_a_bar_per_month(tmp_path: Path) -> None:
    with CaseLog.open(tmp_path / "log.sqlite3", user="ann") as log:
        known_data_set(log)
        html = render_kpi_html(compute_kpis(log.all_cases()))
    assert html.count("<svg") == 3
    months = re.findall(r'<rect class="bar" data-month="([\d-]+)"', html)
    # first-pass approval and turnaround in both months; appeal success in January only (C)
    # and February (D, upheld)
    assert sorted(months) == ["2026-01"] * 3 + ["2026-02"] * 3
    assert not re.search(r"https?:|<script|<link|<img|src=|@import|url\(", html)
    assert 'class="target"' in html  # the 85 % line


def test_the_cli_module_loads_without_the_database_stack() -> None:
    code = (
        "import sys, pa_docs.log._cli; "
        "print(sorted(m for m in ('sqlalchemy', 'alembic', 'holidays') if m in sys.modules))"
    )
    root = str(Path(__file__).resolve().parents[1])
    out = subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": root},
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert out.strip() == "[]"
