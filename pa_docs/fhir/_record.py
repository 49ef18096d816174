"""The case's clinical record as FHIR R4 resources, and where each case item lands.

The patient, each diagnosis (``Condition``), lab, score and finding (``Observation``), treatment
(``MedicationStatement``) and encounter (``Encounter``) of the case becomes one resource whose id
is derived from the case (``_out.Ids``). ``evidence_ref`` gives the reference of the resource a
verdict's evidence names, so the QuestionnaireResponse and the bundle point at the same ones.

Codes: ICD-10-CM for diagnoses, LOINC for tests that have one (the vocabulary's first code when
the case gives none), RxNorm for drugs the import tables know; the rest under pa-docs' local
namespace (``_out``). Every value is written as the case holds it; nothing is looked up outside
the package.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..case import Case, Encounter, Finding, Lab, Score, Treatment
from ..kinds import Evidence
from ..vocab import vocabulary
from ._out import (
    BODY_WEIGHT,
    EXT_CONTEXT,
    EXT_EVALUATED,
    EXT_MEDICATION,
    EXT_PERFORMED_BY,
    EXT_SYMPTOMS_IMPROVED,
    EXT_TREATMENT_SOURCE,
    ICD10CM,
    INTERPRETATION,
    INTERPRETATION_CODES,
    LOINC,
    ORDER_TYPES,
    PADOCS_COMPONENT,
    PADOCS_ENCOUNTER,
    PADOCS_FINDING,
    PADOCS_INSTRUMENT,
    PADOCS_OUTCOME,
    PADOCS_TEST,
    RXNORM,
    TERMINOLOGY,
    UCUM,
    URI,
    Ids,
    coding,
    concept,
    number,
    profiled,
    reference,
)
from ._questionnaire import RESULTS
from ._util import table

_ENCOUNTER_CLASS = {"office_visit": "AMB", "face_to_face": "AMB", "telehealth": "VR"}
_ACT_CODE = f"{TERMINOLOGY}/v3-ActCode"


def order_type(case: Case) -> str:
    return ORDER_TYPES[case.request.kind]


def evidence_ref(ids: Ids, case: Case, ev: Evidence) -> str:
    """The reference of the resource that carries the case item ``ev`` names."""
    if ev.section == "diagnoses":
        return ids.ref("Condition", ev.index)
    if ev.section in ("labs", "scores", "findings"):
        return ids.ref("Observation", ev.section, ev.index)
    if ev.section == "treatments":
        return ids.ref("MedicationStatement", ev.index)
    if ev.section == "encounters":
        return ids.ref("Encounter", ev.index)
    if ev.section == "patient":
        return ids.ref("Patient")
    if ev.section == "prescriber":
        return ids.ref("Practitioner")
    return ids.ref(order_type(case))  # the request


def human_name(text: str) -> dict[str, Any]:
    """A HumanName from one line: ``text`` as written, family the last word before any comma,
    credentials after the comma as suffixes ("Priya Raman, MD")."""
    name, _, creds = text.partition(",")
    words = name.split()
    out: dict[str, Any] = {"text": text}
    if words:
        out["family"] = words[-1]
    if len(words) > 1:
        out["given"] = words[:-1]
    suffix = [s.strip() for s in creds.split(",") if s.strip()]
    if suffix:
        out["suffix"] = suffix
    return out


def rxnorm_code(drug_key: str) -> str | None:
    """The RxNorm code the import table lists first for a drug (its ingredient concept)."""
    for code, key in table("medications")["rxnorm"].items():
        if key == drug_key:
            return str(code)
    return None


def patient(case: Case, ids: Ids) -> dict[str, Any]:
    p = case.patient
    res = profiled("Patient", ids.of("Patient"))
    res["identifier"] = [{"system": URI, "value": ids.ref("Patient")}]
    res["name"] = [human_name(p.name)]
    res["gender"] = p.sex.value
    res["birthDate"] = p.birth_date.isoformat()
    return res


def body_weight(case: Case, ids: Ids) -> dict[str, Any]:
    """The patient's weight (for weight-based doses) as a US Core body weight, dated the request
    date: the case gives the weight current when the request is made."""
    res = profiled("Observation", ids.of("Observation", "weight"), "weight")
    res["status"] = "final"
    res["category"] = [concept(coding(f"{TERMINOLOGY}/observation-category", "vital-signs"))]
    res["code"] = concept(coding(LOINC, BODY_WEIGHT, "Body weight"), text="Body weight")
    res["subject"] = reference(ids.ref("Patient"))
    res["effectiveDateTime"] = case.request_date.isoformat()
    weight = number(case.patient.weight_kg or 0)
    res["valueQuantity"] = {"value": weight, "unit": "kg", "system": UCUM, "code": "kg"}
    return res


def condition(case: Case, ids: Ids, i: int) -> dict[str, Any]:
    d = case.diagnoses[i]
    res = profiled("Condition", ids.of("Condition", i))
    res["clinicalStatus"] = concept(coding(f"{TERMINOLOGY}/condition-clinical", "active"))
    res["verificationStatus"] = concept(coding(f"{TERMINOLOGY}/condition-ver-status", "confirmed"))
    res["category"] = [concept(coding(f"{TERMINOLOGY}/condition-category", "problem-list-item"))]
    res["code"] = concept(coding(ICD10CM, d.code, d.description), text=d.description)
    res["subject"] = reference(ids.ref("Patient"))
    if d.onset:
        res["onsetDateTime"] = d.onset.isoformat()
    return res


def _observation(
    ids: Ids, section: str, i: int, profile: str, category: str, exts: list[Any] | None = None
) -> dict[str, Any]:
    res = profiled("Observation", ids.of("Observation", section, i), profile)
    if exts:
        res["extension"] = exts
    res["status"] = "final"
    res["category"] = [concept(coding(f"{TERMINOLOGY}/observation-category", category))]
    return res


def _note(res: dict[str, Any], note: str | None) -> None:
    if note:
        res["note"] = [{"text": note}]


def lab(case: Case, ids: Ids, i: int) -> dict[str, Any]:
    item: Lab = case.labs[i]
    test = vocabulary().tests[item.key]
    sleep = test.sleep_test
    exts: list[Any] = []
    if item.context:
        exts.append({"url": EXT_CONTEXT, "valueCode": item.context})
    if item.performed_by:
        exts.append({"url": EXT_PERFORMED_BY, "valueCode": item.performed_by})
    if item.evaluated_by_treating_practitioner is not None:
        exts.append({"url": EXT_EVALUATED, "valueBoolean": item.evaluated_by_treating_practitioner})
    res = _observation(ids, "labs", i, "lab", "procedure" if sleep else "laboratory", exts)
    loinc = item.loinc or (test.loinc[0] if test.loinc else None)
    codes = [coding(PADOCS_TEST, item.key, test.name)]
    if loinc:  # userSelected: the case named this LOINC code (else the vocabulary's first)
        codes.insert(
            0, coding(LOINC, loinc, test.name) | ({"userSelected": True} if item.loinc else {})
        )
    res["code"] = concept(*codes, text=test.name)
    res["subject"] = reference(ids.ref("Patient"))
    res["effectiveDateTime"] = item.date.isoformat()
    if item.performed_by == "practitioner":
        res["performer"] = [reference(ids.ref("Practitioner"))]
    if item.value is not None:
        q: dict[str, Any] = {"value": number(item.value)}
        if item.unit:
            q["unit"] = item.unit
        res["valueQuantity"] = q
    elif item.result:
        res["valueCodeableConcept"] = concept(RESULTS[item.result], text=item.result)
    else:
        res["dataAbsentReason"] = concept(coding(f"{TERMINOLOGY}/data-absent-reason", "unknown"))
    if item.result:
        code_ = INTERPRETATION_CODES[item.result]
        res["interpretation"] = [concept(coding(INTERPRETATION, code_, item.result.capitalize()))]
    _note(res, item.note)
    if sleep:
        kind = "Home sleep apnea test" if item.key == "hst" else "Attended polysomnography"
        res["method"] = concept(text=kind)
    components = []
    if item.events is not None:
        components.append(_component("events", "Total respiratory events", item.events, "events"))
    if item.minutes_at_or_below is not None:
        components.append(
            _component(
                "minutes_at_or_below",
                "Minutes at or below the qualifying value",
                item.minutes_at_or_below,
                "min",
            )
        )
    if components:
        res["component"] = components
    return res


def _component(key: str, text: str, value: float, unit: str) -> dict[str, Any]:
    return {
        "code": concept(coding(PADOCS_COMPONENT, key, text), text=text),
        "valueQuantity": {"value": number(value), "unit": unit},
    }


def score(case: Case, ids: Ids, i: int) -> dict[str, Any]:
    s: Score = case.scores[i]
    inst = vocabulary().instruments[s.instrument]
    res = _observation(ids, "scores", i, "simple", "survey")
    res["code"] = concept(coding(PADOCS_INSTRUMENT, s.instrument, inst.name), text=inst.name)
    res["subject"] = reference(ids.ref("Patient"))
    if s.period_days:
        start = s.date - dt.timedelta(days=s.period_days - 1)
        res["effectivePeriod"] = {"start": start.isoformat(), "end": s.date.isoformat()}
    else:
        res["effectiveDateTime"] = s.date.isoformat()
    q: dict[str, Any] = {"value": number(s.value)}
    if inst.unit:
        q["unit"] = inst.unit
    res["valueQuantity"] = q
    _note(res, s.note)
    return res


def finding(case: Case, ids: Ids, i: int) -> dict[str, Any]:
    f: Finding = case.findings[i]
    name = vocabulary().findings.get(f.name, f.name)
    res = _observation(ids, "findings", i, "simple", "exam")
    res["code"] = concept(coding(PADOCS_FINDING, f.name, name), text=name)
    res["subject"] = reference(ids.ref("Patient"))
    res["effectiveDateTime"] = f.date.isoformat()
    res["valueBoolean"] = True
    _note(res, f.note)
    return res


def medication_text(t: Treatment) -> str:
    """A treatment named as ``import-fhir`` reads a medication: name, strength, form, [brand]."""
    parts = [t.drug, t.strength or "", t.form or "", f"[{t.product}]" if t.product else ""]
    return " ".join(p for p in parts if p)


def medication_statement(case: Case, ids: Ids, i: int) -> dict[str, Any]:
    t: Treatment = case.treatments[i]
    res = profiled("MedicationStatement", ids.of("MedicationStatement", i))
    named = [
        {"url": name, "valueString": value}
        for name, value in (
            ("drug", t.drug),
            ("product", t.product),
            ("strength", t.strength),
            ("form", t.form),
        )
        if value
    ]
    res["extension"] = [{"url": EXT_MEDICATION, "extension": named}]
    if t.source != "prescription":
        res["extension"].append({"url": EXT_TREATMENT_SOURCE, "valueCode": t.source})
    res["status"] = "completed" if t.end else "active"
    if t.outcome:
        words = t.outcome.value.replace("_", " ")
        res["statusReason"] = [concept(coding(PADOCS_OUTCOME, t.outcome.value, words), text=words)]
    rx = t.rxnorm or rxnorm_code(t.generic)  # userSelected: the case named this code
    codes = [coding(RXNORM, rx) | ({"userSelected": True} if t.rxnorm else {})] if rx else []
    res["medicationCodeableConcept"] = concept(*codes, text=medication_text(t))
    res["subject"] = reference(ids.ref("Patient"))
    period = {k: d.isoformat() for k, d in (("start", t.start), ("end", t.end)) if d}
    if period:
        res["effectivePeriod"] = period
    _note(res, t.note)
    dosage: dict[str, Any] = {}
    if t.dose:
        dosage["text"] = t.dose
    if t.route:
        dosage["route"] = concept(text=t.route)
    if dosage:
        res["dosage"] = [dosage]
    return res


def encounter(case: Case, ids: Ids, i: int) -> dict[str, Any]:
    e: Encounter = case.encounters[i]
    name = vocabulary().encounter_types.get(e.type, e.type)
    res = profiled("Encounter", ids.of("Encounter", i))
    if e.symptoms_improved is not None:
        res["extension"] = [{"url": EXT_SYMPTOMS_IMPROVED, "valueBoolean": e.symptoms_improved}]
    res["status"] = "finished"
    res["class"] = coding(_ACT_CODE, _ENCOUNTER_CLASS.get(e.type, "AMB"))
    res["type"] = [concept(coding(PADOCS_ENCOUNTER, e.type, name), text=name)]
    res["subject"] = reference(ids.ref("Patient"))
    res["period"] = {"start": e.date.isoformat()}
    if e.note:
        res["reasonCode"] = [concept(text=e.note)]
    return res


def record(case: Case, ids: Ids) -> list[dict[str, Any]]:
    """The clinical record of the case: conditions, observations, treatments, encounters."""
    out = [body_weight(case, ids)] if case.patient.weight_kg else []
    out += [condition(case, ids, i) for i in range(len(case.diagnoses))]
    out += [lab(case, ids, i) for i in range(len(case.labs))]
    out += [score(case, ids, i) for i in range(len(case.scores))]
    out += [finding(case, ids, i) for i in range(len(case.findings))]
    out += [medication_statement(case, ids, i) for i in range(len(case.treatments))]
    out += [encounter(case, ids, i) for i in range(len(case.encounters))]
    return out
