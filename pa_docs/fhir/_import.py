"""FHIR R4 resources -> a case: the public entry points of the import."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from ..case import Case
from ._conditions import DiagnosisLog, diagnoses, encounters
from ._index import Index, select_patient
from ._meds import Med, MedLog, devices, is_order, medications
from ._observations import ObservationLog, observations
from ._pas import claim_diagnoses, find_request, line_of_business, own_record, specialty
from ._pas import notes as notes_of
from ._pas import payer as pas_payer
from ._pas import request as pas_request
from ._people import choose_coverage, choose_prescriber, coverage, patient, prescriber
from ._source import read_source
from ._treatments import merge, request, treatment
from ._util import FILL, Fill, Item, reference
from ._validate import Validated, from_models, validate

RequestType = Literal["initial", "continuation"]


@dataclass(frozen=True)
class ToFill:
    """A field of the case the chart does not give. ``required``: the case does not load until
    it is filled in (the file holds ``FILL-IN`` there); otherwise it is what a policy may ask."""

    path: str
    what: str
    required: bool = True

    def __str__(self) -> str:
        return f"{self.path}: {self.what}"


@dataclass
class ImportResult:
    """What the import made of the chart.

    ``data`` is the case as a dict in the field order of the case files, with ``FILL-IN`` where a
    required value is missing; ``case`` is the validated ``Case`` when nothing required is
    missing. ``imported`` counts the items per case section, ``read`` the resources per type;
    ``unmapped`` lists codes that could not be carried over, ``notes`` everything else the
    specialist should know (repairs, fallbacks, exclusions)."""

    data: dict[str, Any]
    case: Case | None
    to_fill: list[ToFill]
    imported: dict[str, int]
    read: dict[str, int]
    unmapped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    patient: str | None = None
    case_error: str | None = None

    @property
    def missing(self) -> list[ToFill]:
        return [f for f in self.to_fill if f.required]


def import_source(
    source: str | Path,
    *,
    patient: str | None = None,
    request_date: dt.date | None = None,
    item: str | None = None,
    payer: str | None = None,
    request_type: RequestType = "initial",
    case_id: str | None = None,
) -> ImportResult:
    """Import a Bundle file, a folder of resource JSON files or a bulk-export NDJSON folder."""
    read = read_source(source)
    found = validate(read.resources)
    result = _build(found, str(source), patient, request_date, item, payer, request_type, case_id)
    if read.skipped_files:
        result.notes.append(f"files skipped (not .json/.ndjson): {', '.join(read.skipped_files)}")
    return result


def import_resources(
    resources: Iterable[Any],
    *,
    patient: str | None = None,
    request_date: dt.date | None = None,
    item: str | None = None,
    payer: str | None = None,
    request_type: RequestType = "initial",
    case_id: str | None = None,
) -> ImportResult:
    """Build a case from FHIR resources already in memory: ``fhir.resources.R4B`` models or
    parsed JSON dicts (another FHIR version's models are re-read as R4); a Bundle dict gives its
    entries, whose references resolve by ``fullUrl`` (``import_resources([pas_bundle(...)])``)."""
    found = from_models(resources)
    return _build(found, "<resources>", patient, request_date, item, payer, request_type, case_id)


def _build(
    found: Validated,
    source: str,
    patient_id: str | None,
    request_date: dt.date | None,
    item: str | None,
    payer: str | None,
    request_type: RequestType,
    case_id: str | None,
) -> ImportResult:
    notes: list[str] = []
    index_all = Index(found.resources)
    sel = select_patient(index_all, patient_id, source)
    index = Index(sel.resources)
    read = Counter(r.type for r in sel.resources)
    if sel.other_patients:
        notes.append(f"left out {sel.other_patients} resources of other patients")
    if sel.unattributed:
        notes.append(f"left out (no patient reference): {', '.join(sel.unattributed)}")
    kept = {r.ref for r in sel.resources}
    notes += [f"repaired {text}" for ref, text in found.repaired if ref in kept]
    pid = sel.patient.id if sel.patient is not None else None
    notes += [
        f"invalid, left out: {text}"
        for owner, text in found.invalid
        if owner is None or pid is None or owner.rstrip("/").split("/")[-1].endswith(pid)
    ]
    pas = find_request(index)
    if pas is not None and pas.ours and case_id is None:
        case_id = pas.case_id
    if request_date is None and pas is not None and pas.created is not None:
        request_date = pas.created
        notes.append(f"request_date {request_date}: the PAS Claim's `created` date")
    if request_date is None:
        request_date = dt.date.today()
        notes.append(
            f"request_date is the import date {request_date}: set it to the day the request is sent"
        )

    dlog, olog, mlog = DiagnosisLog(), ObservationLog(), MedLog()
    enc_skipped: list[str] = []
    record = [r for r in index.resources if pas is None or r is not pas.order]
    own = own_record(record if pas is not None and pas.ours else [])
    if pas is not None and pas.ours:  # read back as pa-docs wrote them; the rest as a chart
        record = own.rest
    left = Index(record)  # for the chart mappers; references resolve in the whole source
    dx = diagnoses(left.of_type("Condition"), dlog)
    labs, scores = observations(left.of_type("Observation"), index, olog)
    meds = medications(
        left.of_type("MedicationRequest", "MedicationStatement", "MedicationDispense"), index, mlog
    )
    meds += devices(left.of_type("DeviceRequest", "Device"), mlog)
    encs = encounters(left.of_type("Encounter"), enc_skipped)

    orders = [m for m in meds if is_order(m)]
    chosen: Med | None = None
    requester: str | None = None
    if pas is not None:  # the Claim says what is asked for
        req, req_fills = pas_request(pas, index)
        if not pas.ours:
            dx += claim_diagnoses(pas, {str(d.data["code"]) for d in dx})
        if item and req["item"] != item.strip():
            notes.append(f"request: the PAS Claim asks for {req['item']!r}, not --item {item!r}")
        requester = reference(getattr(pas.order.model, "requester", None)) if pas.order else None
    else:
        req, req_fills, chosen = request(item, request_type, orders, dx, index, notes)
        requester = chosen.requester if chosen else None
        dx.sort(key=lambda d: d.data["code"] != req["diagnosis"])  # the request's diagnosis first
    rest = [m for m in meds if m is not chosen and not (is_order(m) and m.kind == "device")]
    treatments = [treatment(g) for g in merge(rest, index)]

    cov = choose_coverage(index)
    pat, pat_fills = patient(sel.patient, cov)
    if own.weight_kg is not None:
        pat["weight_kg"] = own.weight_kg
    covd, cov_fills = coverage(cov, index, payer or (pas_payer(pas, index) if pas else None), notes)
    prescriber_ref = choose_prescriber(index, [requester] if requester else [])
    pres, pres_fills = prescriber(prescriber_ref, index, notes)
    if pas is not None and pas.ours:  # as pa-docs wrote them (the chart mappers normalise)
        covd["line_of_business"] = line_of_business(cov) or covd["line_of_business"]
        if "specialty" in pres:
            pres["specialty"] = specialty(index) or pres["specialty"]

    sections = {
        "diagnoses": dx,
        "labs": own.labs + labs,
        "scores": own.scores + scores,
        "treatments": own.treatments + treatments,
        "findings": own.findings,
        "encounters": own.encounters + encs,
    }
    late = _drop_after(sections, request_date)
    dx[:] = sections["diagnoses"]
    if late:
        notes.append(f"left out, dated after the request date {request_date}: {', '.join(late)}")

    data: dict[str, Any] = {
        "case_id": case_id or f"FHIR-{pid or 'import'}",
        "request_date": request_date,
        "patient": pat,
        "coverage": covd,
        "prescriber": pres,
        "request": req,
    }
    if pas is not None and notes_of(pas):
        data["notes"] = notes_of(pas)
    to_fill = [ToFill(f.field, f.what, f.required) for f in pat_fills + cov_fills + pres_fills]
    to_fill += [ToFill(f.field, f.what, f.required) for f in req_fills]
    for name in ("diagnoses", "labs", "scores", "treatments", "findings", "encounters"):
        items = sorted(sections.get(name, []), key=_order) if name != "diagnoses" else dx
        data[name] = [i.data for i in items]
        for n, it in enumerate(items):
            to_fill += [ToFill(f"{name}[{n}].{f.field}", f.what, f.required) for f in it.fills]
    if not any(f.path.startswith("diagnoses") for f in to_fill) and not dx:
        to_fill.append(ToFill("diagnoses", "no diagnosis could be imported", False))

    unmapped = dlog.unmapped + mlog.unmapped
    notes += [f"mapped {x}" for x in dlog.mapped]
    notes += [f"excluded condition {x}" for x in dlog.excluded]
    notes += [f"drug matched by name: {x}" for x in mlog.by_name]
    if mlog.unknown:
        notes.append(
            "kept as the chart names them, not known to pa-docs (they count for no drug class): "
            + "; ".join(mlog.unknown)
        )
    if olog.from_issued:
        notes.append(
            f"no effective date, dated by `issued` (and noted on the lab): "
            f"{', '.join(olog.from_issued)}"
        )
    notes += [f"skipped {x}" for x in olog.skipped + mlog.skipped + enc_skipped]
    if olog.not_used:
        top = ", ".join(f"{k} x{n}" if n > 1 else k for k, n in sorted(olog.not_used.items()))
        notes.append(
            f"observations not in the test vocabulary ({sum(olog.not_used.values())}): {top}"
        )
    unused = Counter(found.skipped_types)  # a ServiceRequest is read only as a PAS order
    unused["ServiceRequest"] += sum(
        1 for r in index.of_type("ServiceRequest") if pas is None or r is not pas.order
    )
    if +unused:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted((+unused).items()))
        notes.append(f"resource types not used by the import: {kinds}")

    imported = {
        k: len(data[k])
        for k in ("diagnoses", "labs", "scores", "treatments", "findings", "encounters")
    }
    case, error = _validate(data, to_fill)
    return ImportResult(
        data, case, to_fill, imported, dict(sorted(read.items())), unmapped, notes, pid, error
    )


def _order(item: Item) -> tuple[int, str, str]:
    if item.seq is not None:  # a case pa-docs exported keeps its order
        return (0, f"{item.seq:09d}", "")
    return (1, str(item.day or ""), str(item.data.get("test") or item.data.get("drug") or ""))


def _drop_after(sections: dict[str, list[Item]], day: dt.date) -> list[str]:
    """Leave out what the chart dates after the request (a diagnosis by its onset, a treatment
    by its start): the case is the record as it stood on the request date."""
    late: list[str] = []
    for items in sections.values():
        keep = []
        for it in items:
            if it.day is not None and it.day > day:
                late.append(f"{it.data.get('fhir_ref')} ({it.day})")
            else:
                keep.append(it)
        items[:] = keep
    return late


def _validate(data: dict[str, Any], to_fill: list[ToFill]) -> tuple[Case | None, str | None]:
    """The case as pa-docs loads it: ``FILL-IN`` placeholders included (``case.to_fill``)."""
    try:
        return Case.model_validate(data), None
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return None, f"{where}: {first['msg']}"


__all__ = ["FILL", "Fill", "ImportResult", "ToFill", "import_resources", "import_source"]
