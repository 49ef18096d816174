"""Attachments: read from the case's folder only; encrypted or unreadable PDFs are exit 2; what
is copied into a packet carries no JavaScript, launch or open action, or embedded file."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from .support import assert_input_error, attack, cli

ACTIVE = {"/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/OpenAction",
          "/AA", "/FileAttachment", "/RichMedia", "/SubmitForm", "/ImportData", "/URI"}  # fmt: skip


def _active(data: bytes) -> set[str]:
    """Every name of active content reachable in a PDF."""
    found: set[str] = set()
    seen: set[int] = set()

    def walk(o: Any) -> None:
        o = o.get_object() if hasattr(o, "get_object") else o
        if id(o) in seen:
            return
        seen.add(id(o))
        if isinstance(o, dict):
            for k, v in o.items():
                found.update({k, v} & ACTIVE if isinstance(v, str) else {k} & ACTIVE)
                if k != "/Parent":
                    walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)

    walk(PdfReader(io.BytesIO(data)).trailer)
    return found


def _case_with(folder: Path, pdf: Path | bytes, name: str = "a.pdf") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(pdf, Path):
        shutil.copy(pdf, folder / name)
    else:
        (folder / name).write_bytes(pdf)
    text = attack("att/case-js2.yaml").read_text(encoding="utf-8").replace("js2.pdf", name)
    case = folder / "case.yaml"
    case.write_text(text, encoding="utf-8")
    return case


def _d(**items: Any) -> DictionaryObject:
    return DictionaryObject({NameObject(f"/{k}"): v for k, v in items.items()})


def _hostile_pdf() -> bytes:
    """A page with an open action, a launch link, a URI link, JavaScript in the names tree and
    an embedded file, plus one internal link that may stay."""
    w = PdfWriter()
    page = w.add_blank_page(612, 792)
    w.add_blank_page(612, 792)
    js = _d(S=NameObject("/JavaScript"), JS=TextStringObject("app.alert(1)"))
    page[NameObject("/AA")] = _d(O=js)
    rect = ArrayObject([FloatObject(0), FloatObject(0), FloatObject(10), FloatObject(10)])

    def link(action: DictionaryObject) -> Any:
        annot = _d(Type=NameObject("/Annot"), Subtype=NameObject("/Link"), Rect=rect, A=action)
        return w._add_object(annot)

    launch = _d(S=NameObject("/Launch"), F=TextStringObject("/bin/sh"))
    uri = _d(S=NameObject("/URI"), URI=TextStringObject("http://127.0.0.1:8765/x"))
    goto = _d(S=NameObject("/GoTo"), D=ArrayObject([NumberObject(1), NameObject("/Fit")]))
    page[NameObject("/Annots")] = ArrayObject([link(launch), link(uri), link(goto)])
    w.add_attachment("evil.exe", b"MZ...")
    names = w._root_object["/Names"].get_object()
    names[NameObject("/JavaScript")] = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("open"), w._add_object(js)])}
    )
    w._root_object[NameObject("/OpenAction")] = js
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def test_the_attack_pdf_is_copied_without_its_active_content(tmp_path: Path) -> None:
    out = tmp_path / "p.pdf"
    run = cli("packet", attack("att/case-js2.yaml"), "-o", out)
    assert run.code == 0, run.err
    data = out.read_bytes()
    assert _active(data) == set()
    for word in (b"launchURL", b"/bin/sh", b"evil", b"JavaScript"):
        assert word not in data


def test_every_kind_of_active_content_is_removed(tmp_path: Path) -> None:
    hostile = _hostile_pdf()
    assert _active(hostile) >= {"/AA", "/JavaScript", "/Launch", "/URI", "/OpenAction",
                                "/EmbeddedFiles"}  # fmt: skip
    case = _case_with(tmp_path / "c", hostile)
    out = tmp_path / "p.pdf"
    run = cli("packet", case, "-o", out)
    assert run.code == 0, run.err
    data = out.read_bytes()
    assert _active(data) == set()
    reader = PdfReader(io.BytesIO(data))
    first, second = reader.pages[-2:]  # the attachment's two pages, at the end of the packet
    assert len(first["/Annots"]) == 1  # the internal link stays
    assert "/Annots" not in second


def test_an_encrypted_attachment_is_exit_2() -> None:
    run = cli("packet", attack("att/case-encrypted.yaml"), "-o", "/tmp/never-written.pdf")
    assert_input_error(run, "attachments[0]", "attachment is encrypted: encrypted.pdf")
    assert not Path("/tmp/never-written.pdf").exists()


@pytest.mark.parametrize(
    "pdf", ["header_only", "truncated", "garbage-after-header", "empty", "not-a-pdf"]
)
def test_an_unreadable_attachment_is_exit_2(tmp_path: Path, pdf: str) -> None:
    good = attack("att/js2.pdf").read_bytes()
    data = {
        "header_only": attack("att/header_only.pdf").read_bytes(),
        "truncated": good[: len(good) // 3],
        "garbage-after-header": b"%PDF-1.7\n" + bytes(range(256)) * 40,
        "empty": b"",
        "not-a-pdf": b"GIF89a",
    }[pdf]
    case = _case_with(tmp_path / "c", data)
    for fmt in ("pdf", "docx"):
        run = cli("packet", case, "--format", fmt, "-o", tmp_path / f"p.{fmt}")
        assert_input_error(run, "attachments[0]", "a.pdf")
        assert "not a readable PDF" in run.err or "not a PDF file" in run.err
        assert not (tmp_path / f"p.{fmt}").exists()


@pytest.mark.parametrize("where", ["../outside.pdf", "/etc/passwd", "link.pdf", "sub/../../x.pdf"])
def test_attachments_stay_inside_the_case_folder(tmp_path: Path, where: str) -> None:
    outside = tmp_path / "outside.pdf"
    shutil.copy(attack("att/js2.pdf"), outside)
    case = _case_with(tmp_path / "c", attack("att/js2.pdf"))
    (tmp_path / "c" / "link.pdf").symlink_to(outside)
    case.write_text(case.read_text(encoding="utf-8").replace("- a.pdf", f"- {where}"))
    run = cli("packet", case, "-o", tmp_path / "p.pdf")
    assert_input_error(run, "attachments[0]", "outside the case's folder")


def test_an_attachment_in_a_folder_under_the_case_is_fine(tmp_path: Path) -> None:
    case = _case_with(tmp_path / "c", attack("att/js2.pdf"))
    (tmp_path / "c" / "docs").mkdir()
    shutil.move(tmp_path / "c" / "a.pdf", tmp_path / "c" / "docs" / "a.pdf")
    case.write_text(case.read_text(encoding="utf-8").replace("- a.pdf", "- docs/a.pdf"))
    run = cli("packet", case, "-o", tmp_path / "p.pdf")
    assert run.code == 0, run.err
