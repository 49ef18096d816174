"""Diagnosis: an ICD-10-CM code on record under the policy's patterns and not excluded.

The request's diagnosis and every diagnosis of the record are looked at. Patterns are a code
(``M06.1``, covering its children), a family (``M05.*``) or a range of categories (``I10-I16``).
Met when a code falls under ``codes`` and not under ``exclude``; not_met otherwise.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ._base import RuleBase
from ._codes import any_match
from ._context import Context
from ._result import Evidence, Result, Status

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
        wanted = ", ".join(self.codes)
        records = [(f"diagnoses[{i}]", d.code, d.description, d.onset) for i, d in ctx.diagnoses]
        req = case.request.diagnosis
        req_to_fill = "diagnosis" in case.request.pending
        if self.request_only:
            records = [] if req_to_fill else [("request.diagnosis", req, None, None)]
        elif not req_to_fill and req not in {r[1] for r in records}:
            records.insert(0, ("request.diagnosis", req, None, None))
        excluded = []
        for ref, code, desc, onset in records:
            if any_match(code, self.codes):
                if any_match(code, self.exclude):
                    excluded.append(code)
                    continue
                what = f"{code}{f' ({desc})' if desc else ''}"
                since = f", onset {onset.isoformat()}" if onset else ""
                return Result(
                    Status.met,
                    f"{what} is on record{since}; the policy covers {wanted}.",
                    evidence=[Evidence(ref, onset, what)],
                )
        if req_to_fill:  # the request's code is a placeholder: nothing contradicts it yet
            found = f" (on record: {', '.join(r[1] for r in records)})" if records else ""
            return Result(
                Status.missing,
                f"The request's diagnosis code is still to fill (FILL-IN){found}; the policy "
                f"covers {wanted}.",
                "Fill in request.diagnosis with the ICD-10-CM code the request is for.",
            )
        if not records:
            return Result(
                Status.missing,
                "No diagnosis is on record.",
                "Record the diagnosis with its ICD-10-CM code.",
            )
        found = ", ".join(r[1] for r in records)
        note = f" ({', '.join(excluded)} is excluded by the policy)" if excluded else ""
        return Result(
            Status.not_met,
            f"No diagnosis on record falls under {wanted}: found {found}{note}.",
            f"Confirm the diagnosis: the policy covers {wanted}.",
            [Evidence(r[0], r[3], r[1]) for r in records],
        )


RULE = DiagnosisRule
