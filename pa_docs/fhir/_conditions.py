"""Condition -> diagnoses (ICD-10-CM as given, SNOMED CT through the curated table) and
Encounter -> encounters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..vocab import is_icd10cm
from ._util import Item, codings, concept_text, status_code, table, to_date, words_in
from ._validate import Resource


@dataclass
class DiagnosisLog:
    excluded: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    mapped: list[str] = field(default_factory=list)


def icd10cm(code: str) -> str | None:
    """The dotted ICD-10-CM code, or None when ``code`` is not one."""
    c = "".join(code.split()).upper()
    if not is_icd10cm(c):
        return None
    if "." not in c and len(c) > 3:
        c = f"{c[:3]}.{c[3:]}"
    return c


def code_of(concept: object) -> tuple[str | None, str | None, str | None]:
    """(ICD-10-CM code, description, how it was found) of a CodeableConcept.

    ICD-10-CM codings are used as they are; otherwise a SNOMED CT coding in the curated table."""
    t = table("conditions")
    cs = codings(concept)
    for c in cs:
        if c.system in t["icd10cm_systems"]:
            code = icd10cm(c.code)
            if code:
                return code, c.display or None, None
    for c in cs:
        if c.system in t["snomed_systems"] and c.code in t["snomed_icd10cm"]:
            entry = t["snomed_icd10cm"][c.code]
            return str(entry["icd10cm"]), c.display or str(entry["name"]), f"SNOMED CT {c.code}"
    return None, None, None


def diagnoses(conditions: list[Resource], log: DiagnosisLog) -> list[Item]:
    t = table("conditions")
    out: dict[str, Item] = {}
    for r in conditions:
        m = r.model
        clinical = status_code(m.clinicalStatus)
        verification = status_code(m.verificationStatus)
        if verification in t["excluded_verification_status"]:
            log.excluded.append(f"{r.ref} ({concept_text(m.code)}): {verification}")
            continue
        if clinical in t["excluded_clinical_status"] or (clinical is None and _abated(m)):
            log.excluded.append(f"{r.ref} ({concept_text(m.code)}): {clinical or 'abated'}")
            continue
        code, description, via = code_of(m.code)
        if code is None:
            shown = ", ".join(f"{c.system or '?'}|{c.code}" for c in codings(m.code)) or "no code"
            log.unmapped.append(f"{r.ref}: {concept_text(m.code) or 'condition'} ({shown})")
            continue
        if via:
            log.mapped.append(f"{r.ref}: {via} -> {code}")
        onset = to_date(m.onsetDateTime) or (
            to_date(m.onsetPeriod.start) if m.onsetPeriod else None
        )
        onset = onset or to_date(m.recordedDate)
        if code in out:  # the same code twice: keep the earliest onset
            prev = out[code]
            if onset and (prev.day is None or onset < prev.day):
                prev.data["onset"] = onset
                prev.day = onset
            continue
        data: dict[str, object] = {"code": code}
        if description:
            data["description"] = description
        if onset:
            data["onset"] = onset
        data["fhir_ref"] = r.ref
        out[code] = Item(data, day=onset)
    return list(out.values())


def _abated(m: object) -> bool:
    return any(
        getattr(m, f"abatement{kind}", None) is not None
        for kind in ("DateTime", "Age", "Period", "Range", "String")
    )


def encounter_type(r: Resource) -> str | None:
    m = r.model
    t = table("observations")
    text = " ".join(concept_text(c) or "" for c in (m.type or []))
    if words_in(text, t["telehealth_words"]):
        return "telehealth"
    cls = m.class_fhir
    code = (cls.code or "").strip().upper() if cls is not None else ""
    kind = t["encounter_class"].get(code)
    return str(kind) if kind else None


def encounters(found: list[Resource], skipped: list[str]) -> list[Item]:
    out = []
    for r in found:
        m = r.model
        if m.status in {"cancelled", "entered-in-error", "planned"}:
            skipped.append(f"{r.ref}: status {m.status}")
            continue
        kind = encounter_type(r)
        day: dt.date | None = to_date(m.period.start) if m.period else None
        if kind is None or day is None:
            why = (
                "no date" if day is None else f"class {m.class_fhir.code if m.class_fhir else '?'}"
            )
            skipped.append(f"{r.ref}: {why}")
            continue
        note_parts = [concept_text(c) for c in (m.type or [])]
        reasons = [concept_text(c) for c in (m.reasonCode or [])]
        note = "; ".join(p for p in note_parts if p)
        if any(reasons):
            note = f"{note}; reason: {', '.join(x for x in reasons if x)}".lstrip("; ")
        data: dict[str, object] = {"type": kind, "date": day}
        if note:
            data["note"] = note
        data["fhir_ref"] = r.ref
        out.append(Item(data, day=day))
    return out
