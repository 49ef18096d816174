"""Every date option of the CLI is read by one parser: the same format, the same bounds and the
same error, naming the option."""

from __future__ import annotations

from pathlib import Path

import pytest

from pa_docs.cli import main
from tests.conftest import ROOT

CASE = ROOT / "examples" / "crohns-vedolizumab-uhc.yaml"
DENIAL = ROOT / "examples" / "crohns-vedolizumab-uhc.denial.yaml"
FHIR = ROOT / "tests" / "fhir_fixtures" / "osa"


def commands(option: str, value: str, tmp: Path) -> list[str]:
    return {
        "--as-of": ["deadline", str(CASE), "--denial", str(DENIAL), "--as-of", value],
        "--request-date": ["import-fhir", str(FHIR), "--request-date", value, "-o", str(tmp / "c")],
        "--from": ["kpi", "--from", value, "--db", str(tmp / "log.sqlite3")],
    }[option]


@pytest.mark.parametrize("option", ["--as-of", "--request-date", "--from"])
@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("30/11/2026", "'30/11/2026' is not a date (YYYY-MM-DD)"),
        ("2026-02-30", "'2026-02-30' is not a date (YYYY-MM-DD)"),
        ("0026-11-30", "date 0026-11-30 is outside"),
    ],
)
def test_a_bad_date_is_refused_naming_its_option(
    option: str, value: str, said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(commands(option, value, tmp_path))
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"pa-docs: error: {option}: {said}"), err
    assert not list(tmp_path.iterdir())  # nothing written, no log made
