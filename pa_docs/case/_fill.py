"""``FILL-IN`` placeholders: stand-ins while a case validates, and the list of what is to fill.

A placeholder may sit in any field. Before a model validates, :func:`stand_ins` takes it out:
an optional field becomes absent, a required one gets a stand-in value of its type (``FILL-IN``
for text, ``0001-01-01`` for a date, 0 for a number, a section of placeholders for a section).
While the model validates, :func:`is_pending` tells its validators which fields hold stand-ins,
so a stand-in is never judged (an ICD-10-CM check does not run on ``FILL-IN``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import typing
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from pydantic import BaseModel

from .._limits import DATE_MIN
from ..notices import FILL, ToFill, is_placeholder, marker

#: The stand-in of a placeholder date: far before anything a case records, so a stand-in that
#: reached a window by mistake would read as too old, never as recent evidence.
STAND_IN_DATE = DATE_MIN  # the earliest date a case may hold (pa_docs._limits)

_PENDING: ContextVar[frozenset[str]] = ContextVar("pa_docs_pending", default=frozenset())

# How a placeholder is described to the user: "[to fill: member ID]".
_WORDS = {
    ("patient", "name"): "patient name",
    ("patient", "member_id"): "member ID",
    ("patient", "birth_date"): "birth date",
    ("prescriber", "name"): "prescriber name",
    ("prescriber", "npi"): "prescriber NPI",
    ("request", "item"): "requested drug or device",
    ("request", "diagnosis"): "diagnosis code (ICD-10-CM) of the request",
    ("coverage", "payer"): "payer",
    ("coverage", "line_of_business"): "line of business",
    ("", "case_id"): "case ID",
    ("", "request_date"): "request date",
    ("diagnoses", "code"): "diagnosis code (ICD-10-CM)",
    ("treatments", "drug"): "drug name",
    ("treatments", "start"): "start date",
    ("treatments", "end"): "end date",
    ("labs", "test"): "test",
    ("labs", "loinc"): "LOINC code",
    ("encounters", "type"): "encounter type",
    ("findings", "name"): "finding",
}


def is_pending(name: str) -> bool:
    """Whether field ``name`` of the model being validated holds a placeholder's stand-in."""
    return name in _PENDING.get()


@contextlib.contextmanager
def placeholders_of(pending: frozenset[str]) -> Iterator[None]:
    token = _PENDING.set(pending)
    try:
        yield
    finally:
        _PENDING.reset(token)


def stand_in(annotation: Any) -> Any:
    """The stand-in of a required field of type ``annotation``."""
    if annotation is dt.date:
        return STAND_IN_DATE
    if annotation in (int, float):
        return 0
    if annotation is bool:
        return False
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {n: FILL for n, f in annotation.model_fields.items() if f.is_required()}
    return FILL


def _list_item(annotation: Any) -> type[BaseModel] | None:
    """The model a list field holds (``list[Lab]`` -> Lab), or None for lists of values."""
    if typing.get_origin(annotation) is not list:
        return None
    (arg,) = typing.get_args(annotation) or (None,)
    if isinstance(arg, type) and issubclass(arg, BaseModel):
        return arg
    return None


def stand_ins(
    model: type[BaseModel], data: dict[str, Any], make: Callable[[str, Any], Any] | None = None
) -> tuple[dict[str, Any], frozenset[str]]:
    """``data`` with its placeholders taken out, and the names of the fields that held them."""
    out = dict(data)
    pending: set[str] = set()
    for key, value in data.items():
        field = model.model_fields.get(key) if isinstance(key, str) else None
        if field is None:
            continue  # an unknown field: validation reports it
        if is_placeholder(value):
            pending.add(key)
            if field.is_required():
                out[key] = (make or (lambda _k, a: stand_in(a)))(key, field.annotation)
            else:
                del out[key]
        elif isinstance(value, list) and any(is_placeholder(x) for x in value):
            item = _list_item(field.annotation)
            if item is not None:  # keep the place of every item: its index is its reference
                out[key] = [stand_in(item) if is_placeholder(x) else x for x in value]
                continue  # the item's own fields are pending, and say so
            pending.update(f"{key}[{i}]" for i, x in enumerate(value) if is_placeholder(x))
            out[key] = [x for x in value if not is_placeholder(x)]
    return out, frozenset(pending)


def words(parent: str, name: str) -> str:
    """What a placeholder in field ``name`` of section ``parent`` stands for."""
    base = name.partition("[")[0]
    return _WORDS.get((parent, base)) or base.replace("_", " ")


Loc = tuple[str | int, ...]


def _path(loc: Loc) -> str:
    return ".".join(f"[{p}]" if isinstance(p, int) else p for p in loc).replace(".[", "[")


def _walk(model: BaseModel, loc: Loc) -> Iterator[tuple[Loc, BaseModel]]:
    yield loc, model
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            yield from _walk(value, (*loc, name))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _walk(item, (*loc, name, i))


def to_fill_of(
    model: BaseModel, line_of: Callable[[Loc], int | None], file: str | None
) -> list[ToFill]:
    """Every placeholder in ``model`` and its parts, in the order of the fields."""
    out: list[ToFill] = []
    for loc, part in _walk(model, ()):
        pending: frozenset[str] = getattr(part, "pending", frozenset())
        if not pending:
            continue
        parent = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
        order = list(type(part).model_fields)
        for name in sorted(pending, key=lambda n: (order.index(n.partition("[")[0]), n)):
            base, _, idx = name.partition("[")
            here: Loc = (*loc, base, int(idx.rstrip("]"))) if idx else (*loc, base)
            out.append(ToFill(_path(here), words(parent, name), line_of(here), file))
    return out


def with_markers(model: Any) -> Any:
    """``model`` with each text placeholder shown as ``[to fill: member ID]`` (for a draft
    document): a copy, placeholders still listed, without the list items a placeholder leaves
    unusable; dates and numbers keep their stand-ins, and documents mark those themselves."""
    if not isinstance(model, BaseModel):
        return model
    update: dict[str, Any] = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        if value == FILL and name in getattr(model, "pending", ()):
            update[name] = None  # filled in below, with the words of its section
        elif isinstance(value, BaseModel):
            update[name] = with_markers(value)
        elif isinstance(value, list) and any(isinstance(x, BaseModel) for x in value):
            # an item a placeholder leaves unusable (a lab of no known date) is not shown
            update[name] = [with_markers(x) for x in value if getattr(x, "usable", True)]
    section = str(getattr(type(model), "_SECTION", ""))
    for name, value in list(update.items()):
        if value is None:
            update[name] = marker(words(section, name))
    return model.model_copy(update=update)


__all__ = [
    "STAND_IN_DATE",
    "is_pending",
    "placeholders_of",
    "stand_in",
    "stand_ins",
    "to_fill_of",
    "with_markers",
    "words",
]
