"""Batch: check a folder of cases and write each one's document, on warm worker processes.

The library entry point is :func:`pa_docs.batch`; ``pa-docs batch`` is its command.
"""

from ._model import KINDS, Options, Outcome, Row, exit_code
from ._run import MANIFEST, batch, default_jobs, find_cases

BatchRow = Row  # the name ``pa_docs`` exports it under

__all__ = [
    "KINDS",
    "MANIFEST",
    "BatchRow",
    "Options",
    "Outcome",
    "Row",
    "batch",
    "default_jobs",
    "exit_code",
    "find_cases",
]
