"""Observation -> labs (and scores) through the LOINC codes of the vocabularies.

An AHI (69990-0) or RDI (90566-1) observation is a sleep test: ``hst`` when the observation or
the procedure / report it belongs to marks a home test, else ``psg``; its value is the index.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..vocab import vocabulary
from ._index import Index
from ._util import (
    FILL,
    Coding,
    Fill,
    Item,
    codings,
    concept_text,
    number,
    reference,
    table,
    to_date,
    words_in,
)
from ._validate import Resource

LOINC = "http://loinc.org"
_SKIP_STATUS = {"entered-in-error", "cancelled"}
_NEEDS_CONTEXT = {"spo2", "pao2"}
_SYSTEM_NAMES = {LOINC: "LOINC", "http://snomed.info/sct": "SNOMED CT"}


@dataclass
class ObservationLog:
    not_used: Counter[str] = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)
    from_issued: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Test:
    key: str
    loinc: str | None
    context: str | None
    code: Coding


def _identify(cs: list[Coding]) -> _Test | None:
    v = vocabulary()
    extra = table("observations")["extra_codes"]
    contexts = table("observations").get("loinc_context") or {}
    for c in cs:
        if c.system == LOINC:
            key = v.test_for_loinc(c.code)
            if key:
                return _Test(key, c.code, contexts.get(c.code), c)
    for c in cs:
        hit = extra.get(f"{c.system}|{c.code}")
        if hit:
            return _Test(str(hit["test"]), None, hit.get("context"), c)
    return None


def _instrument(cs: list[Coding]) -> str | None:
    codes = table("observations").get("instrument_codes") or {}
    for c in cs:
        key = codes.get(f"{c.system}|{c.code}")
        if key:
            return str(key)
    return None


def _date(m: Any) -> tuple[Any, bool]:
    """The effective day, or the ``issued`` day (flagged True) when there is none."""
    for value in (
        m.effectiveDateTime,
        m.effectiveInstant,
        m.effectivePeriod.start if m.effectivePeriod else None,
        m.effectiveTiming.event[0] if m.effectiveTiming and m.effectiveTiming.event else None,
    ):
        day = to_date(value)
        if day:
            return day, False
    day = to_date(m.issued)
    return (day, True) if day else (None, False)


def _result(m: Any, test: str) -> str | None:
    t = table("observations")
    for c in codings(m.valueCodeableConcept):
        if c.code in t["value_codes"]:
            return str(t["value_codes"][c.code])
    text = m.valueString or concept_text(m.valueCodeableConcept) or ""
    word = " ".join(text.lower().split())
    if word in t["value_words"]:
        return str(t["value_words"][word])
    for concept in m.interpretation or []:
        for c in codings(concept):
            code = c.code.upper()
            if code in t["interpretation"]:
                return str(t["interpretation"][code])
            if test in t["qualitative_tests"] and code in t["flag_interpretation"]:
                return str(t["flag_interpretation"][code])
    return None


def _is_home_test(r: Resource, index: Index) -> bool:
    t = table("observations")
    m = r.model
    related = [m]
    for name in ("partOf", "basedOn", "derivedFrom"):
        for ref in getattr(m, name, None) or []:
            target = index.resolve(reference(ref))
            if target is not None:
                related.append(target.model)
    for rep in index.of_type("DiagnosticReport"):
        if any(index.resolve(reference(x)) is r for x in rep.model.result or []):
            related.append(rep.model)
    for obj in related:
        concepts = [getattr(obj, n, None) for n in ("code", "method", "category")]
        flat: list[Any] = []
        for c in concepts:
            flat.extend(c if isinstance(c, list) else [c])
        texts = [concept_text(c) or "" for c in flat if c is not None]
        texts += [str(n.text) for n in (getattr(obj, "note", None) or []) if n.text]
        if words_in(" | ".join(texts), t["home_sleep_words"]):
            return True
        for c in flat:
            if any(cd.code.upper() in t["home_sleep_codes"] for cd in codings(c)):
                return True
    return False


def _events(m: Any) -> int | None:
    for comp in m.component or []:
        label = (concept_text(comp.code) or "").lower()
        if "event" in label and comp.valueQuantity is not None:
            value = number(comp.valueQuantity.value)
            if value is not None:
                return int(value)
    return None


def observations(
    found: list[Resource], index: Index, log: ObservationLog
) -> tuple[list[Item], list[Item]]:
    labs: list[Item] = []
    scores: list[Item] = []
    for r in found:
        m = r.model
        if m.status in _SKIP_STATUS:
            log.skipped.append(f"{r.ref}: status {m.status}")
            continue
        cs = codings(m.code)
        test = _identify(cs)
        instrument = None if test else _instrument(cs)
        if test is None and instrument is None:
            shown = next((f"{c.code} {c.display}".strip() for c in cs), concept_text(m.code))
            log.not_used[shown or "uncoded"] += 1
            continue
        day, from_issued = _date(m)
        fills: list[Fill] = []
        if from_issued:
            log.from_issued.append(r.ref)
        value = number(m.valueQuantity.value) if m.valueQuantity is not None else None
        if instrument is not None:
            if value is None or day is None:
                log.skipped.append(f"{r.ref}: a score needs a value and a date")
                continue
            scores.append(
                Item(
                    {"instrument": instrument, "value": value, "date": day, "fhir_ref": r.ref},
                    day=day,
                )
            )
            continue
        assert test is not None
        key = test.key
        if vocabulary().tests[key].sleep_test:
            key = "hst" if _is_home_test(r, index) else "psg"
        data: dict[str, Any] = {"test": key}
        if test.loinc:
            data["loinc"] = test.loinc
        result = _result(m, key)
        if result:
            data["result"] = result
        if value is not None:
            data["value"] = value
            unit = (m.valueQuantity.unit or m.valueQuantity.code or "").strip()
            if unit:
                data["unit"] = unit
        data["date"] = day or FILL
        if day is None:
            fills.append(Fill("date", f"the date of this result ({r.ref} gives none)"))
        if vocabulary().tests[key].sleep_test:
            events = _events(m)
            if events is not None:
                data["events"] = events
            else:
                fills.append(Fill("events", "total respiratory events of the sleep test", False))
        if test.context:
            data["context"] = test.context
        elif key in _NEEDS_CONTEXT:
            fills.append(Fill("context", "rest | exercise | sleep, where a policy asks", False))
        notes = []
        if test.loinc is None:
            system = _SYSTEM_NAMES.get(test.code.system, test.code.system)
            notes.append(f"{system} {test.code.code} {test.code.display}".strip())
        if from_issued:
            notes.append("date from `issued` (the source gives no effective date)")
        if notes:
            data["note"] = "; ".join(notes)
        data["fhir_ref"] = r.ref
        labs.append(Item(data, fills, day))
    return labs, scores
