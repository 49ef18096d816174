"""A Da Vinci PAS request bundle read back as a case: ``import-fhir`` on what ``export pas``
wrote, or on another system's PAS request.

The ``Claim`` (``use = preauthorization``) gives the request date (``created``), the request
type (X12 certification type ``I`` / ``R``), the urgency (priority ``stat``, a free-form message
for the reason), the codes asked for (``item.productOrService``), the place of care and the order
(``requestedService``): the MedicationRequest, DeviceRequest or ServiceRequest whose text, dosage,
timing and supply complete the request section. That order is the request, not a treatment.

A bundle pa-docs wrote names the case on its Claim (identifier ``urn:pa-docs:case-id``), and its
record resources carry pa-docs' own codes and extensions (``_record``); those are read back here
exactly as they were written: the drug as the case names it, the codes the case gave
(``userSelected``), a lab's context and who performed it, a score's instrument and period, a
treatment's outcome. Any other PAS bundle's record goes through the chart mappers.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from ..vocab import vocabulary
from ._conditions import icd10cm
from ._index import Index
from ._meds import drug_key
from ._out import (
    BODY_WEIGHT,
    CPT,
    EXPEDITED,
    EXT_CONTEXT,
    EXT_EVALUATED,
    EXT_MEDICATION,
    EXT_PERFORMED_BY,
    EXT_POLICY,
    EXT_SYMPTOMS_IMPROVED,
    EXT_TREATMENT_SOURCE,
    HCPCS,
    ICD10CM,
    INTERPRETATION_CODES,
    LINE_OF_BUSINESS,
    LOINC,
    NDC,
    ORDER_TYPES,
    PADOCS_CASE,
    PADOCS_COMPONENT,
    PADOCS_ENCOUNTER,
    PADOCS_FINDING,
    PADOCS_INSTRUMENT,
    PADOCS_OUTCOME,
    PADOCS_TEST,
    RXNORM,
    SOPT,
)
from ._util import FILL, Fill, Item, codings, concept_text, number, reference, table, to_date
from ._validate import Resource

ORDER_KINDS = {resource: kind for kind, resource in ORDER_TYPES.items()}
_RESULTS = {code: result for result, code in INTERPRETATION_CODES.items()}
_BRAND = re.compile(r"^(.*?)\s*\[([^\]]+)\]$")


@dataclass(frozen=True)
class PasRequest:
    """The Claim of a PAS request bundle, the order it asks for, and the case it was written
    from (``case_id``, when pa-docs wrote it)."""

    claim: Resource
    order: Resource | None
    case_id: str | None
    created: dt.date | None

    @property
    def ours(self) -> bool:
        return self.case_id is not None


def find_request(index: Index) -> PasRequest | None:
    """The PAS request in the source: its first Claim with ``use = preauthorization``."""
    claim = next((c for c in index.of_type("Claim") if c.model.use == "preauthorization"), None)
    if claim is None:
        return None
    m = claim.model
    case_id = next(
        (str(i.value) for i in m.identifier or [] if i.system == PADOCS_CASE and i.value), None
    )
    order = None
    for item in m.item or []:
        for ext in item.extension or []:
            if str(ext.url).endswith("extension-requestedService") and ext.valueReference:
                found = index.resolve(reference(ext.valueReference))
                if found is not None and found.type in ORDER_KINDS and order is None:
                    order = found
    return PasRequest(claim, order, case_id, to_date(m.created))


def _ext(extensions: Any, name: str) -> Any:
    """The extension whose url is ``name`` or ends with ``extension-<name>``."""
    for e in extensions or []:
        url = str(e.url)
        if url == name or url.endswith(f"extension-{name}"):
            return e
    return None


def _first_code(concept: Any, system: str | None = None) -> str | None:
    return next((c.code for c in codings(concept) if system is None or c.system == system), None)


def _order_concept(order: Resource) -> Any:
    m = order.model
    if order.type == "MedicationRequest":
        return m.medicationCodeableConcept
    return m.codeCodeableConcept if order.type == "DeviceRequest" else m.code


def request(pas: PasRequest, index: Index) -> tuple[dict[str, Any], list[Fill]]:
    """The request section from the Claim and its order, in the field order of a case file."""
    claim = pas.claim.model
    items = claim.item or []
    first = items[0] if items else None
    order = pas.order
    om: Any = order.model if order is not None else None
    is_med = order is not None and order.type == "MedicationRequest"
    out: dict[str, Any] = {}
    cert = _ext(first.extension if first else None, "certificationType")
    out["type"] = (
        "continuation" if cert and _first_code(cert.valueCodeableConcept) == "R" else "initial"
    )
    concept = _order_concept(order) if order is not None else None
    text = (concept_text(concept) or "") if concept is not None else ""
    match = _BRAND.match(text)
    name, product = (match.group(1), match.group(2)) if match else (text, None)
    if not pas.ours:  # another system's order: the vocabulary's key when it names a known drug
        key, _ = drug_key(codings(concept), text)
        name = key or name
    drug = vocabulary().drug(name) if name else None
    kind = ORDER_KINDS.get(order.type) if order is not None else None
    out["kind"] = kind or ("device" if drug and "device" in drug.classes else "drug")
    out["item"] = name or FILL
    if product:
        out["product"] = product
    hcpcs = {HCPCS, *table("medications")["hcpcs_systems"]}
    ndcs = {NDC, *table("medications")["ndc_systems"]}
    asked = [c for it in items for c in codings(it.productOrService)]
    codes = [c.code for c in asked if c.system in hcpcs or c.system == CPT]
    ndc = next((c.code for c in asked if c.system in ndcs), None)
    out["codes"] = list(dict.fromkeys(codes))
    dosage = (om.dosageInstruction or [None])[0] if is_med else None
    if dosage is not None and dosage.text:
        out["dose"] = str(dosage.text)
    timing = dosage.timing if dosage is not None else getattr(om, "occurrenceTiming", None)
    if timing is not None and timing.code is not None and timing.code.text:
        out["frequency"] = str(timing.code.text)
    if dosage is not None and dosage.route is not None and dosage.route.text:
        out["route"] = str(dosage.route.text)
    dx = _order_diagnosis(om, index) if om is not None else None
    principal = next(
        (
            _first_code(d.diagnosisCodeableConcept, ICD10CM)
            for d in sorted(claim.diagnosis or [], key=lambda d: d.sequence)
        ),
        None,
    )
    out["diagnosis"] = dx or principal or FILL
    if _first_code(claim.priority) == "stat":
        out["urgency"] = "expedited"
        reason = next((m for m in messages(pas) if m.startswith(EXPEDITED)), None)
        if reason:
            out["urgency_reason"] = reason[len(EXPEDITED) :]
    if ndc:
        out["ndc"] = ndc
    supply = om.dispenseRequest if is_med else None
    quantity = (supply.quantity if supply is not None else None) or (
        first.quantity if first else None
    )
    if quantity is not None and quantity.value is not None:
        out["quantity"] = f"{number(quantity.value)} {quantity.unit or ''}".strip()
    days = _days_supply(supply, first)
    if days:
        out["days_supply"] = days
    place = first.locationCodeableConcept if first is not None else None
    if place is not None and place.text:
        out["site_of_care"] = str(place.text)
    policy = _ext(claim.extension, EXT_POLICY)
    if policy is not None and policy.valueString:
        out["policy"] = str(policy.valueString)
    ordered = to_date(getattr(om, "authoredOn", None)) if om is not None else None
    if ordered is not None and ordered != pas.created:
        out["order_date"] = ordered
    fills = []
    if out["item"] == FILL:
        fills.append(
            Fill("request.item", "the drug or device requested (the Claim's order names none)")
        )
    if out["diagnosis"] == FILL:
        fills.append(Fill("request.diagnosis", "the ICD-10-CM code the request is for"))
    return out, fills


def claim_diagnoses(pas: PasRequest, known: set[str]) -> list[Item]:
    """The Claim's diagnoses that no Condition of the source gives (another system's PAS
    request may carry its diagnoses only there), dated by PAS' recorded date when given."""
    out = []
    for d in sorted(pas.claim.model.diagnosis or [], key=lambda d: d.sequence):
        raw = _first_code(d.diagnosisCodeableConcept, ICD10CM)
        code = icd10cm(raw) if raw else None
        if code is None or code in known:
            continue
        known.add(code)
        data: dict[str, Any] = {"code": code}
        recorded = _ext(d.extension, "diagnosisRecordedDate")
        day = to_date(recorded.valueDate) if recorded is not None else None
        _put(data, "onset", day)
        data["fhir_ref"] = pas.claim.ref
        out.append(Item(data, [], day))
    return out


