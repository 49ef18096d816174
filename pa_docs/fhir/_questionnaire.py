"""A policy as a FHIR R4 ``Questionnaire`` (Da Vinci DTR standard questionnaire).

One group per criterion, in the policy's order, holding the payer's wording (``text``), its
citation (a ``display`` item) and the questions its rule asks: a value whose type follows the rule
kind (a diagnosis code, an age, a lab value or result, a score, prior treatments, a date) and the
evidence in the record (references). An ``all_of`` / ``any_of`` rule is a group of its parts.
A policy with continuation criteria asks the request type first (the X12 certification type the
PAS request carries) and enables the initial or the continuation groups by it.

Link ids are stable paths: ``initial.serology.2.value`` is the value asked by the second part of
the initial criterion ``serology``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..kinds import RuleBase
from ..policy import Criterion, Policy
from ..vocab import vocabulary
from ._out import SNOMED, X12, coding, profiled

REQUEST_TYPE = "request-type"
CERTIFICATION = {  # X12 1322 certification type, as the PAS Claim item carries it
    "initial": coding(f"{X12}/1322", "I", "Initial"),
    "continuation": coding(f"{X12}/1322", "R", "Renewal"),
}
RESULTS = {  # a qualitative result as a SNOMED CT qualifier value
    "positive": coding(SNOMED, "10828004", "Positive"),
    "negative": coding(SNOMED, "260385009", "Negative"),
    "indeterminate": coding(SNOMED, "82334004", "Indeterminate"),
}
_COMPOSE = {"all_of": "All of these:", "any_of": "One of these:"}
_GROUP_TEXT = {"initial": "Initial request", "continuation": "Continuation of therapy"}


@dataclass(frozen=True)
class Ask:
    """What a leaf rule asks: the answer's FHIR item type, its words, whether several answers
    may be given, and the allowed options (choice items)."""

    type: str
    text: str
    repeats: bool = False
    options: tuple[dict[str, Any], ...] = ()


def _names(keys: list[str], table: dict[str, Any], attr: str | None = None) -> str:
    out = []
    for k in keys:
        v = table.get(k)
        out.append(getattr(v, attr) if attr and v is not None else (v or k))
    return " or ".join(str(x) for x in out)


def ask(rule: RuleBase) -> Ask:
    """The question a leaf rule asks of the record, by its kind."""
    v = vocabulary()
    kind = rule.kind
    r: Any = rule
    if kind == "diagnosis":
        return Ask("open-choice", f"Diagnosis (ICD-10-CM; the policy covers {', '.join(r.codes)})")
    if kind == "age":
        return Ask("integer", "Age on the request date (years)")
    if kind == "prescriber":
        return Ask("string", "Prescriber's specialty")
    if kind == "lab":
        tests = _names(r.tests, v.tests, "short")
        if r.value or r.values or r.events or r.minutes_at_or_below:
            return Ask("quantity", f"{tests}: value", repeats=True)
        if r.result in ("positive", "negative"):
            return Ask("choice", f"{tests}: result", True, tuple(RESULTS.values()))
        return Ask("date", f"{tests}: date of the test", repeats=True)
    if kind == "score":
        return Ask("decimal", f"{_names([r.instrument], v.instruments, 'name')} score", True)
    if kind == "step_therapy":
        drugs = "; ".join(m.label() for m in r.drugs)
        return Ask("reference", f"Treatments tried ({drugs})", repeats=True)
    if kind == "concurrent_therapy":
        drugs = "; ".join(m.label() for m in r.drugs)
        if r.mode == "excluded":
            return Ask("boolean", f"Taking {drugs} with the requested drug?")
        return Ask("reference", f"Concurrent treatment ({drugs})", repeats=True)
    if kind == "dosing":
        return Ask("string", "Requested dose and frequency")
    if kind == "encounter":
        return Ask("date", f"{_names(r.types, v.encounter_types)}: date", repeats=True)
    if kind == "finding":
        return Ask("date", f"{_names([r.name], v.findings)}: documented on", repeats=True)
    if kind == "event_count":
        return Ask("date", f"{_names(r.events, v.findings)}: date of each event", repeats=True)
    if kind == "percent_change":
        test = _names([r.test], v.tests, "short")
        return Ask("quantity", f"{test}: current value and its baseline", repeats=True)
    raise ValueError(f"no question for a rule of kind {kind!r}")  # pragma: no cover


def walk(rule: RuleBase, link: str) -> Iterator[tuple[str, RuleBase]]:
    """Each rule of the tree with its link id: the rule itself, then its parts (``link.1``...)."""
    yield link, rule
    for i, part in enumerate(getattr(rule, "of", None) or [], start=1):
        yield from walk(part, f"{link}.{i}")


def _rule_items(rule: RuleBase, link: str) -> list[dict[str, Any]]:
    parts = getattr(rule, "of", None)
    if parts:
        out = []
        for i, part in enumerate(parts, start=1):
            sub = f"{link}.{i}"
            if getattr(part, "of", None):
                words = part.label or _COMPOSE[part.kind]
            else:
                words = part.label or ask(part).text
            out.append(
                {"linkId": sub, "text": words, "type": "group", "item": _rule_items(part, sub)}
            )
        return out
    a = ask(rule)
    value: dict[str, Any] = {"linkId": f"{link}.value", "text": a.text, "type": a.type}
    if a.repeats:
        value["repeats"] = True
    if a.options:
        value["answerOption"] = [{"valueCoding": o} for o in a.options]
    evidence = {
        "linkId": f"{link}.evidence",
        "text": "Evidence in the record",
        "type": "reference",
        "repeats": True,
        "readOnly": True,
    }
    return [value, evidence]


def criterion_item(c: Criterion, group: str, n: int) -> dict[str, Any]:
    link = f"{group}.{c.id}"
    items = [{"linkId": f"{link}.citation", "text": c.citation, "type": "display"}]
    if getattr(c.rule, "of", None):
        items.append({"linkId": f"{link}.rule", "text": _COMPOSE[c.rule.kind], "type": "display"})
    items += _rule_items(c.rule, link)
    return {"linkId": link, "prefix": f"{n}.", "text": c.text, "type": "group", "item": items}


def questionnaire_id(policy: Policy) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:pa-docs:questionnaire:{policy.id}"))


def questionnaire_url(policy: Policy) -> str:
    """The Questionnaire's canonical URL: ``urn:uuid:`` derived from the policy id."""
    return f"urn:uuid:{questionnaire_id(policy)}"


