"""A named clinical finding, optionally within a look-back window."""

from __future__ import annotations

from ...policy._model import FindingRule
from ...vocab import vocabulary
from .._context import Context
from .._verdict import Evidence, Result, Status


def evaluate(rule: FindingRule, ctx: Context) -> Result:
    name = vocabulary().findings[rule.name]
    found = [(i, f) for i, f in ctx.findings if f.name == rule.name]
    start = rule.within.start(ctx.request_date) if rule.within else None
    usable = [(i, f) for i, f in found if start is None or f.date >= start]
    if usable:
        i, f = max(usable, key=lambda x: x[1].date)
        note = f" ({f.note})" if f.note else ""
        return Result(
            Status.met,
            f"{name} documented on {f.date.isoformat()}{note}.",
            evidence=[Evidence(f"findings[{i}]", f.date, name)],
        )
    if found:
        assert rule.within is not None
        last = max(f.date for _, f in found)
        return Result(
            Status.missing,
            f"{name} was last documented on {last.isoformat()}, older than {rule.within.words()}.",
            f"Document {name.lower()} at a current visit.",
        )
    return Result(
        Status.missing,
        f"No finding of {name.lower()} on record.",
        f"Look in the chart for {name.lower()} and record it (findings: {rule.name}).",
    )
