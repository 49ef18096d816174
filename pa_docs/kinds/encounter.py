"""Encounters: a visit of a given type, dated before a test or within days of a treatment start."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from ..vocab import vocabulary
from ._base import Relative, RuleBase, Window
from ._context import Context, drug_names, iso, lab_summary
from ._result import Evidence, Result, Status

EXAMPLE = """\
# criteria/medicare-pap-osa.yaml, continuation criterion "re-evaluation"
kind: encounter
types: [face_to_face, telehealth]
relative_to: {start_of: [cpap], from_day: 31, to_day: 91}
symptoms_improved: true
"""


def _kind(key: str) -> str:
    """An encounter type in words ('face-to-face clinical evaluation', not 'face_to_face')."""
    return vocabulary().encounter_types[key].lower()


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
        v = vocabulary()
        types = " or ".join(v.encounter_types[t].lower() for t in self.types)
        encounters = sorted(
            ((i, e) for i, e in ctx.encounters if e.type in self.types),
            key=lambda x: x[1].date,
            reverse=True,
        )
        lo: dt.date | None = self.within.start(ctx.request_date) if self.within else None
        hi: dt.date | None = None
        window = f"within {self.within.words()}" if self.within else ""
        anchor_ev: list[Evidence] = []
        if self.before_test:
            tests = [(i, lab) for i, lab in ctx.labs if lab.key in self.before_test]
            names = " or ".join(v.tests[t].short for t in self.before_test)
            if not tests:
                return Result(
                    Status.missing,
                    f"No {names} is on record to date the {types} against.",
                    f"Record the {names} result; the {types} must precede it.",
                )
            ti, test = max(tests, key=lambda x: x[1].date)
            hi = test.date - dt.timedelta(days=1)
            window = f"before the {lab_summary(test)}"
            anchor_ev = [Evidence(f"labs[{ti}]", test.date, lab_summary(test))]
        if self.relative_to:
            anchor = ctx.start_of(self.relative_to.start_of)
            if anchor is None or anchor.t.start is None:
                what = drug_names(self.relative_to.start_of, ctx.requested)
                return Result(
                    Status.missing,
                    f"No start date of {what} is on record to date the {types} against.",
                    f"Record the {what} treatment with its start date.",
                )
            s = anchor.t.start
            lo = s + dt.timedelta(days=self.relative_to.from_day)
            if self.relative_to.to_day is not None:
                hi = s + dt.timedelta(days=self.relative_to.to_day)
            window = (
                f"between day {self.relative_to.from_day} ({iso(lo)}) and day "
                f"{self.relative_to.to_day} ({iso(hi)}) after {anchor.name} started on {iso(s)}"
            )
            anchor_ev = [anchor.evidence()]
        inside = [
            (i, e)
            for i, e in encounters
            if (lo is None or e.date >= lo) and (hi is None or e.date <= hi)
        ]
        if not inside:
            seen = (
                " (found: "
                + ", ".join(f"{_kind(e.type)} on {iso(e.date)}" for _, e in encounters[:3])
                + ")"
                if encounters
                else ""
            )
            return Result(
                Status.missing,
                f"No {types} {window} is on record{seen}.",
                f"Find or document {'an' if types[:1] in 'aeiou' else 'a'} {types} {window}.",
                anchor_ev,
            )
        if self.symptoms_improved is not None:
            good = [(i, e) for i, e in inside if e.symptoms_improved is True]
            if not good:
                i, e = inside[0]
                ev = [
                    Evidence(f"encounters[{i}]", e.date, f"{_kind(e.type)} on {iso(e.date)}"),
                    *anchor_ev,
                ]
                if any(e.symptoms_improved is False for _, e in inside):
                    return Result(
                        Status.not_met,
                        f"The {_kind(e.type)} on {iso(e.date)} documents no improvement of "
                        "symptoms.",
                        "The record does not show improved symptoms on therapy.",
                        ev,
                    )
                return Result(
                    Status.missing,
                    f"The {_kind(e.type)} on {iso(e.date)} does not say whether symptoms improved.",
                    f"Document the symptom response at the visit of {iso(e.date)} "
                    "(encounters: symptoms_improved).",
                    ev,
                )
            inside = good
        i, e = inside[0]
        note = f": {e.note}" if e.note else ""
        reason = f"{v.encounter_types[e.type]} on {iso(e.date)}, {window}{note}"
        return Result(
            Status.met,
            reason if reason.endswith(".") else reason + ".",
            evidence=[
                Evidence(f"encounters[{i}]", e.date, f"{_kind(e.type)} on {iso(e.date)}"),
                *anchor_ev,
            ],
        )


RULE = EncounterRule
