"""The source sheets of the #14 policies (criteria/sources/<id>.md) back what the policies say:
every sheet names a shipped policy, every policy it covers lists it on the docs page, and a
criterion printed in quotation marks as the payer's words is found word for word in its sheet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import pa_docs

from .conftest import ROOT

SHEETS = sorted(p for p in (ROOT / "criteria" / "sources").glob("*.md") if p.stem != "README")
QUOTES = str.maketrans("", "", '"\u201c\u201d')


def _norm(text: str) -> str:
    """Quotation marks, list bullets and line breaks out: the words alone."""
    text = re.sub(r"\n\s*[-\u2022]\s+", " ", text.translate(QUOTES))
    return re.sub(r"\s+", " ", text).strip()


def test_every_sheet_is_a_shipped_policy_listed_in_the_docs() -> None:
    policies = pa_docs.load_policies()
    page = (ROOT / "docs" / "policy-sources.md").read_text(encoding="utf-8")
    assert len(SHEETS) >= 16
    for sheet in SHEETS:
        assert sheet.stem in policies, sheet.name
        assert f"| `{sheet.stem}` |" in page, sheet.stem


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda p: p.stem)
def test_quoted_criteria_are_the_payers_words_as_read(sheet: Path) -> None:
    path = sheet
    read = _norm(path.read_text(encoding="utf-8"))
    policy = pa_docs.load_policies()[path.stem]
    for c in policy.criteria_all():
        if not c.quoted:
            continue
        # each stretch between omission marks, sentence by sentence, is in the sheet as read
        for stretch in _norm(c.text).split("\u2026"):
            for part in re.split(r"(?<=[.;:])\s+", stretch.strip()):
                part = part.strip().rstrip(".;:")
                if part:
                    assert part in read, f"{c.id}: {part!r} is not in {path.name}"
