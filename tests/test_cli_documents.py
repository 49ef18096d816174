"""``pa-docs packet`` and ``pa-docs letter``: outputs, refusals, drafts, exit codes."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pa_docs.cli import main
from tests.fixtures.documents.support import (
    ROOT,
    case_data,
    cli_env,
    docx_text,
    example,
    flat,
    make_pdf,
    pdf_pages,
    pdf_text,
    run_cli,
    write_case,
)


def cli(*args: Any) -> int:
    return main([str(a) for a in args])


def gap_case(folder: Path) -> Path:
    """The RA example without its TB test: the tb-screening criterion is missing."""
    data = case_data("ra-infliximab-aetna")
    data["labs"] = [lab for lab in data["labs"] if lab["test"] != "tb_igra"]
    return write_case(folder, data)


def test_packet_default_name_format_and_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli("packet", example("osa-cpap-medicare")) == 0
    out = tmp_path / "DME-2026-0058-packet.pdf"
    assert out.read_bytes().startswith(b"%PDF-")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert os.listdir(tmp_path) == [out.name]


@pytest.mark.parametrize(("fmt", "magic"), [("docx", b"PK"), ("html", b"<!DOCTYPE html>")])
def test_letter_in_each_format(
    fmt: str, magic: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli("letter", example("ra-infliximab-aetna"), "--format", fmt) == 0
    out = tmp_path / f"RA-2026-0147-letter.{fmt}"
    assert out.read_bytes().startswith(magic)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_the_letter_alone_has_no_packet_sections(tmp_path: Path) -> None:
    out = tmp_path / "letter.pdf"
    assert cli("letter", example("crohns-vedolizumab-uhc"), "-o", out) == 0
    text = pdf_text(out.read_bytes())
    assert "Letter of medical necessity" in text
    assert "Criteria crosswalk" not in text and "Prior authorization request" not in text


def test_a_case_with_gaps_is_refused_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = gap_case(tmp_path / "case")
    for kind in ("packet", "letter"):
        out = tmp_path / f"{kind}.pdf"
        assert cli(kind, case, "-o", out) == 1
        err = capsys.readouterr().err
        assert "not ready" in err and "--draft" in err
        assert "tb-screening (missing)" in err
        assert not out.exists()
    assert sorted(os.listdir(tmp_path)) == ["case"]


@pytest.mark.parametrize("kind", ["packet", "letter"])
def test_a_draft_is_marked_and_lists_the_gaps_on_page_one(kind: str, tmp_path: Path) -> None:
    case = gap_case(tmp_path / "case")
    pdf, docx = tmp_path / "draft.pdf", tmp_path / "draft.docx"
    assert cli(kind, case, "--draft", "-o", pdf) == 0
    assert cli(kind, case, "--draft", "-o", docx, "--format", "docx") == 0
    pages = [flat(p) for p in pdf_pages(pdf.read_bytes())]
    assert all("DRAFT" in p for p in pages)  # the watermark is text, on every page
    assert "not for submission" in pages[0]
    assert "tb-screening (missing)" in pages[0] and "Order a TB test" in pages[0]
    text = docx_text(docx.read_bytes())
    assert "[header] DRAFT" in text
    heading = "Prior authorization request" if kind == "packet" else "Letter of medical necessity"
    assert text.index("tb-screening (missing)") < text.index(heading)


def test_a_ready_case_is_not_marked_draft(tmp_path: Path) -> None:
    out = tmp_path / "p.pdf"
    assert cli("packet", example("ra-infliximab-aetna"), "-o", out) == 0
    assert "DRAFT" not in pdf_text(out.read_bytes())


@pytest.mark.parametrize(
    ("attachments", "problem"),
    [
        (["missing.pdf"], "attachments[0]: attachment not found"),
        (["labs.pdf", "notes.txt"], "attachments[1]: attachment is not a PDF"),
        (
            [{"path": "labs.pdf"}, {"path": "../outside.pdf"}],
            "attachments[1]: attachment '../outside.pdf' is outside the case's folder",
        ),  # like a profile's assets
        ([{"path": "labs.pdf"}], None),  # relative to the case: fine
    ],
)
def test_attachment_problems_are_input_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], attachments: list[Any], problem: str | None
) -> None:
    folder = tmp_path / "case"
    folder.mkdir()
    make_pdf(folder / "labs.pdf", ["LABS"])
    make_pdf(tmp_path / "outside.pdf", ["OUTSIDE"])
    (folder / "notes.txt").write_text("not a pdf")
    data = case_data("osa-cpap-medicare")
    data["attachments"] = attachments
    case = write_case(folder, data)
    out = tmp_path / "p.pdf"
    code = cli("packet", case, "-o", out)
    err = capsys.readouterr().err
    if problem is None:
        assert code == 0, err
        assert pdf_pages(out.read_bytes())[-1].strip() == "LABS"
        return
    assert code == 2
    assert problem in err and str(case) in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "odt"], "--format: must be one of pdf, docx, html"),
        (["--templates", "no-such-folder"], "templates folder not found"),
        (["--profile", "no-such-profile.yaml"], "no-such-profile.yaml"),
    ],
)
def test_bad_options_exit_2(
    args: list[str],
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli("packet", example("osa-cpap-medicare"), *args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert os.listdir(tmp_path) == []


def test_renderers_load_only_when_rendering() -> None:
    code = (
        "import sys, pa_docs, pa_docs.cli, pa_docs.documents, pa_docs.render\n"
        "heavy = [m for m in ('weasyprint', 'docx', 'pypdf') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], env=cli_env(), cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


def test_a_docx_render_does_not_load_weasyprint(tmp_path: Path) -> None:
    code = (
        "import sys\nfrom pa_docs.cli import main\n"
        f"rc = main(['letter', {str(example('osa-cpap-medicare'))!r}, '--format', 'docx', "
        f"'-o', {str(tmp_path / 'l.docx')!r}])\n"
        "print(rc, 'weasyprint' in sys.modules)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], env=cli_env(), cwd=ROOT, capture_output=True, text=True
    )
    assert proc.stdout.split() == ["0", "False"], proc.stderr


def test_the_installed_command_runs_from_another_folder(tmp_path: Path) -> None:
    proc = run_cli("packet", example("crohns-vedolizumab-uhc"), "--format", "html", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    case_id = case_data("crohns-vedolizumab-uhc")["case_id"]
    assert os.listdir(tmp_path) == [f"{case_id}-packet.html"]
    assert "wrote" in proc.stderr
