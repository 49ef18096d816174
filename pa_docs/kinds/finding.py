"""A named clinical finding, optionally within a look-back window."""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator

from ..vocab import vocabulary
from ._base import RuleBase, Window
from ._context import Context
from ._result import Evidence, Result, Status

EXAMPLE = """\
# criteria/prime-dupilumab-ad.yaml, criterion "severity" (one alternative of an any_of)
kind: finding
label: difficult-to-treat area
name: ad_difficult_to_treat_area
within: {days: 180}
"""


class FindingRule(RuleBase):
    """A finding of the record (``findings[].name``), the most recent in the window."""

    kind: Literal["finding"]
    name: str
    """A finding key of the vocabulary, e.g. ``psoriasis_sensitive_area``."""
    within: Window | None = None
    """Only a finding dated in this window counts; none: any date."""

    @field_validator("name")
    @classmethod
    def _known(cls, v: str) -> str:
        return vocabulary().require("findings", v)

    def evaluate(self, ctx: Context) -> Result:
        name = vocabulary().findings[self.name]
        found = [(i, f) for i, f in ctx.findings if f.name == self.name]
        start = self.within.start(ctx.request_date) if self.within else None
        usable = [(i, f) for i, f in found if start is None or f.date >= start]
        if usable:
            i, f = max(usable, key=lambda x: x[1].date)
            note = f" ({f.note})" if f.note else ""
            return Result(
                Status.met,
                f"{name} documented on {f.date.isoformat()}{note}.",
                evidence=[Evidence(f"findings[{i}]", f.date, name)],
            )
        if found:
            assert self.within is not None
            last = max(f.date for _, f in found)
            return Result(
                Status.missing,
                f"{name} was last documented on {last.isoformat()}, "
                f"older than {self.within.words()}.",
                f"Document {name.lower()} at a current visit.",
            )
        return Result(
            Status.missing,
            f"No finding of {name.lower()} on record.",
            f"Look in the chart for {name.lower()} and record it (findings: {self.name}).",
        )


RULE = FindingRule
