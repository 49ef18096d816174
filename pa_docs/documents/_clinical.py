"""Clinical reasoning from data: scores read against their published bands, the treatment history
by drug class, the guideline statements the case's facts match, the monitoring plan and the
weight-based dose. Every band, citation and plan comes from ``documents/data/*.yaml``; every fact
from the case. Nothing here is worded for a payer: templates do the wording.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

from .._yaml import load_data
from ..case import Case
from ..case._model import Lab, Outcome, Score, Treatment
from ..check import Result, Status, Verdict
from ..vocab import vocabulary


@cache
def _data(name: str) -> Any:
    text = resources.files(__package__).joinpath(f"data/{name}.yaml").read_text("utf-8")
    return load_data(text, f"{name}.yaml")


@dataclass(frozen=True, slots=True)
class Band:
    label: str
    source: str
    secondary: bool


def _labs(case: Case) -> list[Lab]:
    """The labs that are evidence: a lab whose test is still FILL-IN is left aside."""
    return [lab for lab in case.labs if lab.usable]


# Diagnoses whose first word is a person's name: their capital stays inside a sentence.
EPONYMS = frozenset(
    [
        "Addison",
        "Barrett",
        "Behcet",
        "Bell",
        "Crohn",
        "Cushing",
        "Graves",
        "Hashimoto",
        "Hodgkin",
        "Huntington",
        "Kawasaki",
        "Lyme",
        "Parkinson",
        "Raynaud",
        "Reiter",
        "Sjogren",
        "Still",
        "Takayasu",
        "Wegener",
        "Whipple",
    ]
)


def in_sentence(description: str | None) -> str | None:
    """An ICD-10-CM description as written inside a sentence: "Psoriasis vulgaris" becomes
    "psoriasis vulgaris"; an eponym ("Crohn's disease", "Hodgkin lymphoma") or an acronym at
    the start ("HIV disease") keeps its capital."""
    if not description:
        return description
    first = description.split(" ", 1)[0].rstrip(",;:")  # "Radiculopathy, lumbar region"
    if first[:1].isupper() and first[1:].islower() and first.isalpha() and first not in EPONYMS:
        return description[:1].lower() + description[1:]
    return description


def band(instrument: str, value: float, diagnosis: str | None = None) -> Band | None:
    """The published band ``value`` falls in, or None (no bands known, or none that applies)."""
    spec = _data("bands").get(instrument)
    if not spec:
        return None
    prefixes = spec.get("diagnoses")
    if prefixes and not any((diagnosis or "").startswith(p) for p in prefixes):
        return None
    for b in spec["bands"]:
        below, upto = b.get("below"), b.get("upto")
        if (below is None and upto is None) or (below is not None and value < below):
            break
        if upto is not None and value <= upto:
            break
    else:
        return None
    return Band(b["label"], " ".join(spec["source"].split()), spec.get("confirmed") == "secondary")


def _unit(value: float, unit: str | None) -> str:
    if not unit:
        return f"{value:g}"
    return f"{value:g}{'' if unit == '%' else ' '}{unit}"


def score_text(s: Score, diagnosis: str | None) -> dict[str, Any]:
    inst = vocabulary().instruments[s.instrument]
    b = band(s.instrument, s.value, diagnosis)
    return {
        "instrument": inst.name,
        "key": s.instrument,
        "value": _unit(s.value, inst.unit),
        "date": s.date.isoformat(),
        "band": b.label if b else None,
        "source": b.source if b else None,
        "note": s.note,
    }


def lab_value(lab: Lab) -> str:
    """The lab's value with its unit (the test's usual unit when the case gives none)."""
    if lab.value is None:
        return ""
    return _unit(lab.value, lab.unit or vocabulary().tests[lab.key].unit)


_PERFORMED = {"practitioner": "the treating practitioner", "lab": "a laboratory",
              "supplier": "the supplier"}  # fmt: skip


def lab_text(lab: Lab, diagnosis: str | None = None) -> str:
    """One lab as a sentence: test, result, value with unit, events, context, date, AHI band,
    note, who performed it and whether the treating practitioner evaluated it."""
    t = vocabulary().tests[lab.key]
    parts = [t.short]
    if lab.result:
        parts.append(lab.result)
    if lab.value is not None:
        parts.append(("AHI " if t.sleep_test else "") + lab_value(lab))
    text = " ".join(parts)
    if lab.events is not None:
        text += f", {lab.events} events"
    if lab.context:
        text += f" ({'at rest' if lab.context == 'rest' else 'during ' + lab.context})"
    text += f" on {lab.date.isoformat()}"
    if t.sleep_test and lab.value is not None and (b := band("ahi", lab.value, diagnosis)):
        text += f": {b.label}"
    if lab.note:
        text += f". {lab.note.strip().rstrip('.')}"
    if lab.performed_by:
        text += f". Performed by {_PERFORMED[lab.performed_by]}"
    if lab.evaluated_by_treating_practitioner is not None:
        who = "evaluated" if lab.evaluated_by_treating_practitioner else "not evaluated"
        text += f"; {who} by the treating practitioner"
    return text


def classes_of(drug: str) -> tuple[str, ...]:
    d = vocabulary().drug(drug)
    return d.classes if d else ()


def class_names(drug: str) -> str:
    v = vocabulary()
    return ", ".join(v.classes[c] for c in classes_of(drug))


def treatment_text(t: Treatment, request_date: dt.date) -> str:
    """'methotrexate (conventional DMARD), 20 mg weekly, oral, 2022-06-01 to 2023-02-15
    (259 days): inadequate response. Persistent synovitis ...'"""
    name = t.drug + (f" ({t.product})" if t.product and t.product != t.drug else "")
    klass = class_names(t.drug)
    text = name + (f" ({klass})" if klass else "")
    text += "".join(f", {x}" for x in (t.dose, t.route) if x)
    if t.start:
        end = t.end.isoformat() if t.end else "ongoing"
        days = ((t.end or request_date) - t.start).days
        text += f", {t.start.isoformat()} to {end} ({days} days)"
    outcome = t.outcome.value.replace("_", " ") if t.outcome else None
    text += f": {outcome}" if outcome else (": continuing" if t.start and not t.end else "")
    if t.source == "sample":
        text += " (samples)"
    if t.note:
        text += f". {t.note.strip().rstrip('.')}"
    return text


