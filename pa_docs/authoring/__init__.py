"""Tools for writing and maintaining policies: policy tests, skeletons, diffs, currency against
the CMS coverage index, and JSON Schemas of the input files.

Names load on first use: the CLI registers the authoring commands at every start, and building
the policy-test models there cost a cold ``pa-docs check`` a few milliseconds for nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._tests import Outcome, PolicyTest, Report, run_folder

__all__ = ["Outcome", "PolicyTest", "Report", "run_folder"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import _tests

        return getattr(_tests, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
