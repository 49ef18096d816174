"""A case's PDF attachments: read from inside the case's folder only, refused when encrypted or
unreadable, and copied without active content.

A PDF can carry JavaScript, launch and open actions, and embedded files; none of it belongs in a
packet sent to a payer. Only the pages are copied: each page loses its additional actions
(``/AA``) and every annotation but internal links, and the document-level parts (an
``/OpenAction``, the ``/Names`` tree of scripts and embedded files, forms) are never copied.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from .._files import read_bytes
from ..errors import CaseError

MAX_ATTACHMENT_BYTES = 64 * 1024 * 1024


def inside(folder: Path, name: str) -> Path | None:
    """``name`` resolved against ``folder`` (links followed) when it stays inside it; else None."""
    base = folder.resolve()
    p = (base / name).resolve()
    return p if base in p.parents else None


def _safe_link(annot: Any) -> bool:
    """An internal link (to a page of the same file) is the one annotation kept."""
    if annot.get("/Subtype") != "/Link" or "/AA" in annot:
        return False
    action = annot.get("/A")
    if action is None:
        return "/Dest" in annot
    return bool(action.get_object().get("/S") == "/GoTo")


def clean_pdf(data: bytes, *, file: str | None, field: str, name: str) -> bytes:
    """The pages of the PDF ``data`` without active content; an encrypted or unreadable PDF is a
    ``CaseError`` naming the case file and the attachment's field."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, NameObject

    if not data.startswith(b"%PDF-"):
        raise CaseError(f"attachment is not a PDF file: {name}", file=file, field=field)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise CaseError(
                f"attachment is encrypted: {name} (save it without a password, or print it to a "
                "new PDF)",
                file=file,
                field=field,
            )
        writer = PdfWriter()
        for page in reader.pages:
            page.pop(NameObject("/AA"), None)
            annots = page.get("/Annots")
            if annots is not None:
                kept = [a for a in annots.get_object() if _safe_link(a.get_object())]
                if kept:
                    page[NameObject("/Annots")] = ArrayObject(kept)
                else:
                    page.pop(NameObject("/Annots"), None)
            writer.add_page(page)
        if not writer.pages:
            raise CaseError(f"attachment has no pages: {name}", file=file, field=field)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()
    except CaseError:
        raise
    except Exception as exc:  # pypdf raises many kinds on a broken file; all mean the same
        what = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise CaseError(
            f"attachment is not a readable PDF: {name} ({what})", file=file, field=field
        ) from None


def read_attachment(base: Path, name: str, *, file: str | None, field: str) -> tuple[Path, bytes]:
    """The attachment ``name`` of a case whose folder is ``base``: its path and clean bytes."""
    p = inside(base, name)
    if p is None:
        raise CaseError(
            f"attachment {name!r} is outside the case's folder: attachments are read from the "
            "case file's folder and the folders under it",
            file=file,
            field=field,
        )
    if not p.exists():
        raise CaseError(f"attachment not found: {p}", file=file, field=field)
    data = read_bytes(p, CaseError, MAX_ATTACHMENT_BYTES)
    return p, clean_pdf(data, file=file, field=field, name=name)
