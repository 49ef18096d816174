"""What every FHIR export shares: the code systems and profiles it names, ids derived from the
case, validation with ``fhir.resources`` (R4B models, read as R4), and deterministic JSON.

Ids are UUIDs derived (``uuid5``) from the case id and what the resource stands for, so the same
case gives the same ids and the same bytes; a resource's ``fullUrl`` and every reference to it
are ``urn:uuid:<id>``. Nothing here reads a clock.

pa-docs' own vocabulary keys (tests without a LOINC code, instruments, findings, encounter types,
treatment outcomes) and the few facts of a case FHIR has no element for are written under the
local namespace ``urn:pa-docs:``; ``import-fhir`` reads them back.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from typing import Any

from ..errors import PaDocsError

PAS = "http://hl7.org/fhir/us/davinci-pas"
PAS_SD = f"{PAS}/StructureDefinition"
PAS_TEMP = f"{PAS}/CodeSystem/PASTempCodes"
DTR = "http://hl7.org/fhir/us/davinci-dtr"
DTR_SD = f"{DTR}/StructureDefinition"
US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition"

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
NDC = "http://hl7.org/fhir/sid/ndc"
# the HCPCS and CPT systems of the PAS value set X12278RequestedServiceType
HCPCS = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
CPT = "http://www.ama-assn.org/go/cpt"
NPI = "http://hl7.org/fhir/sid/us-npi"
MBI = "http://hl7.org/fhir/sid/us-mbi"
UCUM = "http://unitsofmeasure.org"
URI = "urn:ietf:rfc:3986"
X12 = "https://codesystem.x12.org/005010"
POS = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
SOPT = "https://nahdo.org/sopt"  # Source of Payment Typology (US Core's Coverage.type)
TERMINOLOGY = "http://terminology.hl7.org/CodeSystem"
INTERPRETATION = f"{TERMINOLOGY}/v3-ObservationInterpretation"

# pa-docs' own codes and extensions (a local namespace: see the module docstring)
PADOCS = "urn:pa-docs"
PADOCS_TEST = f"{PADOCS}:test"
PADOCS_INSTRUMENT = f"{PADOCS}:instrument"
PADOCS_FINDING = f"{PADOCS}:finding"
PADOCS_ENCOUNTER = f"{PADOCS}:encounter-type"
PADOCS_OUTCOME = f"{PADOCS}:treatment-outcome"
PADOCS_COMPONENT = f"{PADOCS}:lab-component"
PADOCS_CASE = f"{PADOCS}:case-id"  # the Claim's business identifier: the case id
EXT_CONTEXT = f"{PADOCS}:lab-context"
EXT_PERFORMED_BY = f"{PADOCS}:performed-by"
EXT_EVALUATED = f"{PADOCS}:evaluated-by-treating-practitioner"
EXT_SYMPTOMS_IMPROVED = f"{PADOCS}:symptoms-improved"
EXT_MEDICATION = f"{PADOCS}:medication"  # a treatment's drug, product, strength, form as written
EXT_TREATMENT_SOURCE = f"{PADOCS}:treatment-source"
EXT_POLICY = f"{PADOCS}:policy"  # on the Claim: the policy the case names (request.policy)
BODY_WEIGHT = "29463-7"  # LOINC body weight: the patient's weight_kg

LINE_OF_BUSINESS = {  # case line of business -> Source of Payment Typology
    "commercial": ("5", "PRIVATE HEALTH INSURANCE"),
    "medicare": ("121", "Medicare FFS"),
    "medicare_advantage": ("11", "Medicare Managed Care (Includes Medicare Advantage Plans)"),
    "medicare_part_d": ("122", "Medicare Drug Benefit"),
    "medicaid": ("2", "MEDICAID"),
}

# a case request's kind -> the resource that orders it (and back, on import)
ORDER_TYPES = {
    "drug": "MedicationRequest",
    "device": "DeviceRequest",
    "procedure": "ServiceRequest",
}
# a lab's result -> its v3 ObservationInterpretation code (and back, on import)
INTERPRETATION_CODES = {"positive": "POS", "negative": "NEG", "indeterminate": "IND"}
EXPEDITED = "Expedited review: "  # how the Claim's message giving the reason for urgency starts

PROFILES = {
    "Bundle": [f"{PAS_SD}/profile-pas-request-bundle"],
    "Claim": [f"{PAS_SD}/profile-claim"],
    "Patient": [f"{PAS_SD}/profile-subscriber", f"{PAS_SD}/profile-beneficiary"],
    "Coverage": [f"{PAS_SD}/profile-coverage"],
    "insurer": [f"{PAS_SD}/profile-insurer"],
    "requestor": [f"{PAS_SD}/profile-requestor"],
    "Practitioner": [f"{PAS_SD}/profile-practitioner"],
    "PractitionerRole": [f"{PAS_SD}/profile-practitionerrole"],
    "MedicationRequest": [f"{PAS_SD}/profile-medicationrequest"],
    "DeviceRequest": [f"{PAS_SD}/profile-devicerequest"],
    "ServiceRequest": [f"{PAS_SD}/profile-servicerequest"],
    "DocumentReference": [f"{PAS_SD}/profile-documentreference"],
    "QuestionnaireResponse": [f"{DTR_SD}/dtr-questionnaireresponse"],
    "Questionnaire": [f"{DTR_SD}/dtr-std-questionnaire"],
    # resources PAS lets supportingInfo carry are named by their US Core profiles
    "Condition": [f"{US_CORE}/us-core-condition-problems-health-concerns"],
    "lab": [f"{US_CORE}/us-core-observation-clinical-result"],
    "simple": [f"{US_CORE}/us-core-simple-observation"],
    "weight": [f"{US_CORE}/us-core-body-weight"],
    "Encounter": [f"{US_CORE}/us-core-encounter"],
    # MedicationStatement: neither PAS nor US Core profiles it
}

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:pa-docs:fhir-export")


class ExportError(PaDocsError):
    """An exported resource does not validate as FHIR R4: a bug in pa-docs, not in the input."""


class Ids:
    """Ids derived from the case: ``of("Observation", "labs", 2)`` is always the same UUID for
    the same case, and ``ref(...)`` the ``urn:uuid:`` reference to it."""

    def __init__(self, case_id: str) -> None:
        self.case_id = case_id

    def of(self, *key: object) -> str:
        return str(uuid.uuid5(_NAMESPACE, "|".join([self.case_id, *map(str, key)])))

    def ref(self, *key: object) -> str:
        return f"urn:uuid:{self.of(*key)}"


def coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    out = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def concept(*codings: dict[str, Any], text: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if codings:
        out["coding"] = list(codings)
    if text:
        out["text"] = text
    return out


def reference(url: str, display: str | None = None) -> dict[str, Any]:
    return {"reference": url, "display": display} if display else {"reference": url}


def profiled(resource_type: str, rid: str, profile: str | None = None) -> dict[str, Any]:
    """The start of a resource: its type, id and ``meta.profile`` (by type, or ``profile``)."""
    out: dict[str, Any] = {"resourceType": resource_type, "id": rid}
    urls = PROFILES.get(profile or resource_type)
    if urls:
        out["meta"] = {"profile": list(urls)}
    return out


def number(value: float) -> int | float:
    """A decimal as JSON writes it best: 28.6, and 5 rather than 5.0."""
    return int(value) if float(value).is_integer() else value


def validate(resources: Iterable[dict[str, Any]]) -> None:
    """Validate each resource with the ``fhir.resources`` R4B models (FHIR 4.3, which reads every
    R4 element written here); an invalid one is an ``ExportError`` naming it and the field."""
    from fhir.resources.R4B import get_fhir_model_class
    from pydantic import ValidationError

    for res in resources:
        kind = str(res["resourceType"])
        try:
            get_fhir_model_class(kind).model_validate(res)
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ExportError(
                f"{kind}/{res.get('id')} is not valid FHIR R4 at {where}: {first['msg']}"
            ) from None


def dumps(resource: dict[str, Any]) -> bytes:
    """The resource as JSON text: two-space indent, keys in the order written, UTF-8."""
    return (json.dumps(resource, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
