"""FHIR R4 -> case: import a chart export (Bundle, resource folder or bulk NDJSON) as a case.

``fhir.resources`` (its R4B models) is imported only when an import runs.
"""

from ._import import ImportResult, ToFill, import_resources, import_source
from ._util import FILL
from ._write import render_case, write_case

__all__ = [
    "FILL",
    "ImportResult",
    "ToFill",
    "import_resources",
    "import_source",
    "render_case",
    "write_case",
]
