"""FHIR R4 in and out: import a chart export (Bundle, resource folder or bulk NDJSON) as a case;
export a checked case as a Da Vinci PAS request bundle or DTR QuestionnaireResponse, and a policy
as a DTR Questionnaire.

``fhir.resources`` (its R4B models) is imported only when an import or export runs, and the names
below load on first use, so the CLI registers its commands without paying for them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names below, typed for users; at run time they load on first use
    from ._export import dtr_response, pas_bundle, questionnaire, to_json
    from ._import import ImportResult, ToFill, import_resources, import_source
    from ._util import FILL
    from ._write import render_case, write_case

_WHERE = {
    "FILL": "_util",
    "ImportResult": "_import",
    "ToFill": "_import",
    "import_resources": "_import",
    "import_source": "_import",
    "dtr_response": "_export",
    "pas_bundle": "_export",
    "questionnaire": "_export",
    "to_json": "_export",
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
    "dtr_response",
    "import_resources",
    "import_source",
    "pas_bundle",
    "questionnaire",
    "render_case",
    "to_json",
    "write_case",
]
