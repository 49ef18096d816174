"""Lay a document's blocks out as HTML (the HTML output, and the input of the PDF renderer)."""

from __future__ import annotations

from ..documents import Contents, Document, Heading
from ..documents._templates import html_env, read_asset, render_template


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
    context = {
        "doc": doc,
        "blocks": blocks,
        "toc_ids": toc_ids,
        "css": read_asset(doc.templates, "style.css") if inline_css else "",
        "logo": doc.logo,
        "practice_name": doc.practice_name or "",
    }
    return render_template(html_env(doc.templates), "document.html.j2", context)
