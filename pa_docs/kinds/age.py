"""Age in whole years on the request date."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ._base import RuleBase
from ._context import Context
from ._result import Evidence, Result, Status, msg

WORDS = {
    "age.to_fill": "The patient's birth date is still to fill (FILL-IN).",
    "age.fill": "Fill in patient.birth_date.",
    "age.min": "{age} or older",
    "age.max": "{age} or younger",
    "age.met": "Age {age} on the request date {on} ({born}); {need:and} required.",
    "age.not_met": "Age {age} on the request date {on} ({born}); the policy requires {need:and}.",
    "age.other_policy": "The patient does not meet the policy's age requirement: consider a "
    "different policy or a medical-exception request.",
}

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
            return Result(Status.missing, msg("age.to_fill"), msg("age.fill"))
        age = case.age_on(ctx.request_date)
        born = Evidence("patient", None, case.patient.birth_date, case.patient, "birth_date")
        need = []
        if self.min is not None:
            need.append(msg("age.min", age=self.min))
        if self.max is not None:
            need.append(msg("age.max", age=self.max))
        said = {"age": age, "on": ctx.request_date, "born": born, "need": need}
        if (self.min is None or age >= self.min) and (self.max is None or age <= self.max):
            return Result(Status.met, msg("age.met", **said), evidence=[born])
        return Result(Status.not_met, msg("age.not_met", **said), msg("age.other_policy"), [born])


RULE = AgeRule