def _failed(t: Treatment) -> bool:
    return t.outcome in (Outcome.inadequate_response, Outcome.intolerance, Outcome.contraindication)


def history_by_class(case: Case) -> list[dict[str, Any]]:
    """The treatment history grouped by drug class, in the order the classes were first tried."""
    v = vocabulary()
    groups: dict[str, list[Treatment]] = {}
    for t in sorted(case.treatments, key=lambda t: (t.start or dt.date.min, t.drug)):
        key = (classes_of(t.drug) or ("other",))[0]
        groups.setdefault(key, []).append(t)
    return [
        {
            "class": v.classes.get(k, "other therapy"),
            "key": k,
            "entries": [treatment_text(t, case.request_date) for t in ts],
            "failed": [t.drug for t in ts if _failed(t)],
        }
        for k, ts in groups.items()
    ]


def activity(case: Case) -> list[dict[str, Any]]:
    """The most recent result of each scored instrument, interpreted (most recent first)."""
    dx = case.request.diagnosis
    seen: set[str] = set()
    out = []
    for s in sorted(case.scores, key=lambda s: s.date, reverse=True):
        if s.instrument not in seen:
            seen.add(s.instrument)
            out.append(score_text(s, dx))
    return out


def _levels(case: Case) -> list[str]:
    """The band labels of the most recent interpreted scores and sleep tests."""
    out = [a["band"] for a in activity(case) if a["band"] and a["key"] != "ess"]
    dx = case.request.diagnosis
    for lab in sorted(_labs(case), key=lambda x: x.date, reverse=True):
        if vocabulary().tests[lab.key].sleep_test and lab.value is not None:
            if b := band("ahi", lab.value, dx):
                out.append(b.label)
            break
    return out


