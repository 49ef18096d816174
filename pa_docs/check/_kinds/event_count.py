"""A count of dated events in a look-back window: exacerbations, hypoglycemic events, attempts.

Each event is a finding of one of the rule's kinds, dated. Met when at least ``min`` fall in the
window. Fewer is ``missing``, never ``not_met``: a chart that records one exacerbation where two
are asked says nothing against the second (the specialist should look for it), and an event left
out of the chart is the commonest gap. A count the chart states as a number (an instrument such
as ``asthma_exacerbations_12m``) is a score, judged by a ``score`` rule.
"""

from __future__ import annotations

from ...policy._model import EventCountRule
from ...vocab import vocabulary
from .._context import Context, iso
from .._verdict import Evidence, Result, Status


def _lower(name: str) -> str:
    """A finding's name inside a sentence: first letter lower-cased, units left alone."""
    return name[:1].lower() + name[1:]


def evaluate(rule: EventCountRule, ctx: Context) -> Result:
    names = vocabulary().findings
    what = " or ".join(_lower(names[e]) for e in rule.events)
    start = rule.within.start(ctx.request_date) if rule.within else None
    window = (
        f" within {rule.within.words()} of the request (since {iso(start)})" if rule.within else ""
    )
    found = sorted(
        ((i, f) for i, f in enumerate(ctx.case.findings) if f.name in rule.events),
        key=lambda x: x[1].date,
    )
    inside = [(i, f) for i, f in found if start is None or start <= f.date]
    older = [f for _, f in found if start is not None and f.date < start]
    ev = [
        Evidence(f"findings[{i}]", f.date, names[f.name] + (f" ({f.note})" if f.note else ""))
        for i, f in inside
    ]
    listed = ", ".join(iso(f.date) for _, f in inside)
    asked = f"at least {rule.min} ({what}){window}"
    if len(inside) >= rule.min:
        return Result(
            Status.met,
            f"{len(inside)} on record{window}: {listed}; the policy asks for {asked}.",
            evidence=ev,
        )
    need = rule.min - len(inside)
    seen = f"{len(inside)} is on record ({listed})" if inside else "none is on record"
    aside = (
        f"; {len(older)} older one{'s' if len(older) > 1 else ''} "
        f"({', '.join(iso(f.date) for f in older[:3])}) do{'es' if len(older) == 1 else ''} not "
        "count"
        if older
        else ""
    )
    return Result(
        Status.missing,
        f"The policy asks for {asked}: {seen}{aside}.",
        f"Find and document {need} more ({what}){window}, with {'its' if need == 1 else 'their'} "
        f"date{'s' if need > 1 else ''} (findings: {', '.join(rule.events)}).",
        ev,
    )
