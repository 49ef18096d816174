"""Percent change of a measurement from its baseline (e.g. weight loss on a GLP-1 agonist).

The baseline is the most recent result on or before the first start of the anchoring drugs (the
payer's "baseline prior to any GLP-1"); the current value is the most recent result after that
start, within ``within`` of the request when the rule gives one. No anchor, baseline or current
value is ``missing``; a change that fails the threshold is ``not_met``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from ..case import Lab
from ..vocab import vocabulary
from ._base import Condition, Drugs, RuleBase, Window, drug_matches
from ._context import Context
from ._result import Evidence, Message, Result, Status, msg

WORDS = {
    "change.what": "the baseline {test:test}",
    "change.no_baseline": "No baseline {test:test} on or before the start of {drug} ({on}) is on "
    "record.",
    "change.find_baseline": "Find the {test:test} recorded before {drug} was started ({on}).",
    "change.within": " within {window} of the request",
    "change.no_current": "Baseline {base}; no {test:test} after {drug} started{window} is on "
    "record.",
    "change.record_current": "Record a current {test:test}{window}.",
    "change.zero_baseline": "The baseline {base} is zero: no percent change can be computed.",
    "change.check_baseline": "Check the baseline {test:test} of {on}.",
    "change.loss": "a loss of {pct}%",
    "change.gain": "a gain of {pct}%",
    "change.compared": "{current} against a baseline of {value}{unit} on {on} (before {drug} "
    "started on {start}): {change}",
    "change.met": "{compared}.",
    "change.not_met": "{compared}; the policy asks for {need:and}.",
    "change.shows": "The record shows {change}; the policy asks for {need:and}.",
    "change.need.loss": "a loss of {at} {pct}%",
    "change.need.gain": "a gain of {at} {pct}%",
    "change.need.other": "a change {op} {pct}%",
}

EXAMPLE = """\
# criteria/cigna-wegovy-weight.yaml, continuation criterion "weight-loss"
kind: percent_change
test: body_weight
baseline_before: [{class: glp1_ra}]
value: "<= -5"
within: {days: 90}
"""


def _change(pct: float) -> Message:
    return msg("change.loss" if pct < 0 else "change.gain", pct=f"{abs(pct):.1f}")


def _need(c: Condition) -> Message:
    if c.value < 0 and c.op in {"<=", "<"}:
        at = "at least" if c.op == "<=" else "more than"
        return msg("change.need.loss", at=at, pct=f"{abs(c.value):g}")
    if c.value >= 0 and c.op in {">=", ">"}:
        at = "at least" if c.op == ">=" else "more than"
        return msg("change.need.gain", at=at, pct=f"{c.value:g}")
    return msg("change.need.other", op=c.op, pct=f"{c.value:g}")


class PercentChangeRule(RuleBase):
    """A lab measurement's change from its baseline, in percent of the baseline."""

    kind: Literal["percent_change"]
    test: str
    """The test measured (a vocabulary key with a numeric value, e.g. ``body_weight``, ``ldl``)."""
    baseline_before: Drugs
    """The drugs whose first start marks the baseline (``[{class: glp1_ra}]``: before any GLP-1
    receptor agonist; ``[requested]``: before the requested drug)."""
    value: list[Condition] = Field(min_length=1)
    """The change in percent the policy asks for: ``<= -5`` is a loss of at least 5%."""
    within: Window | None = None
    """The current result must be dated in this window; none: any result after the start."""

    _drugs = field_validator("baseline_before", mode="before")(
        classmethod(lambda cls, v: drug_matches(v))
    )

    @field_validator("test")
    @classmethod
    def _known(cls, v: str) -> str:
        return vocabulary().require("tests", v)

    @field_validator("value", mode="before")
    @classmethod
    def _list(cls, v: Any) -> Any:
        return [v] if isinstance(v, str | int | float) else v

    def evaluate(self, ctx: Context) -> Result:
        unit_of = vocabulary().tests[self.test].unit
        anchors = [th for th in ctx.matching(self.baseline_before)[0] if th.t.start is not None]
        if not anchors:
            drugs = ctx.names(self.baseline_before)
            return Result(
                Status.missing,
                msg("no_start_date", drugs=drugs, what=msg("change.what", test=self.test)),
                msg("record_start_date", drugs=drugs),
            )
        first = min(anchors, key=lambda th: th.t.start)  # type: ignore[arg-type, return-value]
        start = first.t.start
        assert start is not None
        results: list[tuple[int, Lab]] = sorted(
            ((i, lab) for i, lab in ctx.labs if lab.key == self.test and lab.value is not None),
            key=lambda x: x[1].date,
            reverse=True,
        )
        anchor = [first.evidence()]
        before = [(i, lab) for i, lab in results if lab.date <= start]
        lo = self.within.start(ctx.request_date) if self.within else None
        after = [
            (i, lab) for i, lab in results if lab.date > start and (lo is None or lab.date >= lo)
        ]
        if not before:
            return Result(
                Status.missing,
                msg("change.no_baseline", test=self.test, drug=first.name, on=start),
                msg("change.find_baseline", test=self.test, drug=first.name, on=start),
                anchor,
            )
        bi, base = before[0]
        base_ev = Evidence("labs", bi, base.date, base, role="baseline")
        evidence = [base_ev, *anchor]
        window = msg("change.within", window=self.within) if self.within else None
        if not after:
            return Result(
                Status.missing,
                msg(
                    "change.no_current",
                    base=base_ev,
                    test=self.test,
                    drug=first.name,
                    window=window,
                ),
                msg("change.record_current", test=self.test, window=window),
                evidence,
            )
        ci, cur = after[0]
        cur_ev = Evidence("labs", ci, cur.date, cur)
        evidence.insert(0, cur_ev)
        assert base.value is not None and cur.value is not None
        if base.value == 0:
            return Result(
                Status.missing,
                msg("change.zero_baseline", base=base_ev),
                msg("change.check_baseline", test=self.test, on=base.date),
                evidence,
            )
        pct = (cur.value - base.value) / base.value * 100
        unit = f" {unit_of}" if unit_of and unit_of != "%" else (unit_of or "")
        compared = msg(
            "change.compared",
            current=cur_ev,
            value=base.value,
            unit=unit,
            on=base.date,
            drug=first.name,
            start=start,
            change=_change(pct),
        )
        if all(c.test(round(pct, 6)) for c in self.value):
            return Result(Status.met, msg("change.met", compared=compared), evidence=evidence)
        need = [_need(c) for c in self.value]
        return Result(
            Status.not_met,
            msg("change.not_met", compared=compared, need=need),
            msg("change.shows", change=_change(pct), need=need),
            evidence,
        )


RULE = PercentChangeRule
