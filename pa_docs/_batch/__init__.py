"""Batch: check a folder of cases and write each one's document, on warm worker processes.

The library entry point is :func:`pa_docs.batch`; ``pa-docs batch`` is its command. Names load
on first use, so the CLI registers the command without importing the pool.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names below, typed for users; at run time they load on first use
    from ._model import KINDS, Options, Outcome, Row, exit_code
    from ._model import Row as BatchRow
    from ._run import MANIFEST, batch, default_jobs, find_cases

_WHERE = {
    "KINDS": "_model",
    "Options": "_model",
    "Outcome": "_model",
    "Row": "_model",
    "BatchRow": "_model",
    "exit_code": "_model",
    "MANIFEST": "_run",
    "batch": "_run",
    "default_jobs": "_run",
    "find_cases": "_run",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        module = importlib.import_module(f".{_WHERE[name]}", __name__)
        return getattr(module, "Row" if name == "BatchRow" else name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
