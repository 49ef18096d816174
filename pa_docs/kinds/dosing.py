"""Dosing: the request's dose and frequency against the policy's, ignoring case and spacing."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ._base import RuleBase
from ._context import Context
from ._result import Evidence, Result, Status, msg

WORDS = {
    "dosing.incomplete": "The request gives no {lacking:and}; the policy allows {doses:or}, "
    "{frequencies:or}.",
    "dosing.add": "Add the requested {lacking:and} to the request.",
    "dosing.met": "Requested {request}, as the policy allows.",
    "dosing.not_met": "Requested {request}; the policy allows {doses:or}, {frequencies:or}.",
    "dosing.correct": "Correct the requested dose and frequency, or document why a different "
    "regimen is needed.",
}

EXAMPLE = """\
# criteria/uhc-vedolizumab-crohns.yaml, criterion "dosing"
kind: dosing
dose: [300 mg]
frequency: [every 8 weeks, "at weeks 0, 2 and 6, then every 8 weeks"]
"""


def _squash(text: str) -> str:
    return "".join(text.lower().split())


class DosingRule(RuleBase):
    """The request's ``dose`` and ``frequency`` are among those the policy allows."""

    kind: Literal["dosing"]
    dose: list[str] = Field(min_length=1)
    """The doses allowed, as written in the request (``300 mg``)."""
    frequency: list[str] = Field(min_length=1)
    """The frequencies allowed (``every 8 weeks``)."""

    def evaluate(self, ctx: Context) -> Result:
        r = ctx.case.request
        allowed = {"doses": self.dose, "frequencies": [repr(f) for f in self.frequency]}
        if not r.dose or not r.frequency:
            lacking = [n for n, v in (("dose", r.dose), ("frequency", r.frequency)) if not v]
            return Result(
                Status.missing,
                msg("dosing.incomplete", lacking=lacking, **allowed),
                msg("dosing.add", lacking=lacking),
            )
        ev = Evidence("request", None, None, r, "dose")
        said = {"request": ev}
        dose_ok = _squash(r.dose) in {_squash(d) for d in self.dose}
        freq_ok = _squash(r.frequency) in {_squash(f) for f in self.frequency}
        if dose_ok and freq_ok:
            return Result(Status.met, msg("dosing.met", **said), evidence=[ev])
        return Result(
            Status.not_met, msg("dosing.not_met", **said, **allowed), msg("dosing.correct"), [ev]
        )


RULE = DosingRule
