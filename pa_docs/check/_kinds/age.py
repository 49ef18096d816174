"""Age in whole years on the request date."""

from __future__ import annotations

from ...policy._model import AgeRule
from .._context import Context
from .._verdict import Evidence, Result, Status


def evaluate(rule: AgeRule, ctx: Context) -> Result:
    case = ctx.case
    if "birth_date" in case.patient.pending:
        return Result(
            Status.missing,
            "The patient's birth date is still to fill (FILL-IN).",
            "Fill in patient.birth_date.",
        )
    age = case.age_on(ctx.request_date)
    born = case.patient.birth_date.isoformat()
    ev = [Evidence("patient.birth_date", case.patient.birth_date, f"born {born}")]
    need = []
    if rule.min is not None:
        need.append(f"{rule.min} or older")
    if rule.max is not None:
        need.append(f"{rule.max} or younger")
    words = f"Age {age} on the request date {ctx.request_date.isoformat()} (born {born})"
    ok = (rule.min is None or age >= rule.min) and (rule.max is None or age <= rule.max)
    if ok:
        return Result(Status.met, f"{words}; {' and '.join(need)} required.", evidence=ev)
    return Result(
        Status.not_met,
        f"{words}; the policy requires {' and '.join(need)}.",
        "The patient does not meet the policy's age requirement: consider a different policy "
        "or a medical-exception request.",
        ev,
    )
