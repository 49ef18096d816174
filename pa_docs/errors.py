"""The exceptions pa-docs raises.

::

    PaDocsError                  root: catch this to catch everything pa-docs raises on purpose
    ├── InputError               bad input a user can fix (CLI exit code 2); message printed as is
    │   ├── CaseError            a case, denial or profile file is invalid
    │   └── PolicyError          a policy file is invalid, unknown, or no policy fits a case
    └── NotReadyError            the record does not support the document asked for (exit code 1)

An ``InputError`` names the file, the line where known, the field and the offending value.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file."""

    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file or ""
        if where and self.line is not None:
            where = f"{where}:{self.line}"
        parts = [p for p in (where, self.field, self.message) if p]
        return ": ".join(parts)


class PaDocsError(Exception):
    """Root of every error pa-docs raises on purpose."""


class InputError(PaDocsError):
    """Input a user can fix. ``str()`` is the message the CLI prints, one problem a line."""

    def __init__(
        self,
        message: str | None = None,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
        problems: list[Problem] | None = None,
    ) -> None:
        self.problems = list(problems or [])
        if message is not None:
            self.problems.insert(
                0, Problem(message, str(file) if file is not None else None, line, field)
            )
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class CaseError(InputError):
    """A case (or denial, or practice profile) file is invalid."""


class PolicyError(InputError):
    """A policy file is invalid or unknown, or no single policy fits a case."""


class NotReadyError(PaDocsError):
    """The record does not support what was asked (a packet for a case with gaps)."""

    def __init__(self, message: str, gaps: list[str] | None = None) -> None:
        self.gaps = list(gaps or [])
        super().__init__(message)

    def __str__(self) -> str:
        lines = [self.args[0], *(f"  - {g}" for g in self.gaps)]
        return "\n".join(lines)
