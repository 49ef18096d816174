"""Laboratory and diagnostic tests: the most recent usable result in the window decides.

Results are compared within the rule's ``context`` (rest, exercise, sleep). On the same day the
test listed first in the rule wins (a blood gas over oximetry). Indeterminate results, results a
policy disqualifies, and results outside the window are no evidence.
"""

from __future__ import annotations

from ...case import Lab
from ...policy._model import LabRule
from ...vocab import vocabulary
from .._context import Context, drug_names, iso, lab_summary
from .._verdict import Evidence, Result, Status


def _names(rule: LabRule) -> str:
    tests = vocabulary().tests
    return " or ".join(tests[t].short for t in rule.tests)


def _order_test(rule: LabRule) -> str:
    return "a TB test" if "tb_igra" in rule.tests else f"a {_names(rule)} test"


def evaluate(rule: LabRule, ctx: Context) -> Result:
    rd = ctx.request_date
    start = rule.within.start(rd) if rule.within else None
    rank = {t: i for i, t in enumerate(rule.tests)}
    of_kind = [
        (i, lab)
        for i, lab in ctx.labs
        if lab.key in rank and (rule.context is None or lab.context == rule.context)
    ]
    of_kind.sort(key=lambda x: x[1].date, reverse=True)
    notes: list[str] = []
    if rule.baseline_before:
        started = [th.t.start for th in ctx.matching(rule.baseline_before)[0] if th.t.start]
        if started:
            first = min(started)
            what = drug_names(rule.baseline_before, ctx.requested)
            for _, lab in of_kind:
                if lab.date > first:
                    notes.append(f"{lab_summary(lab)} is after {what} started ({iso(first)})")
            of_kind = [(i, lab) for i, lab in of_kind if lab.date <= first]
    indeterminate: Lab | None = None
    for _, lab in ctx.disqualified:
        if lab.key in rank and (rule.context is None or lab.context == rule.context):
            notes.append(
                f"{lab_summary(lab)} was performed by a {lab.performed_by}, "
                "which the policy disqualifies"
            )
    in_window = []
    for i, lab in of_kind:
        if start is not None and lab.date < start:
            assert rule.within is not None
            notes.append(f"{lab_summary(lab)} is older than {rule.within.words()}")
        elif lab.result == "indeterminate":
            notes.append(f"{lab_summary(lab)} is no usable result")
            indeterminate = indeterminate or lab
        else:
            in_window.append((i, lab))
    ctx_words = ""
    if rule.context:
        ctx_words = " at rest" if rule.context == "rest" else f" during {rule.context}"
    if not in_window:
        window = f" within {rule.within.words()} of the request" if rule.within else ""
        reason = f"No usable {_names(rule)} result{ctx_words}{window} is on record"
        reason += f" ({'; '.join(_latest_notes(notes))})." if notes else "."
        return Result(Status.missing, reason, _order(rule, ctx_words, notes, indeterminate))
    i, lab = max(in_window, key=lambda x: (x[1].date, -rank[x[1].key]))
    return _judge(rule, ctx, i, lab)


def _order(rule: LabRule, ctx_words: str, notes: list[str], indeterminate: Lab | None) -> str:
    """What to do when no usable result is on record."""
    if indeterminate is not None and notes and notes[0].endswith("no usable result"):
        name = vocabulary().tests[indeterminate.key].short
        return f"Repeat the {name}: the result of {iso(indeterminate.date)} was indeterminate."
    verb = "Order" if rule.within or notes else "Find or order"
    by = (
        " ordered and evaluated by the treating practitioner"
        if rule.require_evaluated_by_treating_practitioner
        else ""
    )
    when = f" (dated within {rule.within.words()} of the request)" if rule.within else ""
    seen = f"; {_latest_notes(notes)[0]}" if notes else ""
    return f"{verb} {_order_test(rule)}{ctx_words}{by} and record the result{when}{seen}."


def _latest_notes(notes: list[str]) -> list[str]:
    return list(dict.fromkeys(notes))[:2]


def _judge(rule: LabRule, ctx: Context, i: int, lab: Lab) -> Result:
    summary = lab_summary(lab)
    ev = [Evidence(f"labs[{i}]", lab.date, summary)]
    name = vocabulary().tests[lab.key].short
    if rule.result in {"positive", "negative"}:
        if lab.result is None:
            return Result(
                Status.missing,
                f"{summary}: the result (positive or negative) is not recorded.",
                f"Record whether the {name} of {iso(lab.date)} was positive or negative.",
                ev,
            )
        if lab.result != rule.result:
            if rule.result == "negative" and rule.if_positive_treated_with:
                return _positive_treated(rule, ctx, lab, ev)
            return Result(
                Status.not_met,
                f"{summary}; the policy asks for a {rule.result} result.",
                f"The record contradicts this criterion: {name} is {lab.result}.",
                ev,
            )
    conds = rule.conditions(lab.key)
    if conds:
        if lab.value is None:
            return Result(
                Status.missing,
                f"{summary}: no value is recorded.",
                f"Record the value of the {name} of {iso(lab.date)}.",
                ev,
            )
        if not all(c.test(lab.value) for c in conds):
            need = " and ".join(c.words() for c in conds)
            return Result(
                Status.not_met,
                f"{summary}; the policy asks for {name} {need}.",
                f"The most recent {name} ({iso(lab.date)}) does not meet the threshold.",
                ev,
            )
    if rule.events:
        if lab.events is None:
            return Result(
                Status.missing,
                f"{summary}: the total number of events is not recorded.",
                f"Record the total event count of the {name} of {iso(lab.date)} from its report.",
                ev,
            )
        if not all(c.test(lab.events) for c in rule.events):
            need = " and ".join(c.words() for c in rule.events)
            return Result(
                Status.not_met,
                f"{summary}; the policy asks for {need} events.",
                f"The {name} of {iso(lab.date)} records too few events.",
                ev,
            )
    if rule.require_evaluated_by_treating_practitioner:
        flag = lab.evaluated_by_treating_practitioner
        if flag is None:
            return Result(
                Status.missing,
                f"{summary}: the record does not say the treating practitioner ordered and "
                "evaluated it.",
                f"Document that the treating practitioner ordered and evaluated the {name} of "
                f"{iso(lab.date)}.",
                ev,
            )
        if not flag:
            return Result(
                Status.not_met,
                f"{summary} was not evaluated by the treating practitioner.",
                "Have the treating practitioner order and evaluate a qualifying test.",
                ev,
            )
    return Result(Status.met, f"{summary}.", evidence=ev)


def _positive_treated(rule: LabRule, ctx: Context, lab: Lab, ev: list[Evidence]) -> Result:
    assert rule.if_positive_treated_with is not None
    found, _ = ctx.matching(rule.if_positive_treated_with)
    after = [th for th in found if th.t.start is not None and th.t.start >= lab.date]
    summary = lab_summary(lab)
    if after:
        th = min(after, key=lambda th: th.t.start)  # type: ignore[arg-type, return-value]
        return Result(
            Status.met,
            f"{summary}, with latent-TB treatment documented: {th.describe()}.",
            evidence=[*ev, th.evidence()],
        )
    names = drug_names(rule.if_positive_treated_with, ctx.requested)
    return Result(
        Status.missing,
        f"{summary}, and no {names} started after it is on record.",
        f"Document the latent-TB treatment started after the positive test of {iso(lab.date)}.",
        ev,
    )