def messages(pas: PasRequest) -> list[str]:
    """The Claim's free-form messages to the UMO (``supportingInfo`` ``freeFormMessage``)."""
    return [
        str(s.valueString)
        for s in pas.claim.model.supportingInfo or []
        if _first_code(s.category) == "freeFormMessage" and s.valueString
    ]


def notes(pas: PasRequest) -> str | None:
    """The case notes: the free-form messages other than the reason for an expedited review."""
    found = [m for m in messages(pas) if not m.startswith(EXPEDITED)]
    return "\n\n".join(found) or None


def _days_supply(supply: Any, item: Any) -> int | None:
    duration = supply.expectedSupplyDuration if supply is not None else None
    if duration is not None and duration.value is not None:
        return int(duration.value)
    period = item.servicedPeriod if item is not None else None
    start = to_date(period.start) if period is not None else None
    end = to_date(period.end) if period is not None else None
    return (end - start).days + 1 if start and end else None


def _order_diagnosis(order: Any, index: Index) -> str | None:
    for ref in order.reasonReference or []:
        target = index.resolve(reference(ref))
        if target is not None and target.type == "Condition":
            code = _first_code(target.model.code, ICD10CM)
            if code:
                return code
    for concept in order.reasonCode or []:
        code = _first_code(concept, ICD10CM)
        if code:
            return code
    return None


