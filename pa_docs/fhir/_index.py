"""Resolve references between resources, and keep only the chosen patient's record."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import Hint, InputError
from ._util import concept_text, reference, to_date
from ._validate import Resource

#: Where each resource type names its patient.
_PATIENT_FIELDS = ("subject", "patient", "beneficiary")


class Index:
    """Every resource under each name a reference may use: ``Type/id``, its fullUrl
    (``urn:uuid:…`` or an absolute URL) and, for an absolute URL, its trailing ``Type/id``."""

    def __init__(self, resources: Iterable[Resource]) -> None:
        self.resources = list(resources)
        self._by: dict[str, Resource] = {}
        for r in self.resources:
            for key in _keys(r):
                self._by.setdefault(key, r)

    def resolve(self, ref: str | None, *types: str) -> Resource | None:
        """The resource ``ref`` names; with ``types``, only a resource of one of them (a chart's
        reference may name a resource of any type: a Medication reference naming a Patient)."""
        found = self._find(ref)
        return found if found is not None and (not types or found.type in types) else None

    def _find(self, ref: str | None) -> Resource | None:
        if not ref:
            return None
        ref = ref.strip()
        if ref in self._by:
            return self._by[ref]
        parts = ref.rstrip("/").split("/")
        if "_history" in parts:
            parts = parts[: parts.index("_history")]
        if len(parts) >= 2:
            return self._by.get("/".join(parts[-2:]))
        return None

    def of_type(self, *types: str) -> list[Resource]:
        return [r for r in self.resources if r.type in types]


def _keys(r: Resource) -> list[str]:
    keys = []
    if r.id:
        keys.append(f"{r.type}/{r.id}")
    if r.full_url:
        keys.append(r.full_url)
        tail = r.full_url.rstrip("/").split("/")
        if len(tail) >= 2:
            keys.append("/".join(tail[-2:]))
    return keys


def patient_ref_of(r: Resource) -> str | None:
    """The reference to the patient a resource belongs to, if it names one."""
    for name in _PATIENT_FIELDS:
        ref = reference(getattr(r.model, name, None))
        if ref:
            return ref
    return None


@dataclass
class Selection:
    patient: Resource | None
    resources: list[Resource]
    other_patients: int
    unattributed: list[str]


def _describe(p: Resource) -> str:
    m = p.model
    name = ""
    if m.name:
        n = m.name[0]
        name = n.text or " ".join([*(n.given or []), n.family or ""]).strip()
    born = to_date(m.birthDate)
    bits = [b for b in (name, f"born {born}" if born else "") if b]
    return f"{p.id}" + (f" ({', '.join(bits)})" if bits else "")


def select_patient(index: Index, wanted: str | None, source: str) -> Selection:
    """The patient to import and the resources of their record.

    Several patients need ``wanted`` (a Patient id); an unknown id is an input error listing the
    patients found. Resources that name no patient (Practitioner, Organization, Medication) are
    kept; a resource naming no patient in a source with several patients is left out."""
    patients = index.of_type("Patient")
    referenced = {patient_ref_of(r) for r in index.resources} - {None}
    if not patients and not referenced:
        kinds = ", ".join(sorted({r.type for r in index.resources})) or "no resources"
        raise InputError(
            f"no patient in {source}: it holds {kinds}; a case is one patient's record"
        )
    if not patients and len({(ref or "").split("/")[-1] for ref in referenced}) > 1 and not wanted:
        raise InputError(
            "the source refers to several patients but holds no Patient resource",
            file=source,
            hint=Hint("patient", "give {} with the id of one"),
        )
    chosen: Resource | None = None
    if wanted:
        wanted = wanted.strip()
        for p in patients:
            if wanted in {p.id, p.ref, p.full_url}:
                chosen = p
        if chosen is None:
            listing = (
                "; ".join(_describe(p) for p in sorted(patients, key=lambda p: p.id or ""))
                or "none"
            )
            raise InputError(
                f"patient {wanted!r} is not in the source; patients found: {listing}",
                file=source,
            )
    elif len(patients) > 1:
        listing = "; ".join(_describe(p) for p in sorted(patients, key=lambda p: p.id or ""))
        raise InputError(
            f"the source holds {len(patients)} patients: {listing}",
            file=source,
            hint=Hint("patient", "choose one with {}"),
        )
    elif patients:
        chosen = patients[0]
    keep: list[Resource] = []
    others = 0
    unattributed: list[str] = []
    several = len(patients) > 1
    for r in index.resources:
        if r.type == "Patient":
            if r is chosen:
                keep.append(r)
            else:
                others += 1
            continue
        ref = patient_ref_of(r)
        if ref is None:
            if several and r.type in {"Observation", "Condition", "Encounter"}:
                unattributed.append(r.ref)
            else:
                keep.append(r)
            continue
        target = index.resolve(ref)
        if chosen is None or target is chosen or (target is None and _same(ref, chosen)):
            keep.append(r)
        else:
            others += 1
    return Selection(chosen, keep, others, unattributed)


def _same(ref: str, patient: Resource) -> bool:
    return bool(patient.id) and ref.rstrip("/").split("/")[-1] in {patient.id, f"{patient.id}"}


def label(r: Resource | None) -> str:
    """A short label of a coded resource, for the report."""
    if r is None:
        return ""
    return concept_text(getattr(r.model, "code", None)) or r.ref
