"""Lay a document's blocks out as HTML (the HTML output, and the input of the PDF renderer)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ..documents import Contents, Document, Heading, Paragraph, Table
from ..documents._plain import block_data, document_data
from ..documents._templates import html_env, read_asset, render_template
from ._fit import fit_widths


def _sign_off(blocks: Sequence[object]) -> tuple[int, int]:
    """The span of blocks kept on one page: the last body block before the closing, the closing,
    the signature and the lines under it (-1, -1 when the document has no closing)."""
    for i, b in enumerate(blocks):
        if isinstance(b, Paragraph) and b.style == "closing":
            end = i
            while end + 1 < len(blocks):
                nxt = blocks[end + 1]
                if not (isinstance(nxt, Paragraph) and nxt.style in ("signature", "small")):
                    break
                end += 1
            return max(i - 1, 0), end
    return -1, -1


def to_html(doc: Document, *, inline_css: bool = True) -> str:
    """The document as one self-contained HTML page (the stylesheet inlined unless told not to)."""
    blocks = list(doc.blocks)
    toc_ids: list[str] = []
    for i, b in enumerate(blocks):
        if isinstance(b, Contents):
            toc_ids = [
                f"h{j + 1}"
                for j, h in enumerate(blocks)
                if j > i and isinstance(h, Heading) and h.level == 1
            ]
            break
    keep = _sign_off(blocks)
    # a letter page is 6.7 in wide between the margins: 482 pt
    blocks = [
        replace(b, widths=fit_widths(b, 482.0)) if isinstance(b, Table) else b for b in blocks
    ]
    context = {
        "keep_from": keep[0],
        "keep_to": keep[1],
        "doc": document_data(doc),
        "blocks": [block_data(b) for b in blocks],
        "toc_ids": toc_ids,
        "css": read_asset(doc.templates, "style.css") if inline_css else "",
        "fax": doc.fax,
        "logo": doc.logo,
        "practice_name": doc.practice_name or "",
    }
    return render_template(html_env(doc.templates), "document.html.j2", context)
