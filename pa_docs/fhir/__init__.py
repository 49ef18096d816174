"""FHIR R4 -> case: import a chart export (Bundle, resource folder or bulk NDJSON) as a case.

``fhir.resources`` (its R4B models) is imported only when an import runs, and the names below
load on first use, so the CLI registers ``import-fhir`` without paying for the importer.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "FILL": "_util",
    "ImportResult": "_import",
    "ToFill": "_import",
    "import_resources": "_import",
    "import_source": "_import",
    "render_case": "_write",
    "write_case": "_write",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "FILL",
    "ImportResult",
    "ToFill",
    "import_resources",
    "import_source",
    "render_case",
    "write_case",
]
