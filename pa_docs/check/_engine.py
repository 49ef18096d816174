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
    event_count,
    finding,
    lab,
    percent_change,
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
    "event_count": event_count.evaluate,
    "percent_change": percent_change.evaluate,
}


def evaluate(rule: Any, ctx: Context) -> Result:
    """The result of one rule (composite rules recurse)."""
    if isinstance(rule, AllOf | AnyOf):
        parts = [evaluate(r, ctx) for r in rule.of]
        return (all_of if isinstance(rule, AllOf) else any_of)(parts, rule.label)
    result = _KINDS[rule.kind](rule, ctx)
    result.label = rule.label
    return result


def check_case(case: Case, policy: Policy) -> CheckResult:
    """Check ``case`` against the criteria of ``policy`` for the case's request type."""
    ctx = Context(case, policy)
    verdicts = []
    for c in policy.criteria(case.request.type):
        r = evaluate(c.rule, ctx)
        verdicts.append(Verdict(c, r.status, r.reason, r.action, r.evidence))
    return CheckResult(case.case_id, case.request_date, case.request.type, policy, verdicts)
