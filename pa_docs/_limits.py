"""The bounds pa-docs puts on what it reads: sizes, nesting, numbers, dates and text.

Every input (case, policy, denial, practice profile, spreadsheet, FHIR export) is held to these
before anything walks it, so hostile or broken input ends in a clear error, never in a hang, a
crash, or a verdict changed by nonsense. ``InputModel`` is the base of every input file's model.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

MAX_YAML_BYTES = 4 * 1024 * 1024
"""A case, policy, denial or profile file larger than this is an input error."""
MAX_DATA_BYTES = 256 * 1024 * 1024
"""A spreadsheet, JSON or NDJSON file (FHIR exports can be large) larger than this is refused."""
MAX_NODES = 200_000
"""Values in one YAML document, aliases expanded (a billion-laughs document stops here)."""
MAX_DEPTH = 64
"""Nesting of lists and mappings in one document (YAML and JSON)."""
MAX_SCALAR = 200_000
"""Characters in one YAML value."""
MAX_INT_DIGITS = 30
"""Digits of an integer (an NPI has 10, a member id rarely 20)."""

MAX_TEXT = 2_000
"""Characters of a text field of an input (a name, a dose, a description) by default."""
MAX_LINE = 300
"""Characters of a name (patient, prescriber, member id): one line."""
MAX_ID = 100
"""Characters of a case id (it becomes part of file names)."""
MAX_NOTE = 20_000
"""Characters of a free-text note."""

DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2199, 12, 31)
"""Every date pa-docs reads lies between these (a year-9999 denial is a typo, not a deadline)."""

_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_IDENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def bad_char(text: str, *, multiline: bool = True) -> str | None:
    """The first character a text value may not hold, described; None when it is clean.

    Refused: control characters (tab and, in multi-line text, line feed and carriage return
    excepted), lone surrogates and the non-characters U+FFFE/U+FFFF: none can be written to a
    PDF, a DOCX or a terminal safely. Single-line text also refuses every line separator.
    """
    for ch in text:
        if ch == "\t" or (multiline and ch in "\n\r"):
            continue
        if not multiline and ch in _LINE_BREAKS:
            return f"a line break (U+{ord(ch):04X})"
        cat = unicodedata.category(ch)
        if cat in {"Cc", "Cs"} or ch in "\ufffe\uffff" or ch in "\u2028\u2029":
            return f"the control character U+{ord(ch):04X}"
    return None


def check_text(text: str, *, multiline: bool = True, max_length: int = MAX_TEXT) -> str:
    """``text`` when it holds no control character and is not too long; else ValueError."""
    if len(text) > max_length:
        raise ValueError(f"too long: {len(text)} characters, at most {max_length}")
    what = bad_char(text, multiline=multiline)
    if what:
        raise ValueError(f"holds {what}; remove it")
    return text


def check_identifier(text: str) -> str:
    """A case id: letters, digits, '-', '_' and '.', starting with a letter or digit."""
    if len(text) > MAX_ID or not _IDENT.fullmatch(text):
        raise ValueError(
            f"{text[:60]!r} is not an identifier: letters, digits, '-', '_' and '.' only, "
            f"starting with a letter or digit, at most {MAX_ID} characters"
        )
    return text


def check_date(day: dt.date, what: str = "date") -> dt.date:
    """``day`` when it lies between DATE_MIN and DATE_MAX; else ValueError."""
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValueError(
            f"{what} {day.isoformat()} is outside {DATE_MIN.year}-{DATE_MAX.year}: a typo?"
        )
    return day


def check_number(value: float, what: str = "value") -> float:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {value}")
    return value


def _check_value(value: Any) -> Any:
    if isinstance(value, str):
        check_text(value, max_length=MAX_NOTE)
    elif isinstance(value, dt.date):
        check_date(value)
    elif isinstance(value, float):
        check_number(value)
    elif isinstance(value, list | tuple):
        for v in value:
            _check_value(v)
    return value


class InputModel(BaseModel):
    """Base of every model read from a user's file: closed (a misspelt field is an error),
    frozen, numbers accepted as text; no NaN or infinity, no control characters, no date
    outside DATE_MIN-DATE_MAX, text up to MAX_TEXT characters unless a field says otherwise."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        coerce_numbers_to_str=True,
        allow_inf_nan=False,
        str_max_length=MAX_TEXT,
    )

    @field_validator("*", mode="after")
    @classmethod
    def _bounded(cls, value: Any) -> Any:
        return _check_value(value)