def payer(pas: PasRequest, index: Index) -> str | None:
    """The payer key pa-docs wrote as the insurer's alias (None for another system's bundle)."""
    if not pas.ours:
        return None
    insurer = index.resolve(reference(pas.claim.model.insurer))
    aliases = (
        insurer.model.alias if insurer is not None and insurer.type == "Organization" else None
    )
    return str(aliases[0]) if aliases else None


def line_of_business(coverage: Resource | None) -> str | None:
    """The line of business whose Source of Payment Typology code pa-docs wrote on the Coverage."""
    if coverage is None:
        return None
    code = _first_code(coverage.model.type, SOPT)
    return next((k for k, (c, _) in LINE_OF_BUSINESS.items() if c == code), None)


def specialty(index: Index) -> str | None:
    """The prescriber's specialty as written (the chart mapper lower-cases it)."""
    for role in index.of_type("PractitionerRole"):
        for s in role.model.specialty or []:
            if s.text:
                return str(s.text)
    return None


# --- the record resources pa-docs wrote ------------------------------------------------------


@dataclass
class OwnRecord:
    """The record items read back from pa-docs' own resources, and the resources left for the
    chart mappers."""

    labs: list[Item]
    scores: list[Item]
    findings: list[Item]
    treatments: list[Item]
    encounters: list[Item]
    rest: list[Resource]
    weight_kg: float | int | None = None


def own_record(resources: list[Resource]) -> OwnRecord:
    out = OwnRecord([], [], [], [], [], [])
    for r in resources:
        m = r.model
        if r.type == "Observation" and _first_code(m.code, PADOCS_INSTRUMENT):
            out.scores.append(_score(r))
        elif r.type == "Observation" and _first_code(m.code, PADOCS_FINDING):
            out.findings.append(_finding(r))
        elif r.type == "Observation" and _first_code(m.code, PADOCS_TEST):
            out.labs.append(_lab(r))
        elif r.type == "Observation" and _first_code(m.code, LOINC) == BODY_WEIGHT:
            q = m.valueQuantity
            out.weight_kg = number(q.value) if q is not None and q.unit == "kg" else None
        elif r.type == "MedicationStatement" and _ext(m.extension, EXT_MEDICATION):
            out.treatments.append(_treatment(r))
        elif r.type == "Encounter" and any(_first_code(t, PADOCS_ENCOUNTER) for t in m.type or []):
            out.encounters.append(_encounter(r))
        else:
            out.rest.append(r)
    for n, it in enumerate(
        [*out.labs, *out.scores, *out.findings, *out.treatments, *out.encounters]
    ):
        it.seq = n
    return out


def _note(m: Any) -> str | None:
    texts = [str(n.text) for n in m.note or [] if n.text]
    return "\n".join(texts) or None


