"""The PDF a payer receives: what it says, its page furniture, its bookmarks, its bytes."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.fixtures.documents.support import (
    NAMES,
    case_data,
    checked,
    example,
    flat,
    make_pdf,
    pdf_pages,
    pdf_text,
    render,
    run_cli,
    write_case,
)


@pytest.fixture(scope="module")
def packets() -> dict[str, bytes]:
    return {name: render("packet", example(name), "pdf") for name in NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_packet_names_patient_policy_citations_and_evidence_dates(
    name: str, packets: dict[str, bytes]
) -> None:
    case, policy, result = checked(example(name))
    text = pdf_text(packets[name])
    assert case.patient.name in text
    assert case.patient.member_id in text
    assert policy.number and policy.number in text
    for v in result.verdicts:
        assert flat(v.criterion.citation) in text, v.criterion.id
        for e in v.evidence:
            if e.date:
                assert e.date.isoformat() in text, (v.criterion.id, e.ref)


@pytest.mark.parametrize("name", NAMES)
def test_every_page_has_page_x_of_y_and_the_footer(name: str, packets: dict[str, bytes]) -> None:
    case, policy, _ = checked(example(name))
    pages = [flat(p) for p in pdf_pages(packets[name])]
    n = len(pages)
    assert n >= 4  # cover, letter, crosswalk, evidence
    for i, page in enumerate(pages, 1):
        assert f"Page {i} of {n}" in page
        # the footer names the text applied: the payer's version, or the day it was read
        assert f"policy {policy.id} ({policy.edition}) ·" in page
        if not policy.version:
            assert f"text as read {policy.last_reviewed.isoformat()}" in page
        assert "version not stated" not in page
        assert case.patient.name in page and case.patient.member_id in page
        assert "sha256:" in page


def test_pages_are_us_letter(packets: dict[str, bytes]) -> None:
    reader = PdfReader(io.BytesIO(packets[NAMES[0]]))
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (612, 792)


@pytest.mark.parametrize("name", NAMES)
def test_dated_with_the_request_date(name: str, packets: dict[str, bytes]) -> None:
    case, _, _ = checked(example(name))
    meta = PdfReader(io.BytesIO(packets[name])).metadata
    assert meta is not None
    stamp = case.request_date.strftime("%Y%m%d")
    assert str(meta["/CreationDate"]).startswith(f"D:{stamp}")
    assert str(meta["/ModDate"]).startswith(f"D:{stamp}")
    assert case.patient.name in str(meta["/Title"])


def test_cover_page_opens_with_the_request_and_lists_the_sections(
    packets: dict[str, bytes],
) -> None:
    first = flat(pdf_pages(packets["ra-infliximab-aetna"])[0])
    # under the practice letterhead (every document kind carries it)
    assert first.startswith("Lakeside Rheumatology Associates 410 Harbor Way")
    assert first.index("Prior authorization request") < first.index("Letter of medical necessity")
    for section in ("Letter of medical necessity", "Criteria crosswalk", "Evidence summary"):
        assert section in first


def test_packet_bookmarks_are_its_sections(packets: dict[str, bytes]) -> None:
    reader = PdfReader(io.BytesIO(packets["ra-infliximab-aetna"]))
    top = [o.title for o in reader.outline if not isinstance(o, list)]
    assert top == [
        "Prior authorization request",
        "Letter of medical necessity",
        "Criteria crosswalk",
        "Evidence summary",
    ]


@pytest.mark.parametrize("name", NAMES)
def test_weasyprint_reports_no_problem(name: str, caplog: pytest.LogCaptureFixture) -> None:
    """No unknown option, no CSS WeasyPrint cannot read, no refused fetch: a silent render."""
    from pa_docs.render import _pdf

    _pdf._stylesheet.cache_clear()  # parse the stylesheet again, so its warnings show here
    with caplog.at_level(logging.INFO):
        render("letter", example(name), "pdf")
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


# Determinism ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
@pytest.mark.parametrize("name", NAMES)
def test_same_inputs_same_bytes_in_a_fresh_process(
    name: str, fmt: str, packets: dict[str, bytes], tmp_path: Path
) -> None:
    out = tmp_path / f"packet.{fmt}"
    proc = run_cli("packet", example(name), "--format", fmt, "-o", out)
    assert proc.returncode == 0, proc.stderr
    here = packets[name] if fmt == "pdf" else render("packet", example(name), "docx")
    assert out.read_bytes() == here


def test_the_pdf_has_a_stable_identifier(packets: dict[str, bytes]) -> None:
    ident = PdfReader(io.BytesIO(packets[NAMES[0]])).trailer["/ID"]
    assert bytes(ident[0].original_bytes).startswith(b"pa-docs:")


def test_same_inputs_same_bytes_in_one_process() -> None:
    path = example("crohns-vedolizumab-uhc")
    for fmt in ("pdf", "docx", "html"):
        assert render("letter", path, fmt) == render("letter", path, fmt)


def test_the_inputs_hash_changes_with_the_case(tmp_path: Path) -> None:
    data = case_data("osa-cpap-medicare")
    a = render("letter", write_case(tmp_path / "a", data), "html").decode()
    data["notes"] = data["notes"] + " Adherent to follow-up."
    b = render("letter", write_case(tmp_path / "b", data), "html").decode()
    (da,), (db,) = (
        {*re.findall(r"sha256:([0-9a-f]{12})", a)},
        {*re.findall(r"sha256:([0-9a-f]{12})", b)},
    )
    assert da != db


# Attachments ---------------------------------------------------------------------------------


@pytest.fixture()
def attached_case(tmp_path: Path) -> Path:
    folder = tmp_path / "case"
    folder.mkdir()
    make_pdf(folder / "labs.pdf", ["LABS-PAGE-ONE", "LABS-PAGE-TWO"])
    (folder / "imaging").mkdir()
    make_pdf(folder / "imaging" / "chart.pdf", ["CHART-PAGE-ONE"])
    data = case_data("ra-infliximab-aetna")
    data["attachments"] = [{"path": "labs.pdf", "title": "Lab report"}, "imaging/chart.pdf"]
    return write_case(folder, data)


def _outline(reader: PdfReader) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []

    def walk(items: list[object]) -> None:
        for o in items:
            if isinstance(o, list):
                walk(o)
            else:
                out.append((o.title, reader.get_destination_page_number(o)))  # type: ignore[attr-defined]

    walk(reader.outline)
    return out


def test_attachments_are_appended_in_order_with_bookmarks(attached_case: Path) -> None:
    data = render("packet", attached_case, "pdf")
    reader = PdfReader(io.BytesIO(data))
    pages = [flat(p.extract_text() or "") for p in reader.pages]
    n = len(pages)
    assert [pages[-3], pages[-2], pages[-1]] == ["LABS-PAGE-ONE", "LABS-PAGE-TWO", "CHART-PAGE-ONE"]
    outline = dict(_outline(reader))
    assert outline["Attachment: Lab report"] == n - 3
    assert outline["Attachment: chart"] == n - 1
    for section in ("Letter of medical necessity", "Criteria crosswalk", "Evidence summary"):
        assert outline[section] < n - 3
    assert any(title == "Treatment history" for title, _ in _outline(reader))  # an h2 as well
    # The packet's own pages say what follows, and the letter lists the enclosures.
    assert "Enclosures" in pdf_text(data) and "Lab report" in flat(" ".join(pages[: n - 3]))


def test_attachments_keep_the_packet_deterministic(attached_case: Path) -> None:
    assert render("packet", attached_case, "pdf") == render("packet", attached_case, "pdf")


def test_docx_packet_lists_attachments_as_enclosures(attached_case: Path) -> None:
    from tests.fixtures.documents.support import docx_text

    text = docx_text(render("packet", attached_case, "docx"))
    assert "Enclosures" in text
    assert "Lab report" in text and "chart" in text


def test_notes_for_the_practice_stay_out_of_a_submission(packets: dict[str, bytes]) -> None:
    """Where the criteria were read (secondary sources) is for the practice's review only."""
    for name in NAMES:
        text = pdf_text(packets[name])
        assert "verify against the current policy" not in text.lower()
        assert "Source note" not in text and "[treatments[" not in text


