"""HTML + CSS -> PDF with WeasyPrint; attachments appended with pypdf, with bookmarks.

Safety: WeasyPrint fetches through :class:`_Fetcher`, which serves only ``file:`` URLs inside
the template and profile folders: no ``http(s)://``, no other file. Fonts and the parsed
stylesheet are kept per process, so a batch of documents pays their cost once.

Determinism: WeasyPrint subsets fonts with HarfBuzz-Subset, or with fontTools where that library
is missing (a ``pip install`` without ``libharfbuzz-subset0``); fontTools stamps each font it
writes (subsets, static instances of variable fonts) with the current time in ``head.modified``.
:func:`_font_clock` pins that stamp through ``SOURCE_DATE_EPOCH``, the reproducible-builds
convention fontTools reads, so the bytes do not depend on the clock whichever subsetter runs.
"""

from __future__ import annotations

import io
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..documents import Document
from ..documents._templates import read_asset, template_dirs
from ._html import to_html

log = logging.getLogger("pa_docs.render")

FONT_EPOCH = "0"
"""The time fontTools stamps on the fonts it writes (``SOURCE_DATE_EPOCH``): 1970-01-01."""
_clock = threading.Lock()


@contextmanager
def _font_clock() -> Iterator[None]:
    """Within: fontTools dates the fonts it writes ``FONT_EPOCH``, not now. The environment is
    the process's, so renders that pin it take turns; it is restored after."""
    with _clock:
        before = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = FONT_EPOCH
        try:
            yield
        finally:
            if before is None:
                del os.environ["SOURCE_DATE_EPOCH"]
            else:
                os.environ["SOURCE_DATE_EPOCH"] = before


def _fetcher_class() -> Any:
    from weasyprint.urls import URLFetcher, URLFetchingError

    class _Fetcher(URLFetcher):  # type: ignore[misc]
        """Serve only files inside the allowed folders; refuse everything else."""

        def __init__(self, allowed: tuple[Path, ...]) -> None:
            super().__init__(allowed_protocols=("file",))
            self.allowed = tuple(p.resolve() for p in allowed)

        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme != "file":
                log.warning("refused to fetch %s: only files in the template folders", url)
                raise URLFetchingError(f"refused: {url}")
            path = Path(unquote(parts.path)).resolve()
            if not any(path == d or d in path.parents for d in self.allowed):
                log.warning("refused to read %s: outside the template and profile folders", path)
                raise URLFetchingError(f"refused: {url}")
            return super().fetch(url, headers)

    return _Fetcher


@cache
def _fonts() -> Any:
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@cache
def _stylesheet(templates: Path | None) -> Any:
    from weasyprint import CSS

    fetcher = _fetcher_class()(tuple(template_dirs(templates)))
    return CSS(
        string=read_asset(templates, "style.css"),
        font_config=_fonts(),
        url_fetcher=fetcher,
        base_url=str(template_dirs(templates)[0]) + "/",
    )


def html_to_pdf(
    html: str, templates: Path | None, allowed: tuple[Path, ...], identifier: bytes = b"pa-docs"
) -> bytes:
    """WeasyPrint alone: the HTML of a document to PDF bytes, with the shared fonts and CSS.
    ``identifier`` is the first half of the PDF's /ID (the second is a hash of the content)."""
    from weasyprint import HTML

    fetcher = _fetcher_class()(allowed)
    base = str(template_dirs(templates)[0]) + "/"
    document = HTML(string=html, base_url=base, url_fetcher=fetcher)
    with _font_clock():
        pdf: bytes = document.write_pdf(
            stylesheets=[_stylesheet(templates)],
            font_config=_fonts(),
            pdf_identifier=identifier,
        )
    return pdf


def to_pdf(doc: Document) -> bytes:
    """The document as PDF; a packet's attachments follow, each with a bookmark."""
    html = to_html(doc, inline_css=False)
    pdf = html_to_pdf(html, doc.templates, doc.asset_dirs, f"pa-docs:{doc.digest}".encode())
    if not doc.enclosures:
        return pdf
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, ByteStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    for enc in doc.enclosures:
        first = len(writer.pages)
        writer.append(PdfReader(io.BytesIO(enc.data)), import_outline=False)
        writer.add_outline_item(title=f"Attachment: {enc.title}", page_number=first)
    ident = ByteStringObject(bytes.fromhex(doc.digest.ljust(32, "0")))
    writer._ID = ArrayObject([ident, ident])  # a fixed identifier: same inputs, same bytes
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
