"""The evidence that bears on a criterion, chosen by what the criterion asks, not by date.

A criterion's own verdict evidence comes first; then what its wording asks for: a severity or
activity criterion ("moderately to severely active", "extent", "severity") is answered with the
interpreted scores, the inflammatory markers, the findings, the latest visit note and the
sentences of the clinical notes that report endoscopy or imaging; a therapy criterion with the
treatments of the classes on record; a test criterion with the test's notes and who performed
and read it. Each item is one printable sentence, units and dates included.
"""

from __future__ import annotations

import re
from typing import Any

from ..case import Case
from ..check import Evidence
from ..kinds import Said
from ..vocab import vocabulary
from ._clinical import class_names, lab_text, score_text, treatment_text

SEVERITY = re.compile(
    r"\bsever|\bactiv|\bextent|disease burden|\bmoderate|\bBSA\b|body surface|\bscore", re.I
)
THERAPY = re.compile(r"\btried|\bfail|\btrial|\btherap|\btreat|intoleran|contraindicat", re.I)
# words a criterion uses for a drug class, besides the class's own name
CLASS_WORDS = {
    "tnf_inhibitor": ("TNF",),
    "conventional_dmard": ("DMARD", "conventional"),
    "immunomodulator": ("immunomodulator", "thiopurine"),
    "systemic_corticosteroid": ("corticosteroid", "steroid"),
    "topical_corticosteroid": ("topical", "corticosteroid", "steroid"),
    "topical_calcineurin_inhibitor": ("calcineurin",),
    "phototherapy": ("phototherapy", "UVB", "PUVA"),
    "other_biologic": ("biologic",),
    "jak_inhibitor": ("JAK",),
}
MARKERS = ("crp", "esr", "fecal_calprotectin")
# sentences of the free-text notes that report objective findings (endoscopy, imaging, pathology)
OBJECTIVE = re.compile(
    r"colonoscop|endoscop|ileoscop|ulcer|erosion|radiograph|x-ray|MRI|CT |ultrasound|biops|"
    r"strictur|fistul|synovitis",
    re.I,
)


def brief(case: Case, name: str, item: Any) -> str:
    """A short form for a one-page sheet: no notes on treatments and findings."""
    if name == "treatments":
        klass = class_names(item.drug)
        when = (
            f", {item.start.isoformat()} to {item.end.isoformat() if item.end else 'ongoing'}"
            if item.start
            else ""
        )
        outcome = f": {item.outcome.value.replace('_', ' ')}" if item.outcome else ""
        return f"{item.drug}{f' ({klass})' if klass else ''}{when if item.start else ''}{outcome}"
    if name == "findings":
        return f"{vocabulary().findings.get(item.name, item.name)} ({item.date.isoformat()})"
    return describe(case, name, item)


def describe(case: Case, name: str, item: Any) -> str:
    """One case item as a sentence with its date, units, band and notes."""
    dx = case.request.diagnosis
    if name == "scores":
        s = score_text(item, dx)
        return f"{s['instrument']} {s['value']} on {s['date']}" + (
            f": {s['band']}" if s["band"] else ""
        )
    if name == "labs":
        return lab_text(item, dx)
    if name == "treatments":
        return treatment_text(item, case.request_date)
    if name == "findings":
        v = vocabulary().findings.get(item.name, item.name)
        return f"{v}, documented {item.date.isoformat()}" + (
            f": {item.note.strip().rstrip('.')}" if item.note else ""
        )
    if name == "encounters":
        v = vocabulary().encounter_types.get(item.type, item.type)  # a type kept as written
        return f"{v} of {item.date.isoformat()}" + (
            f": {item.note.strip().rstrip('.')}" if item.note else ""
        )
    if name == "diagnoses":
        onset = f", since {item.onset.isoformat()}" if item.onset else ""
        return f"{item.code}" + (f" ({item.description})" if item.description else "") + onset
    return str(item)


def note_sentences(case: Case) -> list[str]:
    """The sentences of the case's clinical notes that report objective findings."""
    text = " ".join((case.notes or "").split())
    return [s for s in re.split(r"(?<=\.)\s+", text) if s and OBJECTIVE.search(s)]


