"""What changed between two versions of a policy, for reviewing an update: the policy's own
fields, and criteria added, removed and changed (text, source, thresholds, windows, drug lists).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..policy import Criterion, Policy

_META = ("payer", "payer_keys", "title", "number", "cite", "version", "effective", "url",
         "last_reviewed", "applies_to", "disqualify", "documents", "approval")  # fmt: skip
_KIND_OF_KEY = {
    "value": "threshold",
    "values": "threshold",
    "events": "threshold",
    "minutes_at_or_below": "threshold",
    "min": "threshold",
    "max": "threshold",
    "min_days": "minimum length",
    "count": "count",
    "within": "window",
    "relative_to": "window",
    "period_days": "window",
    "at_time_of_need": "window",
    "drugs": "drug list",
    "contraindication_drugs": "drug list",
    "if_positive_treated_with": "drug list",
    "start_of": "drug list",
    "codes": "codes",
    "exclude": "codes",
    "tests": "tests",
}


def _show(v: Any) -> str:
    """A value as a policy file writes it: '>= 15', '30 days', 'methotrexate', [a, b]."""
    if isinstance(v, dict):
        if set(v) == {"op", "value"}:
            return f"{v['op']} {v['value']:g}"
        given = {k: x for k, x in v.items() if x is not None}
        if given and set(given) <= {"days", "months"} and len(given) == 1:
            ((unit, n),) = given.items()
            return f"{n} {unit}"
        if "drug" in v or "class" in v:
            return _drug(v)
        return (
            "{" + ", ".join(f"{k}: {_show(x)}" for k, x in v.items() if x not in (None, [])) + "}"
        )
    if isinstance(v, list):
        return "[" + ", ".join(_show(x) for x in v) + "]"
    if v is None:
        return "(none)"
    return str(v)


def _drug(m: dict[str, Any]) -> str:
    name = m.get("drug") or f"class {m.get('class')}"
    extra = [f"{k} {_show(x)}" for k, x in m.items() if k not in {"drug", "class"} and x]
    return name + (f" ({', '.join(extra)})" if extra else "")


def _is_drugs(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, dict) and ("drug" in x or "class" in x)
                                       for x in v) and bool(v)  # fmt: skip


def _walk(old: Any, new: Any, path: str, key: str, out: list[str]) -> None:
    if old == new:
        return
    what = _KIND_OF_KEY.get(key, "")
    label = f"{what} {path}" if what and what != key else path  # not "codes applies_to.codes"
    if _is_drugs(old) or _is_drugs(new):
        before = {_drug(x) for x in old or []}
        after = {_drug(x) for x in new or []}
        added, removed = sorted(after - before), sorted(before - after)
        parts = [f"+ {x}" for x in added] + [f"- {x}" for x in removed]
        out.append(f"drug list {path}: {'; '.join(parts) or 'reordered'}")
        return
    if (
        isinstance(old, dict) and isinstance(new, dict) and set(old) != {"op", "value"}
        and key != "within"
    ):  # fmt: skip
        for k in dict.fromkeys([*old, *new]):
            _walk(old.get(k), new.get(k), f"{path}.{k}" if path else k, k, out)
        return
    if (
        isinstance(old, list) and isinstance(new, list) and len(old) == len(new)
        and all(isinstance(x, dict) and "kind" in x for x in (*old, *new))
    ):  # fmt: skip
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            name = b.get("label") or a.get("label")
            _walk(a, b, f"{path}[{i}]" + (f" ({name})" if name else ""), "", out)
        return
    out.append(f"{label}: {_show(old)} -> {_show(new)}")


def _dump(x: Any) -> Any:
    return x.model_dump(mode="json", by_alias=True, exclude_defaults=True)


def diff_policies(old: Policy, new: Policy) -> list[str]:
    """The differences, one line each; none when the policies say the same."""
    out: list[str] = []
    if old.id != new.id:
        out.append(f"id: {old.id} -> {new.id}")
    for name in _META:
        _walk(_dump_field(old, name), _dump_field(new, name), name, name, out)
    for request_type in ("initial", "continuation"):
        before = {c.id: c for c in old.criteria(request_type)} if _has(old, request_type) else {}
        after = {c.id: c for c in new.criteria(request_type)} if _has(new, request_type) else {}
        for cid in after.keys() - before.keys():
            out.append(f"{request_type}: added {cid} ({after[cid].kind}): {after[cid].text}")
        for cid in before.keys() - after.keys():
            out.append(f"{request_type}: removed {cid} ({before[cid].kind})")
        for cid in [c for c in after if c in before]:
            changes: list[str] = []
            _walk(_criterion(before[cid], old), _criterion(after[cid], new), "", "", changes)
            out.extend(f"{request_type}: changed {cid}: {c}" for c in changes)
    return out


def _criterion(c: Criterion, p: Policy) -> Any:
    """A criterion as written: its source without what it inherits from its document (a new
    policy version is reported once, not under every criterion)."""
    data = _dump(c)
    doc = next((d for d in p.documents if d.id == c.source.document), None)
    inherited = (
        {"url": doc.url, "version": doc.version, "effective": doc.effective}
        if doc is not None
        else {"url": p.url, "version": p.version, "effective": p.effective}
    )
    src = data.get("source", {})
    for k, v in inherited.items():
        shown = v.isoformat() if isinstance(v, dt.date) else v
        if k in src and src[k] == shown:
            del src[k]
    return data


def _has(p: Policy, request_type: str) -> bool:
    return request_type in p.request_types


def _dump_field(p: Policy, name: str) -> Any:
    value = getattr(p, name)
    if isinstance(value, list):
        return [_dump(x) if hasattr(x, "model_dump") else x for x in value]
    if hasattr(value, "model_dump"):
        return _dump(value)
    return value.isoformat() if hasattr(value, "isoformat") else value
