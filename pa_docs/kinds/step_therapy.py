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
from ._context import Context, Therapy, drug_names, iso
from ._result import Result, Status

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
        names = drug_names(self.drugs, ctx.requested)
        found, near = ctx.matching(self.drugs)
        counted = [th for th in found if _counts(self, ctx, th)[0]]
        if self.contraindication == "all" and "contraindication" in self.outcomes:
            contra = [th for th in found if th.t.outcome is Outcome.contraindication]
            every = _contra_list(self)
            if contra and all(any(ctx.drug_match(th, m) is None for th in contra) for m in every):
                return Result(
                    Status.met,
                    f"Contraindications to all of {drug_names(every, ctx.requested, 'and')} are "
                    "documented.",
                    evidence=[th.evidence() for th in contra],
                )
        distinct: set[object] = (
            {th.drug.key for th in counted}
            if self.distinct == "drug"
            else {
                next(j for j, m in enumerate(self.drugs) if ctx.drug_match(th, m) is None)
                for th in counted
            }
        )
        if len(distinct) >= self.count:
            first = counted[: max(self.count, 1)]
            return Result(
                Status.met,
                "; ".join(f"{th.describe()}" for th in first) + ".",
                evidence=[th.evidence() for th in counted],
            )
        samples = ctx.samples_of(self.drugs)
        aside = [f"{th.name} from samples ({th.ref}) does not count" for th in samples] + near[:2]
        aside += [th.unknown_note() for th in ctx.unknown[:3]]
        if not found:
            extra = f" ({'; '.join(aside)})" if aside else ""
            return Result(
                Status.missing,
                f"No trial of {names} is on record{extra}.",
                f"Find or document a trial of {names} (drug, dates, dose and outcome)"
                + _or_contra(self)
                + ".",
                [th.evidence() for th in ctx.unknown[:3]],
            )
        partial = [th for th in found if _partial(self, ctx, th, counted)]
        failing = [th for th in found if th not in counted and th not in partial]
        evidence = [th.evidence() for th in found]
        if not failing:
            # every record on file counts only together with records not yet on file
            all_names = drug_names(_contra_list(self), ctx.requested, "and")
            need = (
                f"contraindications to all of {all_names}"
                if self.contraindication == "all" and not counted
                else f"{self.count} different qualifying drugs"
            )
            return Result(
                Status.missing,
                f"{'; '.join(th.describe() for th in partial)}: this counts only together with "
                f"records not yet on file (the policy asks for {need}).",
                _complete(self, ctx, partial),
                evidence,
            )
        why = [f"{th.describe()}: {_counts(self, ctx, th)[1]}" for th in failing]
        if self.count > 1 and counted:
            what = "drugs" if self.distinct == "drug" else "therapies"
            why.insert(0, f"{len(distinct)} of the {self.count} {what} required count")
        no_outcome = [th for th in failing if th.t.outcome is None and "any" not in self.outcomes]
        undated = [th for th in failing if th.start_to_fill or th.end_to_fill]
        reason = "No qualifying trial counts: " + "; ".join(why + aside) + "."
        if undated:
            th = undated[0]
            which = " and ".join(
                w for w, blank in (("start", th.start_to_fill), ("end", th.end_to_fill)) if blank
            )
            return Result(
                Status.missing,
                reason,
                f"Fill in the {which} date of {th.name} ({th.ref}), still FILL-IN in the case.",
                evidence,
            )
        if no_outcome:
            th = no_outcome[0]
            return Result(
                Status.missing,
                reason,
                f"Record the outcome of the {th.name} trial started {iso(th.t.start)} "
                "(inadequate response, intolerance or response) with its end date.",
                evidence,
            )
        length = f" of at least {self.min_days} days" if self.min_days else ""
        return Result(
            Status.not_met,
            reason,
            f"The record shows no qualifying trial of {names}: document a trial{length} with its "
            f"outcome{_or_contra(self)}.",
            evidence,
        )


