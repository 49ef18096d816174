"""Encounters: a visit of a given type, dated before a test or within days of a treatment start."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from ..vocab import vocabulary
from ._base import Relative, RuleBase, Window
from ._context import Context
from ._result import Evidence, Result, Status, msg

WORDS = {
    "encounter.types": "{types:encounters}",
    "encounter.within": " within {window}",
    "encounter.before": " before the {test}",
    "encounter.between": " between day {from_day} ({lo}) and day {to_day} ({hi}) after "
    "{anchor.item.drug} started on {anchor.date}",
    "encounter.no_test": "No {tests:tests} is on record to date the {types:encounters} against.",
    "encounter.record_test": "Record the {tests:tests} result; the {types:encounters} must "
    "precede it.",
    "encounter.found": " (found: {found:comma})",
    "encounter.none": "No {types:encounters}{window} is on record{seen}.",
    "encounter.find": "Find or document {types:a_encounters}{window}.",
    "encounter.not_improved": "The {encounter} documents no improvement of symptoms.",
    "encounter.no_improvement": "The record does not show improved symptoms on therapy.",
    "encounter.improvement_unknown": "The {encounter} does not say whether symptoms improved.",
    "encounter.document_response": "Document the symptom response at the visit of {on} "
    "(encounters: symptoms_improved).",
    "encounter.met": "{type:encounter_type} on {on},{window}{visit:note_colon}{stop}",
}

EXAMPLE = """\
# criteria/medicare-pap-osa.yaml, continuation criterion "re-evaluation"
kind: encounter
types: [face_to_face, telehealth]
relative_to: {start_of: [cpap], from_day: 31, to_day: 91}
symptoms_improved: true
"""


class EncounterRule(RuleBase):
    """A visit of one of the listed types, in the window the policy sets."""

    kind: Literal["encounter"]
    types: list[str] = Field(min_length=1)
    """Encounter types: ``office_visit``, ``face_to_face``, ``telehealth``."""
    before_test: list[str] | None = None
    """The visit must precede the most recent of these tests (test keys)."""
    relative_to: Relative | None = None
    """The visit must fall in this span after a treatment's start."""
    symptoms_improved: bool | None = None
    """``true``: the visit must document improved symptoms."""
    within: Window | None = None
    """Only visits dated in this window count."""

    @model_validator(mode="after")
    def _known(self) -> EncounterRule:
        for t in self.types:
            vocabulary().require("encounter_types", t)
        for t in self.before_test or []:
            vocabulary().require("tests", t)
        return self

    def evaluate(self, ctx: Context) -> Result:
        visits = sorted(
            ((i, e) for i, e in ctx.encounters if e.type in self.types),
            key=lambda x: x[1].date,
            reverse=True,
        )
        encounters = [Evidence("encounters", i, e.date, e) for i, e in visits]
        types = self.types
        lo: dt.date | None = self.within.start(ctx.request_date) if self.within else None
        hi: dt.date | None = None
        window = msg("encounter.within", window=self.within) if self.within else None
        anchor_ev: list[Evidence] = []
        if self.before_test:
            tests = [(i, lab) for i, lab in ctx.labs if lab.key in self.before_test]
            if not tests:
                return Result(
                    Status.missing,
                    msg("encounter.no_test", tests=self.before_test, types=types),
                    msg("encounter.record_test", tests=self.before_test, types=types),
                )
            ti, test = max(tests, key=lambda x: x[1].date)
            hi = test.date - dt.timedelta(days=1)
            test_ev = Evidence("labs", ti, test.date, test)
            window = msg("encounter.before", test=test_ev)
            anchor_ev = [test_ev]
        if self.relative_to:
            anchor = ctx.start_of(self.relative_to.start_of)
            if anchor is None or anchor.t.start is None:
                drugs = ctx.names(self.relative_to.start_of)
                return Result(
                    Status.missing,
                    msg("no_start_date", drugs=drugs, what=msg("encounter.types", types=types)),
                    msg("record_start_date", drugs=drugs),
                )
            s = anchor.t.start
            lo = s + dt.timedelta(days=self.relative_to.from_day)
            if self.relative_to.to_day is not None:
                hi = s + dt.timedelta(days=self.relative_to.to_day)
            window = msg(
                "encounter.between",
                from_day=self.relative_to.from_day,
                lo=lo,
                to_day=self.relative_to.to_day,
                hi=hi,
                anchor=anchor.evidence(),
            )
            anchor_ev = [anchor.evidence()]
        inside = [
            (Evidence("encounters", i, e.date, e), e)
            for i, e in visits
            if (lo is None or e.date >= lo) and (hi is None or e.date <= hi)
        ]
        if not inside:
            seen = msg("encounter.found", found=encounters[:3]) if encounters else None
            return Result(
                Status.missing,
                msg("encounter.none", types=types, window=window, seen=seen),
                msg("encounter.find", types=types, window=window),
                anchor_ev,
            )
        if self.symptoms_improved is not None:
            good = [(e, visit) for e, visit in inside if visit.symptoms_improved is True]
            if not good:
                e = inside[0][0]
                if any(visit.symptoms_improved is False for _, visit in inside):
                    return Result(
                        Status.not_met,
                        msg("encounter.not_improved", encounter=e),
                        msg("encounter.no_improvement"),
                        [e, *anchor_ev],
                    )
                return Result(
                    Status.missing,
                    msg("encounter.improvement_unknown", encounter=e),
                    msg("encounter.document_response", on=e.date),
                    [e, *anchor_ev],
                )
            inside = good
        e, visit = inside[0]
        stop = "" if (visit.note or "").endswith(".") else "."
        said = {"type": visit.type, "on": e.date, "window": window, "visit": e, "stop": stop}
        return Result(Status.met, msg("encounter.met", **said), evidence=[e, *anchor_ev])


RULE = EncounterRule