def _named(t: Any, text: str) -> bool:
    """Whether a criterion's wording names this treatment: its drug, product or class."""
    v = vocabulary()
    d = v.drug(t.drug)
    words = [t.drug, t.product or ""]
    if d:
        words += [d.key, *(v.classes[c] for c in d.classes)]
        words += [w for c in d.classes for w in CLASS_WORDS.get(c, ())]
    low = text.lower()
    return any(w and w.lower() in low for w in words)


def _adds(name: str, item: Any) -> bool:
    """Whether a verdict's own evidence item says more in a sentence than the verdict's reason
    (a band, a note, who performed or read a test)."""
    if name == "labs":
        return bool(item.note or item.performed_by or item.evaluated_by_treating_practitioner
                    is not None)  # fmt: skip
    if name == "scores":
        return True
    return name in ("treatments", "findings", "encounters") and bool(item.note)


def for_template(support: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Supporting items as a template may see them: without the record's ``item`` itself (a
    model object; templates get plain data only, see ``_plain``)."""
    return [{k: v for k, v in s.items() if k != "item"} for s in support]


def relevant(
    case: Case, kind: str, text: str, evidence: list[Evidence], said: Said | None = None
) -> list[dict[str, Any]]:
    """Every piece of evidence bearing on a criterion (``kind`` and wording ``text``), its own
    verdict ``evidence`` first; each {"ref", "section", "item", "date", "text", "brief"}, without
    duplicates, and without the items whose notes the verdict's reason (``said``) quotes."""
    quoted = {e.ref for e in said.noted} if said else set()
    picked: list[tuple[str, Any, str]] = []
    own: set[str] = set()
    for ev in evidence:
        if ev.index is not None and ev.item is not None:  # an item of a list of the record
            own.add(ev.ref)
            if _adds(ev.section, ev.item) and ev.ref not in quoted:
                picked.append((ev.section, ev.item, ev.ref))
    severity = kind == "score" or bool(SEVERITY.search(text))
    if severity:
        seen: set[str] = set()
        for i, s in sorted(enumerate(case.scores), key=lambda p: p[1].date, reverse=True):
            if s.instrument not in seen:
                seen.add(s.instrument)
                picked.append(("scores", s, f"scores[{i}]"))
        for key in MARKERS:
            labs = [(i, lab) for i, lab in enumerate(case.labs) if lab.usable and lab.key == key]
            if labs:
                i, lab = max(labs, key=lambda p: p[1].date)
                picked.append(("labs", lab, f"labs[{i}]"))
        for i, f in enumerate(case.findings):
            picked.append(("findings", f, f"findings[{i}]"))
        visits = [(i, e) for i, e in enumerate(case.encounters) if e.note]
        if visits:
            i, e = max(visits, key=lambda p: p[1].date)
            picked.append(("encounters", e, f"encounters[{i}]"))
    therapy = kind == "step_therapy" or (
        kind not in ("lab", "concurrent_therapy", "dosing", "encounter") and THERAPY.search(text)
    )
    if therapy:
        named = [(i, t) for i, t in enumerate(case.treatments) if _named(t, text)]
        for i, t in named or list(enumerate(case.treatments)):
            picked.append(("treatments", t, f"treatments[{i}]"))
        for i, f in enumerate(case.findings):
            if f.name == "corticosteroid_dependence":
                picked.append(("findings", f, f"findings[{i}]"))
    out: list[dict[str, Any]] = []
    seen_refs: set[str] = set()
    for name, item, ref in picked:
        told = ref in quoted and name != "labs"  # the reason quotes its note already
        if ref in seen_refs or (ref in own and not _adds(name, item)) or told:
            continue
        seen_refs.add(ref)
        date = getattr(item, "date", None) or getattr(item, "start", None)
        out.append(
            {
                "ref": ref,
                "section": name,
                "item": item,
                "date": date.isoformat() if date else "",
                "text": describe(case, name, item),
                "brief": brief(case, name, item),
            }
        )
    if severity:
        out += [
            {
                "ref": "notes",
                "section": "notes",
                "item": None,
                "date": "",
                "text": (n := f"Clinical notes: {s.rstrip('.')}"),
                "brief": n,
            }
            for s in note_sentences(case)
        ]
    return out