def _counts(rule: StepTherapyRule, ctx: Context, th: Therapy) -> tuple[bool, str]:
    """Whether one record counts toward the rule on its own, and a few words on why not."""
    t = th.t
    if "any" in rule.outcomes:
        if th.start_to_fill:
            return (False, "its start date is still to fill")
        if t.start is None:
            return (False, "no start date")
        length = th.length_days(ctx.request_date) or 0
        if rule.min_days and length < rule.min_days:
            return (False, f"{length} days, shorter than the {rule.min_days} days required")
        return (True, "")
    if t.outcome is None:
        return (False, "no outcome recorded")
    if t.outcome.value not in rule.outcomes:
        return (False, f"outcome {t.outcome.value.replace('_', ' ')}")
    if t.outcome is Outcome.contraindication:
        if rule.contraindication == "all":
            return (False, "a contraindication counts only with contraindications to all")
        if rule.contraindication_drugs is not None and not _contra_drug(rule, ctx, th):
            names = drug_names(rule.contraindication_drugs, ctx.requested)
            return (False, f"only a contraindication to {names} counts")
        return (True, "")
    if t.outcome is Outcome.inadequate_response and rule.min_days:
        days = th.length_days(ctx.request_date)
        if days is None:
            return (False, "its start or end date is still to fill")
        if days < rule.min_days:
            return (False, f"{days} days, shorter than the {rule.min_days} days required")
    return (True, "")


def _contra_list(rule: StepTherapyRule) -> list[DrugMatch]:
    return rule.contraindication_drugs if rule.contraindication_drugs is not None else rule.drugs


def _contra_drug(rule: StepTherapyRule, ctx: Context, th: Therapy) -> bool:
    return any(ctx.drug_match(th, m) is None for m in _contra_list(rule))


def _partial(rule: StepTherapyRule, ctx: Context, th: Therapy, counted: list[Therapy]) -> bool:
    """A record that counts only together with records not yet on file: a contraindication where
    all agents must be contraindicated, or a counting trial where more trials are asked."""
    if th in counted:
        return rule.count > 1
    return (
        rule.contraindication == "all"
        and th.t.outcome is Outcome.contraindication
        and "contraindication" in rule.outcomes
        and _contra_drug(rule, ctx, th)
    )


def _complete(rule: StepTherapyRule, ctx: Context, partial: list[Therapy]) -> str:
    """What would complete records that count only together with others."""
    contra = [th for th in partial if th.t.outcome is Outcome.contraindication]
    if rule.contraindication == "all" and contra:
        rest = [
            m for m in _contra_list(rule) if not any(ctx.drug_match(th, m) is None for th in contra)
        ]
        names = drug_names(rest, ctx.requested, "and")
        if len(rest) == 1:
            return f"Document a contraindication to {names}, or a failed trial of it."
        return f"Document contraindications to {names}, or a failed trial of one of them."
    others = [m for m in rule.drugs if not any(ctx.drug_match(th, m) is None for th in partial)]
    have = (
        len({th.drug.key for th in partial})
        if rule.distinct == "drug"
        else len(rule.drugs) - len(others)
    )
    more = rule.count - have
    length = f" of at least {rule.min_days} days" if rule.min_days else ""
    of = f" of {drug_names(others, ctx.requested)}" if others else ""
    what = "drugs" if rule.distinct == "drug" else "therapies of the list"
    return (
        f"Document {more} more qualifying trial{'s' if more > 1 else ''}{of}{length} with "
        f"{'their outcomes' if more > 1 else 'its outcome'} ({rule.count} different {what} are "
        "required)."
    )


def _or_contra(rule: StepTherapyRule) -> str:
    """How the action names the contraindication route, as the policy allows it."""
    if "any" in rule.outcomes:
        return ""
    if rule.contraindication == "all":
        return ", or contraindications to all of them"
    if rule.contraindication_drugs is not None:
        return f", or a contraindication to {drug_names(rule.contraindication_drugs, '')}"
    return ", or a contraindication"


RULE = StepTherapyRule
