"""The ``appeal``, ``p2p`` and ``deadline`` commands: exit codes, messages, files, determinism."""

from __future__ import annotations

import io
import json
from pathlib import Path

import docx
import pypdf
import pytest

from pa_docs.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures" / "appeal"
EXAMPLES = ROOT / "examples"
CASE = str(FIX / "crohns-vedolizumab-uhc.yaml")
NO_STEP = str(FIX / "crohns-no-step-therapy.yaml")
DENIAL = str(FIX / "crohns-vedolizumab-uhc.denial.yaml")
OSA = str(FIX / "osa-cpap-medicare.yaml")


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # default output names land here


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def docx_text(path: Path) -> str:
    d = docx.Document(io.BytesIO(path.read_bytes()))
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


def test_appeal_writes_the_letter_under_its_default_name(capsys, tmp_path):
    code, _, err = run(capsys, "appeal", CASE, "--denial", DENIAL, "--as-of", "2026-11-30")
    assert code == 0
    target = tmp_path / "GI-2026-0311-appeal-level1.pdf"
    assert f"wrote {target.name}" in err
    assert "last day to file 2027-01-23 (file by 2027-01-22), 54 days left on 2026-11-30" in err
    assert "reason 2: inferred" in err  # how an unstated reason was mapped, for the specialist
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(target).pages)
    assert "Request for first-level appeal" in " ".join(text.split())


def test_refuses_listing_the_gaps_and_writes_nothing(capsys, tmp_path):
    out = tmp_path / "letter.pdf"
    code, _, err = run(
        capsys, "appeal", NO_STEP, "--denial", DENIAL, "--as-of", "2026-11-30", "-o", str(out)
    )
    assert code == 1
    assert "does not support an answer to every denial reason" in err
    assert "--draft" in err
    assert "reason 1: step-conventional is missing" in err
    assert "To do: Find or document a trial of" in err
    assert "Traceback" not in err
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_draft_renders_the_gaps_marked(capsys, tmp_path):
    out = tmp_path / "draft.docx"
    code, _, err = run(
        capsys, "appeal", NO_STEP, "--denial", DENIAL, "--as-of", "2026-11-30", "--draft",
        "--format", "docx", "-o", str(out),
    )  # fmt: skip
    assert code == 0 and "(DRAFT)" in err
    text = docx_text(out)
    assert "DRAFT — not for filing." in text
    assert "Not yet supported by the record (missing):" in text


def test_late_filing_is_an_error_naming_the_deadline(capsys, tmp_path):
    code, _, err = run(capsys, "appeal", CASE, "--denial", DENIAL, "--as-of", "2027-02-01")
    assert code == 2
    assert "the deadline to file the plan appeal (level 1, medicaid) was 2027-01-23" in err
    assert "9 days ago" in err and "--late" in err
    assert list(tmp_path.iterdir()) == []


def test_late_with_the_flag_asks_for_good_cause(capsys, tmp_path):
    out = tmp_path / "late.docx"
    code, _, err = run(
        capsys, "appeal", CASE, "--denial", DENIAL, "--as-of", "2027-02-01", "--late",
        "--format", "docx", "-o", str(out),
    )  # fmt: skip
    assert code == 0
    assert "past it by 9 days on 2027-02-01" in err
    text = docx_text(out)
    assert "Request for good cause." in text
    assert "filed after the deadline of January 23, 2027" in text


def test_denial_of_another_case_is_an_input_error(capsys, tmp_path):
    code, _, err = run(capsys, "appeal", OSA, "--denial", DENIAL, "--as-of", "2026-11-30")
    assert code == 2
    assert "case_id 'GI-2026-0311' does not match the case ('DME-2026-0058')" in err
    assert "crohns-vedolizumab-uhc.denial.yaml" in err  # names the file
    assert list(tmp_path.iterdir()) == []


def test_bad_format_is_an_input_error(capsys):
    code, _, err = run(capsys, "appeal", CASE, "--denial", DENIAL, "--format", "rtf")
    assert code == 2 and "--format: must be one of pdf, docx, html" in err


def test_p2p_writes_a_one_page_sheet_even_with_gaps(capsys, tmp_path):
    code, _, err = run(capsys, "p2p", NO_STEP, "--denial", DENIAL, "--as-of", "2026-11-30")
    assert code == 0
    target = tmp_path / "GI-2026-0311-p2p.pdf"
    assert f"wrote {target.name}" in err
    reader = pypdf.PdfReader(target)
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Peer-to-peer preparation" in text and "Weak points" in text


def test_p2p_html(capsys, tmp_path):
    out = tmp_path / "p2p.html"
    code, _, _ = run(
        capsys, "p2p", CASE, "--denial", DENIAL, "--as-of", "2026-11-30", "--format", "html",
        "-o", str(out),
    )  # fmt: skip
    assert code == 0
    html = out.read_text("utf-8")
    assert (
        "<h1" in html
        and "Ask the reviewer" in html
        and "Disease severity is not documented." in html
    )


def test_deadline_json_shape(capsys):
    code, out, _ = run(
        capsys, "deadline", CASE, "--denial", DENIAL, "--as-of", "2026-11-30", "--format", "json"
    )
    assert code == 0
    d = json.loads(out)
    assert set(d) == {
        "deadline", "file_by", "level", "level_name", "program", "program_name", "as_of",
        "days_left", "past_due", "rule", "counted_from", "counted_from_how", "decision_time",
        "amount_in_controversy", "is_last_internal", "independent", "next_levels",
    }  # fmt: skip
    assert (d["deadline"], d["file_by"], d["days_left"], d["past_due"]) == (
        "2027-01-23", "2027-01-22", 54, False,
    )  # fmt: skip
    assert (d["program"], d["level"], d["level_name"]) == ("medicaid", 1, "plan appeal")
    assert d["next_levels"] == []


def test_deadline_json_of_a_medicare_reconsideration(capsys):
    denial = str(FIX / "osa-cpap-medicare.denial.yaml")
    code, out, _ = run(
        capsys, "deadline", OSA, "--denial", denial, "--as-of", "2027-02-08", "--format", "json"
    )
    assert code == 0
    d = json.loads(out)
    assert (d["deadline"], d["independent"], d["is_last_internal"]) == ("2027-07-28", True, False)
    assert [n["level_name"] for n in d["next_levels"]] == [
        "ALJ hearing", "Medicare Appeals Council", "federal district court",
    ]  # fmt: skip
    assert d["next_levels"][0]["amount_in_controversy"] == "$200 (2026)"


@pytest.mark.parametrize("command", ["appeal", "p2p"])
@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_same_inputs_same_bytes(capsys, tmp_path, command, fmt):
    outs = [tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"]
    for out in outs:
        code, _, _ = run(
            capsys, command, CASE, "--denial", DENIAL, "--as-of", "2026-11-30", "--format", fmt,
            "-o", str(out),
        )  # fmt: skip
        assert code == 0
    assert outs[0].read_bytes() == outs[1].read_bytes()
