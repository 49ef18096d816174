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
    """``all``: a contraindication counts only when every listed drug is contraindicated."""
    contraindication_drugs: list[DrugMatch] | None = None
    """Only a contraindication to one of these counts (the policy names them)."""
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
        if self.contraindication == "all":
            contra = [th for th in found if th.t.outcome is Outcome.contraindication]
            if contra and all(
                any(ctx.drug_match(th, m) is None for th in contra) for m in self.drugs
            ):
                return Result(
                    Status.met,
                    f"Contraindications to all of {names} are documented.",
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
        why = [f"{th.describe()}: {_counts(self, ctx, th)[1]}" for th in found if th not in counted]
        if self.count > 1 and counted:
            what = "drugs" if self.distinct == "drug" else "therapies"
            why.insert(0, f"{len(distinct)} of the {self.count} {what} required count")
        no_outcome = [th for th in found if th.t.outcome is None and "any" not in self.outcomes]
        undated = [th for th in found if th not in counted and (th.start_to_fill or th.end_to_fill)]
        reason = "No qualifying trial counts: " + "; ".join(why + aside) + "."
        evidence = [th.evidence() for th in found]
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
    """Whether one record counts toward the rule, and a few words on why not."""
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
            return (False, "a contraindication counts only to all of the listed agents")
        if rule.contraindication_drugs is not None and not any(
            ctx.drug_match(th, m) is None for m in rule.contraindication_drugs
        ):
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
