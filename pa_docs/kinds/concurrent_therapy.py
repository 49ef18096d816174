"""Concurrent therapy: a drug to be taken alongside (``required``) or not (``excluded``).

"Current" means started, not from samples, with no end date or one on or after the request date.
An exclusion matches any current use of a listed drug, whatever it is used for.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from ..case import Outcome
from ._base import Drugs, RuleBase, drug_matches
from ._context import Context, drug_names, iso
from ._result import Result, Status

EXAMPLE = """\
# criteria/aetna-infliximab-ra.yaml, criterion "combination"
kind: concurrent_therapy
mode: required
drugs: [methotrexate, leflunomide]
or_all_contraindicated: true
"""


class ConcurrentTherapyRule(RuleBase):
    """Current use of listed drugs: required alongside the request, or excluded."""

    kind: Literal["concurrent_therapy"]
    mode: Literal["required", "excluded"]
    """``required``: one must be current; ``excluded``: none may be current."""
    drugs: Drugs
    """The drugs or classes concerned (``requested`` is the drug the case requests)."""
    min_days: int | None = Field(default=None, ge=1)
    """``required``: the current drug must have been taken at least this many days."""
    or_all_contraindicated: bool = False
    """``required``: also met when every listed drug is contraindicated."""

    _drugs = field_validator("drugs", mode="before")(classmethod(lambda cls, v: drug_matches(v)))

    def evaluate(self, ctx: Context) -> Result:
        rd = ctx.request_date
        names = drug_names(self.drugs, ctx.requested)
        found, _ = ctx.matching(self.drugs)
        current = [th for th in found if th.is_current(rd)]
        # a start date still to fill: the treatment may or may not be current
        unsure = [
            th for th in found if th.start_to_fill and not th.end_to_fill and th.t.end is None
        ]
        if unsure and not current:
            th = unsure[0]
            return Result(
                Status.missing,
                f"{th.describe()}: whether it is current therapy depends on its start date, "
                "still to fill.",
                f"Fill in the start date of {th.name} ({th.ref}).",
                [th.evidence() for th in unsure],
            )
        if self.mode == "excluded":
            if current:
                th = current[0]
                return Result(
                    Status.not_met,
                    f"{th.describe()} is current therapy; the policy excludes use with {names}.",
                    f"Document that {th.name} has stopped (its end date), or that it will stop "
                    "before the requested drug starts.",
                    [th.evidence() for th in current],
                )
            past = f" (past use only: {'; '.join(th.describe() for th in found)})" if found else ""
            return Result(
                Status.met,
                f"No current use of {names} is on record{past}.",
                evidence=[th.evidence() for th in found],
            )
        long_enough = [
            th
            for th in current
            if self.min_days is None or (th.length_days(rd) or 0) >= self.min_days
        ]
        if long_enough:
            th = long_enough[0]
            days = f" ({th.length_days(rd)} days on the request date)" if self.min_days else ""
            return Result(
                Status.met,
                f"{th.describe()}: ongoing{days}.",
                evidence=[th.evidence() for th in long_enough],
            )
        contra = [th for th in found if th.t.outcome is Outcome.contraindication]
        if (
            self.or_all_contraindicated
            and contra
            and all(any(ctx.drug_match(th, m) is None for th in contra) for m in self.drugs)
        ):
            return Result(
                Status.met,
                f"{names} are all contraindicated.",
                evidence=[th.evidence() for th in contra],
            )
        if self.or_all_contraindicated and contra:
            # some are contraindicated and nothing at all is on record about the others: look for it
            rest = [m for m in self.drugs if not any(ctx.drug_match(th, m) is None for th in found)]
            if rest and not current:
                others = drug_names(rest, ctx.requested)
                return Result(
                    Status.missing,
                    f"{'; '.join(th.describe() for th in contra)}; "
                    f"no record of {others} is on file.",
                    f"Record current {others} with its start date, or its contraindication.",
                    [th.evidence() for th in contra],
                )
        if current:
            th = current[0]
            return Result(
                Status.not_met,
                f"{th.describe()}: {th.length_days(rd)} days on the request date, fewer than the "
                f"{self.min_days} days required.",
                f"Resubmit once {th.name} has been taken for {self.min_days} days "
                f"(from {iso(th.t.start)}).",
                [th.evidence()],
            )
        if found:
            return Result(
                Status.not_met,
                f"No current {names}: {'; '.join(th.describe() for th in found)}.",
                f"Document current use of {names}"
                + (
                    ", or contraindications to all of them." if self.or_all_contraindicated else "."
                ),
                [th.evidence() for th in found],
            )
        return Result(
            Status.missing,
            f"No record of {names} is on file.",
            f"Record the current {names} treatment with its start date"
            + (", or contraindications to all of them." if self.or_all_contraindicated else "."),
        )


RULE = ConcurrentTherapyRule
