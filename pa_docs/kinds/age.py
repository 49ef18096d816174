"""Age in whole years on the request date."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ._base import RuleBase
from ._context import Context
from ._result import Evidence, Result, Status

EXAMPLE = """\
# criteria/cigna-adalimumab-psoriasis.yaml, criterion "age"
kind: age
min: 18
"""


class AgeRule(RuleBase):
    """The patient's age on the request date, in whole years, within bounds."""

    kind: Literal["age"]
    min: int | None = Field(default=None, ge=0)
    """The youngest age allowed (inclusive)."""
    max: int | None = Field(default=None, ge=0)
    """The oldest age allowed (inclusive)."""

    def evaluate(self, ctx: Context) -> Result:
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
        if self.min is not None:
            need.append(f"{self.min} or older")
        if self.max is not None:
            need.append(f"{self.max} or younger")
        words = f"Age {age} on the request date {ctx.request_date.isoformat()} (born {born})"
        ok = (self.min is None or age >= self.min) and (self.max is None or age <= self.max)
        if ok:
            return Result(Status.met, f"{words}; {' and '.join(need)} required.", evidence=ev)
        return Result(
            Status.not_met,
            f"{words}; the policy requires {' and '.join(need)}.",
            "The patient does not meet the policy's age requirement: consider a different policy "
            "or a medical-exception request.",
            ev,
        )


RULE = AgeRule
