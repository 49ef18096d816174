"""Read a case file."""

from __future__ import annotations

from pathlib import Path

from .. import _yaml
from ..errors import CaseError
from ._model import Case


def load_case(path: str | Path) -> Case:
    """Load and validate a case file; a problem raises ``CaseError`` naming file, line and field."""
    doc = _yaml.load(path, CaseError)
    return doc.validate(Case, CaseError)
