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
from ._base import Condition, DrugMatch, RuleBase, Threshold, Window, drug_matches
from ._context import Context
from ._result import Evidence, Message, Result, Status, msg, unique

WORDS = {
    "lab.context.rest": " at rest",
    "lab.context.exercise": " during exercise",
    "lab.context.sleep": " during sleep",
    "lab.within": " within {window} of the request",
    "lab.seen": " ({notes:semi})",
    "lab.no_result": "No usable {tests:tests} result{context}{window} is on record{seen}.",
    "lab.disqualified": "{lab} was performed by a {by}, which the policy disqualifies{because}",
    "lab.because": ": {why}",
    "lab.not_time_of_need": "{lab} is {days} days old, older than the practice's {limit}-day "
    "convention for the time of need",
    "lab.at_time_of_need": " performed at the time of need",
    "lab.confirm_time_of_need": "Confirm the test reflects the time of need, or repeat it "
    "({note}).",
    "lab.dated_at_time_of_need": " (performed at the time of need)",
    "lab.no_minutes": "{lab}: the time at or below the qualifying value is not recorded; the "
    "policy asks for {need:and} minutes.",
    "lab.record_minutes": "Document the time at or below {limit} during the {test:test} of {on} "
    "(minutes_at_or_below), from its report.",
    "lab.too_few_minutes": "{lab}, {minutes:g} minutes at or below {limit}; the policy asks for "
    "{need:and} minutes.",
    "lab.too_short_below": "The {test:test} of {on} shows too short a time at or below {limit}.",
    "lab.minutes": ", {minutes:g} minutes at or below {limit}",
    "lab.time_of_need": ", performed at the time of need (the test is {days} days old)",
    "lab.too_old": "{lab} is older than {window}",
    "lab.after_baseline": "{lab} is after {drugs:list} started ({on})",
    "lab.indeterminate": "{lab} is no usable result",
    "lab.repeat": "Repeat the {test:test}: the result of {on} was indeterminate.",
    "lab.order": "{verb} {test}{context}{by} and record the result{when}{seen}.",
    "lab.order.verb": "Order",
    "lab.order.find_verb": "Find or order",
    "lab.a_tb_test": "a TB test",
    "lab.a_test": "a {tests:tests} test",
    "lab.by_treating": " ordered and evaluated by the treating practitioner",
    "lab.dated_within": " (dated within {window} of the request)",
    "lab.seen_note": "; {note}",
    "lab.no_qualitative": "{lab}: the result (positive or negative) is not recorded.",
    "lab.record_qualitative": "Record whether the {test:test} of {on} was positive or negative.",
    "lab.wrong_result": "{lab}; the policy asks for a {want} result.",
    "lab.contradicts": "The record contradicts this criterion: {test:test} is {result}.",
    "lab.no_value": "{lab}: no value is recorded.",
    "lab.record_value": "Record the value of the {test:test} of {on}.",
    "lab.below_threshold": "{lab}; the policy asks for {test:test} {need:and}.",
    "lab.threshold_not_met": "The most recent {test:test} ({on}) does not meet the threshold.",
    "lab.no_events": "{lab}: the total number of events is not recorded.",
    "lab.record_events": "Record the total event count of the {test:test} of {on} from its report.",
    "lab.too_few_events": "{lab}; the policy asks for {need:and} events.",
    "lab.records_too_few_events": "The {test:test} of {on} records too few events.",
    "lab.evaluator_unknown": "{lab}: the record does not say the treating practitioner ordered "
    "and evaluated it.",
    "lab.document_evaluator": "Document that the treating practitioner ordered and evaluated the "
    "{test:test} of {on}.",
    "lab.not_evaluated_by_treating": "{lab} was not evaluated by the treating practitioner.",
    "lab.have_treating_evaluate": "Have the treating practitioner order and evaluate a qualifying "
    "test.",
    "lab.met": "{lab}{extra:join}.",
    "lab.positive_treated": "{lab}, with latent-TB treatment documented: {treatment}.",
    "lab.positive_untreated": "{lab}, and no {drugs:list} started after it is on record.",
    "lab.document_tb_treatment": "Document the latent-TB treatment started after the positive "
    "test of {on}.",
}

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

        def fits(lab: Lab) -> bool:
            return lab.key in rank and (self.context is None or lab.context == self.context)

        of_kind = sorted(
            ((i, lab) for i, lab in ctx.labs if fits(lab)), key=lambda x: x[1].date, reverse=True
        )
        notes: list[Message] = [
            msg(
                "lab.disqualified", lab=_ev(i, lab), by=lab.performed_by, because=_because(ctx, lab)
            )
            for i, lab in ctx.disqualified
            if fits(lab)
        ]
        if self.baseline_before:
            started = [th.t.start for th in ctx.matching(self.baseline_before)[0] if th.t.start]
            if started:
                first = min(started)
                drugs = ctx.names(self.baseline_before)
                notes.extend(
                    msg("lab.after_baseline", lab=_ev(i, lab), drugs=drugs, on=first)
                    for i, lab in of_kind
                    if lab.date > first
                )
                of_kind = [(i, lab) for i, lab in of_kind if lab.date <= first]
        indeterminate: Evidence | None = None
        in_window = []
        for i, lab in of_kind:
            if start is not None and lab.date < start:
                if self.at_time_of_need:
                    days = (rd - lab.date).days
                    limit = ctx.time_of_need_days
                    notes.append(
                        msg("lab.not_time_of_need", lab=_ev(i, lab), days=days, limit=limit)
                    )
                else:
                    notes.append(msg("lab.too_old", lab=_ev(i, lab), window=self.within))
            elif lab.result == "indeterminate":
                notes.append(msg("lab.indeterminate", lab=_ev(i, lab)))
                indeterminate = indeterminate or _ev(i, lab)
            else:
                in_window.append((i, lab))
        context = msg(f"lab.context.{self.context}") if self.context else None
        if not in_window:
            notes = unique(notes)
            window = msg("lab.within", window=self.within) if self.within else None
            if self.at_time_of_need:
                window = msg("lab.at_time_of_need")
            seen = msg("lab.seen", notes=notes[:2]) if notes else None
            reason = msg(
                "lab.no_result", tests=self.tests, context=context, window=window, seen=seen
            )
            return Result(Status.missing, reason, self._order(context, notes, indeterminate))
        i, lab = max(in_window, key=lambda x: (x[1].date, -rank[x[1].key]))
        return self._judge(ctx, _ev(i, lab))

    def _order(
        self, context: Message | None, notes: list[Message], indeterminate: Evidence | None
    ) -> Message:
        """What to do when no usable result is on record."""
        bad = indeterminate.item if indeterminate else None
        if isinstance(bad, Lab) and notes[0].code == "lab.indeterminate":
            return msg("lab.repeat", test=bad.key, on=bad.date)
        if self.at_time_of_need and notes and notes[0].code == "lab.not_time_of_need":
            return msg("lab.confirm_time_of_need", note=notes[0])
        return msg(
            "lab.order",
            verb=msg("lab.order.verb" if self.within or notes else "lab.order.find_verb"),
            test=msg("lab.a_tb_test")
            if "tb_igra" in self.tests
            else msg("lab.a_test", tests=self.tests),
            context=context,
            by=msg("lab.by_treating") if self.require_evaluated_by_treating_practitioner else None,
            when=(
                msg("lab.dated_at_time_of_need")
                if self.at_time_of_need
                else (msg("lab.dated_within", window=self.within) if self.within else None)
            ),
            seen=msg("lab.seen_note", note=notes[0]) if notes else None,
        )

    def _judge(self, ctx: Context, ev: Evidence) -> Result:
        lab = ev.item
        assert isinstance(lab, Lab)
        said = {"lab": ev, "test": lab.key, "on": lab.date}
        if self.result in {"positive", "negative"}:
            if lab.result is None:
                return Result(
                    Status.missing,
                    msg("lab.no_qualitative", **said),
                    msg("lab.record_qualitative", **said),
                    [ev],
                )
            if lab.result != self.result:
                if self.result == "negative" and self.if_positive_treated_with:
                    return self._positive_treated(ctx, ev)
                return Result(
                    Status.not_met,
                    msg("lab.wrong_result", want=self.result, **said),
                    msg("lab.contradicts", result=lab.result, **said),
                    [ev],
                )
        conds = self.conditions(lab.key)
        if conds:
            if lab.value is None:
                return Result(
                    Status.missing,
                    msg("lab.no_value", **said),
                    msg("lab.record_value", **said),
                    [ev],
                )
            if not all(c.test(lab.value) for c in conds):
                return Result(
                    Status.not_met,
                    msg("lab.below_threshold", need=self._thresholds(lab.key), **said),
                    msg("lab.threshold_not_met", **said),
                    [ev],
                )
        if self.events:
            if lab.events is None:
                return Result(
                    Status.missing,
                    msg("lab.no_events", **said),
                    msg("lab.record_events", **said),
                    [ev],
                )
            if not all(c.test(lab.events) for c in self.events):
                return Result(
                    Status.not_met,
                    msg("lab.too_few_events", need=self.events, **said),
                    msg("lab.records_too_few_events", **said),
                    [ev],
                )
        extra: list[Message] = []
        if self.minutes_at_or_below:
            minutes = lab.minutes_at_or_below
            said_min = {**said, "need": self.minutes_at_or_below, "limit": self._limit(lab)}
            if minutes is None:
                return Result(
                    Status.missing,
                    msg("lab.no_minutes", **said_min),
                    msg("lab.record_minutes", **said_min),
                    [ev],
                )
            if not all(c.test(minutes) for c in self.minutes_at_or_below):
                return Result(
                    Status.not_met,
                    msg("lab.too_few_minutes", minutes=minutes, **said_min),
                    msg("lab.too_short_below", **said_min),
                    [ev],
                )
            extra.append(msg("lab.minutes", minutes=minutes, limit=self._limit(lab)))
        if self.require_evaluated_by_treating_practitioner:
            flag = lab.evaluated_by_treating_practitioner
            if flag is None:
                return Result(
                    Status.missing,
                    msg("lab.evaluator_unknown", **said),
                    msg("lab.document_evaluator", **said),
                    [ev],
                )
            if not flag:
                return Result(
                    Status.not_met,
                    msg("lab.not_evaluated_by_treating", **said),
                    msg("lab.have_treating_evaluate"),
                    [ev],
                )
        if self.at_time_of_need:
            extra.append(msg("lab.time_of_need", days=(ctx.request_date - lab.date).days))
        return Result(Status.met, msg("lab.met", extra=extra, **said), evidence=[ev])

    def _thresholds(self, test: str) -> list[Threshold]:
        """The conditions on a test's value, in the test's unit ('at least 56 mm Hg')."""
        unit = vocabulary().tests[test].unit
        return [c.in_unit(unit) for c in self.conditions(test)]

    def _limit(self, lab: Lab) -> str:
        """The qualifying value a time-at-or-below is counted against ('88%', '55 mm Hg')."""
        unit = vocabulary().tests[lab.key].unit
        for c in self.conditions(lab.key):
            if c.op in {"<=", "<"}:
                return Condition(op="==", value=c.value).in_unit(unit).words()
        return "the qualifying value"

    def _positive_treated(self, ctx: Context, ev: Evidence) -> Result:
        assert self.if_positive_treated_with is not None
        found, _ = ctx.matching(self.if_positive_treated_with)
        assert isinstance(ev.item, Lab)
        tested = ev.item.date
        after = [th for th in found if th.t.start is not None and th.t.start >= tested]
        if after:
            th = min(after, key=lambda th: th.t.start)  # type: ignore[arg-type, return-value]
            return Result(
                Status.met,
                msg("lab.positive_treated", lab=ev, treatment=th.evidence()),
                evidence=[ev, th.evidence()],
            )
        return Result(
            Status.missing,
            msg("lab.positive_untreated", lab=ev, drugs=ctx.names(self.if_positive_treated_with)),
            msg("lab.document_tb_treatment", on=ev.date),
            [ev],
        )


def _because(ctx: Context, lab: Lab) -> Message | None:
    because = ctx.disqualify(lab)
    return msg("lab.because", why=because) if because else None


def _ev(i: int, lab: Lab) -> Evidence:
    return Evidence("labs", i, lab.date, lab)


RULE = LabRule
