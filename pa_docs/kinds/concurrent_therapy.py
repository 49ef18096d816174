"""Concurrent therapy: a drug to be taken alongside (``required``) or not (``excluded``).

"Current" means started, not from samples, with no end date or one on or after the request date.
An exclusion matches any current use of a listed drug, whatever it is used for.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from ..case import Outcome
from ._base import Drugs, RuleBase, drug_matches
from ._context import Context
from ._result import Result, Status, msg

WORDS = {
    "concurrent.start_to_fill": "{trial}: whether it is current therapy depends on its start "
    "date, still to fill.",
    "concurrent.fill_start": "Fill in the start date of {drug} ({ref}).",
    "concurrent.excluded_current": "{trial} is current therapy; the policy excludes use with "
    "{drugs:list}.",
    "concurrent.document_stop": "Document that {drug} has stopped (its end date), or that it "
    "will stop before the requested drug starts.",
    "concurrent.past_only": " (past use only: {trials:semi})",
    "concurrent.none_current": "No current use of {drugs:list} is on record{past}.",
    "concurrent.days": " ({days} days on the request date)",
    "concurrent.ongoing": "{trial}: ongoing{days}.",
    "concurrent.all_contraindicated": "{drugs:list} are all contraindicated.",
    "concurrent.or_contra": ", or contraindications to all of them",
    "concurrent.others_unknown": "{trials:semi}; no record of {others:list} is on file.",
    "concurrent.record_others": "Record current {others:list} with its start date, or its "
    "contraindication.",
    "concurrent.too_short": "{trial}: {days} days on the request date, fewer than the {min_days} "
    "days required.",
    "concurrent.resubmit": "Resubmit once {drug} has been taken for {min_days} days (from "
    "{start}).",
    "concurrent.not_current": "No current {drugs:list}: {trials:semi}.",
    "concurrent.document_current": "Document current use of {drugs:list}{or_contra}.",
    "concurrent.none": "No record of {drugs:list} is on file.",
    "concurrent.record_current": "Record the current {drugs:list} treatment with its start "
    "date{or_contra}.",
}

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
        names = ctx.names(self.drugs)
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
                msg("concurrent.start_to_fill", trial=th.evidence()),
                msg("concurrent.fill_start", drug=th.name, ref=th.ref),
                [th.evidence() for th in unsure],
            )
        if self.mode == "excluded":
            if current:
                th = current[0]
                return Result(
                    Status.not_met,
                    msg("concurrent.excluded_current", trial=th.evidence(), drugs=names),
                    msg("concurrent.document_stop", drug=th.name),
                    [th.evidence() for th in current],
                )
            trials = [th.evidence() for th in found]
            past = msg("concurrent.past_only", trials=trials) if found else None
            return Result(
                Status.met, msg("concurrent.none_current", drugs=names, past=past), evidence=trials
            )
        long_enough = [
            th
            for th in current
            if self.min_days is None or (th.length_days(rd) or 0) >= self.min_days
        ]
        if long_enough:
            th = long_enough[0]
            days = msg("concurrent.days", days=th.length_days(rd)) if self.min_days else None
            return Result(
                Status.met,
                msg("concurrent.ongoing", trial=th.evidence(), days=days),
                evidence=[th.evidence() for th in long_enough],
            )
        contra = [th for th in found if th.t.outcome is Outcome.contraindication]
        if (
            self.or_all_contraindicated
            and contra
            and all(any(ctx.drug_match(th, m) is True for th in contra) for m in self.drugs)
        ):
            return Result(
                Status.met,
                msg("concurrent.all_contraindicated", drugs=names),
                evidence=[th.evidence() for th in contra],
            )
        or_contra = msg("concurrent.or_contra") if self.or_all_contraindicated else None
        if self.or_all_contraindicated and contra:
            # some are contraindicated and nothing at all is on record about the others: look for it
            rest = [m for m in self.drugs if not any(ctx.drug_match(th, m) is True for th in found)]
            if rest and not current:
                others = ctx.names(rest)
                trials = [th.evidence() for th in contra]
                return Result(
                    Status.missing,
                    msg("concurrent.others_unknown", trials=trials, others=others),
                    msg("concurrent.record_others", others=others),
                    trials,
                )
        if current:
            th = current[0]
            return Result(
                Status.not_met,
                msg(
                    "concurrent.too_short",
                    trial=th.evidence(),
                    days=th.length_days(rd),
                    min_days=self.min_days,
                ),
                msg("concurrent.resubmit", drug=th.name, min_days=self.min_days, start=th.t.start),
                [th.evidence()],
            )
        if found:
            trials = [th.evidence() for th in found]
            return Result(
                Status.not_met,
                msg("concurrent.not_current", drugs=names, trials=trials),
                msg("concurrent.document_current", drugs=names, or_contra=or_contra),
                trials,
            )
        return Result(
            Status.missing,
            msg("concurrent.none", drugs=names),
            msg("concurrent.record_current", drugs=names, or_contra=or_contra),
        )


RULE = ConcurrentTherapyRule
