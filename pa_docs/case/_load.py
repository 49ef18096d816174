"""Read a case file."""

from __future__ import annotations

from pathlib import Path

from .. import _yaml
from ..errors import CaseError
from ._model import Case


def load_case(path: str | Path, *, strict: bool = False) -> Case:
    """Load and validate a case file; a problem raises ``CaseError`` naming file, line and field.

    The case keeps what pa-docs does not know (a drug name, an encounter type) and reports it in
    ``case.warnings``, each with its line; ``strict`` makes every warning an input error.
    ``FILL-IN`` placeholders load, and are listed in ``case.to_fill``."""
    doc = _yaml.load(path, CaseError)
    case = doc.validate(Case, CaseError)
    if strict and case.warnings:
        raise CaseError(problems=[w.problem() for w in case.warnings])
    return case
