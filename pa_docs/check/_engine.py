"""Check a case against a policy: judge each criterion's rule and collect the verdicts."""

from __future__ import annotations

from ..case import Case
from ..kinds import Context
from ..policy import Policy
from ._verdict import CheckResult, Verdict


def check_case(case: Case, policy: Policy, *, time_of_need_days: int = 30) -> CheckResult:
    """Check ``case`` against the criteria of ``policy`` for the case's request type.

    ``time_of_need_days`` is the practice's recency convention for tests that must reflect the
    time of need (the policy gives no number)."""
    ctx = Context(case, policy.disqualifier(), time_of_need_days=time_of_need_days)
    verdicts = []
    for c in policy.criteria(case.request.type):
        verdicts.append(Verdict(c, c.rule.judge(ctx)))
    return CheckResult(
        case.case_id,
        case.request_date,
        case.request.type,
        policy,
        verdicts,
        warnings=list(case.warnings),
        to_fill=list(case.to_fill),
    )
