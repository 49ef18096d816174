"""Prescriber specialty: the case's ``prescriber.specialty`` is one the policy names."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from ..vocab._vocab import norm
from ._base import RuleBase
from ._context import Context
from ._result import Evidence, Result, Status

EXAMPLE = """\
# criteria/cigna-adalimumab-psoriasis.yaml, criterion "prescriber"
kind: prescriber
specialties: [dermatology]
"""


class PrescriberRule(RuleBase):
    """The prescriber's specialty is one of those listed (compared without case or spacing)."""

    kind: Literal["prescriber"]
    specialties: list[str] = Field(min_length=1)
    """The specialties that may prescribe, e.g. ``[rheumatology]``."""

    _norm = field_validator("specialties")(classmethod(lambda cls, v: [norm(s) for s in v]))

    def evaluate(self, ctx: Context) -> Result:
        p = ctx.case.prescriber
        wanted = " or ".join(self.specialties)
        if not p.specialty:
            who = "the prescriber" if "name" in p.pending else p.name
            return Result(
                Status.missing,
                f"The prescriber's specialty is not recorded; the policy asks for {wanted}.",
                f"Record {who}'s specialty (prescriber.specialty).",
            )
        ev = [Evidence("prescriber.specialty", None, f"{p.name}, {p.specialty}")]
        if norm(p.specialty) in self.specialties:
            return Result(Status.met, f"Prescribed by {p.name} ({p.specialty}).", evidence=ev)
        return Result(
            Status.not_met,
            f"The prescriber {p.name} is in {p.specialty}; the policy asks for {wanted}.",
            f"Have a {wanted} specialist prescribe, or document the consultation with one.",
            ev,
        )


RULE = PrescriberRule
