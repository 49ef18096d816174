"""The gap checker: met / not_met / missing per criterion, with evidence and actions."""

from ..kinds import CaseStatus, Evidence, Message, Result, Status, Wording
from ._engine import check_case
from ._verdict import CheckResult, Verdict

__all__ = [
    "CaseStatus",
    "CheckResult",
    "Evidence",
    "Message",
    "Result",
    "Status",
    "Verdict",
    "Wording",
    "check_case",
]
