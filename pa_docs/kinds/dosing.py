"""Dosing: the request's dose and frequency against the policy's, ignoring case and spacing."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ._base import RuleBase
from ._context import Context
from ._result import Evidence, Result, Status

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
        allowed = f"{' or '.join(self.dose)}, {' or '.join(repr(f) for f in self.frequency)}"
        if not r.dose or not r.frequency:
            lacking = " and ".join(
                n for n, v in (("dose", r.dose), ("frequency", r.frequency)) if not v
            )
            return Result(
                Status.missing,
                f"The request gives no {lacking}; the policy allows {allowed}.",
                f"Add the requested {lacking} to the request.",
            )
        ev = [Evidence("request.dose", None, f"{r.dose}, {r.frequency}")]
        dose_ok = _squash(r.dose) in {_squash(d) for d in self.dose}
        freq_ok = _squash(r.frequency) in {_squash(f) for f in self.frequency}
        if dose_ok and freq_ok:
            return Result(
                Status.met, f"Requested {r.dose}, {r.frequency}, as the policy allows.", evidence=ev
            )
        return Result(
            Status.not_met,
            f"Requested {r.dose}, {r.frequency}; the policy allows {allowed}.",
            "Correct the requested dose and frequency, or document why a different regimen is "
            "needed.",
            ev,
        )


RULE = DosingRule