def test_a_draft_shows_the_notes_for_the_practice(tmp_path: Path) -> None:
    data = case_data("ra-infliximab-aetna")
    data["labs"] = [lab for lab in data["labs"] if lab["test"] != "tb_igra"]
    text = pdf_text(render("packet", write_case(tmp_path, data), "pdf", draft=True))
    assert (
        "Source note (draft only)" in text
        and "secondary summary of the policy: verify against the current policy" in text
    )
    assert "addresses each of its criteria" in text and "meets each of its criteria" not in text


def test_same_bytes_a_few_seconds_apart_with_the_fonttools_subsetter(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A ``pip install`` without libharfbuzz-subset0: WeasyPrint subsets with fontTools, which
    stamps each font it writes with the time; the packet's bytes still do not change."""
    import os
    import time

    from weasyprint.pdf import fonts

    monkeypatch.setattr(fonts, "harfbuzz_subset", None)  # as if the library were not installed
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    path = example("ra-infliximab-aetna")
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        first = render("packet", path, "pdf")
    assert any("fontTools" in r.getMessage() for r in caplog.records)  # the fallback ran
    time.sleep(1.5)  # fontTools' timestamps count seconds
    assert render("packet", path, "pdf") == first
    assert "SOURCE_DATE_EPOCH" not in os.environ  # the process's environment is left as it was
