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
from ._context import Context
from ._result import Evidence, Result, Status, msg

WORDS = {
    "events.what": "{names:or}",
    "events.name": "{name:finding}",
    "events.window": " within {window} of the request (since {since})",
    "events.met": "{count} on record ({what}){window}: {dates:comma}.",
    "events.too_few": "The policy asks for at least {min} ({what}){window}: {seen}{older}.",
    "events.seen_none": "none is on record",
    "events.seen_some": "{count} is on record ({dates:comma})",
    "events.older_one": "; 1 older one ({dates:comma}) does not count",
    "events.older_many": "; {count} older ones ({dates:comma}) do not count",
    "events.find_one": "Find and document 1 more ({what}){window}, with its date "
    "(findings: {keys:comma}).",
    "events.find_many": "Find and document {count} more ({what}){window}, with their dates "
    "(findings: {keys:comma}).",
}

EXAMPLE = """\
# criteria/bcbsnd-mepolizumab-asthma.yaml, criterion "uncontrolled" (one alternative of an any_of)
kind: event_count
label: two or more exacerbations needing systemic corticosteroids in 12 months
events: [asthma_exacerbation]
min: 2
within: {months: 12}
"""


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
        what = msg("events.what", names=[msg("events.name", name=e) for e in self.events])
        start = self.within.start(ctx.request_date) if self.within else None
        window = msg("events.window", window=self.within, since=start) if self.within else None
        found = sorted(
            ((i, f) for i, f in ctx.findings if f.name in self.events), key=lambda x: x[1].date
        )
        inside = [(i, f) for i, f in found if start is None or start <= f.date]
        older = [f.date for _, f in found if start is not None and f.date < start]
        ev = [Evidence("findings", i, f.date, f) for i, f in inside]
        dates = [f.date for _, f in inside]
        if len(inside) >= self.min:
            return Result(
                Status.met,
                msg("events.met", count=len(inside), what=what, window=window, dates=dates),
                evidence=ev,
            )
        need = self.min - len(inside)
        seen = (
            msg("events.seen_some", count=len(inside), dates=dates)
            if inside
            else msg("events.seen_none")
        )
        aside = None
        if older:
            code = "events.older_one" if len(older) == 1 else "events.older_many"
            aside = msg(code, count=len(older), dates=older[:3])
        find = "events.find_one" if need == 1 else "events.find_many"
        return Result(
            Status.missing,
            msg("events.too_few", min=self.min, what=what, window=window, seen=seen, older=aside),
            msg(find, count=need, what=what, window=window, keys=list(self.events)),
            ev,
        )


RULE = EventCountRule
