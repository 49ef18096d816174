"""Prescriber specialty."""

from __future__ import annotations

from ...policy._model import PrescriberRule
from ...vocab._vocab import norm
from .._context import Context
from .._verdict import Evidence, Result, Status


def evaluate(rule: PrescriberRule, ctx: Context) -> Result:
    p = ctx.case.prescriber
    wanted = " or ".join(rule.specialties)
    if not p.specialty:
        who = "the prescriber" if "name" in p.pending else p.name
        return Result(
            Status.missing,
            f"The prescriber's specialty is not recorded; the policy asks for {wanted}.",
            f"Record {who}'s specialty (prescriber.specialty).",
        )
    ev = [Evidence("prescriber.specialty", None, f"{p.name}, {p.specialty}")]
    if norm(p.specialty) in rule.specialties:
        return Result(Status.met, f"Prescribed by {p.name} ({p.specialty}).", evidence=ev)
    return Result(
        Status.not_met,
        f"The prescriber {p.name} is in {p.specialty}; the policy asks for {wanted}.",
        f"Have a {wanted} specialist prescribe, or document the consultation with one.",
        ev,
    )
