"""Appeals: denials, deadlines, reason mapping and appeal letters."""

from ._deadline import Deadline, NextLevel, filing_deadline
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
    "filing_deadline",
    "load_denial",
    "map_reasons",
    "p2p_points",
    "plan_appeal",
]
