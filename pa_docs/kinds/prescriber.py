"""Prescriber specialty: the case's ``prescriber.specialty`` is one the policy names."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from ..vocab._vocab import norm
from ._base import RuleBase
from ._context import Context
from ._result import Evidence, Result, Status, msg

WORDS = {
    "prescriber.no_specialty": "The prescriber's specialty is not recorded; the policy asks for "
    "{wanted:or}.",
    "prescriber.record_specialty": "Record {name}'s specialty (prescriber.specialty).",
    "prescriber.unnamed": "the prescriber",
    "prescriber.met": "Prescribed by {name} ({specialty}).",
    "prescriber.not_met": "The prescriber {name} is in {specialty}; the policy asks for "
    "{wanted:or}.",
    "prescriber.consult": "Have a {wanted:or} specialist prescribe, or document the consultation "
    "with one.",
}

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
        if not p.specialty:
            return Result(
                Status.missing,
                msg("prescriber.no_specialty", wanted=self.specialties),
                msg(
                    "prescriber.record_specialty",
                    name=msg("prescriber.unnamed") if "name" in p.pending else p.name,
                ),
            )
        ev = Evidence("prescriber", None, None, p, "specialty")
        said = {"name": p.name, "specialty": p.specialty, "wanted": self.specialties}
        if norm(p.specialty) in self.specialties:
            return Result(Status.met, msg("prescriber.met", **said), evidence=[ev])
        return Result(
            Status.not_met,
            msg("prescriber.not_met", **said),
            msg("prescriber.consult", wanted=self.specialties),
            [ev],
        )


RULE = PrescriberRule
