"""A checked case as a Da Vinci PAS request: a FHIR R4 ``Bundle`` (collection) whose first entry
is the ``Claim`` (``use = preauthorization``), with the resources it references.

The Claim names the patient, the insurer and the requesting practice, the prescriber (care team),
the diagnoses (ICD-10-CM, the request's first as principal), the Coverage (focal), one item per
requested code (HCPCS, CPT or NDC; the X12 service type when the case gives none) with its
quantity, dates and place of service, and as supporting information the DTR QuestionnaireResponse
and a DocumentReference carrying the packet PDF (base64). The bundle also holds the order
(MedicationRequest, DeviceRequest or ServiceRequest) and the clinical record (``_record``).
Each resource names the PAS profile (or the US Core profile PAS names) in ``meta.profile``.

Deterministic: ids derive from the case, the timestamp and dates from its request date, and the
packet PDF is byte-stable; the same case gives the same bytes.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from typing import Any

from ..case import Case
from ..check import CheckResult
from ..policy import Policy
from ..vocab import vocabulary
from ._export_dtr import build_response
from ._out import (
    CPT,
    EXPEDITED,
    EXT_POLICY,
    HCPCS,
    ICD10CM,
    LINE_OF_BUSINESS,
    LOINC,
    MBI,
    NDC,
    NPI,
    PADOCS_CASE,
    PAS_SD,
    PAS_TEMP,
    POS,
    RXNORM,
    SOPT,
    TERMINOLOGY,
    UCUM,
    URI,
    X12,
    Ids,
    coding,
    concept,
    profiled,
    reference,
    validate,
)
from ._record import human_name, order_type, patient, record, rxnorm_code

# X12 1365 service types: durable medical equipment rented (every device of the vocabulary is a
# Medicare capped-rental or oxygen item), bought otherwise; drugs billed by HCPCS are medical
# care, others pharmacy.
_SERVICE = {
    "rental": ("18", "Durable Medical Equipment Rental"),
    "purchase": ("12", "Durable Medical Equipment Purchase"),
    "medical": ("1", "Medical Care"),
    "pharmacy": ("88", "Pharmacy"),
}
_RENTED = {"cpap", "bilevel_pap", "oxygen_concentrator", "portable_oxygen", "stationary_oxygen"}
_PLACE = {"11": "Office", "12": "Home", "22": "On Campus-Outpatient Hospital"}
_HCPCS2 = re.compile(r"^[A-V]\d{4}$")
_CPT = re.compile(r"^\d{4}[0-9FTU]$")
_NDC = re.compile(r"^\d[\d-]{8,12}\d$")
_QUANTITY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(.*?)\s*$")
_LEVEL_OF_SERVICE = f"{PAS_SD}/extension-levelOfServiceCode"


def code_system(code: str) -> str | None:
    """The system of a requested code: HCPCS Level II, CPT or NDC (None when it is none)."""
    c = code.strip().upper()
    if _HCPCS2.match(c):
        return HCPCS
    if _CPT.match(c):
        return CPT
    if _NDC.match(c) and len(c.replace("-", "")) in (10, 11):
        return NDC
    return None


def _ext(name: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"url": f"{PAS_SD}/extension-{name}", **value}


def insurer(case: Case, policy: Policy, ids: Ids) -> dict[str, Any]:
    res = profiled("Organization", ids.of("Organization", "insurer"), "insurer")
    res["active"] = True
    res["type"] = [concept(coding(f"{X12}/98", "PR", "Payer"))]
    # the policy's payer when the policy is that payer's own; else the payer key of the case
    own = policy.payer_keys == [case.coverage.payer]
    res["name"] = policy.payer if own else case.coverage.payer.upper()
    res["alias"] = [case.coverage.payer]
    return res


def requestor(case: Case, ids: Ids) -> dict[str, Any]:
    p = case.prescriber
    res = profiled("Organization", ids.of("Organization", "requestor"), "requestor")
    res["active"] = True
    res["type"] = [concept(coding(f"{X12}/98", "1P", "Provider"))]
    res["name"] = p.practice or p.name
    telecom = _telecom(case)
    if telecom:
        res["telecom"] = telecom
    if p.address:
        res["address"] = [{"text": p.address}]
    contact: dict[str, Any] = {"name": human_name(p.name)}
    if telecom:
        contact["telecom"] = telecom
    res["contact"] = [contact]
    return res


def _telecom(case: Case) -> list[dict[str, Any]]:
    p = case.prescriber
    return [
        {"system": kind, "value": value, "use": "work"}
        for kind, value in (("phone", p.phone), ("fax", p.fax))
        if value
    ]


def practitioner(case: Case, ids: Ids) -> dict[str, Any]:
    p = case.prescriber
    res = profiled("Practitioner", ids.of("Practitioner"))
    res["identifier"] = [{"system": NPI, "value": p.npi}]
    res["name"] = [human_name(p.name)]
    telecom = _telecom(case)
    if telecom:
        res["telecom"] = telecom
    if p.address:
        res["address"] = [{"text": p.address}]
    return res


def practitioner_role(case: Case, ids: Ids) -> dict[str, Any]:
    res = profiled("PractitionerRole", ids.of("PractitionerRole"))
    res["active"] = True
    res["practitioner"] = reference(ids.ref("Practitioner"), case.prescriber.name)
    res["organization"] = reference(ids.ref("Organization", "requestor"))
    if case.prescriber.specialty:
        res["specialty"] = [concept(text=case.prescriber.specialty)]
    telecom = _telecom(case)
    if telecom:
        res["telecom"] = telecom
    return res


def coverage(case: Case, ids: Ids) -> dict[str, Any]:
    c = case.coverage
    res = profiled("Coverage", ids.of("Coverage"))
    member: dict[str, Any] = {
        "type": concept(coding(f"{TERMINOLOGY}/v2-0203", "MB", "Member Number")),
    }
    if c.line_of_business.value == "medicare":
        member["system"] = MBI
    member["value"] = case.patient.member_id
    res["identifier"] = [member]
    res["status"] = "active"
    code, display = LINE_OF_BUSINESS[c.line_of_business.value]
    res["type"] = concept(coding(SOPT, code, display))
    res["subscriber"] = reference(ids.ref("Patient"))
    res["subscriberId"] = case.patient.member_id
    res["beneficiary"] = reference(ids.ref("Patient"))
    res["relationship"] = concept(coding(f"{TERMINOLOGY}/subscriber-relationship", "self"))
    res["payor"] = [reference(ids.ref("Organization", "insurer"))]
    classes = []
    cls = f"{TERMINOLOGY}/coverage-class"
    if c.plan:
        classes.append({"type": concept(coding(cls, "plan")), "value": c.plan, "name": c.plan})
    if c.group_number:
        classes.append({"type": concept(coding(cls, "group")), "value": c.group_number})
    if classes:
        res["class"] = classes
    return res


def _item_codes(case: Case) -> list[dict[str, Any]]:
    """The requested codes as codings, in the case's order: its codes, then its NDC."""
    r = case.request
    out = []
    for code in [*r.codes, *([r.ndc] if r.ndc and r.ndc not in r.codes else [])]:
        system = code_system(code)
        if system is not None:
            out.append(coding(system, code.strip().upper() if system != NDC else code.strip()))
    return out


