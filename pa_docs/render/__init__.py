"""Renderers: one document's blocks to HTML, PDF (WeasyPrint) or DOCX (python-docx)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..documents import Document
from ..errors import InputError
from ._write import check_target, write_atomic

FORMATS = ("pdf", "docx", "html")


def check_format(format: str) -> str:
    """``format`` when it is one pa-docs renders; else an input error naming the choices."""
    if format not in FORMATS:
        raise InputError(f"must be one of {', '.join(FORMATS)}, got {format!r}", param="format")
    return format


def render_document(doc: Document, format: str) -> bytes:
    """The document's bytes in ``format`` (pdf, docx or html)."""
    check_format(format)
    if format == "pdf":
        from ._pdf import to_pdf

        return to_pdf(doc)
    if format == "docx":
        from ._docx import to_docx

        return to_docx(doc)
    from ._html import to_html

    return to_html(doc).encode("utf-8")


def write(
    doc: Document, format: str, path: str | Path, *, inputs: Sequence[str | Path] = ()
) -> Path:
    """Render and write atomically, mode 0600, to a regular file that is none of ``inputs``
    (the target is checked before the document is rendered)."""
    check_target(path, inputs)
    return write_atomic(path, render_document(doc, format), inputs=inputs)


__all__ = ["FORMATS", "check_format", "check_target", "render_document", "write", "write_atomic"]
