"""Patient, Coverage and Practitioner / PractitionerRole -> patient, coverage and prescriber."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..case import npi_is_valid
from ._index import Index
from ._util import FILL, Fill, codings, concept_text, reference, table, to_date, words_in
from ._validate import Resource


def _human_name(names: Any, prefix: bool = True) -> str | None:
    if not names:
        return None
    chosen = next((n for n in names if n.use == "official"), names[0])
    if chosen.text and chosen.text.strip():
        return str(chosen.text).strip()
    parts = [*((chosen.prefix or []) if prefix else []), *(chosen.given or []), chosen.family or ""]
    name = " ".join(p.strip() for p in parts if p and p.strip())
    if chosen.suffix:
        suffixes = [s.strip() for s in chosen.suffix if s and s.strip()]
        name = f"{name}, {', '.join(suffixes)}" if suffixes else name
    return name or None


def patient(p: Resource | None, coverage: Resource | None) -> tuple[dict[str, Any], list[Fill]]:
    fills: list[Fill] = []
    out: dict[str, Any] = {}
    m = p.model if p else None
    out["name"] = (_human_name(m.name, prefix=False) if m else None) or FILL
    birth = to_date(m.birthDate) if m else None
    out["birth_date"] = birth or FILL
    gender = (m.gender if m else None) or "unknown"
    out["sex"] = gender if gender in {"female", "male", "other", "unknown"} else "unknown"
    out["member_id"] = _member_id(m, coverage.model if coverage else None) or FILL
    for key, what in (
        ("name", "the patient's name"),
        ("birth_date", "the patient's birth date"),
        ("member_id", "the member ID from the insurance card"),
    ):
        if out[key] == FILL:
            fills.append(Fill(f"patient.{key}", what))
    return out, fills


def _member_id(patient: Any, coverage: Any) -> str | None:
    if coverage is not None:
        if coverage.subscriberId and str(coverage.subscriberId).strip():
            return str(coverage.subscriberId).strip()
        for ident in coverage.identifier or []:
            if any(c.code == "MB" for c in codings(ident.type)) and ident.value:
                return str(ident.value).strip()
    systems = table("coverage")["member_id_systems"]
    for ident in (patient.identifier if patient is not None else None) or []:
        if (ident.system or "") in systems and ident.value:
            return str(ident.value).strip()
        if any(c.code in {"MB", "MC"} for c in codings(ident.type)) and ident.value:
            return str(ident.value).strip()
    return None


def choose_coverage(index: Index) -> Resource | None:
    found = [c for c in index.of_type("Coverage") if c.model.status in (None, "active")]
    found = found or index.of_type("Coverage")
    if not found:
        return None
    return sorted(found, key=lambda c: c.model.order or 0)[0]


def coverage(
    cov: Resource | None, index: Index, payer: str | None, notes: list[str]
) -> tuple[dict[str, Any], list[Fill]]:
    """The coverage section; ``payer`` (a payer key given by the user) wins over the chart."""
    texts: list[str] = []
    plan = group = None
    if cov is not None:
        m = cov.model
        for org_ref in m.payor or []:
            org = index.resolve(reference(org_ref))
            if org is not None and org.type == "Organization" and org.model.name:
                texts.append(str(org.model.name))
            if org_ref.display:
                texts.append(str(org_ref.display))
        for cls in m.class_fhir or []:
            kind = {c.code for c in codings(cls.type)}
            value = cls.name or cls.value
            if "plan" in kind and plan is None:
                plan = str(value)
            if "group" in kind and group is None:
                group = str(cls.value)
        if plan:
            texts.append(plan)
        if m.type is not None:
            texts.append(concept_text(m.type) or "")
    else:
        claim_payer = _claim_payer(index)
        if claim_payer:
            texts.append(claim_payer)
            notes.append(
                f"coverage: no Coverage resource; payer {claim_payer!r} read from the latest Claim"
            )
    joined = " | ".join(t for t in texts if t)
    key = payer.strip().lower() if payer else _first_match(joined, table("coverage")["payers"])
    out: dict[str, Any] = {"payer": key or FILL}
    if plan:
        out["plan"] = plan
    out["line_of_business"] = (
        _first_match(joined, table("coverage")["line_of_business"]) or "commercial"
    )
    if group:
        out["group_number"] = group
    fills = []
    if not key:
        seen = f" (the chart names {joined!r})" if joined else ""
        fills.append(Fill("coverage.payer", f"the payer key, e.g. aetna or medicare{seen}"))
    if cov is None:
        fills.append(
            Fill("coverage.line_of_business", "check the line of business (no Coverage)", False)
        )
    return out, fills


def _claim_payer(index: Index) -> str | None:
    best: tuple[Any, str] | None = None
    for c in index.of_type("Claim"):
        when = str(to_date(c.model.created) or "")
        for ins in c.model.insurance or []:
            name = (ins.coverage.display or "").strip() if ins.coverage else ""
            if name and name.upper() != "NO_INSURANCE" and (best is None or when > best[0]):
                best = (when, name)
    return best[1] if best else None


def _first_match(text: str, rules: list[dict[str, Any]]) -> str | None:
    if not text:
        return None
    for rule in rules:
        if words_in(text, rule["match"]):
            return str(rule["key"])
    return None


def _npi(model: Any) -> str | None:
    systems = table("coverage")["npi_systems"]
    for ident in model.identifier or []:
        if (ident.system or "").strip() in systems and ident.value:
            return str(ident.value).strip()
    return None


def choose_prescriber(index: Index, order_refs: list[str]) -> Resource | None:
    """The practitioner who ordered the requested item; else the one most often named as a
    requester or participant; else the only one."""
    for order_ref in order_refs:
        found = index.resolve(order_ref)
        if found is not None and found.type in {"Practitioner", "PractitionerRole"}:
            return found
    pracs = index.of_type("Practitioner", "PractitionerRole")
    if len(pracs) <= 1:
        return pracs[0] if pracs else None
    counts: Counter[str] = Counter()
    for r in index.resources:
        m = r.model
        for name in ("requester", "recorder", "asserter"):
            named = reference(getattr(m, name, None))
            if named:
                counts[named] += 1
        for part in getattr(m, "participant", None) or []:
            named = reference(getattr(part, "individual", None))
            if named:
                counts[named] += 1
    ranked = sorted(pracs, key=lambda p: -max(counts[k] for k in _names(p)))
    return ranked[0]


def _names(r: Resource) -> list[str]:
    return [k for k in (r.ref, r.full_url or "") if k] or [r.ref]


def prescriber(
    r: Resource | None, index: Index, notes: list[str]
) -> tuple[dict[str, Any], list[Fill]]:
    practitioner = role = None
    if r is not None and r.type == "PractitionerRole":
        role = r.model
        target = index.resolve(reference(role.practitioner), "Practitioner")
        practitioner = target.model if target is not None else None
    elif r is not None:
        practitioner = r.model
        for pr in index.of_type("PractitionerRole"):
            target = index.resolve(reference(pr.model.practitioner))
            if target is r:
                role = pr.model
                break
    out: dict[str, Any] = {}
    fills: list[Fill] = []
    out["name"] = (_human_name(practitioner.name) if practitioner else None) or FILL
    npi = (_npi(role) if role else None) or (_npi(practitioner) if practitioner else None)
    if npi and not npi_is_valid(npi):
        notes.append(f"prescriber: NPI {npi!r} in {r.ref if r else 'the chart'} is not a valid NPI")
        npi = None
    out["npi"] = npi or FILL
    specialty = None
    if role is not None and role.specialty:
        specialty = concept_text(role.specialty[0])
    if specialty is None and practitioner is not None and practitioner.qualification:
        specialty = concept_text(practitioner.qualification[0].code)
    if specialty:
        out["specialty"] = specialty.lower()
    if role is not None and role.organization is not None:
        org = index.resolve(reference(role.organization), "Organization")
        if org is not None and org.model.name:
            out["practice"] = str(org.model.name)
    holder = practitioner or role
    if holder is not None:
        address = _address(getattr(holder, "address", None))
        if address:
            out["address"] = address
        for cp in holder.telecom or []:
            if cp.system in {"phone", "fax"} and cp.value and cp.system not in out:
                out[cp.system] = str(cp.value).strip()
    if out["name"] == FILL:
        fills.append(Fill("prescriber.name", "the prescriber's name"))
    if out["npi"] == FILL:
        fills.append(Fill("prescriber.npi", "the prescriber's 10-digit NPI"))
    return out, fills


def _address(addresses: Any) -> str | None:
    if not addresses:
        return None
    a = addresses[0]
    if a.text:
        return str(a.text)
    street = ", ".join(a.line or [])
    tail = " ".join(p for p in (a.state, a.postalCode) if p)
    parts = [p for p in (street, a.city, tail) if p]
    return ", ".join(parts) or None
