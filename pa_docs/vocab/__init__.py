"""Vocabularies: tests, instruments, drugs, findings and encounter types, read from data files."""

from ._vocab import (
    Drug,
    Instrument,
    Test,
    Vocabulary,
    is_icd10cm,
    vocabulary,
)

__all__ = ["Drug", "Instrument", "Test", "Vocabulary", "is_icd10cm", "vocabulary"]