def _matches(when: dict[str, Any], case: Case) -> bool:
    req = case.request
    item = vocabulary().drug(req.item)
    key = item.key if item else req.item
    classes = set(item.classes) if item else set()
    failed = [t for t in case.treatments if t.outcome is Outcome.inadequate_response]
    tests = {lab.key for lab in _labs(case)}
    checks: dict[str, Callable[[Any], bool]] = {
        "diagnoses": lambda v: any(req.diagnosis.startswith(p) for p in v),
        "request_classes": lambda v: bool(classes & set(v)),
        "request_drugs": lambda v: key in v,
        "failed_drugs": lambda v: any(
            vocabulary().drug(t.drug) is not None and t.generic in v for t in failed
        ),
        "failed_classes": lambda v: any(set(classes_of(t.drug)) & set(v) for t in failed),
        "activity": lambda v: any(lv.startswith(w) for lv in _levels(case) for w in v),
        "labs": lambda v: bool(tests & set(v)),
        "age_at_least": lambda v: (
            "birth_date" not in case.patient.pending and case.age_on(case.request_date) >= v
        ),
    }
    return all(checks[k](v) for k, v in when.items())


def guidelines(case: Case) -> list[dict[str, str]]:
    """The guideline statements whose conditions the case's facts meet, with full citations."""
    out = []
    for gid, g in _data("guidelines").items():
        for s in g["statements"]:
            if _matches(s.get("when", {}), case):
                out.append(
                    {"id": gid, "text": " ".join(s["text"].split()),
                     "citation": " ".join(g["citation"].split())}
                )  # fmt: skip
    return out


def monitoring(case: Case) -> dict[str, Any] | None:
    """Screening done before starting (from the record) and the plan for the requested class."""
    item = vocabulary().drug(case.request.item)
    if item is None:
        return None
    data = _data("monitoring")
    spec = next(
        (
            data[c]
            for c in item.classes
            if c in data and item.key in data[c].get("items", [item.key])
        ),
        None,
    )
    if spec is None:
        return None
    done = []
    for key in spec.get("screening", []):
        labs = [lab for lab in _labs(case) if lab.key == key]
        if labs:
            done.append(lab_text(max(labs, key=lambda x: x.date)))
    return {"screening": done, "plan": " ".join(spec["plan"].split()), "source": spec["source"]}


_MG_PER_KG = re.compile(r"(\d+(?:\.\d+)?)\s*mg/kg", re.IGNORECASE)


def dose(case: Case) -> dict[str, Any] | None:
    """A weight-based dose worked out: '3 mg/kg × 70 kg = 210 mg (3 vials of 100 mg)'."""
    w, req = case.patient.weight_kg, case.request
    m = _MG_PER_KG.search(req.dose or "")
    if not w or not m:
        return None
    per_kg = float(m.group(1))
    mg = round(per_kg * w, 1)
    item = vocabulary().drug(req.item)
    vial = _data("vials").get(item.key) if item else None
    vials = math.ceil(mg / vial) if vial else None
    return {
        "per_kg": f"{per_kg:g} mg/kg",
        "weight": f"{w:g} kg",
        "mg": f"{mg:g} mg",
        "vials": vials,
        "vial": f"{vial:g} mg" if vial else None,
        "text": f"{per_kg:g} mg/kg × {w:g} kg = {mg:g} mg"
        + (f" ({vials} vial{'s' if vials != 1 else ''} of {vial:g} mg)" if vials else ""),
    }


def summary(case: Case) -> dict[str, Any]:
    """Everything the "Clinical summary" section prints."""
    req = case.request
    dx = next((d for d in case.diagnoses if d.code == req.diagnosis), None)
    item = vocabulary().drug(req.item)
    history = history_by_class(case)
    tried = [h for h in history if h["key"] not in ("device", "other")]
    return {
        "diagnosis": {
            "code": req.diagnosis,
            "text": dx.description if dx else None,
            "in_sentence": in_sentence(dx.description) if dx else None,
            "onset": dx.onset.isoformat() if dx and dx.onset else None,
            "years": (
                round((case.request_date - dx.onset).days / 365.25, 1) if dx and dx.onset else None
            ),
        },
        "activity": activity(case),
        "sleep_tests": [
            lab_text(lab, req.diagnosis)
            for lab in sorted(_labs(case), key=lambda x: x.date, reverse=True)
            if vocabulary().tests[lab.key].sleep_test
        ],
        "history": history,
        "classes_tried": [h["class"] for h in tried],
        "classes_failed": [h["class"] for h in tried if h["failed"]],
        # "why it follows" is said of a new drug only: a device or procedure follows no drug
        # class, and a continuation follows the drug itself
        "request_class": (
            class_names(req.item) if item and req.kind == "drug" and req.type == "initial" else None
        ),
        "guidelines": guidelines(case),
        "monitoring": monitoring(case),
        "dose": dose(case),
    }


