"""What templates see: the case, the verdicts and the practice, as plain, formatted values.

Every clinical fact a template can print comes from here, and everything here comes from the
case (or the policy, or the practice profile).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from ..case import Case
from ..check import CheckResult, Status
from ..policy import Criterion, Policy, SubmitTo
from ..vocab import vocabulary
from . import _clinical
from ._profile import Profile, Signer
from ._relevance import for_template, relevant


def long_date(d: dt.date | None) -> str:
    return f"{d:%B} {d.day}, {d.year}" if d else ""


def measure(value: float | None, unit: str | None) -> str:
    """A value with its unit: "24.1 mg/L", "87%"."""
    if value is None:
        return ""
    if not unit:
        return f"{value:g}"
    return f"{value:g}{'' if unit == '%' else ' '}{unit}"


def input_hash(*parts: Any) -> str:
    """A short SHA-256 of the inputs (case, policy, profile, ...), printed in every footer."""
    h = hashlib.sha256()
    for p in parts:
        data = p.model_dump(mode="json") if hasattr(p, "model_dump") else p
        h.update(json.dumps(data, sort_keys=True, default=str).encode())
        h.update(b"\x00")
    return h.hexdigest()[:12]


# Where the crosswalk sends a reviewer for each kind of evidence: the evidence summary's sections.
_SECTIONS = {
    "diagnoses": "Diagnoses",
    "scores": "Disease activity and severity scores",
    "labs": "Laboratory and diagnostic tests",
    "treatments": "Treatment history",
    "findings": "Findings",
    "encounters": "Encounters",
}


def wording(c: Criterion) -> str:
    """A criterion's text as documents print it: in quotation marks only when it is the payer's
    own words (provenance payer, verbatim); a paraphrase or a summary's wording stands bare."""
    text = " ".join(c.text.split())
    return f"\u201c{text}\u201d" if c.quoted else text


def verdicts(case: Case, result: CheckResult) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for n, v in enumerate(result.verdicts, 1):
        c = v.criterion
        out.append(
            {
                "n": n,
                "id": c.id,
                "kind": c.kind,
                "text": c.text,
                "citation": c.citation,
                "wording": wording(c),
                "quoted": c.quoted,
                "provenance": c.provenance,
                "convention": c.convention,
                "secondary": c.provenance == "summary",
                "status": v.status.value,
                "met": v.status is Status.met,
                "reason": v.wording.reason(_clinical.name_classes(v)),
                "action": v.action,
                "sections": list(
                    dict.fromkeys(s for e in v.evidence if (s := _SECTIONS.get(e.section)))
                ),
                # every piece of evidence that bears on the criterion, chosen by its wording
                "support": for_template(
                    relevant(
                        case,
                        c.kind,
                        c.text,
                        v.evidence,
                        v.wording.said(_clinical.name_classes(v)),
                    )
                ),
                "evidence": [
                    {
                        "ref": e.ref,
                        "date": e.date.isoformat() if e.date else "",
                        "summary": v.wording.summary(e),
                        "source": e.fhir_ref,
                    }
                    for e in v.evidence
                ],
            }
        )
    # evidence already listed under an earlier criterion is referred to, not repeated
    for i, row in enumerate(out):
        refs = [s["ref"] for s in row["support"]]
        row["support_as"] = next(
            (w["n"] for w in out[:i] if refs and [s["ref"] for s in w["support"]] == refs), None
        )
    return out


def _treatments(case: Case) -> list[dict[str, Any]]:
    v = vocabulary()
    out = []
    for t in sorted(case.treatments, key=lambda t: (t.start or dt.date.min, t.drug)):
        drug = v.drug(t.drug)
        days = ((t.end or case.request_date) - t.start).days if t.start else None
        out.append(
            {
                "drug": t.drug,
                "generic": drug.key if drug else t.drug,
                "product": t.product,
                "klass": ", ".join(v.classes[c] for c in drug.classes) if drug else "",
                "strength": " ".join(x for x in (t.strength, t.form) if x),
                "dose": t.dose,
                "route": t.route,
                "start": t.start.isoformat() if t.start else "",
                "end": t.end.isoformat() if t.end else ("ongoing" if t.start else ""),
                "days": days,
                "duration": (
                    f"{days} days" + ("" if t.end else " to date") if days is not None else ""
                ),
                "outcome": (
                    t.outcome.value.replace("_", " ")
                    if t.outcome
                    else ("continuing" if t.start and not t.end else "not recorded")
                ),
                "sample": t.source == "sample",
                "note": t.note,
                "source": t.fhir_ref,
            }
        )
    return out


def resolve_signer(case: Case, profile: Profile, signer: Signer | None = None) -> Signer:
    """Who signs: ``signer`` when named explicitly; else the profile's signer when it is the case's
    prescriber (same NPI); else the prescriber. Payers match the signer to the requesting NPI."""
    if signer is not None:
        return signer
    rx = case.prescriber
    if profile.signer is not None and profile.signer.npi == rx.npi:
        return profile.signer
    # a prescriber NPI still to fill signs as "[to fill: prescriber NPI]" in a draft, unsigned
    return Signer(name=rx.name, npi=None if "npi" in rx.pending else rx.npi)