def version(policy: Policy) -> str:
    """The version a Questionnaire is of: the policy's, else the day it was last reviewed."""
    return policy.version or policy.last_reviewed.isoformat()


def groups(policy: Policy) -> list[str]:
    return policy.request_types


def build_questionnaire(policy: Policy) -> dict[str, Any]:
    """The policy as a FHIR R4 Questionnaire (a dict, in the order FHIR JSON is written)."""
    q = profiled("Questionnaire", questionnaire_id(policy))
    name = "".join(p.capitalize() for p in re.split(r"[^A-Za-z0-9]+", policy.id) if p)
    q.update(
        url=questionnaire_url(policy),
        version=version(policy),
        name=f"PaDocs{name}",
        title=f"{policy.citation}: {policy.title}",
        status="active",
        subjectType=["Patient"],
        date=policy.last_reviewed.isoformat(),
        description=(
            f"The criteria of {policy.citation} ({policy.title}) as encoded in pa-docs: one group "
            f"per criterion with the payer's wording and its citation. Policy {policy.id}, last "
            f"reviewed {policy.last_reviewed.isoformat()}; source: {policy.url}"
        ),
    )
    if policy.effective:
        q["effectivePeriod"] = {"start": policy.effective.isoformat()}
    items: list[dict[str, Any]] = []
    several = len(groups(policy)) > 1
    if several:
        items.append(
            {
                "linkId": REQUEST_TYPE,
                "text": "Request type",
                "type": "choice",
                "required": True,
                "answerOption": [{"valueCoding": CERTIFICATION[g]} for g in groups(policy)],
            }
        )
    for g in groups(policy):
        group: dict[str, Any] = {"linkId": g, "text": _GROUP_TEXT[g], "type": "group"}
        if several:
            group["enableWhen"] = [
                {"question": REQUEST_TYPE, "operator": "=", "answerCoding": CERTIFICATION[g]}
            ]
        group["item"] = [criterion_item(c, g, n) for n, c in enumerate(policy.criteria(g), 1)]
        items.append(group)
    q["item"] = items
    return q
