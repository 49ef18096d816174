"""What pa-docs tells a user about their input without refusing it: warnings and placeholders.

``InputWarning``: something pa-docs kept but could not use (a drug name it does not know, an
encounter type no policy counts), or a fact a user should look at (a policy last reviewed long
before the request). ``--strict`` turns warnings into input errors.

``ToFill``: a ``FILL-IN`` placeholder left in a case (an imported case holds them where the chart
had no value). The checker treats it as absent and never calls a case ``ready`` while any
remain; documents refuse unless ``--draft``, where each shows as ``[to fill: what]``.

Both carry where they are (field path, file, line) and print as one line each, like an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import Problem

#: The placeholder a case may hold in any field (an imported case does where the chart is silent).
FILL = "FILL-IN"


def is_placeholder(value: object) -> bool:
    """Whether ``value`` is (or contains) the ``FILL-IN`` placeholder."""
    return isinstance(value, str) and FILL in value.upper()


def marker(what: str) -> str:
    """How a draft document shows a placeholder: ``[to fill: member ID]``."""
    return f"[to fill: {what}]"


def _where(file: str | None, line: int | None, path: str | None) -> str:
    where = file or ""
    if where and line is not None:
        where = f"{where}:{line}"
    return ": ".join(p for p in (where, path) if p)


@dataclass(frozen=True)
class InputWarning:
    """Something in the input that was kept but may not count as the user expects."""

    message: str
    path: str | None = None
    suggestion: str | None = None
    file: str | None = None
    line: int | None = None

    @property
    def text(self) -> str:
        """The message with its suggestion, without the location."""
        tail = f"; did you mean {self.suggestion!r}?" if self.suggestion else ""
        return self.message + tail

    def __str__(self) -> str:
        where = _where(self.file, self.line, self.path)
        return f"{where}: {self.text}" if where else self.text

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "message": self.message,
            "suggestion": self.suggestion,
        }

    def problem(self) -> Problem:
        """The warning as an input error (``--strict``)."""
        return Problem(self.text, self.file, self.line, self.path)


@dataclass(frozen=True)
class ToFill:
    """A value still to be filled in: where, and what belongs there.

    ``required`` is False for what an import suggests without writing a placeholder (a
    treatment's outcome): such an entry is advice, and never blocks a case."""

    path: str
    what: str
    line: int | None = None
    file: str | None = None
    required: bool = True

    def __str__(self) -> str:
        return f"{_where(self.file, self.line, self.path)}: {self.what}"

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "what": self.what}

    @property
    def marker(self) -> str:
        return marker(self.what)


__all__ = ["FILL", "InputWarning", "ToFill", "is_placeholder", "marker"]
