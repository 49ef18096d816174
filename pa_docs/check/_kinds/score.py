"""Disease-activity and severity scores: the most recent score in the window decides.

A window is a look-back from the request date (``within``) or a span of days after a treatment
start (``relative_to``). ``baseline`` compares the current score with the most recent one on or
before that treatment's start.
"""

from __future__ import annotations

import datetime as dt

from ...case import Score
from ...policy._model import OPS, ScoreRule
from ...vocab import vocabulary
from .._context import Context, Therapy, drug_names, iso
from .._verdict import Evidence, Result, Status


def _summary(name: str, s: Score) -> str:
    period = f" over {s.period_days} days" if s.period_days else ""
    unit = "%" if vocabulary().instruments[s.instrument].unit == "%" else ""
    return f"{name} {s.value:g}{unit}{period} on {iso(s.date)}"


def evaluate(rule: ScoreRule, ctx: Context) -> Result:
    inst = vocabulary().instruments[rule.instrument]
    name = inst.name.split(" (")[0] if len(inst.name) > 30 else inst.name
    if rule.instrument == "bsa":
        name = "BSA"
    rd = ctx.request_date
    scores = sorted(
        ((i, s) for i, s in ctx.scores if s.instrument == rule.instrument),
        key=lambda x: x[1].date,
        reverse=True,
    )
    lo: dt.date | None = rule.within.start(rd) if rule.within else None
    hi: dt.date = rd
    window_words = f"within {rule.within.words()} of the request" if rule.within else ""
    anchor: Therapy | None = None
    if rule.relative_to or rule.baseline:
        matches = (rule.relative_to or rule.baseline).start_of  # type: ignore[union-attr]
        anchor = ctx.start_of(matches)
        if anchor is None or anchor.t.start is None:
            what = drug_names(matches, ctx.requested)
            return Result(
                Status.missing,
                f"No start date of {what} is on record to date the {name} against.",
                f"Record the {what} treatment with its start date.",
            )
        if rule.relative_to:
            start = anchor.t.start
            lo = start + dt.timedelta(days=rule.relative_to.from_day)
            if rule.relative_to.to_day is not None:
                hi = min(rd, start + dt.timedelta(days=rule.relative_to.to_day))
            window_words = (
                f"between day {rule.relative_to.from_day} and day {rule.relative_to.to_day} after "
                f"{anchor.name} started on {iso(start)}"
            )
    ev_anchor = [anchor.evidence()] if anchor else []
    notes: list[str] = []
    usable: list[tuple[int, Score]] = []
    for i, s in scores:
        if (lo is not None and s.date < lo) or s.date > hi:
            notes.append(f"{_summary(name, s)} is not {window_words}")
        elif rule.period_days and (s.period_days or 0) < rule.period_days:
            notes.append(
                f"{_summary(name, s)} does not cover a {rule.period_days}-day period"
                + ("" if s.period_days else " (period_days not recorded)")
            )
        elif rule.baseline and anchor and anchor.t.start and s.date <= anchor.t.start:
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
    if rule.value and not all(c.test(s.value) for c in rule.value):
        need = " and ".join(c.words() for c in rule.value)
        return Result(
            Status.not_met,
            f"{_summary(name, s)}; the policy asks for {need}.",
            f"The most recent {name} does not meet the threshold; document a current score if the "
            "disease is more active.",
            ev,
        )
    if rule.baseline and anchor and anchor.t.start:
        return _vs_baseline(rule, name, anchor, scores, s, ev)
    need = f" (threshold: {' and '.join(c.words() for c in rule.value)})" if rule.value else ""
    return Result(Status.met, f"{_summary(name, s)}{need}.", evidence=ev)


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
