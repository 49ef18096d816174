"""Helpers shared by the mappers: data tables, dates, codings, and the item a mapper yields."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from .._yaml import load_data
from ..notices import FILL as FILL  # re-exported for the mappers

_DATA = resources.files("pa_docs.fhir") / "data"


@cache
def table(name: str) -> Any:
    """A curated data table from ``pa_docs/fhir/data/<name>.yaml`` (read once)."""
    return load_data((_DATA / f"{name}.yaml").read_text(encoding="utf-8"), f"{name}.yaml")


@dataclass(frozen=True)
class Fill:
    """A field the specialist must (``required``) or may want to fill in."""

    field: str
    what: str
    required: bool = True


@dataclass
class Item:
    """One case list entry mapped from a resource, with what is still to be filled in."""

    data: dict[str, Any]
    fills: list[Fill] = field(default_factory=list)
    day: dt.date | None = None
    seq: int | None = None  # its place in a case pa-docs exported (kept; others sort by date)


@dataclass(frozen=True)
class Coding:
    system: str
    code: str
    display: str


def to_date(value: Any) -> dt.date | None:
    """The calendar day of a FHIR date, dateTime or instant (as parsed by fhir.resources).

    A partial date (``2020`` or ``2020-07``) gives None: a day cannot be made up."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        m = re.match(r"^(\d{4})-(\d{2})-(\d{2})", value.strip())
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
    return None


def codings(concept: Any) -> list[Coding]:
    """The codings of a CodeableConcept (or of a bare Coding), codes trimmed."""
    if concept is None:
        return []
    items = getattr(concept, "coding", None)
    if items is None and getattr(concept, "code", None) is not None:
        items = [concept]
    out = []
    for c in items or []:
        code = " ".join(str(c.code or "").split())
        if code:
            out.append(Coding((c.system or "").strip(), code, (c.display or "").strip()))
    return out


def concept_text(concept: Any) -> str | None:
    """A human label for a CodeableConcept: its text, else the first display, else a code."""
    if concept is None:
        return None
    text = getattr(concept, "text", None)
    if text and str(text).strip():
        return str(text).strip()
    cs = codings(concept)
    for c in cs:
        if c.display:
            return c.display
    return cs[0].code if cs else None


def status_code(concept: Any) -> str | None:
    """The code of a status CodeableConcept (Condition.clinicalStatus and the like)."""
    cs = codings(concept)
    return cs[0].code.lower() if cs else None


def reference(obj: Any) -> str | None:
    """The ``reference`` string of a Reference element."""
    ref = getattr(obj, "reference", None) if obj is not None else None
    return str(ref).strip() if ref else None


def number(value: Any) -> float | int | None:
    if value is None:
        return None
    f = float(value)
    return int(f) if f.is_integer() else f


def words_in(text: str, phrases: list[str]) -> bool:
    t = f" {' '.join(re.split(r'[^a-z0-9]+', text.lower()))} "
    return any(f" {' '.join(re.split(r'[^a-z0-9]+', p.lower()))} " in t for p in phrases)
