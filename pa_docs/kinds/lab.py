"""Laboratory and diagnostic tests: the most recent usable result in the window decides.

Results are compared within the rule's ``context`` (rest, exercise, sleep). On the same day the
test listed first in the rule wins (a blood gas over oximetry). Indeterminate results, results a
policy disqualifies (its ``disqualify`` rules), and results outside the window are no
evidence. A qualitative rule (``result``) is met by that result; thresholds (``value``,
``values``, ``events``) must all hold; a positive TB test with latent-TB treatment started after
it meets a rule that asks for a negative one when ``if_positive_treated_with`` names that
treatment.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator, model_validator

from ..case import Lab
from ..vocab import vocabulary
from ._base import Condition, DrugMatch, RuleBase, Window, drug_matches
from ._context import Context, drug_names, iso, lab_summary
from ._result import Evidence, Result, Status

EXAMPLE = """\
# criteria/aetna-infliximab-ra.yaml, criterion "tb-screening"
kind: lab
tests: [tb_igra, tst]
within: {months: 12}
result: negative
if_positive_treated_with: [{class: latent_tb_therapy}]
"""


class LabRule(RuleBase):
    """Results of one or more tests; the most recent usable one in the window decides."""

    kind: Literal["lab"]
    tests: list[str] = Field(min_length=1)
    """Test keys of the vocabulary (``tb_igra``, ``spo2``, ``psg``, ...); on the same day, the
    first listed wins."""
    within: Window | None = None
    """Only results dated in this window count; none: any date."""
    context: Literal["rest", "exercise", "sleep"] | None = None
    """Only results taken in this context count (oxygen tests)."""
    result: Literal["positive", "negative", "any"] | None = None
    """The qualitative result asked for; ``any``: the test done, whatever its result."""
    value: list[Condition] = []
    """Thresholds the value must meet, e.g. ``["<= 88"]``."""
    values: dict[str, list[Condition]] = {}
    """Thresholds per test, where they differ (``{pao2: ["<= 55"], spo2: ["<= 88"]}``)."""
    events: list[Condition] = []
    """Thresholds on the number of events of a sleep test."""
    require_evaluated_by_treating_practitioner: bool = False
    """The result counts only if the treating practitioner ordered and evaluated it."""
    if_positive_treated_with: list[DrugMatch] | None = None
    """With ``result: negative``: a positive result followed by one of these treatments, started
    on or after the test, also meets the rule (latent TB treated)."""
    at_time_of_need: bool = False
    """The result must reflect the time of need, a requirement the policy gives no number for:
    the practice's recency convention decides (``time_of_need_days`` in the practice profile,
    30 days by default). Documents never attribute that number to the payer. A result older
    than it is ``missing``: confirm it reflects the time of need, or repeat it."""
    minutes_at_or_below: list[Condition] = []
    """Thresholds on the result's ``minutes_at_or_below`` (time spent at or below the
    qualifying value, e.g. overnight oximetry ``[">= 5"]``); a result without it is
    ``missing``."""

    baseline_before: list[DrugMatch] | None = None
    """Only results on or before the first start of one of these drugs count (a baseline "prior to
    any GLP-1"); every result counts while none of them has been started."""

    _drugs = field_validator("if_positive_treated_with", "baseline_before", mode="before")(
        classmethod(lambda cls, v: drug_matches(v))
    )
    _minutes = field_validator("minutes_at_or_below", mode="before")(
        classmethod(lambda cls, v: [v] if isinstance(v, str | int | float) else v)
    )

    @model_validator(mode="after")
    def _known(self) -> LabRule:
        for t in (*self.tests, *self.values):
            vocabulary().require("tests", t)
        for t in self.values:
            if t not in self.tests:
                raise ValueError(f"`values` names {t!r}, which is not in `tests`")
        if self.at_time_of_need and self.within is not None:
            raise ValueError("give `within` or `at_time_of_need`, not both")
        return self

    def conditions(self, test: str) -> list[Condition]:
        """The thresholds a result of ``test`` must meet (per-test ``values``, else ``value``)."""
        return self.values.get(test, self.value)

    def evaluate(self, ctx: Context) -> Result:
        rd = ctx.request_date
        start = self.within.start(rd) if self.within else None
        if self.at_time_of_need:
            start = rd - dt.timedelta(days=ctx.time_of_need_days)
        rank = {t: i for i, t in enumerate(self.tests)}
        of_kind = [
            (i, lab)
            for i, lab in ctx.labs
            if lab.key in rank and (self.context is None or lab.context == self.context)
        ]
        of_kind.sort(key=lambda x: x[1].date, reverse=True)
        notes: list[str] = []
        if self.baseline_before:
            started = [th.t.start for th in ctx.matching(self.baseline_before)[0] if th.t.start]
            if started:
                first = min(started)
                what = drug_names(self.baseline_before, ctx.requested)
                notes.extend(
                    f"{lab_summary(lab)} is after {what} started ({iso(first)})"
                    for _, lab in of_kind
                    if lab.date > first
                )
                of_kind = [(i, lab) for i, lab in of_kind if lab.date <= first]
        indeterminate: Lab | None = None
        for _, lab in ctx.disqualified:
            if lab.key in rank and (self.context is None or lab.context == self.context):
                because = ctx.disqualify(lab)
                notes.append(
                    f"{lab_summary(lab)} was performed by a {lab.performed_by}, "
                    f"which the policy disqualifies{f': {because}' if because else ''}"
                )
        in_window = []
        for i, lab in of_kind:
            if start is not None and lab.date < start:
                if self.at_time_of_need:
                    notes.append(
                        f"{lab_summary(lab)} is {(rd - lab.date).days} days old, older than the "
                        f"practice's {ctx.time_of_need_days}-day convention for the time of need"
                    )
                else:
                    assert self.within is not None
                    notes.append(f"{lab_summary(lab)} is older than {self.within.words()}")
            elif lab.result == "indeterminate":
                notes.append(f"{lab_summary(lab)} is no usable result")
                indeterminate = indeterminate or lab
            else:
                in_window.append((i, lab))
        ctx_words = ""
        if self.context:
            ctx_words = " at rest" if self.context == "rest" else f" during {self.context}"
        if not in_window:
            window = f" within {self.within.words()} of the request" if self.within else ""
            if self.at_time_of_need:
                window = " performed at the time of need"
            reason = f"No usable {_names(self)} result{ctx_words}{window} is on record"
            reason += f" ({'; '.join(_latest_notes(notes))})." if notes else "."
            return Result(Status.missing, reason, _order(self, ctx_words, notes, indeterminate))
        i, lab = max(in_window, key=lambda x: (x[1].date, -rank[x[1].key]))
        return _judge(self, ctx, i, lab)


def _names(rule: LabRule) -> str:
    tests = vocabulary().tests
    return " or ".join(tests[t].short for t in rule.tests)


def _order_test(rule: LabRule) -> str:
    return "a TB test" if "tb_igra" in rule.tests else f"a {_names(rule)} test"


def _order(rule: LabRule, ctx_words: str, notes: list[str], indeterminate: Lab | None) -> str:
    """What to do when no usable result is on record."""
    if indeterminate is not None and notes and notes[0].endswith("no usable result"):
        name = vocabulary().tests[indeterminate.key].short
        return f"Repeat the {name}: the result of {iso(indeterminate.date)} was indeterminate."
    if rule.at_time_of_need and notes and "convention for the time of need" in notes[0]:
        return (
            f"Confirm the test reflects the time of need, or repeat it ({_latest_notes(notes)[0]})."
        )
    verb = "Order" if rule.within or notes else "Find or order"
    by = (
        " ordered and evaluated by the treating practitioner"
        if rule.require_evaluated_by_treating_practitioner
        else ""
    )
    when = f" (dated within {rule.within.words()} of the request)" if rule.within else ""
    if rule.at_time_of_need:
        when = " (performed at the time of need)"
    seen = f"; {_latest_notes(notes)[0]}" if notes else ""
    return f"{verb} {_order_test(rule)}{ctx_words}{by} and record the result{when}{seen}."


def _latest_notes(notes: list[str]) -> list[str]:
    return list(dict.fromkeys(notes))[:2]


def _judge(rule: LabRule, ctx: Context, i: int, lab: Lab) -> Result:
    summary = lab_summary(lab)
    ev = [Evidence(f"labs[{i}]", lab.date, summary)]
    name = vocabulary().tests[lab.key].short
    if rule.result in {"positive", "negative"}:
        if lab.result is None:
            return Result(
                Status.missing,
                f"{summary}: the result (positive or negative) is not recorded.",
                f"Record whether the {name} of {iso(lab.date)} was positive or negative.",
                ev,
            )
        if lab.result != rule.result:
            if rule.result == "negative" and rule.if_positive_treated_with:
                return _positive_treated(rule, ctx, lab, ev)
            return Result(
                Status.not_met,
                f"{summary}; the policy asks for a {rule.result} result.",
                f"The record contradicts this criterion: {name} is {lab.result}.",
                ev,
            )
    conds = rule.conditions(lab.key)
    if conds:
        if lab.value is None:
            return Result(
                Status.missing,
                f"{summary}: no value is recorded.",
                f"Record the value of the {name} of {iso(lab.date)}.",
                ev,
            )
        if not all(c.test(lab.value) for c in conds):
            need = " and ".join(c.words() for c in conds)
            return Result(
                Status.not_met,
                f"{summary}; the policy asks for {name} {need}.",
                f"The most recent {name} ({iso(lab.date)}) does not meet the threshold.",
                ev,
            )
    if rule.events:
        if lab.events is None:
            return Result(
                Status.missing,
                f"{summary}: the total number of events is not recorded.",
                f"Record the total event count of the {name} of {iso(lab.date)} from its report.",
                ev,
            )
        if not all(c.test(lab.events) for c in rule.events):
            need = " and ".join(c.words() for c in rule.events)
            return Result(
                Status.not_met,
                f"{summary}; the policy asks for {need} events.",
                f"The {name} of {iso(lab.date)} records too few events.",
                ev,
            )
    if rule.minutes_at_or_below:
        need = " and ".join(c.words() for c in rule.minutes_at_or_below)
        minutes = lab.minutes_at_or_below
        if minutes is None:
            return Result(
                Status.missing,
                f"{summary}: the time at or below the qualifying value is not recorded; the "
                f"policy asks for {need} minutes.",
                f"Document the time at or below {_limit(rule, lab)} during the {name} of "
                f"{iso(lab.date)} (minutes_at_or_below), from its report.",
                ev,
            )
        if not all(c.test(minutes) for c in rule.minutes_at_or_below):
            return Result(
                Status.not_met,
                f"{summary}, {minutes:g} minutes at or below {_limit(rule, lab)}; the policy "
                f"asks for {need} minutes.",
                f"The {name} of {iso(lab.date)} shows too short a time at or below "
                f"{_limit(rule, lab)}.",
                ev,
            )
        summary = f"{summary}, {minutes:g} minutes at or below {_limit(rule, lab)}"
    if rule.require_evaluated_by_treating_practitioner:
        flag = lab.evaluated_by_treating_practitioner
        if flag is None:
            return Result(
                Status.missing,
                f"{summary}: the record does not say the treating practitioner ordered and "
                "evaluated it.",
                f"Document that the treating practitioner ordered and evaluated the {name} of "
                f"{iso(lab.date)}.",
                ev,
            )
        if not flag:
            return Result(
                Status.not_met,
                f"{summary} was not evaluated by the treating practitioner.",
                "Have the treating practitioner order and evaluate a qualifying test.",
                ev,
            )
    if rule.at_time_of_need:
        age = (ctx.request_date - lab.date).days
        summary += f", performed at the time of need (the test is {age} days old)"
    return Result(Status.met, f"{summary}.", evidence=ev)


def _limit(rule: LabRule, lab: Lab) -> str:
    """The qualifying value a time-at-or-below is counted against ('88%', '55 mm Hg')."""
    unit = vocabulary().tests[lab.key].unit or ""
    for c in rule.conditions(lab.key):
        if c.op in {"<=", "<"}:
            return f"{c.value:g}{'' if unit in {'', '%'} else ' '}{unit}"
    return "the qualifying value"


def _positive_treated(rule: LabRule, ctx: Context, lab: Lab, ev: list[Evidence]) -> Result:
    assert rule.if_positive_treated_with is not None
    found, _ = ctx.matching(rule.if_positive_treated_with)
    after = [th for th in found if th.t.start is not None and th.t.start >= lab.date]
    summary = lab_summary(lab)
    if after:
        th = min(after, key=lambda th: th.t.start)  # type: ignore[arg-type, return-value]
        return Result(
            Status.met,
            f"{summary}, with latent-TB treatment documented: {th.describe()}.",
            evidence=[*ev, th.evidence()],
        )
    names = drug_names(rule.if_positive_treated_with, ctx.requested)
    return Result(
        Status.missing,
        f"{summary}, and no {names} started after it is on record.",
        f"Document the latent-TB treatment started after the positive test of {iso(lab.date)}.",
        ev,
    )


RULE = LabRule
