"""Map each denial reason to the policy criteria it concerns (table in ``data/reasons.yaml``).

A reason that names its criteria (``criteria:``) is *stated*. Otherwise the criteria are
*inferred* from the reason's words (phrase families) or, failing those, its X12 reason code: the
words beat a generic code (CO-50 "not medically necessary" with the words "tried and failed" is a
step-therapy reason). A reason that maps to no criterion of the policy (a general family such as
medical necessity, experimental, documentation, coverage or authorization, or a specific family
the policy has no criterion for, or no match at all) is *unmapped*: it is answered with the
general medical-necessity argument, every criterion of the policy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .._yaml import load_data
from ..errors import InputError
from ..policy import Criterion, Policy
from ._denial import Denial, DenialReason

How = Literal["stated", "inferred", "unmapped"]
Basis = Literal["denial", "words", "code", "none"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Code(_Model):
    family: str
    words: str


class Narrow(_Model):
    phrases: list[str] = Field(min_length=1)
    ids: list[str] = []
    tests: list[str] = []
    mode: Literal["required", "excluded"] | None = None


class Family(_Model):
    kinds: list[str] = []
    phrases: list[str] = Field(min_length=1)
    narrow: list[Narrow] = []

    @property
    def specific(self) -> bool:
        return bool(self.kinds)


class ReasonTable(_Model):
    codes: dict[str, Code]
    families: dict[str, Family]


@cache
def reason_table() -> ReasonTable:
    text = resources.files(__package__).joinpath("data/reasons.yaml").read_text("utf-8")
    table = ReasonTable.model_validate(load_data(text, "reasons.yaml"))
    for c in table.codes.values():
        assert c.family in table.families, c.family
    return table


@dataclass(frozen=True, slots=True)
class MappedReason:
    """One denial reason and the criteria that answer it."""

    index: int  # 1-based, as the letter numbers the reasons
    reason: DenialReason
    criteria: list[str]
    how: How
    family: str  # the first family recognised
    families: tuple[str, ...]  # every family recognised (specific ones only, when there are any)
    basis: Basis  # what decided the family: the denial's own list, the words, the code, nothing
    matched: str | None  # the phrase or code that matched
    note: str

    @property
    def code_words(self) -> str | None:
        """The X12 wording of the reason's code, when the table knows it."""
        carc = self.reason.carc
        code = reason_table().codes.get(carc) if carc else None
        return code.words if code else None


def _search(phrases: list[str], text: str) -> str | None:
    for p in phrases:
        m = re.search(p, text, re.IGNORECASE)
        if m:
            return m.group(0)
    return None


def _fits(c: Criterion, n: Narrow) -> bool:
    leaves = list(c.rule.leaves())
    if n.mode is not None:
        return any(getattr(r, "mode", None) == n.mode for r in leaves)
    if any(i in c.id.split("-") for i in n.ids):
        return True
    return any(t in getattr(r, "tests", ()) for r in leaves for t in n.tests)


def _criteria_for(family: Family, text: str, criteria: list[Criterion]) -> list[str]:
    found = [c for c in criteria if c.kind in family.kinds]
    for n in family.narrow:
        if _search(n.phrases, text):
            found = [c for c in found if _fits(c, n)]
            break
    return [c.id for c in found]


def _families(reason: DenialReason) -> tuple[list[tuple[str, str | None]], Basis]:
    """The families of a reason with the phrase or code that matched each, and what decided."""
    t = reason_table()
    hits = [(name, m) for name, f in t.families.items() if (m := _search(f.phrases, reason.text))]
    code = t.codes.get(reason.carc) if reason.carc else None
    specific = [(n, m) for n, m in hits if t.families[n].specific]
    if specific:
        return list(specific), "words"
    if code and t.families[code.family].specific:
        return [(code.family, reason.code)], "code"
    if hits:
        return list(hits[:1]), "words"
    if code:
        return [(code.family, reason.code)], "code"
    return [("medical_necessity", None)], "none"


def map_reason(
    index: int,
    reason: DenialReason,
    policy: Policy,
    request_type: str,
    *,
    file: str | Path | None = None,
) -> MappedReason:
    """Map one reason (``index`` is 1-based)."""
    criteria = policy.criteria(request_type)
    ids = [c.id for c in criteria]
    hits, basis = _families(reason)
    family, matched = hits[0]
    families = tuple(f for f, _ in hits)
    if reason.criteria is not None:
        unknown = [i for i in reason.criteria if i not in ids]
        if unknown:
            raise InputError(
                f"reason {index} names criterion {unknown[0]!r}, which policy {policy.id!r} "
                f"({request_type}) does not have; known: {', '.join(ids)}",
                file=file,
                field=f"reasons[{index - 1}].criteria",
            )
        return MappedReason(
            index, reason, list(reason.criteria), "stated", family, families, "denial", matched,
            "criteria named in the denial file",
        )  # fmt: skip
    table = reason_table().families
    what = (
        "the words " + ", ".join(repr(m) for _, m in hits)
        if basis == "words"
        else f"the code {matched}"
    )
    labels = ", ".join(f.replace("_", " ") for f in families)
    general = "answered with the general medical-necessity argument"
    if table[family].specific:
        wanted = {i for f in families for i in _criteria_for(table[f], reason.text, criteria)}
        found = [i for i in ids if i in wanted]
        if found:
            return MappedReason(
                index, reason, found, "inferred", family, families, basis, matched,
                f"inferred from {what}: {labels}",
            )  # fmt: skip
        kinds = " or ".join(k.replace("_", " ") for f in families for k in table[f].kinds)
        note = f"{what}: {labels}, but policy {policy.id} has no such {kinds} criterion; {general}"
    elif basis == "none":
        note = f"no code or phrase recognised; {general}"
    else:
        note = f"{what}: a general reason ({labels}); {general}"
    return MappedReason(index, reason, ids, "unmapped", family, families, basis, matched, note)


def map_reasons(
    denial: Denial, policy: Policy, request_type: str, *, file: str | Path | None = None
) -> list[MappedReason]:
    """Map every reason of ``denial`` to criteria of ``policy`` (its ``request_type`` set).

    A stated criterion id the policy does not have is an ``InputError`` naming the reason."""
    return [
        map_reason(i, r, policy, request_type, file=file) for i, r in enumerate(denial.reasons, 1)
    ]
