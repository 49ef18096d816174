"""The CLI shows pa-docs' and WeasyPrint's warnings on standard error; ``-v`` shows more, ``-q``
only errors; the loggers are left as they were."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from pa_docs.cli import main
from tests.fixtures.documents.support import example

IGNORED = "pa-docs: warning (weasyprint): Ignored `color: no-such-colour`"


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    """A template folder whose stylesheet WeasyPrint cannot fully read."""
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "style.css").write_text("p { color: no-such-colour; }\n", encoding="utf-8")
    return folder


def letter(capsys: pytest.CaptureFixture[str], tmp: Path, templates: Path, *flags: str) -> str:
    """``pa-docs [flags] letter CASE --templates DIR``: its standard error."""
    case = example("ra-infliximab-aetna")
    args = ["letter", str(case), "--templates", str(templates), "-o", str(tmp / "letter.pdf")]
    code = main([*flags, *args])
    err = capsys.readouterr().err
    assert code == 0, err
    return err


def test_weasyprint_warnings_show_by_default(
    templates: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = letter(capsys, tmp_path, templates)
    assert IGNORED in err
    assert "pa-docs: info" not in err


def test_quiet_shows_no_warning(
    templates: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for flag in ("-q", "--quiet"):
        err = letter(capsys, tmp_path, templates, flag)
        assert "pa-docs: warning" not in err
        assert "wrote" in err  # the command's own report stays


def test_verbose_shows_the_rendering_steps(
    templates: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = letter(capsys, tmp_path, templates, "-v")
    assert "pa-docs: info (weasyprint.progress): Step 1 - Fetching and parsing HTML" in err
    assert IGNORED in err


def test_a_refused_fetch_is_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "remote"
    folder.mkdir()
    (folder / "style.css").write_text(
        "@import url('https://example.invalid/x.css');\n", encoding="utf-8"
    )
    err = letter(capsys, tmp_path, folder)
    assert "pa-docs: warning: refused to fetch https://example.invalid/x.css" in err


def test_the_loggers_are_left_as_they_were(
    templates: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loggers = [logging.getLogger(n) for n in ("pa_docs", "weasyprint")]
    before = [(lg.level, list(lg.handlers)) for lg in loggers]
    letter(capsys, tmp_path, templates, "-q")
    assert [(lg.level, list(lg.handlers)) for lg in loggers] == before
