"""Warnings about a loaded case: names pa-docs keeps but does not know.

A drug, encounter type or finding pa-docs does not know is kept as written and counts for
nothing a policy asks; each is reported once, with the closest known name when the name looks
like a misspelling of one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..notices import InputWarning
from ..vocab import vocabulary

Loc = tuple[str | int, ...]


def warnings_of(
    case: Any, line_of: Callable[[Loc], int | None], file: str | None
) -> list[InputWarning]:
    v = vocabulary()
    out: list[InputWarning] = []

    def warn(loc: Loc, message: str, suggestion: str | None) -> None:
        path = ".".join(f"[{p}]" if isinstance(p, int) else p for p in loc).replace(".[", "[")
        out.append(InputWarning(message, path, suggestion, file, line_of(loc)))

    req = case.request
    if "item" not in req.pending and v.drug(req.item) is None:
        warn(
            ("request", "item"),
            f"{req.item!r} is not a drug or device pa-docs knows, so no shipped policy is "
            "chosen for it (name the policy to use)",
            v.suggest_drug(req.item),
        )
    for i, t in enumerate(case.treatments):
        if "drug" not in t.pending and v.drug(t.drug) is None:
            warn(
                ("treatments", i, "drug"),
                f"{t.drug!r} is not a drug pa-docs knows, so it counts for no class",
                v.suggest_drug(t.drug),
            )
    for i, e in enumerate(case.encounters):
        if "type" not in e.pending and e.type not in v.encounter_types:
            warn(
                ("encounters", i, "type"),
                f"{e.type!r} is not an encounter type pa-docs knows "
                f"({', '.join(v.encounter_types)}), so no policy counts it",
                v.suggest(e.type, v.encounter_types),
            )
    for i, f in enumerate(case.findings):
        if "name" not in f.pending and f.name not in v.findings:
            warn(
                ("findings", i, "name"),
                f"{f.name!r} is not a finding pa-docs knows, so no policy counts it",
                v.suggest(f.name, v.findings),
            )
    return out
