"""The CLI builds only the command it runs: the same help, parsing and errors as the whole app."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer

from pa_docs.cli import app, main
from tests.conftest import ROOT

NAMES = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def _full(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        app(args=args, prog_name="pa-docs", standalone_mode=True)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("name", NAMES)
def test_each_command_has_the_help_of_the_whole_app(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = _full([name, "--help"], capsys)
    code = main([name, "--help"])
    out = capsys.readouterr()
    assert (code, out.out, out.err) == expected


@pytest.mark.parametrize(
    "args",
    [
        ["check"],  # a missing argument
        ["check", "x.yaml", "--nope"],  # an unknown option
        ["chek", "x.yaml"],  # a misspelt command: the whole app suggests the right one
        ["--help"],
        [],
    ],
)
def test_errors_and_usage_read_as_from_the_whole_app(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    expected = _full(args, capsys)
    code = main(args)
    out = capsys.readouterr()
    assert (code, out.out, out.err) == expected


def test_a_check_imports_no_other_command() -> None:
    code = (
        "import sys\n"
        "from pa_docs.cli import main\n"
        f"main(['check', {str(ROOT / 'examples' / 'ra-infliximab-aetna.yaml')!r}, "
        "'--format', 'json'])\n"
        "print(sorted(m for m in sys.modules if m.startswith(('weasyprint', 'multiprocessing',"
        " 'sqlalchemy', 'starlette', 'fhir', 'jinja2', 'rich'))), file=sys.stderr)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.stderr.strip().splitlines()[-1] == "[]", r.stderr
