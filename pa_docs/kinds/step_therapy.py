"""Step therapy: prior trials of qualifying drugs and how they ended.

Among the records of qualifying drugs (right drug or class, potency, route; never samples), a
trial counts when its outcome is inadequate response and it lasted the minimum length, or when
the outcome is intolerance or contraindication (any length). Met when enough distinct drugs
count; not_met when such records exist and one fails on its own (a trial too short, an outcome
that is not a failure); missing when there is none, when a record lacks its outcome, or when the
records on file count only together with records not yet on file (a contraindication to one
agent where all must be contraindicated, one trial where two are asked): the action then names
what would complete them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from ..case import Outcome
from ._base import DrugMatch, Drugs, RuleBase, drug_matches
from ._context import Context, Therapy
from ._result import Message, Result, Status, msg

WORDS = {
    "step.all_contraindicated": "Contraindications to all of {drugs:list_and} are documented.",
    "step.need_all_contra": "contraindications to all of {drugs:list_and}",
    "step.need_count": "{count} different qualifying drugs",
    "step.partial": "{trials:semi}: this counts only together with records not yet on file (the "
    "policy asks for {need}).",
    "step.complete_contra_one": "Document a contraindication to {drugs:list_and}, or a failed "
    "trial of it.",
    "step.complete_contra": "Document contraindications to {drugs:list_and}, or a failed trial of "
    "one of them.",
    "step.of": " of {drugs:list}",
    "step.complete_trial": "Document {more} more qualifying trial{of}{length} with its outcome "
    "({count} different drugs are required).",
    "step.complete_trials": "Document {more} more qualifying trials{of}{length} with their "
    "outcomes ({count} different drugs are required).",
    "step.complete_trial_match": "Document {more} more qualifying trial{of}{length} with its "
    "outcome ({count} different therapies of the list are required).",
    "step.complete_trials_match": "Document {more} more qualifying trials{of}{length} with their "
    "outcomes ({count} different therapies of the list are required).",
    "step.met": "{trials:semi}.",
    "step.sample": "{drug} from samples ({ref}) does not count",
    "step.aside": " ({notes:semi})",
    "step.none": "No trial of {drugs:list} is on record{aside}.",
    "step.find": "Find or document a trial of {drugs:list} (drug, dates, dose and outcome)"
    "{or_contra}.",
    "step.does_not_count": "{trial}: {why}",
    "step.too_few": "{counted} of the {count} drugs required count",
    "step.too_few_match": "{counted} of the {count} therapies of the list required count",
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
    "step.why.contra_all": "a contraindication counts only with contraindications to all",
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
    """The outcomes that count; ``any``: every trial with a start date counts (``min_days``, when
    given, still applies)."""
    contraindication: Literal["any", "all"] = "any"
    """``all``: a contraindication counts only together with contraindications to every drug
    listed (one alone leaves the criterion ``missing``, its action naming the others)."""
    contraindication_drugs: list[DrugMatch] | None = None
    """The drugs whose contraindication counts (with ``any``: only these; with ``all``: all of
    these); ``drugs`` when omitted."""
    distinct: Literal["drug", "match"] = "drug"
    """What ``count`` counts: distinct drugs, or distinct entries of ``drugs`` (``match``: two
    beta-blockers are one "beta-blocker" when the payer lists the class as one therapy)."""

    _drugs = field_validator("drugs", "contraindication_drugs", mode="before")(
        classmethod(lambda cls, v: drug_matches(v))
    )

    def evaluate(self, ctx: Context) -> Result:
        names = ctx.names(self.drugs)
        found, near = ctx.matching(self.drugs)
        counted = [th for th in found if self._counts(ctx, th) is None]
        if self.contraindication == "all" and "contraindication" in self.outcomes:
            contra = [th for th in found if th.t.outcome is Outcome.contraindication]
            every = self._contra_list()
            if contra and all(any(ctx.drug_match(th, m) is True for th in contra) for m in every):
                return Result(
                    Status.met,
                    msg("step.all_contraindicated", drugs=ctx.names(every)),
                    evidence=[th.evidence() for th in contra],
                )
        distinct = self._distinct(ctx, counted)
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
        partial = [th for th in found if self._partial(ctx, th, counted)]
        failing = [th for th in found if th not in counted and th not in partial]
        evidence = [th.evidence() for th in found]
        if not failing:
            # every record on file counts only together with records not yet on file
            need = (
                msg("step.need_all_contra", drugs=ctx.names(self._contra_list()))
                if self.contraindication == "all" and not counted
                else msg("step.need_count", count=self.count)
            )
            return Result(
                Status.missing,
                msg("step.partial", trials=[th.evidence() for th in partial], need=need),
                self._complete(ctx, partial),
                evidence,
            )
        why: list[Message] = [
            msg("step.does_not_count", trial=th.evidence(), why=self._counts(ctx, th))
            for th in failing
        ]
        if self.count > 1 and counted:
            too_few = "step.too_few" if self.distinct == "drug" else "step.too_few_match"
            why.insert(0, msg(too_few, counted=len(distinct), count=self.count))
        no_outcome = [th for th in failing if th.t.outcome is None and "any" not in self.outcomes]
        undated = [th for th in failing if th.start_to_fill or th.end_to_fill]
        reason = msg("step.no_qualifying", why=why + aside)
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
            if t.start is None:
                return msg("step.why.no_start")
            length = th.length_days(ctx.request_date) or 0
            if self.min_days and length < self.min_days:
                return msg("step.why.too_short", days=length, min_days=self.min_days)
            return None
        if t.outcome is None:
            return msg("step.why.no_outcome")
        if t.outcome.value not in self.outcomes:
            return msg("step.why.outcome", outcome=t.outcome.value.replace("_", " "))
        if t.outcome is Outcome.contraindication:
            if self.contraindication == "all":
                return msg("step.why.contra_all")
            if self.contraindication_drugs is not None and not self._contra_drug(ctx, th):
                return msg("step.why.contra_only", drugs=ctx.names(self.contraindication_drugs))
            return None
        if t.outcome is Outcome.inadequate_response and self.min_days:
            days = th.length_days(ctx.request_date)
            if days is None:
                return msg("step.why.dates_to_fill")
            if days < self.min_days:
                return msg("step.why.too_short", days=days, min_days=self.min_days)
        return None

    def _contra_list(self) -> list[DrugMatch]:
        return (
            self.contraindication_drugs if self.contraindication_drugs is not None else self.drugs
        )

    def _distinct(self, ctx: Context, trials: list[Therapy]) -> set[object]:
        """What ``count`` counts among ``trials``: their drugs, or the entries of ``drugs`` they
        match (``distinct: match``)."""
        if self.distinct == "drug":
            return {th.drug.key for th in trials}
        return {
            next(j for j, m in enumerate(self.drugs) if ctx.drug_match(th, m) is True)
            for th in trials
        }

    def _contra_drug(self, ctx: Context, th: Therapy) -> bool:
        return ctx.qualifies(th, self._contra_list())

    def _partial(self, ctx: Context, th: Therapy, counted: list[Therapy]) -> bool:
        """A record that counts only together with records not yet on file: a contraindication
        where all agents must be contraindicated, or a counting trial where more are asked."""
        if th in counted:
            return self.count > 1
        return (
            self.contraindication == "all"
            and th.t.outcome is Outcome.contraindication
            and "contraindication" in self.outcomes
            and self._contra_drug(ctx, th)
        )

    def _complete(self, ctx: Context, partial: list[Therapy]) -> Message:
        """What would complete records that count only together with others."""
        contra = [th for th in partial if th.t.outcome is Outcome.contraindication]
        if self.contraindication == "all" and contra:
            rest = [
                m
                for m in self._contra_list()
                if not any(ctx.drug_match(th, m) is True for th in contra)
            ]
            code = "step.complete_contra_one" if len(rest) == 1 else "step.complete_contra"
            return msg(code, drugs=ctx.names(rest))
        have = self._distinct(ctx, partial)
        others = [m for m in self.drugs if not any(ctx.drug_match(th, m) is True for th in partial)]
        more = self.count - len(have)
        code = "step.complete_trials" if more > 1 else "step.complete_trial"
        return msg(
            code if self.distinct == "drug" else f"{code}_match",
            more=more,
            of=msg("step.of", drugs=ctx.names(others)) if others else None,
            length=msg("step.length", days=self.min_days) if self.min_days else None,
            count=self.count,
        )

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