def _service_type(case: Case, codes: list[dict[str, Any]]) -> tuple[str, str]:
    r = case.request
    if r.kind == "device":
        drug = vocabulary().drug(r.item)
        return _SERVICE["rental" if drug and drug.key in _RENTED else "purchase"]
    if r.kind == "drug" and not any(c["system"] == HCPCS for c in codes):
        return _SERVICE["pharmacy"]
    return _SERVICE["medical"]


def place_of_service(case: Case) -> str:
    """CMS place of service: the case's site of care when it names home, hospital or office;
    else home for a device or a self-administered drug, office otherwise."""
    r = case.request
    site = (r.site_of_care or "").lower()
    if "home" in site:
        return "12"
    if "hospital" in site:
        return "22"
    if any(w in site for w in ("office", "clinic", "infusion")):
        return "11"
    if r.kind == "device" or (r.route or "").lower() in ("subcutaneous", "oral", "topical"):
        return "12"
    return "11"


def _quantity(text: str | None) -> dict[str, Any] | None:
    m = _QUANTITY.match(text or "")
    if not m:
        return None
    out: dict[str, Any] = {"value": float(m.group(1))}
    out["value"] = int(out["value"]) if out["value"].is_integer() else out["value"]
    if m.group(2):
        out["unit"] = m.group(2)
    return out


