"""Check a case against a policy: evaluate each criterion's rule, compose, and collect verdicts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..case import Case
from ..policy import Policy
from ..policy._model import AllOf, AnyOf
from ._context import Context
from ._kinds import (
    age,
    concurrent_therapy,
    diagnosis,
    dosing,
    encounter,
    finding,
    lab,
    prescriber,
    score,
    step_therapy,
)
from ._verdict import CheckResult, Result, Verdict, all_of, any_of

_KINDS: dict[str, Callable[[Any, Context], Result]] = {
    "diagnosis": diagnosis.evaluate,
    "age": age.evaluate,
    "prescriber": prescriber.evaluate,
    "lab": lab.evaluate,
    "score": score.evaluate,
    "step_therapy": step_therapy.evaluate,
    "concurrent_therapy": concurrent_therapy.evaluate,
    "dosing": dosing.evaluate,
    "encounter": encounter.evaluate,
    "finding": finding.evaluate,
}


def evaluate(rule: Any, ctx: Context) -> Result:
    """The result of one rule (composite rules recurse)."""
    if isinstance(rule, AllOf | AnyOf):
        parts = [evaluate(r, ctx) for r in rule.of]
        return (all_of if isinstance(rule, AllOf) else any_of)(parts, rule.label)
    result = _KINDS[rule.kind](rule, ctx)
    result.label = rule.label
    return result


def check_case(case: Case, policy: Policy, *, time_of_need_days: int = 30) -> CheckResult:
    """Check ``case`` against the criteria of ``policy`` for the case's request type.

    ``time_of_need_days`` is the practice's recency convention for tests that must reflect the
    time of need (a policy that gives no number)."""
    ctx = Context(case, policy, time_of_need_days=time_of_need_days)
    verdicts = []
    for c in policy.criteria(case.request.type):
        r = evaluate(c.rule, ctx)
        verdicts.append(Verdict(c, r.status, r.reason, r.action, r.evidence))
    return CheckResult(case.case_id, case.request_date, case.request.type, policy, verdicts)
