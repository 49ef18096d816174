"""Merge the medication and device records into treatments, and build the request section."""

from __future__ import annotations

from typing import Any

from ..vocab import vocabulary
from ._conditions import code_of
from ._index import Index
from ._meds import Med, treatment_fills
from ._util import FILL, Fill, Item, reference

_PRECEDENCE = {
    "MedicationRequest": 0,
    "MedicationStatement": 1,
    "MedicationDispense": 2,
    "DeviceRequest": 3,
    "Device": 4,
}
_DETAIL_ORDER = ("product", "strength", "form", "dose", "route")


def merge(meds: list[Med], index: Index) -> list[list[Med]]:
    """Group the records of one course of one drug: those linked by reference (a statement
    derived from a request, a dispense authorised by it) and those of the same drug and start."""
    parent = list(range(len(meds)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        parent[find(i)] = find(j)

    by_ref = {m.ref: i for i, m in enumerate(meds)}
    first_of: dict[tuple[str, Any], int] = {}
    for i, m in enumerate(meds):
        for link in m.links:
            target = index.resolve(link)
            j = by_ref.get(target.ref if target is not None else link)
            if j is not None and meds[j].key == m.key:
                union(i, j)
        if m.start is not None:
            j = first_of.setdefault((m.key, m.start), i)
            if j != i:
                union(i, j)
    groups: dict[int, list[Med]] = {}
    for i, m in enumerate(meds):
        groups.setdefault(find(i), []).append(m)
    return [sorted(g, key=lambda m: (_PRECEDENCE[m.resource_type], m.ref)) for g in groups.values()]


def treatment(group: list[Med]) -> Item:
    primary = group[0]
    starts = [m.start for m in group if m.start is not None]
    start = min(starts) if starts else None
    deciders = [m for m in group if m.resource_type != "MedicationDispense"] or group
    ongoing = any(not m.ended for m in deciders)
    ends = [m.end for m in group if m.end is not None]
    end = None if ongoing or not ends else max(ends)
    ended = not ongoing
    data: dict[str, Any] = {"drug": primary.key}
    for name in _DETAIL_ORDER:
        value = next((m.details[name] for m in group if m.details.get(name)), None)
        if value:
            data[name] = value
    data["start"] = start or FILL
    if ended and primary.kind == "drug":
        data["end"] = end or FILL
    notes = [m.details["note"] for m in group if m.details.get("note")]
    written = primary.details.get("written")
    if written:
        notes.insert(0, f"as written: {written}")
    status = f"{primary.resource_type} status {primary.status}" if primary.status else ""
    others = [m.ref for m in group[1:]]
    if others:
        notes.append(f"also {', '.join(others)}")
    if status:
        notes.insert(0, status)
    if notes:
        data["note"] = "; ".join(notes)
    rxnorm = next((m.details["rxnorm"] for m in group if m.details.get("rxnorm")), None)
    if rxnorm:
        data["rxnorm"] = rxnorm
    data["fhir_ref"] = primary.ref
    fills = treatment_fills(
        primary.key, primary.kind, primary.ref, start, end, ended and primary.kind == "drug"
    )
    return Item(data, fills, start)


def _order_label(order: Med) -> str:
    codes = f" {'/'.join(order.codes)}" if order.kind == "device" and order.codes else ""
    return f"{order.key}{codes} ({order.ref})"


def _order_diagnosis(order: Med, index: Index) -> str | None:
    for reason in order.reasons:
        if getattr(reason, "reference", None):
            target = index.resolve(reference(reason))
            if target is not None and target.type == "Condition":
                code, _, _ = code_of(target.model.code)
                if code:
                    return code
        else:
            code, _, _ = code_of(reason)
            if code:
                return code
    return None


def _policy_diagnosis(key: str, diagnoses: list[Item]) -> str | None:
    """The first imported diagnosis that a shipped policy for this item covers."""
    from ..kinds import any_match
    from ..policy import load_policies

    v = vocabulary()

    def item_key(name: str) -> str:
        d = v.drug(name)
        return d.key if d else name.strip().lower()

    for policy in load_policies().values():
        a = policy.applies_to
        if key not in {item_key(i) for i in a.items}:
            continue
        for dx in diagnoses:
            code = str(dx.data["code"])
            if any_match(code, a.diagnoses) and not any_match(code, a.exclude_diagnoses):
                return code
    return None


def request(
    item: str | None,
    request_type: str,
    orders: list[Med],
    diagnoses: list[Item],
    index: Index,
    notes: list[str],
) -> tuple[dict[str, Any], list[Fill], Med | None]:
    """The request section: the item named by the user (or the single pending order in the
    chart), with the details of its order and the diagnosis it is for."""
    v = vocabulary()
    chosen: Med | None = None
    key: str | None = None
    if item:
        d = v.drug(item)
        key = d.key if d else item.strip()
        matching = [o for o in orders if o.key == key]
        if matching:
            chosen = max(matching, key=lambda o: (str(o.start), o.ref))
        others = sorted({_order_label(o) for o in orders if o is not chosen and o.key != key})
        if others:
            notes.append(f"other orders in the chart, not this request: {', '.join(others)}")
    else:
        keys = sorted({o.key for o in orders})
        if len(keys) == 1:
            key = keys[0]
            chosen = max(orders, key=lambda o: (str(o.start), o.ref))
            notes.append(f"request: item {key!r} taken from the pending order {chosen.ref}")
    fills: list[Fill] = []
    out: dict[str, Any] = {"type": request_type}
    drug = v.drug(key) if key else None
    out["kind"] = "device" if drug and "device" in drug.classes else "drug"
    out["item"] = item.strip() if item else (key or FILL)
    if chosen is not None:
        if chosen.details.get("product"):
            out["product"] = chosen.details["product"]
        if chosen.kind == "device" and chosen.codes:
            out["codes"] = sorted(set(chosen.codes))
        for name in ("dose", "route"):
            if chosen.details.get(name):
                out[name] = chosen.details[name]
    dx = (_order_diagnosis(chosen, index) if chosen else None) or (
        _policy_diagnosis(key, diagnoses) if key else None
    )
    out["diagnosis"] = dx or FILL
    if out["item"] == FILL:
        pending = ", ".join(sorted({f"{o.key} ({o.ref})" for o in orders}))
        more = f"; orders in the chart: {pending}" if pending else ""
        fills.append(Fill("request.item", f"the drug or device requested (--item){more}"))
    if dx is None:
        fills.append(Fill("request.diagnosis", "the ICD-10-CM code the request is for"))
    return out, fills, chosen
