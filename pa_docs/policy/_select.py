"""Choose the policy that governs a case."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import _yaml
from ..case import Case
from ..errors import Hint, InputError, PolicyError
from ..kinds import any_match
from ..vocab import vocabulary
from ._load import Policies
from ._model import Policy


def _item_key(name: str) -> str:
    drug = vocabulary().drug(name)
    return drug.key if drug else name.strip().lower()


def applies(policy: Policy, case: Case) -> bool:
    """Whether the policy covers this case's payer, item, diagnosis and request type."""
    a = policy.applies_to
    dx = case.request.diagnosis
    codes = {c.strip().upper() for c in a.codes}
    item = (
        _item_key(case.request.item) in {_item_key(i) for i in a.items}
        or case.request.item.strip().upper() in codes
        or any(c.strip().upper() in codes for c in case.request.codes)
    )
    return (
        case.coverage.payer in policy.payer_keys
        and item
        and (not a.diagnoses or any_match(dx, a.diagnoses))
        and not any_match(dx, a.exclude_diagnoses)
        and case.request.type in policy.request_types
    )


def _where(source: Path | None, from_case: bool) -> dict[str, Any]:
    """Where a policy id was written: the case's ``request.policy`` (file and line) or the
    ``policy_id`` parameter."""
    if not from_case:
        return {"param": "policy_id"}
    line = None
    if source is not None:
        with contextlib.suppress(InputError):
            line = _yaml.load(source).line_of(("request", "policy"))
    return {"file": source, "line": line, "field": "request.policy"}


def _candidates(policies: Mapping[str, Policy], case: Case) -> list[Policy]:
    """The policies that may cover the case's payer: with a lazily read set, only the files that
    mention the payer are validated (a payer key is written out in its policy's file)."""
    if isinstance(policies, Policies):
        return [policies[pid] for pid in policies.mentioning(case.coverage.payer)]
    return list(policies.values())


def select_policy(
    case: Case,
    policies: Mapping[str, Policy],
    policy_id: str | None = None,
    *,
    source: Path | None = None,
) -> Policy:
    """The policy named by ``policy_id`` (or the case's ``request.policy``), else the single
    policy that applies to the case. No match or several matches is a ``PolicyError``.
    ``source`` is the case file, named in the error when its ``request.policy`` is unknown."""
    wanted = policy_id or case.request.policy
    if wanted:
        if wanted not in policies:
            raise PolicyError(
                f"unknown policy {wanted!r}; known: {', '.join(sorted(policies))}",
                **_where(source, not policy_id),
            )
        p = policies[wanted]
        if case.request.type not in p.request_types:
            raise PolicyError(
                f"policy {wanted!r} has no {case.request.type} criteria "
                f"(it covers: {', '.join(p.request_types)})",
                **_where(source, not policy_id),
            )
        return p
    blank = [
        path
        for path in ("coverage.payer", "request.item", "request.diagnosis")
        if case.is_to_fill(path)
    ]
    if blank:
        raise PolicyError(
            f"{' and '.join(blank)} {'is' if len(blank) == 1 else 'are'} still to fill (FILL-IN), "
            "so no policy can be chosen from the case. "
            f"Known policies: {', '.join(sorted(policies))}",
            hint=Hint("policy_id", "fill in the case or name a policy with {}"),
        )
    found = [p for p in _candidates(policies, case) if applies(p, case)]
    if len(found) == 1:
        return found[0]
    what = (
        f"payer {case.coverage.payer!r}, item {case.request.item!r}, "
        f"diagnosis {case.request.diagnosis}, request type {case.request.type}"
    )
    if not found:
        raise PolicyError(
            f"no shipped or given policy applies to this case ({what}). "
            f"Known policies: {', '.join(sorted(policies))}",
            hint=Hint("policy_id", "name one with {}"),
        )
    raise PolicyError(
        f"several policies apply to this case ({what}): {', '.join(p.id for p in found)}",
        hint=Hint("policy_id", "choose one with {}"),
    )
