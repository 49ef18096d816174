"""A named clinical finding, optionally within a look-back window."""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator

from ..vocab import vocabulary
from ._base import RuleBase, Window
from ._context import Context
from ._result import Evidence, Result, Status, msg

WORDS = {
    "finding.met": "{finding} documented on {on}{finding:note_paren}.",
    "finding.too_old": "{name:finding} was last documented on {last}, older than {window}.",
    "finding.document_current": "Document {name:finding_lower} at a current visit.",
    "finding.none": "No finding of {name:finding_lower} on record.",
    "finding.look_for": "Look in the chart for {name:finding_lower} and record it "
    "(findings: {name}).",
}

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
        found = [(i, f) for i, f in ctx.findings if f.name == self.name]
        start = self.within.start(ctx.request_date) if self.within else None
        usable = [(i, f) for i, f in found if start is None or f.date >= start]
        if usable:
            i, f = max(usable, key=lambda x: x[1].date)
            ev = Evidence("findings", i, f.date, f)
            return Result(Status.met, msg("finding.met", finding=ev, on=f.date), evidence=[ev])
        if found:
            last = max(f.date for _, f in found)
            return Result(
                Status.missing,
                msg("finding.too_old", name=self.name, last=last, window=self.within),
                msg("finding.document_current", name=self.name),
            )
        return Result(
            Status.missing,
            msg("finding.none", name=self.name),
            msg("finding.look_for", name=self.name),
        )


RULE = FindingRule
