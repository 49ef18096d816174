"""One error contract: exit 2 for bad input, 3 for an unexpected error (one line and a hint, the
traceback only with PA_DOCS_DEBUG=1), never 1 (which means gaps); secrets masked, control
characters shown, not acted on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import pa_docs.check
from pa_docs._console import mask_secrets, printable

from ..conftest import ROOT
from .support import assert_input_error, cli

EXAMPLE = ROOT / "examples" / "ra-infliximab-aetna.yaml"


def _boom(*args: object, **kwargs: object) -> None:
    raise RuntimeError("something pa-docs did not expect\nsecond line")


def test_an_unexpected_error_exits_3_with_one_line_and_a_hint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PA_DOCS_DEBUG", raising=False)
    monkeypatch.setattr(pa_docs.check, "check_case", _boom)
    run = cli("check", EXAMPLE)
    assert run.code == 3
    assert run.err.count("\n") == 1, run.err
    assert run.err.startswith("pa-docs: internal error: RuntimeError: something pa-docs did")
    assert "please report it" in run.err and "PA_DOCS_DEBUG=1" in run.err
    assert "Traceback" not in run.err and "second line" not in run.err


def test_pa_docs_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PA_DOCS_DEBUG", "1")
    monkeypatch.setattr(pa_docs.check, "check_case", _boom)
    run = cli("check", EXAMPLE)
    assert run.code == 3
    assert "Traceback (most recent call last)" in run.err and "_boom" in run.err


def test_the_installed_command_follows_the_contract(tmp_path: Path) -> None:
    bad = tmp_path / "case.yaml"
    bad.write_text("case_id: [\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "pa_docs", "check", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"pa-docs: error: {bad}:") and "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("postgresql://bob:s3cret@db.example/log", "s3cret"),
        ("postgresql+psycopg://bob:p@ss:w0rd@db:5432/log", "w0rd"),
        ("host=db user=bob password=s3cret dbname=log", "s3cret"),
        ("password: 's3 cret'", "s3 cret"),
    ],
)
def test_passwords_are_masked(text: str, hidden: str) -> None:
    masked = mask_secrets(text)
    assert hidden not in masked and "***" in masked


@pytest.mark.parametrize(
    "text",
    [
        "/etc/passwd:1: expected a mapping of fields at the top level, got str",
        "C:\\secrets\\passwd:3: invalid YAML",
        "cases/old.pwd: is a folder, expected a file",
    ],
)
def test_a_path_that_ends_in_a_password_word_is_printed_whole(text: str) -> None:
    assert mask_secrets(text) == text


def test_a_failed_postgresql_connection_does_not_print_the_password(tmp_path: Path) -> None:
    pytest.importorskip("psycopg")
    url = "postgresql://bob:s3cret-pw@127.0.0.1:1/log"
    run = cli("log", "show", "X", "--db", url)
    assert_input_error(run, "postgresql://bob:***@127.0.0.1:1/log", "cannot use the log")
    assert "s3cret-pw" not in run.err and run.err.count("\n") == 1


def test_control_characters_are_shown_not_acted_on() -> None:
    assert printable("Ma\x1b[2Jria\x07 \x9b31m\u2028x\ty\nz") == (
        "Ma\\x1b[2Jria\\x07 \\x9b31m\\x2028x\ty\nz"
    )


def test_an_input_error_names_a_control_character_without_sending_it(tmp_path: Path) -> None:
    bad = tmp_path / "c\x1b[31m.yaml"
    run = cli("check", bad)
    assert_input_error(run, "file not found", "\\x1b[31m")
    assert "\x1b" not in run.err
