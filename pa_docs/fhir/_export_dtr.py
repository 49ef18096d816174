"""A checked case as the Da Vinci DTR ``QuestionnaireResponse`` to the policy's Questionnaire.

Each criterion's questions are answered from the verdict's evidence: the value the rule asks (the
diagnosis code, the age, the lab value or result, the score, the treatments tried, the date) and
a reference to each record item the verdict rests on. Every answer carries DTR's
``information-origin`` extension: ``auto-client`` when every item it rests on came from the EHR
(imported by ``import-fhir``: the item has a ``fhir_ref``), else ``manual`` (entered in the case
file by a person). A criterion without evidence (``missing``) is left unanswered, and the
response is ``in-progress`` until every criterion is answered.

References are ``urn:uuid:`` ids of the resources in the PAS request bundle (``export pas``), which
carries this response too.
"""

from __future__ import annotations

from typing import Any

from ..case import Case
from ..check import CheckResult, Status
from ..kinds import Evidence, Result, RuleBase
from ..policy import Policy
from ._out import DTR, DTR_SD, ICD10CM, Ids, coding, concept, number, profiled, reference
from ._questionnaire import (
    CERTIFICATION,
    REQUEST_TYPE,
    RESULTS,
    ask,
    groups,
    questionnaire_url,
    version,
)
from ._record import evidence_ref, order_type

ORIGIN = f"{DTR_SD}/information-origin"
_CRD_CODES = "http://hl7.org/fhir/us/davinci-crd/CodeSystem/coverage-information-codes"


def _origin(evidence: list[Evidence]) -> str:
    return "auto-client" if evidence and all(e.fhir_ref for e in evidence) else "manual"


def _answer(value: dict[str, Any], origin: str) -> dict[str, Any]:
    ext = {"url": ORIGIN, "extension": [{"url": "source", "valueCode": origin}]}
    return {"extension": [ext], **value}


def _values(rule: RuleBase, result: Result, case: Case, ids: Ids) -> list[dict[str, Any]]:
    """The answers (``value[x]`` only) to a leaf rule's question, from its evidence."""
    kind = ask(rule).type
    r: Any = rule
    out: list[dict[str, Any]] = []
    for ev in result.evidence:
        item: Any = ev.item
        if rule.kind == "diagnosis":
            code = item.code if ev.section == "diagnoses" else case.request.diagnosis
            desc = item.description if ev.section == "diagnoses" else None
            out.append({"valueCoding": coding(ICD10CM, code, desc)})
        elif rule.kind == "age" and ev.section == "patient":
            out.append({"valueInteger": case.age_on(case.request_date)})
        elif rule.kind == "prescriber" and item.specialty:
            out.append({"valueString": item.specialty})
        elif rule.kind in ("lab", "percent_change") and ev.section == "labs":
            if kind == "quantity" and item.value is not None:
                q: dict[str, Any] = {"value": number(item.value)}
                if item.unit:
                    q["unit"] = item.unit
                out.append({"valueQuantity": q})
            elif kind == "choice" and item.result:
                out.append({"valueCoding": RESULTS[item.result]})
            elif kind == "date":
                out.append({"valueDate": item.date.isoformat()})
        elif rule.kind == "score" and ev.section == "scores" and ev.role != "baseline":
            out.append({"valueDecimal": number(item.value)})
        elif rule.kind in ("step_therapy", "concurrent_therapy") and kind == "reference":
            out.append({"valueReference": reference(evidence_ref(ids, case, ev), ev.summary)})
        elif rule.kind == "dosing":
            words = ", ".join(x for x in (item.dose, item.frequency) if x)
            if words:
                out.append({"valueString": words})
        elif rule.kind in ("encounter", "finding", "event_count") and ev.section in (
            "encounters",
            "findings",
        ):
            out.append({"valueDate": item.date.isoformat()})
    if rule.kind == "concurrent_therapy" and r.mode == "excluded":
        if result.status is Status.met:
            out = [{"valueBoolean": False}]
        elif result.status is Status.not_met:
            out = [{"valueBoolean": True}]
    unique: list[dict[str, Any]] = []
    for v in out:
        if v not in unique:
            unique.append(v)
    return unique


def _leaf(rule: RuleBase, result: Result, link: str, case: Case, ids: Ids) -> list[dict[str, Any]]:
    origin = _origin(result.evidence)
    items = []
    values = _values(rule, result, case, ids)
    if values:
        answers = [_answer(v, origin) for v in values]
        items.append({"linkId": f"{link}.value", "text": ask(rule).text, "answer": answers})
    refs = []
    for ev in result.evidence:
        v = {"valueReference": reference(evidence_ref(ids, case, ev), ev.summary)}
        if v not in refs:
            refs.append(v)
    if refs:
        items.append(
            {
                "linkId": f"{link}.evidence",
                "text": "Evidence in the record",
                "answer": [_answer(v, _origin(result.evidence)) for v in refs],
            }
        )
    return items


def _rule(rule: RuleBase, result: Result, link: str, case: Case, ids: Ids) -> list[dict[str, Any]]:
    parts = getattr(rule, "of", None)
    if not parts:
        return _leaf(rule, result, link, case, ids)
    out = []
    for i, (part, res) in enumerate(zip(parts, result.parts, strict=True), start=1):
        sub = f"{link}.{i}"
        items = _rule(part, res, sub, case, ids)
        if items:
            text = part.label or (ask(part).text if not getattr(part, "of", None) else None)
            group: dict[str, Any] = {"linkId": sub}
            if text:
                group["text"] = text
            group["item"] = items
            out.append(group)
    return out


def build_response(
    case: Case, policy: Policy, result: CheckResult, ids: Ids | None = None
) -> dict[str, Any]:
    """The DTR QuestionnaireResponse answering the policy's Questionnaire from the checked case."""
    ids = ids or Ids(case.case_id)
    qr = profiled("QuestionnaireResponse", ids.of("QuestionnaireResponse"))
    qr["extension"] = [
        {"url": f"{DTR_SD}/qr-coverage", "valueReference": reference(ids.ref("Coverage"))},
        {"url": f"{DTR_SD}/qr-context", "valueReference": reference(ids.ref(order_type(case)))},
        {
            "url": f"{DTR_SD}/intendedUse",
            "valueCodeableConcept": concept(
                coding(_CRD_CODES, "withpa", "Include in prior authorization")
            ),
        },
    ]
    qr["questionnaire"] = f"{questionnaire_url(policy)}|{version(policy)}"
    answered = all(v.status is not Status.missing for v in result.verdicts)
    qr["status"] = "completed" if answered and not result.to_fill else "in-progress"
    qr["subject"] = reference(ids.ref("Patient"))
    qr["authored"] = case.request_date.isoformat()
    qr["author"] = reference(ids.ref("Practitioner"))
    items: list[dict[str, Any]] = []
    group = case.request.type
    if len(groups(policy)) > 1:
        items.append(
            {
                "linkId": REQUEST_TYPE,
                "text": "Request type",
                "answer": [_answer({"valueCoding": CERTIFICATION[group]}, "manual")],
            }
        )
    criteria = []
    for v in result.verdicts:
        link = f"{group}.{v.id}"
        inner = _rule(v.criterion.rule, v.result, link, case, ids)
        if inner:
            criteria.append({"linkId": link, "text": v.criterion.text, "item": inner})
    if criteria:
        items.append({"linkId": group, "item": criteria})
    qr["item"] = items
    return qr


__all__ = ["DTR", "build_response"]
