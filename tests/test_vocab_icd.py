"""The ICD-10-CM lookup answers from the shipped table by binary search, without building a set."""

from __future__ import annotations

import pytest

from pa_docs.vocab import is_icd10cm
from pa_docs.vocab._vocab import _icd10_table, _in_sorted_lines

CODES = _icd10_table().decode("ascii").split()
KNOWN = set(CODES)


def test_the_table_is_in_byte_order() -> None:
    # the binary search relies on it; scripts/build_icd10_table.py writes it sorted
    assert sorted(CODES) == CODES


def test_every_code_of_a_sample_is_found_with_or_without_its_dot() -> None:
    sample = [*CODES[::7], CODES[0], CODES[-1]]
    assert all(is_icd10cm(c) for c in sample)
    assert all(is_icd10cm(f"{c[:3]}.{c[3:]}".lower()) for c in sample if len(c) > 3)


def test_near_misses_are_not_codes() -> None:
    misses = {c[:-1] + x for c in CODES[::31] for x in "Z9X0"} - KNOWN
    assert misses
    assert not any(is_icd10cm(c) for c in misses)


@pytest.mark.parametrize("text", ["", " ", ".", "A", "M05.79 ", "ZZZZ", "00", "Ä00", "M05\n79"])
def test_odd_text_is_answered_like_the_table(text: str) -> None:
    assert is_icd10cm(text) == (text.strip().upper().replace(".", "") in KNOWN)


def test_search_of_lines_at_the_edges() -> None:
    table = b"A\nB1\nC\n"
    assert [_in_sorted_lines(table, k) for k in (b"A", b"B1", b"C")] == [True, True, True]
    assert not any(_in_sorted_lines(table, k) for k in (b"", b"0", b"B", b"B2", b"D"))
    assert _in_sorted_lines(b"A\nB", b"B")  # no newline at the end
    assert not _in_sorted_lines(b"", b"A")
