"""Diagnosis: an ICD-10-CM code on record under the policy's patterns and not excluded.

The request's diagnosis and every diagnosis of the record are looked at. Patterns are a code
(``M06.1``, covering its children), a family (``M05.*``) or a range of categories (``I10-I16``).
Met when a code falls under ``codes`` and not under ``exclude``; not_met otherwise.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from pydantic import Field

from ._base import RuleBase
from ._codes import any_match
from ._context import Context
from ._result import Evidence, Result, Status, msg

WORDS = {
    "diagnosis.met": "{found} is on record{onset}; the policy covers {codes:comma}.",
    "diagnosis.onset": ", onset {date}",
    "diagnosis.on_record": " (on record: {found:comma})",
    "diagnosis.request_to_fill": "The request's diagnosis code is still to fill (FILL-IN){seen}; "
    "the policy covers {codes:comma}.",
    "diagnosis.fill_request": "Fill in request.diagnosis with the ICD-10-CM code the request is "
    "for.",
    "diagnosis.none": "No diagnosis is on record.",
    "diagnosis.record": "Record the diagnosis with its ICD-10-CM code.",
    "diagnosis.not_met": "No diagnosis on record falls under {codes:comma}: found {found:comma}"
    "{excluded}.",
    "diagnosis.excluded": " ({codes:comma} is excluded by the policy)",
    "diagnosis.confirm": "Confirm the diagnosis: the policy covers {codes:comma}.",
}

EXAMPLE = """\
# criteria/aetna-infliximab-ra.yaml, criterion "diagnosis"
kind: diagnosis
codes: ["M05.*", "M06.*"]
exclude: [M06.1, M06.4]
"""


class DiagnosisRule(RuleBase):
    """An ICD-10-CM diagnosis under the policy's patterns."""

    kind: Literal["diagnosis"]
    codes: list[str] = Field(min_length=1)
    """ICD-10-CM codes or patterns the policy covers: ``M05.79``, ``M05.*``, ``I10-I16``."""
    exclude: list[str] = []
    """Codes or patterns the policy excludes, even when ``codes`` covers them."""
    request_only: bool = False
    """Judge only the request's diagnosis (the code the prescription or claim carries), not the
    diagnoses of the record."""

    def evaluate(self, ctx: Context) -> Result:
        case = ctx.case
        coded = [
            (Evidence("diagnoses", i, d.onset, d, role="code"), d.code) for i, d in ctx.diagnoses
        ]
        req = case.request.diagnosis
        req_to_fill = "diagnosis" in case.request.pending
        request_ev = (Evidence("request", None, None, case.request, "diagnosis"), req)
        if self.request_only:
            coded = [] if req_to_fill else [request_ev]
        elif not req_to_fill and req not in {code for _, code in coded}:
            coded.insert(0, request_ev)
        records = [e for e, _ in coded]
        excluded = []
        for e, code in coded:
            if any_match(code, self.codes):
                if any_match(code, self.exclude):
                    excluded.append(code)
                    continue
                found = replace(e, role=None)
                onset = msg("diagnosis.onset", date=e.date) if e.date else None
                said = msg("diagnosis.met", found=found, onset=onset, codes=self.codes)
                return Result(Status.met, said, evidence=[found])
        if req_to_fill:  # the request's code is a placeholder: nothing contradicts it yet
            seen = msg("diagnosis.on_record", found=records) if records else None
            return Result(
                Status.missing,
                msg("diagnosis.request_to_fill", seen=seen, codes=self.codes),
                msg("diagnosis.fill_request"),
            )
        if not records:
            return Result(Status.missing, msg("diagnosis.none"), msg("diagnosis.record"))
        return Result(
            Status.not_met,
            msg(
                "diagnosis.not_met",
                codes=self.codes,
                found=records,
                excluded=msg("diagnosis.excluded", codes=excluded) if excluded else None,
            ),
            msg("diagnosis.confirm", codes=self.codes),
            records,
        )


RULE = DiagnosisRule
