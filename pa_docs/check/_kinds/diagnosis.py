"""Diagnosis: an ICD-10-CM code on record under the policy's patterns and not excluded."""

from __future__ import annotations

from ...policy._codes import any_match
from ...policy._model import DiagnosisRule
from .._context import Context
from .._verdict import Evidence, Result, Status


def evaluate(rule: DiagnosisRule, ctx: Context) -> Result:
    case = ctx.case
    wanted = ", ".join(rule.codes)
    records = [
        (f"diagnoses[{i}]", d.code, d.description, d.onset) for i, d in enumerate(case.diagnoses)
    ]
    req = case.request.diagnosis
    if rule.request_only:
        records = [("request.diagnosis", req, None, None)]
    elif req not in {r[1] for r in records}:
        records.insert(0, ("request.diagnosis", req, None, None))
    excluded = []
    for ref, code, desc, onset in records:
        if any_match(code, rule.codes):
            if any_match(code, rule.exclude):
                excluded.append(code)
                continue
            what = f"{code}{f' ({desc})' if desc else ''}"
            since = f", onset {onset.isoformat()}" if onset else ""
            return Result(
                Status.met,
                f"{what} is on record{since}; the policy covers {wanted}.",
                evidence=[Evidence(ref, onset, what)],
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