_ADVANCED = {"tnf_inhibitor", "other_biologic", "jak_inhibitor", "tyk2_inhibitor", "pde4_inhibitor"}


def name_classes(v: Verdict) -> Result:
    """A verdict whose deciding ``any_of`` branch is labelled "conventional therapy" (a policy's
    branch label) but met by a biologic names the drug's own class instead: a TNF inhibitor is
    never conventional therapy. The verdict's result, relabelled where that applies."""
    r = v.result
    if r.kind != "any_of" or r.status is not Status.met:
        return r
    i, first = next((i, p) for i, p in enumerate(r.parts) if p.status is Status.met)
    if not first.label or "conventional" not in first.label.lower():
        return r
    for e in first.evidence:
        if isinstance(e.item, Treatment) and set(classes_of(e.item.drug)) & _ADVANCED:
            parts = list(r.parts)
            parts[i] = replace(first, label=class_names(e.item.drug))
            return replace(r, parts=parts)
    return r


def objections(case: Case) -> list[dict[str, Any]]:
    """The objections a reviewer may raise, each with its answer from the record."""
    item = vocabulary().drug(case.request.item)
    classes = set(item.classes) if item else set()
    failed = [t for t in case.treatments if _failed(t)]
    out = []
    for key, o in _data("objections").items():
        w = o["when"]
        if "request_classes" in w and not classes & set(w["request_classes"]):
            continue
        if "prior_classes_failed" in w and not any(
            set(classes_of(t.drug)) & set(w["prior_classes_failed"])
            and t.outcome is Outcome.inadequate_response
            for t in case.treatments
        ):
            continue
        if "finding" in w and not any(f.name == w["finding"] for f in case.findings):
            continue
        if "failed_classes_any" in w and not any(
            set(classes_of(t.drug)) & set(w["failed_classes_any"]) for t in failed
        ):
            continue
        answers = _answers(case, o["answer"], failed)
        if "activity" in w and not answers:
            continue
        out.append({"key": key, "objection": o["objection"], "answers": answers})
    return out


def _short(t: Treatment) -> str:
    klass = class_names(t.drug)
    span = (
        f", {t.start.isoformat()} to {t.end.isoformat() if t.end else 'ongoing'}" if t.start else ""
    )
    outcome = f": {t.outcome.value.replace('_', ' ')}" if t.outcome else ""
    note = f" ({t.note.strip().rstrip('.')})" if t.note and len(t.note) <= 70 else ""
    return f"{t.drug}{f' ({klass})' if klass else ''}{span}{outcome}{note}"


def _answers(case: Case, kind: str, failed: list[Treatment]) -> list[str]:
    # one line per treatment: the answers print on a one-page sheet
    if kind == "prior_tnf":
        return [_short(t) for t in failed if "tnf_inhibitor" in classes_of(t.drug)]
    if kind == "steroid_dependence":
        v = vocabulary()
        out = [
            f"{v.findings.get(f.name, f.name)}, documented {f.date.isoformat()}"
            + (f": {f.note.strip().rstrip('.')}" if f.note else "")
            for f in case.findings
            if f.name == "corticosteroid_dependence"
        ]
        return out + [_short(t) for t in failed if "systemic_corticosteroid" in classes_of(t.drug)]
    if kind == "conventional":
        return [_short(t) for t in failed if not set(classes_of(t.drug)) & _ADVANCED]
    if kind == "activity":
        from ._relevance import relevant  # the same choice as a severity criterion's evidence

        if not any(a["band"] for a in activity(case)):
            return []
        picked = relevant(case, "score", "severity", [])
        return [s["brief"] for s in picked if s["section"] in ("scores", "labs", "notes")]
    return []
