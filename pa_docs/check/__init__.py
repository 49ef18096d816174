"""The gap checker: met / not_met / missing per criterion, with evidence and actions."""

from ..kinds import CaseStatus, Evidence, Status
from ._engine import check_case
from ._verdict import CheckResult, Verdict

__all__ = ["CaseStatus", "CheckResult", "Evidence", "Status", "Verdict", "check_case"]
