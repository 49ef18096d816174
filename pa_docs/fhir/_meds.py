"""MedicationRequest / MedicationStatement / MedicationDispense, Device and DeviceRequest ->
treatments, and the orders that may be the request itself.

Drugs are named by the generic key of the drug vocabulary: RxNorm, NDC, HCPCS and SNOMED CT
device codes go through the curated table; a code not in it falls back to a vocabulary name in the
display text, and that fallback is reported. A medication pa-docs does not know is kept too,
named as the chart writes it (it counts for no class, and loading the case warns about it). The
RxNorm code is kept as ``rxnorm``; the dose form and route come from the dosage or the RxNorm
name ("Oral Tablet", "Metered Dose Inhaler"); a topical strength per mL or g becomes a percent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..vocab import vocabulary
from ..vocab._vocab import norm, percent
from ._index import Index
from ._util import Coding, Fill, codings, concept_text, reference, table, to_date

_STRENGTH = re.compile(
    r"\d+(?:\.\d+)?\s*(?:MG|MCG|G|ML|%|UNT|MEQ)(?:/(?:ML|ACTUAT|G|HR))?(?![A-Za-z])", re.I
)
_BRACKET = re.compile(r"\[([^\]]+)\]")
SKIP = {
    "MedicationRequest": {"cancelled", "entered-in-error"},
    "MedicationStatement": {"entered-in-error", "not-taken"},
    "MedicationDispense": {"cancelled", "entered-in-error", "declined"},
    "DeviceRequest": {"revoked", "entered-in-error"},
    "Device": {"entered-in-error", "inactive"},
}
ENDED = {"stopped", "completed"}


@dataclass
class MedLog:
    unmapped: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    by_name: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@dataclass
class Med:
    """One medication or device resource, mapped."""

    key: str
    kind: str  # drug | device
    resource_type: str
    ref: str
    status: str
    intent: str | None
    start: Any
    end: Any
    ended: bool
    codes: list[str]
    details: dict[str, str]
    links: list[str]
    requester: str | None = None
    reasons: list[Any] = field(default_factory=list)


@cache
def _names() -> list[tuple[str, str]]:
    v = vocabulary()
    pairs = [
        (" ".join(re.split(r"[^a-z0-9-]+", norm(n))).strip(), d.key)
        for d in v.drugs.values()
        for n in (d.key, *d.names, *d.brands)
    ]
    return sorted(pairs, key=lambda p: -len(p[0]))


def _by_name(text: str) -> str | None:
    """The drug whose longest name is in ``text`` once strengths are taken out ('Amoxicillin 250
    MG / Clavulanate 125 MG' names amoxicillin / clavulanate, not amoxicillin)."""
    t = f" {' '.join(re.split(r'[^a-z0-9-]+', norm(_STRENGTH.sub(' ', text))))} "
    for name, key in _names():
        if f" {name} " in t:
            return key
    return None


def drug_key(cs: list[Coding], text: str | None) -> tuple[str | None, str]:
    """(vocabulary key, how it was found) for a medication or device concept."""
    t = table("medications")
    for c in cs:
        if c.system in t["rxnorm_systems"] and c.code in t["rxnorm"]:
            return str(t["rxnorm"][c.code]), f"RxNorm {c.code}"
        if c.system in t["ndc_systems"]:
            digits = c.code.replace("-", "")
            for ndc, key in t["ndc"].items():
                if ndc.replace("-", "") == digits:
                    return str(key), f"NDC {c.code}"
        if c.system in t["hcpcs_systems"]:
            d = vocabulary().drug(c.code)
            if d:
                return d.key, f"HCPCS {c.code.upper()}"
        if c.system == "http://snomed.info/sct" and c.code in t["snomed_devices"]:
            return str(t["snomed_devices"][c.code]), f"SNOMED CT {c.code}"
    for label in [text or "", *(c.display for c in cs)]:
        key = _by_name(label) if label else None
        if key:
            return key, f"name in {label!r}"
    return None, ""


def _medication(r: Any, index: Index) -> tuple[list[Coding], str | None, Any]:
    m = r.model
    concept = m.medicationCodeableConcept
    med = None
    ref = reference(m.medicationReference)
    if concept is None and ref:
        if ref.startswith("#"):
            med = next(
                (
                    c
                    for c in (m.contained or [])
                    if c.id == ref[1:] and c.get_resource_type() == "Medication"
                ),
                None,
            )
        else:
            found = index.resolve(ref, "Medication")
            med = found.model if found is not None else None
        concept = med.code if med is not None else None
    return codings(concept), concept_text(concept), med


def _dose_form(display: str) -> str | None:
    """The dose form an RxNorm name ends with: 'Oral Tablet', 'Metered Dose Inhaler'."""
    text = _BRACKET.sub("", display)
    found = list(_STRENGTH.finditer(text))
    if not found:
        return None
    tail = text[found[-1].end() :].strip(" /,")
    return " ".join(tail.split()).lower() or None


def _details(display: str, dosage: list[Any], med: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    v = vocabulary()
    brand = _BRACKET.search(display)
    if brand:
        out["product"] = brand.group(1).strip()
    strength = _STRENGTH.search(display)
    if strength:
        out["strength"] = " ".join(strength.group(0).split())
    words = set(norm(display).split())
    forms = [f for f in sorted(v.topical_forms) if f in words and f != "topical"]
    form = _dose_form(display)
    if forms:
        out["form"] = forms[0]
    elif form:
        out["form"] = form
    elif med is not None and med.form is not None:
        out["form"] = (concept_text(med.form) or "").lower() or ""
    route = v.route_of(display)
    if route is not None:
        out["route"] = route
    if route == "topical" and out.get("strength"):
        out["strength"] = percent(out["strength"])  # 10 MG/ML -> 1%
    if dosage:
        d = dosage[0]
        if d.text:
            out["dose"] = str(d.text).strip()
        elif d.doseAndRate and d.doseAndRate[0].doseQuantity is not None:
            q = d.doseAndRate[0].doseQuantity
            if q.value is not None and (q.unit or q.code):  # a bare number is no dose
                out["dose"] = f"{float(q.value):g} {q.unit or q.code}"
        if d.route is not None:
            route = (concept_text(d.route) or "").lower()
            route = re.sub(r"\s*\(qualifier value\)$", "", route).strip()
            route = re.sub(r"\s+route$", "", route).strip()
            if route:
                out["route"] = route
    return {k: v for k, v in out.items() if v}


def _rxnorm(cs: list[Coding]) -> dict[str, str]:
    systems = table("medications")["rxnorm_systems"]
    code = next((c.code for c in cs if c.system in systems), None)
    return {"rxnorm": code} if code else {}


def _as_written(key: str, display: str) -> dict[str, str]:
    """The chart's own name of a drug named here by its vocabulary key."""
    if display and norm(display) != norm(key):
        return {"written": display}
    return {}


def medications(found: list[Any], index: Index, log: MedLog) -> list[Med]:
    out = []
    for r in found:
        m = r.model
        if m.status in SKIP[r.type]:
            log.skipped.append(f"{r.ref}: status {m.status}")
            continue
        cs, text, med = _medication(r, index)
        key, via = drug_key(cs, text)
        display = text or next((c.display for c in cs), "")
        if key is None:  # kept as the chart names it: it counts for no class
            key = display or "medication (unnamed in the chart)"
            log.unknown.append(f"{r.ref}: {key}")
        elif via.startswith("name"):
            log.by_name.append(f"{r.ref}: {key} from its {via}")
        start = end = None
        links: list[str] = []
        if r.type == "MedicationRequest":
            validity = m.dispenseRequest.validityPeriod if m.dispenseRequest else None
            start = to_date(m.authoredOn) or (to_date(validity.start) if validity else None)
            end = to_date(validity.end) if validity and m.status in ENDED else None
            dosage = m.dosageInstruction or []
        elif r.type == "MedicationStatement":
            period = m.effectivePeriod
            start = to_date(m.effectiveDateTime) or (to_date(period.start) if period else None)
            end = to_date(period.end) if period else None
            links = [reference(x) or "" for x in [*(m.derivedFrom or []), *(m.basedOn or [])]]
            dosage = m.dosage or []
        else:
            start = to_date(m.whenHandedOver) or to_date(m.whenPrepared)
            links = [reference(x) or "" for x in m.authorizingPrescription or []]
            dosage = m.dosageInstruction or []
        ended = r.type != "MedicationDispense" and (m.status in ENDED or end is not None)
        codes = [c.code for c in cs]
        out.append(
            Med(
                key,
                "drug",
                r.type,
                r.ref,
                m.status or "",
                getattr(m, "intent", None),
                start,
                end,
                ended,
                codes,
                _details(display, dosage, med) | _rxnorm(cs) | _as_written(key, display),
                [x for x in links if x],
                reference(getattr(m, "requester", None)),
                list(getattr(m, "reasonCode", None) or [])
                + list(getattr(m, "reasonReference", None) or []),
            )
        )
    return out


def devices(found: list[Any], log: MedLog) -> list[Med]:
    out = []
    for r in found:
        m = r.model
        if m.status in SKIP[r.type]:
            log.skipped.append(f"{r.ref}: status {m.status}")
            continue
        if r.type == "Device":
            concept = m.type
            names = [str(n.name) for n in m.deviceName or []]
            text = concept_text(concept) or (names[0] if names else None)
        else:
            concept = m.codeCodeableConcept
            text = concept_text(concept)
        cs = codings(concept)
        key, via = drug_key(cs, text)
        if key is None or "device" not in vocabulary().drugs[key].classes:
            shown = ", ".join(c.code for c in cs) or (text or "device")
            log.unmapped.append(
                f"{r.ref}: {text or shown} ({shown}; not a device of the vocabulary)"
            )
            continue
        if via.startswith("name"):
            log.by_name.append(f"{r.ref}: {key} from its {via}")
        if r.type == "Device":
            start = None
            made = to_date(m.manufactureDate)
            details = {"note": f"Device in use (manufactured {made})" if made else "Device in use"}
            out.append(
                Med(
                    key,
                    "device",
                    r.type,
                    r.ref,
                    m.status or "",
                    None,
                    start,
                    None,
                    False,
                    [c.code for c in cs],
                    details,
                    [],
                )
            )
            continue
        occurrence = m.occurrencePeriod.start if m.occurrencePeriod else m.occurrenceDateTime
        start = to_date(occurrence) or to_date(m.authoredOn)
        hcpcs = [c.code.upper() for c in cs if c.system in table("medications")["hcpcs_systems"]]
        out.append(
            Med(
                key,
                "device",
                r.type,
                r.ref,
                m.status or "",
                m.intent,
                start,
                None,
                False,
                hcpcs,
                {},
                [],
                reference(m.requester),
                list(m.reasonCode or []) + list(m.reasonReference or []),
            )
        )
    return out


def is_order(med: Med) -> bool:
    """An order not yet carried out: a candidate for the request rather than a treatment."""
    if med.resource_type == "DeviceRequest":
        return med.status in {"draft", "active", "on-hold", "unknown", ""}
    if med.resource_type == "MedicationRequest":
        return med.status in {"draft", "on-hold"} or med.intent in {"proposal", "plan"}
    return False


def treatment_fills(
    med_key: str, kind: str, ref: str, start: Any, end: Any, ended: bool
) -> list[Fill]:
    fills = []
    if start is None:
        what = "device" if kind == "device" else "drug"
        fills.append(Fill("start", f"the day the patient started this {what} ({ref} gives none)"))
    if ended and end is None:
        fills.append(Fill("end", f"the day {med_key} was stopped ({ref} is ended but undated)"))
    if kind == "drug":
        fills.append(
            Fill(
                "outcome",
                f"outcome of {med_key}: inadequate_response | intolerance | contraindication | "
                "response (the chart does not record it)",
                required=False,
            )
        )
    return fills
