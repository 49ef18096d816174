"""The workbench: pa-docs in a browser (``pa-docs serve``).

A Starlette application over a folder of case files and the case log: the work list, the case
page (check, fill the gaps, documents, log), KPIs, accounts with roles, and an audit log. Its
dependencies are the ``web`` extra (``pip install 'pa-docs[web]'``); nothing here loads until
used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._app import Settings, create_app

__all__ = ["Settings", "create_app"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("._app", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