def template_context(
    case: Case,
    policy: Policy,
    result: CheckResult,
    profile: Profile,
    *,
    draft: bool,
    digest: str,
    enclosures: list[str],
    signer: Signer | None = None,
) -> dict[str, Any]:
    """Everything the templates may print."""
    v = vocabulary()
    p, rx, req = case.patient, case.prescriber, case.request
    who = resolve_signer(case, profile, signer)
    item = v.drug(req.item)
    item_name = (item.display if item and item.display else None) or req.item
    dx_desc = next((d.description for d in case.diagnoses if d.code == req.diagnosis), None)
    return {
        "date": long_date(case.request_date),
        "request_date": case.request_date.isoformat(),
        "draft": draft,
        "digest": digest,
        "status": result.status.value,
        "patient": {
            "name": p.name,
            # a birth date still to fill (a draft) shows as such, and so does the age
            "birth_date": (
                "[to fill: birth date]" if "birth_date" in p.pending else p.birth_date.isoformat()
            ),
            "age": "[to fill]" if "birth_date" in p.pending else case.age_on(case.request_date),
            "sex": p.sex.value,
            "member_id": p.member_id,
        },
        "coverage": {
            "payer": policy.payer,
            "plan": case.coverage.plan,
            "program": case.coverage.line_of_business.value.replace("_", " "),
            "group_number": case.coverage.group_number,
        },
        "submit_to": (policy.submit_to or SubmitTo()).model_dump(),
        "practice": {
            "name": profile.practice or rx.practice,
            "address": profile.address or rx.address,
            "phone": profile.phone or rx.phone,
            "fax": profile.fax or rx.fax,
            "logo": profile.asset(profile.logo).as_uri() if profile.logo else None,  # type: ignore[union-attr]
        },
        "signer": {
            "name": who.name,
            "credentials": who.credentials,
            "npi": who.npi or rx.npi,
            "is_prescriber": (who.npi or rx.npi) == rx.npi,
        },
        "prescriber": {
            "name": rx.name,
            "npi": rx.npi,
            "specialty": rx.specialty,
            # the prescriber's own line: where a reviewer calls back for a peer-to-peer
            "phone": rx.phone or profile.phone,
            "fax": rx.fax or profile.fax,
            "practice": rx.practice,
        },
        "request": {
            "type": req.type,
            "kind": req.kind,
            "item": req.item,
            "product": req.product,
            "name": f"{req.product} ({item_name})" if req.product else item_name,
            # the indefinite article before the name, by its first letter ("an Omnipod 5")
            "article": "an" if (req.product or item_name)[:1].lower() in "aeiou" else "a",
            "codes": ", ".join(req.codes),
            "dose": req.dose,
            "frequency": req.frequency,
            "route": req.route,
            "diagnosis": req.diagnosis,
            "diagnosis_text": dx_desc,
            "diagnosis_in_sentence": _clinical.in_sentence(dx_desc),
            "urgency": req.urgency,
            "urgency_reason": req.urgency_reason,
            "ndc": req.ndc,
            "quantity": req.quantity,
            "days_supply": req.days_supply,
            "site_of_care": req.site_of_care,
            "order_date": (req.order_date or case.request_date).isoformat(),
            "medicare_dme": (
                req.kind == "device" and case.coverage.line_of_business.value == "medicare"
            ),
        },
        "clinical": _clinical.summary(case),
        "policy": {
            "id": policy.id,
            "payer": policy.payer,
            "number": policy.number,
            "title": policy.title,
            "version": policy.version_label,
            "version_stated": bool(policy.version),
            "url": policy.url,
            "source_note": policy.source_note,
            "cite": f"{policy.number}" if policy.number else policy.title,
            # the number and title together; the title alone when the payer gives no number
            "named": f"{policy.number}, {policy.title}" if policy.number else policy.title,
        },
        "verdicts": verdicts(case, result),
        "gaps": [
            {"id": x.id, "status": x.status.value, "reason": x.reason, "action": x.action}
            for x in result.gaps
        ],
        "diagnoses": [
            {
                "code": d.code,
                "description": d.description,
                "onset": d.onset.isoformat() if d.onset else "",
            }
            for d in case.diagnoses
        ],
        "labs": [
            {
                "test": v.tests[lab.key].short,
                "name": v.tests[lab.key].name,
                "loinc": lab.loinc or "",
                "result": lab.result or "",
                "value": _clinical.lab_value(lab),
                "note": lab.note,
                # a sleep or oxygen test: what a DME MAC reads as the qualifying test report
                "qualifying": v.tests[lab.key].sleep_test or lab.key in ("spo2", "pao2"),
                "performed_by": lab.performed_by,
                "evaluated": lab.evaluated_by_treating_practitioner,
                "events": lab.events,
                "context": lab.context or "",
                "date": lab.date.isoformat(),
                "source": lab.fhir_ref,
            }
            for lab in sorted(case.labs, key=lambda x: x.date, reverse=True)
            if lab.usable  # a lab whose test is still FILL-IN is no evidence yet
        ],
        "scores": [
            {
                "instrument": v.instruments[s.instrument].name,
                "value": measure(s.value, v.instruments[s.instrument].unit),
                "band": (
                    b.label if (b := _clinical.band(s.instrument, s.value, req.diagnosis)) else None
                ),
                "date": s.date.isoformat(),
                "note": s.note,
            }
            for s in sorted(case.scores, key=lambda x: x.date, reverse=True)
        ],
        "treatments": _treatments(case),
        "findings": [
            {"name": v.findings.get(f.name, f.name), "date": f.date.isoformat(), "note": f.note}
            for f in case.findings
        ],
        "encounters": [
            {
                "type": v.encounter_types.get(e.type, e.type),  # an unknown type kept as written
                "date": e.date.isoformat(),
                "note": e.note,
            }
            for e in sorted(case.encounters, key=lambda x: x.date)
        ],
        "notes": case.notes,
        "enclosures": enclosures,
    }
