"""Disease-activity and severity scores: the most recent score in the window decides.

A window is a look-back from the request date (``within``) or a span of days after a treatment
start (``relative_to``). ``baseline`` compares the current score with the most recent one on or
before that treatment's start. ``period_days`` asks for a figure that covers at least that many
days (PAP adherence over 30 days).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import field_validator

from ..case import Score
from ..vocab import vocabulary
from ._base import OPS, Baseline, Condition, Relative, RuleBase, Window
from ._context import Context, Therapy
from ._result import Evidence, Message, Result, Status, msg

WORDS = {
    "score.name": "{instrument:instrument}",
    "score.within": "within {window} of the request",
    "score.between": "between day {from_day} and day {to_day} after {anchor.item.drug} started on "
    "{anchor.date}",
    "score.outside": "{score} is not {where}",
    "score.short_period": "{score} does not cover a {days}-day period",
    "score.no_period": "{score} does not cover a {days}-day period (period_days not recorded)",
    "score.seen": " ({note})",
    "score.none": "No {instrument:instrument} {where} is on record{seen}.",
    "score.none_anywhere": "No {instrument:instrument} is on record{seen}.",
    "score.record_current": "Record a current {instrument:instrument} score {where}.",
    "score.record_current_anywhere": "Record a current {instrument:instrument} score.",
    "score.below_threshold": "{score}; the policy asks for {need:and}.",
    "score.threshold_not_met": "The most recent {instrument:instrument} does not meet the "
    "threshold; document a current score if the disease is more active.",
    "score.threshold": " (threshold: {need:and})",
    "score.met": "{score}{threshold}.",
    "score.no_baseline": "No baseline {instrument:instrument} on or before the start of "
    "{anchor.item.drug} ({anchor.date}) is on record.",
    "score.find_baseline": "Find the {instrument:instrument} recorded before {drug} was started.",
    "score.improved": "Improved: {score} against a baseline of {value:g} on {on}.",
    "score.not_improved": "No improvement from baseline: {score} against a baseline of {value:g} "
    "on {on}.",
    "score.no_improvement": "The record shows no objective improvement; document the response to "
    "therapy.",
}

EXAMPLE = """\
# criteria/medicare-pap-osa.yaml, criterion "adherence"
kind: score
instrument: pap_adherence
value: [">= 70"]
period_days: 30
relative_to: {start_of: [cpap], from_day: 0, to_day: 91}
"""


class ScoreRule(RuleBase):
    """A score of one instrument, the most recent in the window, against thresholds."""

    kind: Literal["score"]
    instrument: str
    """An instrument key of the vocabulary (``das28_crp``, ``pasi``, ``bsa``, ``hbi``, ...)."""
    value: list[Condition] = []
    """Thresholds the score must meet, e.g. ``[">= 3.2"]`` (a single string is accepted)."""
    within: Window | None = None
    """Only scores dated in this window count."""
    relative_to: Relative | None = None
    """Only scores dated in this span after a treatment's start count."""
    period_days: int | None = None
    """The score must cover at least this many days (``scores[].period_days``)."""
    baseline: Baseline | None = None
    """Compare the current score with the baseline before a treatment started."""

    @field_validator("instrument")
    @classmethod
    def _known(cls, v: str) -> str:
        return vocabulary().require("instruments", v)

    @field_validator("value", mode="before")
    @classmethod
    def _list(cls, v: Any) -> Any:
        return [v] if isinstance(v, str | int | float) else v

    def evaluate(self, ctx: Context) -> Result:
        rd = ctx.request_date
        key = self.instrument
        scores = sorted(
            ((i, s) for i, s in ctx.scores if s.instrument == key),
            key=lambda x: x[1].date,
            reverse=True,
        )
        lo: dt.date | None = self.within.start(rd) if self.within else None
        hi: dt.date = rd
        where = msg("score.within", window=self.within) if self.within else None
        anchor: Therapy | None = None
        if self.relative_to or self.baseline:
            matches = (self.relative_to or self.baseline).start_of  # type: ignore[union-attr]
            anchor = ctx.start_of(matches)
            if anchor is None or anchor.t.start is None:
                drugs = ctx.names(matches)
                return Result(
                    Status.missing,
                    msg("no_start_date", drugs=drugs, what=msg("score.name", instrument=key)),
                    msg("record_start_date", drugs=drugs),
                )
            if self.relative_to:
                start = anchor.t.start
                lo = start + dt.timedelta(days=self.relative_to.from_day)
                if self.relative_to.to_day is not None:
                    hi = min(rd, start + dt.timedelta(days=self.relative_to.to_day))
                where = msg(
                    "score.between",
                    from_day=self.relative_to.from_day,
                    to_day=self.relative_to.to_day,
                    anchor=anchor.evidence(),
                )
        ev_anchor = [anchor.evidence()] if anchor else []
        notes: list[Message] = []
        usable: list[Evidence] = []
        for i, s in scores:
            e = Evidence("scores", i, s.date, s)
            if (lo is not None and s.date < lo) or s.date > hi:
                notes.append(msg("score.outside", score=e, where=where))
            elif self.period_days and (s.period_days or 0) < self.period_days:
                code = "score.short_period" if s.period_days else "score.no_period"
                notes.append(msg(code, score=e, days=self.period_days))
            elif self.baseline and anchor and anchor.t.start and s.date <= anchor.t.start:
                continue  # on or before the start: a baseline, not a current score
            else:
                usable.append(e)
        if not usable:
            seen = msg("score.seen", note=notes[0]) if notes else None
            said = {"instrument": key, "where": where, "seen": seen}
            return Result(
                Status.missing,
                msg("score.none" if where else "score.none_anywhere", **said),
                msg("score.record_current" if where else "score.record_current_anywhere", **said),
                ev_anchor,
            )
        current = usable[0]
        assert isinstance(current.item, Score)
        value = current.item.value
        ev = [current, *ev_anchor]
        need = [c.in_unit(vocabulary().instruments[key].unit) for c in self.value]
        if self.value and not all(c.test(value) for c in self.value):
            return Result(
                Status.not_met,
                msg("score.below_threshold", score=current, need=need),
                msg("score.threshold_not_met", instrument=key),
                ev,
            )
        if self.baseline and anchor and anchor.t.start:
            return self._vs_baseline(anchor, scores, current, value, ev)
        threshold = msg("score.threshold", need=need) if need else None
        return Result(Status.met, msg("score.met", score=current, threshold=threshold), evidence=ev)

    def _vs_baseline(
        self,
        anchor: Therapy,
        scores: list[tuple[int, Score]],
        current: Evidence,
        value: float,
        ev: list[Evidence],
    ) -> Result:
        assert self.baseline is not None and anchor.t.start is not None
        before = [(i, s) for i, s in scores if s.date <= anchor.t.start]
        key = self.instrument
        if not before:
            return Result(
                Status.missing,
                msg("score.no_baseline", instrument=key, anchor=anchor.evidence()),
                msg("score.find_baseline", instrument=key, drug=anchor.name),
                ev,
            )
        bi, base = before[0]
        baseline = Evidence("scores", bi, base.date, base, role="baseline")
        ev = [*ev, baseline]
        said = {"score": current, "value": base.value, "on": base.date}
        if OPS[self.baseline.op](value, base.value):
            return Result(Status.met, msg("score.improved", **said), evidence=ev)
        return Result(
            Status.not_met, msg("score.not_improved", **said), msg("score.no_improvement"), ev
        )


RULE = ScoreRule
