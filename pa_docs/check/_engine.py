"""Check a case against a policy: judge each criterion's rule and collect the verdicts."""

from __future__ import annotations

from ..case import Case
from ..kinds import Context
from ..policy import Policy
from ._verdict import CheckResult, Verdict


def check_case(case: Case, policy: Policy) -> CheckResult:
    """Check ``case`` against the criteria of ``policy`` for the case's request type."""
    ctx = Context(case, policy.disqualify_performed_by)
    verdicts = []
    for c in policy.criteria(case.request.type):
        r = c.rule.judge(ctx)
        verdicts.append(Verdict(c, r.status, r.reason, r.action, r.evidence))
    return CheckResult(
        case.case_id,
        case.request_date,
        case.request.type,
        policy,
        verdicts,
        warnings=list(case.warnings),
        to_fill=list(case.to_fill),
    )
