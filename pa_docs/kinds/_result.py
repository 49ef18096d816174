"""What a rule's evaluation is, and how results compose: the one home of the met / not_met /
missing rules.

``all_of`` is not_met if any part is not_met, else missing if any part is missing, else met.
``any_of`` is met if any part is met, else missing if any part is missing, else not_met.
A case is ``ready`` when every criterion is met, ``not_met`` when any is not_met, else ``gaps``.

A result is data, not prose: a status, a ``Message`` (a code and its parameters) for the reason
and one for the action, typed ``Evidence`` references, and for a composition its parts. The
words are produced from these by ``pa_docs.kinds._wording``, the one module that writes them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeAlias, TypeVar

from ..case import (
    Diagnosis,
    Encounter,
    Finding,
    Lab,
    Patient,
    Prescriber,
    Request,
    Score,
    Treatment,
)

Record: TypeAlias = (
    Lab | Score | Treatment | Diagnosis | Finding | Encounter | Patient | Prescriber | Request
)
"""An item of a case a verdict can rest on."""

T = TypeVar("T")


class Status(StrEnum):
    met = "met"
    not_met = "not_met"
    missing = "missing"


class CaseStatus(StrEnum):
    ready = "ready"
    gaps = "gaps"
    not_met = "not_met"


def case_status(statuses: Iterable[Status]) -> CaseStatus:
    """The status of a case from the statuses of its criteria."""
    seen = set(statuses)
    if Status.not_met in seen:
        return CaseStatus.not_met
    if Status.missing in seen:
        return CaseStatus.gaps
    return CaseStatus.ready


@dataclass(frozen=True, slots=True)
class Message:
    """A sentence as data: ``code`` names it (``lab.no_result``), ``params`` fill it in.

    Parameters are plain values, dates, ``Evidence`` (said as the item's summary), other
    messages, or lists of these. ``pa_docs.kinds._wording`` turns a message into words.
    """

    code: str
    params: dict[str, object] = dataclasses.field(default_factory=dict)

    def evidence(self) -> list[Evidence]:
        """The evidence this message names, in its parameters and theirs."""
        return [v for v in _nested(self) if isinstance(v, Evidence)]

    def messages(self) -> list[Message]:
        """This message and every message in its parameters, depth first."""
        return [v for v in _nested(self) if isinstance(v, Message)]

    def to_dict(self) -> dict[str, Any]:
        """The message as JSON: its code, and its parameters (evidence as refs)."""
        return {"code": self.code, "params": {k: _plain(v) for k, v in self.params.items()}}


def _nested(value: object) -> Iterator[object]:
    """``value`` and, depth first, the messages and evidence inside it: a message's parameters,
    a list's items."""
    if isinstance(value, Evidence | Message):
        yield value
    if isinstance(value, Message):
        for v in value.params.values():
            yield from _nested(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _nested(v)


def _plain(value: Any) -> Any:
    """A parameter as JSON: evidence as its ref, a message as its code and parameters."""
    if isinstance(value, Evidence):
        return value.ref
    if isinstance(value, Message) or hasattr(value, "to_dict"):
        return value.to_dict()  # a message, or a threshold with its unit
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", exclude_none=True)
    return value


def unique(items: Iterable[T]) -> list[T]:
    """``items`` without repeats (equal items), in order; for items that cannot be hashed."""
    out: list[T] = []
    for x in items:
        if x not in out:
            out.append(x)
    return out


def msg(code: str, /, **params: object) -> Message:
    """``Message(code, params)``, written ``msg("lab.no_result", tests=...)``."""
    return Message(code, params)


@dataclass(frozen=True, slots=True)
class Evidence:
    """One item of the case a verdict rests on.

    Where it is: ``section`` (``labs``, ``treatments``, ``patient``, ...) and ``index`` in that
    list, or ``field`` of a single block (``patient.birth_date``); ``item`` is the record object
    itself (a ``Lab``, ``Treatment``, ...); ``date`` is its date. ``role`` says how a verdict uses
    it where that changes its description (``baseline``).
    """

    section: str
    index: int | None
    date: dt.date | None
    item: Record | None = dataclasses.field(default=None, compare=False, hash=False, repr=False)
    field: str | None = None
    role: str | None = None

    @property
    def ref(self) -> str:
        """Where the item is, as a path into the case: ``labs[2]``, ``patient.birth_date``."""
        if self.index is not None:
            return f"{self.section}[{self.index}]"
        return f"{self.section}.{self.field}" if self.field else self.section

    @property
    def summary(self) -> str:
        """What the item says, in a few words ("IGRA negative on 2026-07-21")."""
        from ._wording import ENGLISH

        return ENGLISH.summary(self)

    @property
    def note(self) -> str | None:
        """The record's own free-text note on the item, on one line."""
        note = getattr(self.item, "note", None)
        return " ".join(note.split()) if isinstance(note, str) and note.strip() else None

    @property
    def fhir_ref(self) -> str | None:
        """The FHIR resource the item was imported from, if it was."""
        ref = getattr(self.item, "fhir_ref", None)
        return ref if isinstance(ref, str) else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "date": self.date.isoformat() if self.date else None,
            "summary": self.summary,
            "section": self.section,
            "index": self.index,
        }


@dataclass(slots=True)
class Result:
    """The outcome of one rule: its status, the reason and what to do (as messages), and the
    evidence. A composition (``all_of``, ``any_of``) keeps its ``parts``."""

    status: Status
    reason: Message
    action: Message | None = None
    evidence: list[Evidence] = dataclasses.field(default_factory=list)
    label: str | None = None
    kind: str | None = None
    parts: list[Result] = dataclasses.field(default_factory=list)

    def codes(self) -> set[str]:
        """Every message code in the result (its reason's and action's, the messages they hold,
        its parts'): what a caller asks of a result instead of reading its words."""
        own = [self.reason, *([self.action] if self.action else [])]
        found = {m.code for top in own for m in top.messages()}
        return found.union(*(p.codes() for p in self.parts))


def _evidence(parts: list[Result]) -> list[Evidence]:
    out: list[Evidence] = []
    for p in parts:
        out.extend(e for e in p.evidence if e not in out)
    return out


def compose_all(parts: list[Result], label: str | None = None) -> Result:
    """All parts: not_met if any is, else missing if any is, else met. The evidence is that of
    the failing parts when one fails, else of every part."""
    bad = [p for p in parts if p.status is Status.not_met]
    if bad:
        status, evidence = Status.not_met, _evidence(bad)
    elif any(p.status is Status.missing for p in parts):
        status, evidence = Status.missing, _evidence(parts)
    else:
        status, evidence = Status.met, _evidence(parts)
    return Result(status, Message("all_of"), None, evidence, label, "all_of", list(parts))


def compose_any(parts: list[Result], label: str | None = None) -> Result:
    """Any part: met if any is (with the evidence of the first met part), else missing if any
    is, else not_met."""
    met = [p for p in parts if p.status is Status.met]
    if met:
        status, evidence = Status.met, list(met[0].evidence)
    elif any(p.status is Status.missing for p in parts):
        status, evidence = Status.missing, _evidence(parts)
    else:
        status, evidence = Status.not_met, _evidence(parts)
    return Result(status, Message("any_of"), None, evidence, label, "any_of", list(parts))
