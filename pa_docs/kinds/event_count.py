"""A count of dated events in a look-back window: exacerbations, hypoglycemic events, attempts.

Each event is a finding of one of the rule's kinds, dated. Met when at least ``min`` fall in the
window. Fewer is ``missing``, never ``not_met``: a chart that records one exacerbation where two
are asked says nothing against the second (the specialist should look for it), and an event left
out of the chart is the commonest gap. A count the chart states as a number (an instrument such
as ``asthma_exacerbations_12m``) is a score, judged by a ``score`` rule.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from ..vocab import vocabulary
from ._base import RuleBase, Window
from ._context import Context, iso
from ._result import Evidence, Result, Status

EXAMPLE = """\
# criteria/bcbsnd-mepolizumab-asthma.yaml, criterion "uncontrolled" (one alternative of an any_of)
kind: event_count
label: two or more exacerbations needing systemic corticosteroids in 12 months
events: [asthma_exacerbation]
min: 2
within: {months: 12}
"""


def _lower(name: str) -> str:
    """A finding's name inside a sentence: first letter lower-cased, units left alone."""
    return name[:1].lower() + name[1:]


class EventCountRule(RuleBase):
    """At least ``min`` dated events (findings of the named kinds) within the look-back."""

    kind: Literal["event_count"]
    events: list[str] = Field(min_length=1)
    """Finding keys of the vocabulary that count as one event each, e.g. ``asthma_exacerbation``,
    ``hypoglycemia_level_2``."""
    min: int = Field(ge=1)
    """The fewest events that meet the rule ("two or more": 2)."""
    within: Window | None = None
    """Only events dated in this window count; none: any date ("a history of")."""

    @field_validator("events")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        return [vocabulary().require("findings", e) for e in v]

    def evaluate(self, ctx: Context) -> Result:
        names = vocabulary().findings
        what = " or ".join(_lower(names[e]) for e in self.events)
        start = self.within.start(ctx.request_date) if self.within else None
        window = (
            f" within {self.within.words()} of the request (since {iso(start)})"
            if self.within
            else ""
        )
        found = sorted(
            ((i, f) for i, f in enumerate(ctx.case.findings) if f.name in self.events),
            key=lambda x: x[1].date,
        )
        inside = [(i, f) for i, f in found if start is None or start <= f.date]
        older = [f for _, f in found if start is not None and f.date < start]
        ev = [
            Evidence(f"findings[{i}]", f.date, names[f.name] + (f" ({f.note})" if f.note else ""))
            for i, f in inside
        ]
        listed = ", ".join(iso(f.date) for _, f in inside)
        if len(inside) >= self.min:
            return Result(
                Status.met, f"{len(inside)} on record ({what}){window}: {listed}.", evidence=ev
            )
        need = self.min - len(inside)
        seen = f"{len(inside)} is on record ({listed})" if inside else "none is on record"
        aside = (
            f"; {len(older)} older one{'s' if len(older) > 1 else ''} "
            f"({', '.join(iso(f.date) for f in older[:3])}) "
            f"do{'es' if len(older) == 1 else ''} not count"
            if older
            else ""
        )
        return Result(
            Status.missing,
            f"The policy asks for at least {self.min} ({what}){window}: {seen}{aside}.",
            f"Find and document {need} more ({what}){window}, with "
            f"{'its date' if need == 1 else 'their dates'} (findings: {', '.join(self.events)}).",
            ev,
        )


RULE = EventCountRule
