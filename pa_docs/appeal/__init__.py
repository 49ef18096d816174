"""Appeals: denials, deadlines, reason mapping and appeal letters.

Names load on first use, so the CLI can register its commands without paying for them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names below, typed for users; at run time they load on first use
    from ._deadline import Deadline, NextLevel, deadline, filing_deadline
    from ._denial import Denial, DenialReason, load_denial
    from ._plan import (
        AppealPlan,
        CriterionAnswer,
        Gap,
        P2PPoint,
        ReasonAnswer,
        p2p_points,
        plan_appeal,
    )
    from ._reasons import MappedReason, map_reasons

_WHERE = {
    "AppealPlan": "_plan",
    "CriterionAnswer": "_plan",
    "Gap": "_plan",
    "P2PPoint": "_plan",
    "ReasonAnswer": "_plan",
    "p2p_points": "_plan",
    "plan_appeal": "_plan",
    "Deadline": "_deadline",
    "NextLevel": "_deadline",
    "deadline": "_deadline",
    "filing_deadline": "_deadline",
    "Denial": "_denial",
    "DenialReason": "_denial",
    "load_denial": "_denial",
    "MappedReason": "_reasons",
    "map_reasons": "_reasons",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AppealPlan",
    "CriterionAnswer",
    "Deadline",
    "Denial",
    "DenialReason",
    "Gap",
    "MappedReason",
    "NextLevel",
    "P2PPoint",
    "ReasonAnswer",
    "deadline",
    "filing_deadline",
    "load_denial",
    "map_reasons",
    "p2p_points",
    "plan_appeal",
]