def _put(data: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        data[key] = value


def _lab(r: Resource) -> Item:
    m = r.model
    data: dict[str, Any] = {"test": _first_code(m.code, PADOCS_TEST)}
    chosen = [c for c in m.code.coding or [] if c.system == LOINC and c.userSelected]
    _put(data, "loinc", chosen[0].code if chosen else None)
    interpretation = next((_first_code(c) for c in m.interpretation or []), None)
    _put(data, "result", _RESULTS.get(interpretation or ""))
    q = m.valueQuantity
    if q is not None and q.value is not None:
        data["value"] = number(q.value)
        _put(data, "unit", q.unit)
    day = to_date(m.effectiveDateTime)
    data["date"] = day or FILL
    for comp in m.component or []:
        key = _first_code(comp.code, PADOCS_COMPONENT)
        value = comp.valueQuantity.value if comp.valueQuantity is not None else None
        if key in ("events", "minutes_at_or_below") and value is not None:
            data[key] = int(value) if key == "events" else number(value)
    for key, url, attr in (
        ("context", EXT_CONTEXT, "valueCode"),
        ("performed_by", EXT_PERFORMED_BY, "valueCode"),
        ("evaluated_by_treating_practitioner", EXT_EVALUATED, "valueBoolean"),
    ):
        ext = _ext(m.extension, url)
        _put(data, key, getattr(ext, attr) if ext is not None else None)
    _put(data, "note", _note(m))
    data["fhir_ref"] = r.ref
    return Item(data, [], day)


def _score(r: Resource) -> Item:
    m = r.model
    data: dict[str, Any] = {"instrument": _first_code(m.code, PADOCS_INSTRUMENT)}
    data["value"] = number(m.valueQuantity.value) if m.valueQuantity is not None else FILL
    period = m.effectivePeriod
    end = to_date(period.end) if period is not None else to_date(m.effectiveDateTime)
    start = to_date(period.start) if period is not None else None
    data["date"] = end or FILL
    if start and end:
        data["period_days"] = (end - start).days + 1
    _put(data, "note", _note(m))
    data["fhir_ref"] = r.ref
    return Item(data, [], end)


def _finding(r: Resource) -> Item:
    m = r.model
    day = to_date(m.effectiveDateTime)
    data: dict[str, Any] = {"name": _first_code(m.code, PADOCS_FINDING), "date": day or FILL}
    _put(data, "note", _note(m))
    data["fhir_ref"] = r.ref
    return Item(data, [], day)


def _treatment(r: Resource) -> Item:
    m = r.model
    named = {
        str(e.url): str(e.valueString)
        for e in _ext(m.extension, EXT_MEDICATION).extension or []
        if e.valueString
    }
    data: dict[str, Any] = {"drug": named.get("drug") or FILL}
    for key in ("product", "strength", "form"):
        _put(data, key, named.get(key))
    dosage = (m.dosage or [None])[0]
    if dosage is not None:
        _put(data, "dose", dosage.text)
        _put(data, "route", dosage.route.text if dosage.route is not None else None)
    period = m.effectivePeriod
    start = to_date(period.start) if period is not None else None
    _put(data, "start", start)
    _put(data, "end", to_date(period.end) if period is not None else None)
    _put(
        data, "outcome", next((_first_code(c, PADOCS_OUTCOME) for c in m.statusReason or []), None)
    )
    source = _ext(m.extension, EXT_TREATMENT_SOURCE)
    _put(data, "source", source.valueCode if source is not None else None)
    _put(data, "note", _note(m))
    med = m.medicationCodeableConcept
    chosen = [
        c
        for c in (med.coding if med is not None else None) or []
        if c.system == RXNORM and c.userSelected
    ]
    _put(data, "rxnorm", chosen[0].code if chosen else None)
    data["fhir_ref"] = r.ref
    return Item(data, [], start)


def _encounter(r: Resource) -> Item:
    m = r.model
    kind = next(
        _first_code(t, PADOCS_ENCOUNTER) for t in m.type or [] if _first_code(t, PADOCS_ENCOUNTER)
    )
    day = to_date(m.period.start) if m.period is not None else None
    data: dict[str, Any] = {"type": kind, "date": day or FILL}
    _put(data, "note", next((str(c.text) for c in m.reasonCode or [] if c.text), None))
    improved = _ext(m.extension, EXT_SYMPTOMS_IMPROVED)
    _put(data, "symptoms_improved", improved.valueBoolean if improved is not None else None)
    data["fhir_ref"] = r.ref
    return Item(data, [], day)