def order(case: Case, ids: Ids) -> dict[str, Any]:
    """The order the request is for, as PAS profiles it (status active, intent order)."""
    r = case.request
    kind = order_type(case)
    res = profiled(kind, ids.of(kind))
    res["status"] = "active"
    res["intent"] = "order"
    codes = _item_codes(case)
    label = f"{r.item} [{r.product}]" if r.product else r.item
    if kind == "MedicationRequest":
        drug = vocabulary().drug(r.item)
        rx = rxnorm_code(drug.key) if drug else None
        rx_coding = [coding(RXNORM, rx)] if rx else []
        res["medicationCodeableConcept"] = concept(*rx_coding, *codes, text=label)
    else:
        field = "codeCodeableConcept" if kind == "DeviceRequest" else "code"
        res[field] = concept(*codes, text=label)
    res["subject"] = reference(ids.ref("Patient"))
    res["authoredOn"] = (r.order_date or case.request_date).isoformat()
    res["requester"] = reference(ids.ref("Practitioner"), case.prescriber.name)
    principal = next((i for i, d in enumerate(case.diagnoses) if d.code == r.diagnosis), None)
    if principal is not None:
        res["reasonReference"] = [reference(ids.ref("Condition", principal))]
    else:
        res["reasonCode"] = [concept(coding(ICD10CM, r.diagnosis))]
    timing = {"code": concept(text=r.frequency)} if r.frequency else None
    if kind == "MedicationRequest":
        dosage: dict[str, Any] = {}
        if r.dose:
            dosage["text"] = r.dose
        if timing:
            dosage["timing"] = timing
        if r.route:
            dosage["route"] = concept(text=r.route)
        if dosage:
            res["dosageInstruction"] = [dosage]
        dispense: dict[str, Any] = {}
        q = _quantity(r.quantity)
        if q:
            dispense["quantity"] = q
        if r.days_supply:
            days = {"value": r.days_supply, "unit": "days"}
            dispense["expectedSupplyDuration"] = days | {"system": UCUM, "code": "d"}
        if dispense:
            res["dispenseRequest"] = dispense
    elif timing:
        res["occurrenceTiming"] = timing
    return res


def document(case: Case, policy: Policy, ids: Ids, pdf: bytes) -> dict[str, Any]:
    """The packet PDF as a PAS DocumentReference (content included, never a URL)."""
    res = profiled("DocumentReference", ids.of("DocumentReference", "packet"))
    res["status"] = "current"
    res["type"] = concept(coding(LOINC, "51852-2", "Letter"), text="Prior authorization packet")
    cat = "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category"
    res["category"] = [concept(coding(cat, "clinical-note", "Clinical Note"))]
    res["subject"] = reference(ids.ref("Patient"))
    res["date"] = f"{case.request_date.isoformat()}T00:00:00Z"
    res["author"] = [reference(ids.ref("Practitioner"), case.prescriber.name)]
    res["description"] = (
        f"Prior authorization packet for {case.request.item} under {policy.citation}: cover, "
        "letter of medical necessity, criteria crosswalk and evidence"
    )
    res["content"] = [
        {
            "attachment": {
                "contentType": "application/pdf",
                "data": base64.b64encode(pdf).decode("ascii"),
                "size": len(pdf),
                "hash": base64.b64encode(hashlib.sha1(pdf).digest()).decode("ascii"),
                "title": f"{case.case_id}-packet.pdf",
                "creation": case.request_date.isoformat(),
            }
        }
    ]
    return res


def _supporting(seq: int, ref: str, description: str) -> dict[str, Any]:
    info = _ext(
        "documentInformation",
        {
            "extension": [
                {
                    "url": "reportTypeCode",
                    "valueCodeableConcept": concept(
                        coding(f"{X12}/755", "PY", "Physician's Report")
                    ),
                },
                {
                    "url": "transmissionMethod",
                    "valueCodeableConcept": concept(
                        coding(f"{X12}/756", "EL", "Electronically Only")
                    ),
                },
                {"url": "description", "valueString": description},
            ]
        },
    )
    return {
        "extension": [info],
        "sequence": seq,
        "category": concept(coding(PAS_TEMP, "additionalInformation")),
        "valueReference": reference(ref),
    }


