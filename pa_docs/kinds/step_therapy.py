"""Step therapy: prior trials of qualifying drugs and how they ended.

Among the records of qualifying drugs (right drug or class, potency, route; never samples), a
trial counts when its outcome is inadequate response and it lasted the minimum length, or when
the outcome is intolerance or contraindication (any length). Met when enough distinct drugs
count; not_met when such records exist and none counts; missing when there is none, or when a
record lacks its outcome (the specialist must find it).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from ..case import Outcome
from ._base import DrugMatch, Drugs, RuleBase, drug_matches
from ._context import Context, Therapy
from ._result import Message, Result, Status, msg

WORDS = {
    "step.all_contraindicated": "Contraindications to all of {drugs:list} are documented.",
    "step.met": "{trials:semi}.",
    "step.sample": "{drug} from samples ({ref}) does not count",
    "step.aside": " ({notes:semi})",
    "step.none": "No trial of {drugs:list} is on record{aside}.",
    "step.find": "Find or document a trial of {drugs:list} (drug, dates, dose and outcome)"
    "{or_contra}.",
    "step.does_not_count": "{trial}: {why}",
    "step.too_few": "{counted} of the {count} drugs required count",
    "step.no_qualifying": "No qualifying trial counts: {why:semi}.",
    "step.record_outcome": "Record the outcome of the {drug} trial started {start} (inadequate "
    "response, intolerance or response) with its end date.",
    "step.length": " of at least {days} days",
    "step.document": "The record shows no qualifying trial of {drugs:list}: document a "
    "trial{length} with its outcome{or_contra}.",
    "step.why.no_start": "no start date",
    "step.why.start_to_fill": "its start date is still to fill",
    "step.why.dates_to_fill": "its start or end date is still to fill",
    "step.fill_dates": "Fill in the {which:and} date of {drug} ({ref}), still FILL-IN in the case.",
    "step.why.no_outcome": "no outcome recorded",
    "step.why.outcome": "outcome {outcome}",
    "step.why.contra_all": "a contraindication counts only to all of the listed agents",
    "step.why.contra_only": "only a contraindication to {drugs:list} counts",
    "step.why.too_short": "{days} days, shorter than the {min_days} days required",
    "step.or_contra_all": ", or contraindications to all of them",
    "step.or_contra_to": ", or a contraindication to {drugs:list}",
    "step.or_contra": ", or a contraindication",
}

EXAMPLE = """\
# criteria/aetna-infliximab-ra.yaml, criterion "step-methotrexate"
kind: step_therapy
drugs: [methotrexate]
min_days: 90
"""

StepOutcome = Literal["inadequate_response", "intolerance", "contraindication", "any"]


class StepTherapyRule(RuleBase):
    """Trials of listed drugs or classes that ended as the policy asks."""

    kind: Literal["step_therapy"]
    drugs: Drugs
    """The drugs or classes that qualify: names, ``{class: ...}``, with ``routes`` or
    ``max_potency_class`` to narrow them."""
    count: int = Field(default=1, ge=1)
    """How many distinct drugs must count."""
    min_days: int | None = Field(default=None, ge=1)
    """The shortest trial that counts for an inadequate response (``end - start``, or up to the
    request date while ongoing); intolerance and contraindication count at any length."""
    outcomes: list[StepOutcome] = ["inadequate_response", "intolerance", "contraindication"]
    """The outcomes that count; ``any``: every trial with a start date counts."""
    contraindication: Literal["any", "all"] = "any"
    """``all``: a contraindication counts only when every listed drug is contraindicated."""
    contraindication_drugs: list[DrugMatch] | None = None
    """Only a contraindication to one of these counts (the policy names them)."""

    _drugs = field_validator("drugs", "contraindication_drugs", mode="before")(
        classmethod(lambda cls, v: drug_matches(v))
    )

    def evaluate(self, ctx: Context) -> Result:
        names = ctx.names(self.drugs)
        found, near = ctx.matching(self.drugs)
        counted = [th for th in found if self._counts(ctx, th) is None]
        if self.contraindication == "all":
            contra = [th for th in found if th.t.outcome is Outcome.contraindication]
            if contra and all(
                any(ctx.drug_match(th, m) is True for th in contra) for m in self.drugs
            ):
                return Result(
                    Status.met,
                    msg("step.all_contraindicated", drugs=names),
                    evidence=[th.evidence() for th in contra],
                )
        distinct = {th.drug.key for th in counted}
        if len(distinct) >= self.count:
            first = counted[: max(self.count, 1)]
            return Result(
                Status.met,
                msg("step.met", trials=[th.evidence() for th in first]),
                evidence=[th.evidence() for th in counted],
            )
        samples = ctx.samples_of(self.drugs)
        aside = [msg("step.sample", drug=th.name, ref=th.ref) for th in samples] + near[:2]
        aside += [th.unknown_note() for th in ctx.unknown[:3]]
        if not found:
            return Result(
                Status.missing,
                msg(
                    "step.none",
                    drugs=names,
                    aside=msg("step.aside", notes=aside) if aside else None,
                ),
                msg("step.find", drugs=names, or_contra=self._or_contra(ctx)),
                [th.evidence() for th in ctx.unknown[:3]],
            )
        why: list[Message] = [
            msg("step.does_not_count", trial=th.evidence(), why=self._counts(ctx, th))
            for th in found
            if th not in counted
        ]
        if self.count > 1 and counted:
            why.insert(0, msg("step.too_few", counted=len(distinct), count=self.count))
        no_outcome = [th for th in found if th.t.outcome is None and "any" not in self.outcomes]
        undated = [th for th in found if th not in counted and (th.start_to_fill or th.end_to_fill)]
        reason = msg("step.no_qualifying", why=why + aside)
        evidence = [th.evidence() for th in found]
        if undated:
            th = undated[0]
            which = [
                w for w, blank in (("start", th.start_to_fill), ("end", th.end_to_fill)) if blank
            ]
            return Result(
                Status.missing,
                reason,
                msg("step.fill_dates", which=which, drug=th.name, ref=th.ref),
                evidence,
            )
        if no_outcome:
            th = no_outcome[0]
            return Result(
                Status.missing,
                reason,
                msg("step.record_outcome", drug=th.name, start=th.t.start),
                evidence,
            )
        length = msg("step.length", days=self.min_days) if self.min_days else None
        return Result(
            Status.not_met,
            reason,
            msg("step.document", drugs=names, length=length, or_contra=self._or_contra(ctx)),
            evidence,
        )

    def _counts(self, ctx: Context, th: Therapy) -> Message | None:
        """None when one record counts toward the rule; else a few words on why not."""
        t = th.t
        if "any" in self.outcomes:
            if th.start_to_fill:
                return msg("step.why.start_to_fill")
            return None if t.start is not None else msg("step.why.no_start")
        if t.outcome is None:
            return msg("step.why.no_outcome")
        if t.outcome.value not in self.outcomes:
            return msg("step.why.outcome", outcome=t.outcome.value.replace("_", " "))
        if t.outcome is Outcome.contraindication:
            if self.contraindication == "all":
                return msg("step.why.contra_all")
            if self.contraindication_drugs is not None and not ctx.qualifies(
                th, self.contraindication_drugs
            ):
                return msg("step.why.contra_only", drugs=ctx.names(self.contraindication_drugs))
            return None
        if t.outcome is Outcome.inadequate_response and self.min_days:
            days = th.length_days(ctx.request_date)
            if days is None:
                return msg("step.why.dates_to_fill")
            if days < self.min_days:
                return msg("step.why.too_short", days=days, min_days=self.min_days)
        return None

    def _or_contra(self, ctx: Context) -> Message | None:
        """How the action names the contraindication route, as the policy allows it."""
        if "any" in self.outcomes:
            return None
        if self.contraindication == "all":
            return msg("step.or_contra_all")
        if self.contraindication_drugs is not None:
            return msg("step.or_contra_to", drugs=ctx.names(self.contraindication_drugs))
        return msg("step.or_contra")


RULE = StepTherapyRule
