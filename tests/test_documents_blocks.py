"""The block markup templates write, and the guarantee that case values never become markup."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from pa_docs.documents import Bullets, Contents, Heading, PageBreak, Paragraph, Run, Table, parse
from pa_docs.documents._blocks import escape


def test_markup_parses_to_blocks() -> None:
    blocks = parse(
        "# Title\n\n%toc\n\nSome *italic* and **bold** text\nthat runs on.\n\n"
        "- one\n- two\n\n%table grid 30 70\n|= A | B\n| a1 | b1\n| a2 | b2\n\n"
        "%style address\nLine 1\nLine 2\n\n> a quote\n\n%page\n# Second\n## Sub\n"
    )
    assert blocks == [
        Heading(1, (Run("Title"),)),
        Contents(("Second",)),
        Paragraph(
            (
                Run("Some "),
                Run("italic", italic=True),
                Run(" and "),
                Run("bold", bold=True),
                Run(" text that runs on."),
            )
        ),
        Bullets(((Run("one"),), (Run("two"),))),
        Table(
            ((Run("A"),), (Run("B"),)),
            (((Run("a1"),), (Run("b1"),)), ((Run("a2"),), (Run("b2"),))),
            "grid",
            (30, 70),
        ),
        Paragraph((Run("Line 1\nLine 2"),), "address"),
        Paragraph((Run("a quote"),), "quote"),
        PageBreak(),
        Heading(1, (Run("Second"),)),
        Heading(2, (Run("Sub"),)),
    ]


HOSTILE = [
    "# heading",
    "## heading",
    "- item",
    "> quote",
    "%page",
    "%toc",
    "%style gap",
    "%table grid 10",
    "| pipe | cell",
    "|= head",
    "**bold** and *italic*",
    "back\\slash\\",
    "  # indented heading",
    "\t- indented item",
    "   %page",
    "line one\n# line two\n- line three",
]


@given(st.sampled_from(HOSTILE) | st.text(max_size=80))
def test_an_escaped_value_is_one_literal_paragraph(value: str) -> None:
    """Whatever a case holds, escaped it reads back as the same text: no heading, list, table."""
    expected = re.sub(r"\s+", " ", value).strip()
    blocks = parse(escape(value))
    if not expected:
        assert blocks == []
        return
    assert [type(b) for b in blocks] == [Paragraph]
    para = blocks[0]
    assert isinstance(para, Paragraph)
    assert para.style == "normal"
    assert para.text == expected
    assert all(not r.bold and not r.italic for r in para.runs)


@given(
    st.sampled_from(HOSTILE) | st.text(max_size=40), st.sampled_from(HOSTILE) | st.text(max_size=40)
)
def test_escaped_values_stay_inside_their_table_cells(a: str, b: str) -> None:
    blocks = parse(f"|= A | B\n| {escape(a)} | {escape(b)}\n")
    assert len(blocks) == 1
    table = blocks[0]
    assert isinstance(table, Table)
    (row,) = table.rows
    assert len(row) == 2
    texts = ["".join(r.text for r in cell) for cell in row]
    assert texts == [re.sub(r"\s+", " ", a).strip(), re.sub(r"\s+", " ", b).strip()]


def test_none_is_empty() -> None:
    assert escape(None) == ""