def claim(case: Case, policy: Policy, ids: Ids) -> dict[str, Any]:
    r = case.request
    res = profiled("Claim", ids.of("Claim"))
    exts: list[dict[str, Any]] = []
    if r.urgency == "expedited":
        urgent = concept(coding(f"{X12}/1338", "U", "Urgent"))
        exts.append({"url": _LEVEL_OF_SERVICE, "valueCodeableConcept": urgent})
    if r.policy:
        exts.append({"url": EXT_POLICY, "valueString": r.policy})
    if exts:
        res["extension"] = exts
    res["identifier"] = [
        {"system": URI, "value": ids.ref("Claim")},
        {"system": PADOCS_CASE, "value": case.case_id},  # the practice's tracking number
    ]
    res["status"] = "active"
    res["type"] = concept(coding(f"{TERMINOLOGY}/claim-type", "professional"))
    res["use"] = "preauthorization"
    res["patient"] = reference(ids.ref("Patient"))
    res["created"] = case.request_date.isoformat()
    res["insurer"] = reference(ids.ref("Organization", "insurer"))
    res["provider"] = reference(ids.ref("Organization", "requestor"))
    priority = "stat" if r.urgency == "expedited" else "normal"
    res["priority"] = concept(coding(f"{TERMINOLOGY}/processpriority", priority))
    scope = _ext("careTeamClaimScope", {"valueBoolean": True})
    res["careTeam"] = [
        {"extension": [scope], "sequence": 1, "provider": reference(ids.ref("PractitionerRole"))}
    ]
    support = [
        _supporting(
            1, ids.ref("QuestionnaireResponse"), f"Answers to {policy.citation}, from the record"
        ),
        _supporting(2, ids.ref("DocumentReference", "packet"), "Prior authorization packet"),
    ]
    messages = [f"{EXPEDITED}{r.urgency_reason}" if r.urgency_reason else None, case.notes]
    for text in (m for m in messages if m):  # free-form messages to the UMO
        support.append(
            {
                "sequence": len(support) + 1,
                "category": concept(coding(PAS_TEMP, "freeFormMessage")),
                "valueString": text,
            }
        )
    res["supportingInfo"] = support
    codes = [r.diagnosis, *(d.code for d in case.diagnoses if d.code != r.diagnosis)]
    res["diagnosis"] = []
    for seq, code in enumerate(codes, start=1):
        d: dict[str, Any] = {
            "sequence": seq,
            "diagnosisCodeableConcept": concept(coding(ICD10CM, code)),
        }
        if seq == 1:
            d["type"] = [concept(coding(PAS_TEMP, "principal"))]
        res["diagnosis"].append(d)
    res["insurance"] = [{"sequence": 1, "focal": True, "coverage": reference(ids.ref("Coverage"))}]
    res["item"] = _items(case, ids)
    return res


def _items(case: Case, ids: Ids) -> list[dict[str, Any]]:
    r = case.request
    codes = _item_codes(case)
    category = _service_type(case, codes)
    service = concept(coding(f"{X12}/1365", *category))
    certification = ("I", "Initial") if r.type == "initial" else ("R", "Renewal")
    place = place_of_service(case)
    start = r.order_date or case.request_date
    out = []
    products: list[dict[str, Any] | None] = [*codes] or [None]
    for seq, product in enumerate(products, start=1):
        item: dict[str, Any] = {
            "extension": [
                _ext(
                    "serviceItemRequestType",
                    {
                        "valueCodeableConcept": concept(
                            coding(f"{X12}/1525", "HS", "Health Services Review")
                        )
                    },
                ),
                _ext(
                    "certificationType",
                    {"valueCodeableConcept": concept(coding(f"{X12}/1322", *certification))},
                ),
                _ext("requestedService", {"valueReference": reference(ids.ref(order_type(case)))}),
            ],
            "sequence": seq,
            "careTeamSequence": [1],
            "diagnosisSequence": [1],
            "category": service,
            "productOrService": concept(product) if product else service,
        }
        if r.days_supply:
            end = start + dt.timedelta(days=r.days_supply - 1)
            item["servicedPeriod"] = {"start": start.isoformat(), "end": end.isoformat()}
        else:
            item["servicedDate"] = start.isoformat()
        location = concept(coding(POS, place, _PLACE[place]), text=r.site_of_care)
        item["locationCodeableConcept"] = location
        q = _quantity(r.quantity)
        if q:
            item["quantity"] = q
        out.append(item)
    return out


def build_bundle(
    case: Case, policy: Policy, result: CheckResult, packet: bytes, ids: Ids | None = None
) -> dict[str, Any]:
    """The PAS request Bundle of a checked case, with ``packet`` (PDF bytes) attached."""
    ids = ids or Ids(case.case_id)
    resources = [
        claim(case, policy, ids),
        patient(case, ids),
        coverage(case, ids),
        insurer(case, policy, ids),
        requestor(case, ids),
        practitioner(case, ids),
        practitioner_role(case, ids),
        order(case, ids),
        build_response(case, policy, result, ids),
        document(case, policy, ids, packet),
        *record(case, ids),
    ]
    validate(resources)
    bundle = profiled("Bundle", ids.of("Bundle"))
    bundle["identifier"] = {"system": URI, "value": ids.ref("Bundle")}
    bundle["type"] = "collection"
    bundle["timestamp"] = f"{case.request_date.isoformat()}T00:00:00Z"
    bundle["entry"] = [{"fullUrl": f"urn:uuid:{res['id']}", "resource": res} for res in resources]
    validate([bundle])
    return bundle
