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
from ._context import Context, drug_names, iso, lab_summary
from ._result import Evidence, Result, Status

EXAMPLE = """\
# criteria/cigna-wegovy-weight.yaml, continuation criterion "weight-loss"
kind: percent_change
test: body_weight
baseline_before: [{class: glp1_ra}]
value: "<= -5"
within: {days: 90}
"""


def _change_words(pct: float) -> str:
    return f"{'a loss' if pct < 0 else 'a gain'} of {abs(pct):.1f}%"


def _need_words(op: str, value: float) -> str:
    if value < 0 and op in {"<=", "<"}:
        return f"a loss of {'at least' if op == '<=' else 'more than'} {abs(value):g}%"
    if value >= 0 and op in {">=", ">"}:
        return f"a gain of {'at least' if op == '>=' else 'more than'} {value:g}%"
    return f"a change {op} {value:g}%"


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
        test = vocabulary().tests[self.test]
        name = test.short
        anchors = [th for th in ctx.matching(self.baseline_before)[0] if th.t.start is not None]
        what = drug_names(self.baseline_before, ctx.requested)
        if not anchors:
            return Result(
                Status.missing,
                f"No start date of {what} is on record to take the baseline {name} from.",
                f"Record the {what} treatment with its start date.",
            )
        first = min(anchors, key=lambda th: th.t.start)  # type: ignore[arg-type, return-value]
        start = first.t.start
        assert start is not None
        results: list[tuple[int, Lab]] = sorted(
            ((i, lab) for i, lab in ctx.labs if lab.key == self.test and lab.value is not None),
            key=lambda x: x[1].date,
            reverse=True,
        )
        ev_anchor = [first.evidence()]
        before = [(i, lab) for i, lab in results if lab.date <= start]
        lo = self.within.start(ctx.request_date) if self.within else None
        after = [
            (i, lab) for i, lab in results if lab.date > start and (lo is None or lab.date >= lo)
        ]
        if not before:
            return Result(
                Status.missing,
                f"No baseline {name} on or before the start of {first.name} ({iso(start)}) is on "
                "record.",
                f"Find the {name} recorded before {first.name} was started ({iso(start)}).",
                ev_anchor,
            )
        bi, base = before[0]
        ev = [Evidence(f"labs[{bi}]", base.date, f"baseline {lab_summary(base)}"), *ev_anchor]
        if not after:
            window = f" within {self.within.words()} of the request" if self.within else ""
            return Result(
                Status.missing,
                f"Baseline {lab_summary(base)}; no {name} after {first.name} started{window} is "
                "on record.",
                f"Record a current {name}{window}.",
                ev,
            )
        ci, cur = after[0]
        ev.insert(0, Evidence(f"labs[{ci}]", cur.date, lab_summary(cur)))
        assert base.value is not None and cur.value is not None
        if base.value == 0:
            return Result(
                Status.missing,
                f"The baseline {lab_summary(base)} is zero: no percent change can be computed.",
                f"Check the baseline {name} of {iso(base.date)}.",
                ev,
            )
        pct = (cur.value - base.value) / base.value * 100
        unit = f" {test.unit}" if test.unit and test.unit != "%" else (test.unit or "")
        words = (
            f"{lab_summary(cur)} against a baseline of {base.value:g}{unit} on {iso(base.date)} "
            f"(before {first.name} started on {iso(start)}): {_change_words(pct)}"
        )
        if all(c.test(round(pct, 6)) for c in self.value):
            return Result(Status.met, f"{words}.", evidence=ev)
        need = " and ".join(_need_words(c.op, c.value) for c in self.value)
        return Result(
            Status.not_met,
            f"{words}; the policy asks for {need}.",
            f"The record shows {_change_words(pct)}; the policy asks for {need}.",
            ev,
        )


RULE = PercentChangeRule
