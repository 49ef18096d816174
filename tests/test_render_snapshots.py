"""Readable goldens: the HTML and the DOCX text of the packet and the letter of each shared example.

Update with ``pytest tests/test_render_snapshots.py --snapshot-update`` after a deliberate change to
a template, and read the diff: it is the wording a payer's reviewer will see.
"""

from __future__ import annotations

import pytest
from syrupy.assertion import SnapshotAssertion

from pa_docs import render_document as render
from pa_docs.render._html import to_html
from tests.fixtures.documents.support import NAMES, build, docx_text, example

CASES = [(name, kind) for name in NAMES for kind in ("packet", "letter")]


@pytest.mark.parametrize(("name", "kind"), CASES)
def test_html(name: str, kind: str, snapshot: SnapshotAssertion) -> None:
    doc = build(kind, example(name), "html")
    assert to_html(doc, inline_css=False) == snapshot


@pytest.mark.parametrize(("name", "kind"), CASES)
def test_docx_text(name: str, kind: str, snapshot: SnapshotAssertion) -> None:
    assert docx_text(render(build(kind, example(name), "docx"), "docx")) == snapshot


def test_html_output_is_self_contained() -> None:
    """The HTML a user asks for carries its stylesheet inline, and refers to no other file."""
    html = render(build("letter", example(NAMES[0]), "html"), "html").decode()
    assert "<style>" in html and "@page" in html and "counter(pages)" in html
    assert "<link" not in html and "src=" not in html
