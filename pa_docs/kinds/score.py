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
from ._context import Context, Therapy, drug_names, iso
from ._result import Evidence, Result, Status

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
        inst = vocabulary().instruments[self.instrument]
        name = inst.name.split(" (")[0] if len(inst.name) > 30 else inst.name
        if self.instrument == "bsa":
            name = "BSA"
        rd = ctx.request_date
        scores = sorted(
            ((i, s) for i, s in ctx.scores if s.instrument == self.instrument),
            key=lambda x: x[1].date,
            reverse=True,
        )
        lo: dt.date | None = self.within.start(rd) if self.within else None
        hi: dt.date = rd
        window_words = f"within {self.within.words()} of the request" if self.within else ""
        anchor: Therapy | None = None
        if self.relative_to or self.baseline:
            matches = (self.relative_to or self.baseline).start_of  # type: ignore[union-attr]
            anchor = ctx.start_of(matches)
            if anchor is None or anchor.t.start is None:
                what = drug_names(matches, ctx.requested)
                return Result(
                    Status.missing,
                    f"No start date of {what} is on record to date the {name} against.",
                    f"Record the {what} treatment with its start date.",
                )
            if self.relative_to:
                start = anchor.t.start
                lo = start + dt.timedelta(days=self.relative_to.from_day)
                if self.relative_to.to_day is not None:
                    hi = min(rd, start + dt.timedelta(days=self.relative_to.to_day))
                window_words = (
                    f"between day {self.relative_to.from_day} and day {self.relative_to.to_day} "
                    "after "
                    f"{anchor.name} started on {iso(start)}"
                )
        ev_anchor = [anchor.evidence()] if anchor else []
        notes: list[str] = []
        usable: list[tuple[int, Score]] = []
        for i, s in scores:
            if (lo is not None and s.date < lo) or s.date > hi:
                notes.append(f"{_summary(name, s)} is not {window_words}")
            elif self.period_days and (s.period_days or 0) < self.period_days:
                notes.append(
                    f"{_summary(name, s)} does not cover a {self.period_days}-day period"
                    + ("" if s.period_days else " (period_days not recorded)")
                )
            elif self.baseline and anchor and anchor.t.start and s.date <= anchor.t.start:
                continue  # on or before the start: a baseline, not a current score
            else:
                usable.append((i, s))
        if not usable:
            found = f" ({notes[0]})" if notes else ""
            return Result(
                Status.missing,
                f"No {name} {window_words} is on record{found}.".replace("  ", " "),
                f"Record a current {name} score{' ' + window_words if window_words else ''}.",
                ev_anchor,
            )
        i, s = usable[0]
        ev = [Evidence(f"scores[{i}]", s.date, _summary(name, s)), *ev_anchor]
        if self.value and not all(c.test(s.value) for c in self.value):
            need = " and ".join(c.words() for c in self.value)
            return Result(
                Status.not_met,
                f"{_summary(name, s)}; the policy asks for {need}.",
                f"The most recent {name} does not meet the threshold; document a current score if "
                "the disease is more active.",
                ev,
            )
        if self.baseline and anchor and anchor.t.start:
            return _vs_baseline(self, name, anchor, scores, s, ev)
        need = f" (threshold: {' and '.join(c.words() for c in self.value)})" if self.value else ""
        return Result(Status.met, f"{_summary(name, s)}{need}.", evidence=ev)


def _summary(name: str, s: Score) -> str:
    period = f" over {s.period_days} days" if s.period_days else ""
    unit = "%" if vocabulary().instruments[s.instrument].unit == "%" else ""
    return f"{name} {s.value:g}{unit}{period} on {iso(s.date)}"


def _vs_baseline(
    rule: ScoreRule,
    name: str,
    anchor: Therapy,
    scores: list[tuple[int, Score]],
    current: Score,
    ev: list[Evidence],
) -> Result:
    assert rule.baseline is not None and anchor.t.start is not None
    before = [(i, s) for i, s in scores if s.date <= anchor.t.start]
    if not before:
        return Result(
            Status.missing,
            f"No baseline {name} on or before the start of {anchor.name} ({iso(anchor.t.start)}) "
            "is on record.",
            f"Find the {name} recorded before {anchor.name} was started.",
            ev,
        )
    bi, base = before[0]
    ev = [*ev, Evidence(f"scores[{bi}]", base.date, f"baseline {_summary(name, base)}")]
    ok = OPS[rule.baseline.op](current.value, base.value)
    words = f"{_summary(name, current)} against a baseline of {base.value:g} on {iso(base.date)}"
    if ok:
        return Result(Status.met, f"Improved: {words}.", evidence=ev)
    return Result(
        Status.not_met,
        f"No improvement from baseline: {words}.",
        "The record shows no objective improvement; document the response to therapy.",
        ev,
    )


RULE = ScoreRule
