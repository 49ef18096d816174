"""Dosing: the request's dose and frequency against the policy's, ignoring case and spacing."""

from __future__ import annotations

from ...policy._model import DosingRule
from .._context import Context
from .._verdict import Evidence, Result, Status


def _squash(text: str) -> str:
    return "".join(text.lower().split())


def evaluate(rule: DosingRule, ctx: Context) -> Result:
    r = ctx.case.request
    allowed = f"{' or '.join(rule.dose)}, {' or '.join(repr(f) for f in rule.frequency)}"
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
    dose_ok = _squash(r.dose) in {_squash(d) for d in rule.dose}
    freq_ok = _squash(r.frequency) in {_squash(f) for f in rule.frequency}
    if dose_ok and freq_ok:
        return Result(
            Status.met, f"Requested {r.dose}, {r.frequency}, as the policy allows.", evidence=ev
        )
    return Result(
        Status.not_met,
        f"Requested {r.dose}, {r.frequency}; the policy allows {allowed}.",
        "Correct the requested dose and frequency, or document why a different regimen is needed.",
        ev,
    )
