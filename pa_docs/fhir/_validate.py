"""Validate resources one by one with ``fhir.resources.R4B``, repairing common real-world noise.

fhir.resources 8 defaults to FHIR R5; R4 content is read with its R4B models (FHIR 4.3, which is
backward compatible with R4 for every resource type mapped here). The import is lazy: this module
is imported only on the FHIR import path.

A resource that fails validation is repaired where the fix is unambiguous, and the repair is
reported: a string with stray spaces (``" G30.0"``) is trimmed, an element not defined in R4
(``MedicationDispense.intent``) is dropped, and a single object where a list is expected is
wrapped. A resource still invalid after that is left out and reported with its reference and the
reason; the import goes on.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ._source import RawResource

#: The resource types the import maps; others are counted and left unvalidated.
USED_TYPES = frozenset(
    {
        "Patient",
        "Coverage",
        "Organization",
        "Practitioner",
        "PractitionerRole",
        "Condition",
        "Observation",
        "Medication",
        "MedicationRequest",
        "MedicationStatement",
        "MedicationDispense",
        "Encounter",
        "DeviceRequest",
        "Device",
        "Procedure",
        "DiagnosticReport",
        "Claim",
        "ServiceRequest",
    }
)
_MAX_ROUNDS = 4


@dataclass(frozen=True)
class Resource:
    """A validated resource: its type, id, the reference that names it, and the R4B model."""

    type: str
    id: str | None
    ref: str
    model: Any
    full_url: str | None = None


@dataclass
class Validated:
    resources: list[Resource]
    invalid: list[tuple[str | None, str]]  # (the patient reference in the raw JSON, message)
    repaired: list[tuple[str, str]]  # (resource reference, what was repaired)
    skipped_types: dict[str, int]


def validate(raws: Iterable[RawResource]) -> Validated:
    from fhir.resources.R4B import get_fhir_model_class

    out = Validated([], [], [], {})
    for raw in raws:
        rtype = str(raw.data["resourceType"])
        if rtype not in USED_TYPES:
            out.skipped_types[rtype] = out.skipped_types.get(rtype, 0) + 1
            continue
        rid = raw.data.get("id")
        rid = rid.strip() if isinstance(rid, str) and rid.strip() else None
        ref = f"{rtype}/{rid}" if rid else (raw.full_url or f"{rtype} at {raw.origin}")
        model, fixes, error = _validate_one(get_fhir_model_class(rtype), raw.data)
        if model is None:
            out.invalid.append((_raw_patient(raw.data), f"{ref} ({raw.origin}): {error}"))
            continue
        out.repaired.extend((ref, f"{ref}: {fix}") for fix in fixes)
        out.resources.append(Resource(rtype, rid, ref, model, raw.full_url))
    return out


def _raw_patient(data: dict[str, Any]) -> str | None:
    for name in ("subject", "patient", "beneficiary"):
        value = data.get(name)
        if isinstance(value, dict) and isinstance(value.get("reference"), str):
            return str(value["reference"])
    return None


def from_models(models: Iterable[Any]) -> Validated:
    """Wrap resources a caller already holds (R4B models, or dicts) for the mapping."""
    raws: list[RawResource] = []
    ready = Validated([], [], [], {})
    for i, m in enumerate(models):
        if isinstance(m, dict) and m.get("resourceType") == "Bundle":  # its entries, by fullUrl
            for j, entry in enumerate(m.get("entry") or []):
                res = entry.get("resource") if isinstance(entry, dict) else None
                if isinstance(res, dict):
                    url = entry.get("fullUrl")
                    origin = f"resource[{i}]#entry[{j}]"
                    raws.append(RawResource(res, origin, url if isinstance(url, str) else None))
        elif isinstance(m, dict):
            raws.append(RawResource(m, f"resource[{i}]"))
        elif type(m).__module__.startswith("fhir.resources.R4B."):
            rtype = str(m.get_resource_type())
            rid = getattr(m, "id", None)
            ref = f"{rtype}/{rid}" if rid else f"{rtype} at resource[{i}]"
            ready.resources.append(Resource(rtype, rid, ref, m))
        elif hasattr(m, "model_dump"):  # another FHIR version: re-read its JSON as R4
            raws.append(RawResource(m.model_dump(mode="json", by_alias=True), f"resource[{i}]"))
        else:
            raise TypeError(f"resource[{i}]: a FHIR resource (dict or model) expected, got {m!r}")
    found = validate(raws)
    found.resources[:0] = ready.resources
    return found


def _validate_one(cls: Any, data: dict[str, Any]) -> tuple[Any, list[str], str]:
    from pydantic import ValidationError

    fixes: list[str] = []
    current = data
    for _ in range(_MAX_ROUNDS):
        try:
            return cls.model_validate(current), fixes, ""
        except ValidationError as err:
            errors = err.errors()
            if current is data:
                current = copy.deepcopy(data)
            applied = [f for f in (_repair(current, e) for e in errors) if f]
            if len(applied) < len(errors):
                return None, fixes, _reason(errors)
            fixes.extend(applied)
        except (KeyError, TypeError, ValueError) as err:  # fhir.resources' own: an unknown type
            if isinstance(err, KeyError):  # fhir.resources' key: R4.<resourceType>Type
                kind = str(err.args[0] if err.args else "").removeprefix("R4.").removesuffix("Type")
                return None, fixes, f"a resource inside it has an unknown resourceType {kind!r}"
            return None, fixes, f"not a valid resource: {err}"
    return None, fixes, "still invalid after repairs"


def _reason(errors: list[Any]) -> str:
    parts = []
    for e in errors[:3]:
        loc = ".".join(str(p) for p in e["loc"])
        parts.append(f"{loc}: {e['msg']}")
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return "; ".join(parts) + more


def _repair(data: Any, error: Any) -> str | None:
    loc = tuple(error["loc"])
    if not loc:
        return None
    parent = data
    for part in loc[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return None
    key = loc[-1]
    where = ".".join(str(p) for p in loc)
    try:
        value = parent[key]
    except (KeyError, IndexError, TypeError):
        return None
    kind = error["type"]
    if kind == "string_pattern_mismatch" and isinstance(value, str) and value.strip() != value:
        if not value.strip():
            return None
        parent[key] = " ".join(value.split())
        return f"{where} {value!r} had stray spaces; read as {parent[key]!r}"
    if kind == "extra_forbidden" and isinstance(parent, dict):
        del parent[key]
        return f"{where} is not an R4 element; ignored"
    if kind == "list_type" and isinstance(value, dict):
        parent[key] = [value]
        return f"{where} is a single value where R4 expects a list; read as a list of one"
    return None
