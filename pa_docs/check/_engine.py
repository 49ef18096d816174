"""Check a case against a policy: judge each criterion's rule and collect the verdicts."""

from __future__ import annotations

import datetime as dt

from .._dates import add_months
from ..case import Case
from ..kinds import Context
from ..notices import InputWarning
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
    stale = _stale(policy, case.request_date)
    return CheckResult(
        case.case_id,
        case.request_date,
        case.request.type,
        policy,
        verdicts,
        warnings=[*case.warnings, *([stale] if stale else [])],
        to_fill=list(case.to_fill),
    )


def _stale(policy: Policy, request_date: dt.date) -> InputWarning | None:
    """A warning when the policy was last reviewed more than a year before the request date."""
    if policy.last_reviewed >= add_months(request_date, -12):
        return None
    return InputWarning(
        f"policy {policy.id} was last reviewed on {policy.last_reviewed.isoformat()}, more than a "
        f"year before the request date ({request_date.isoformat()}): compare it with the payer's "
        f"current text ({policy.url}) and update last_reviewed",
        path="last_reviewed",
    )
