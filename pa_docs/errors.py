"""The exceptions pa-docs raises.

::

    PaDocsError                  root: catch this to catch everything pa-docs raises on purpose
    ├── InputError               bad input a user can fix (CLI exit code 2); message printed as is
    │   ├── CaseError            a case, denial or profile file is invalid
    │   └── PolicyError          a policy file is invalid, unknown, or no policy fits a case
    └── NotReadyError            the record does not support the document asked for (exit code 1)

An ``InputError`` names the file, the line where known, the field and the offending value.

An error names the library's parameters, never a command-line flag: a value that came from a
parameter is named by it (``Problem.param``: ``policy_id``), and what a caller can do about an
error is a :class:`Hint` naming the parameter that does it (``draft``). ``str(error)`` says them
as a library user writes them (``draft=True``); the CLI says the same error with its flags
(``error.say(FLAGS)``: ``--draft``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PARAMS: Mapping[str, str] = {
    "draft": "draft=True",
    "late": "late=True",
    "overwrite": "overwrite=True",
}
"""How a library user writes a parameter an error names, where it is more than its name."""


@dataclass(frozen=True)
class Hint:
    """What a caller can do about an error, by the parameter that does it: ``Hint("draft", "or
    pass {} for a marked draft")``, where ``{}`` is the parameter as the caller writes it."""

    param: str
    text: str

    def say(self, names: Mapping[str, str] = PARAMS) -> str:
        return self.text.format(names.get(self.param) or self.param)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: a file's (``file``, ``line``, ``field``) or a parameter's
    (``param``), with what to do about it (``hint``) where there is something."""

    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None
    param: str | None = None
    hint: Hint | None = None

    def say(self, names: Mapping[str, str] = PARAMS) -> str:
        """The problem in words, the parameters written as ``names`` has them."""
        where = self.file or ""
        if where and self.line is not None:
            where = f"{where}:{self.line}"
        param = (names.get(self.param) or self.param) if self.param else None
        message = f"{self.message}; {self.hint.say(names)}" if self.hint else self.message
        return ": ".join(p for p in (where, self.field, param, message) if p)

    def __str__(self) -> str:
        return self.say()


class PaDocsError(Exception):
    """Root of every error pa-docs raises on purpose."""

    def say(self, names: Mapping[str, str] = PARAMS) -> str:
        """The error in words, the parameters it names written as ``names`` has them (the CLI
        passes its flags)."""
        return str(self)


class InputError(PaDocsError):
    """Input a user can fix. ``str()`` is the message the CLI prints, one problem a line."""

    def __init__(
        self,
        message: str | None = None,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
        param: str | None = None,
        hint: Hint | None = None,
        problems: list[Problem] | None = None,
    ) -> None:
        self.problems = list(problems or [])
        if message is not None:
            where = str(file) if file is not None else None
            self.problems.insert(0, Problem(message, where, line, field, param, hint))
        super().__init__(str(self))

    def say(self, names: Mapping[str, str] = PARAMS) -> str:
        return "\n".join(p.say(names) for p in self.problems)

    def __str__(self) -> str:
        return self.say()


class CaseError(InputError):
    """A case (or denial, or practice profile) file is invalid."""


class PolicyError(InputError):
    """A policy file is invalid or unknown, or no single policy fits a case."""


class NotReadyError(PaDocsError):
    """The record does not support what was asked (a packet for a case with gaps)."""

    def __init__(
        self, message: str, gaps: list[str] | None = None, *, hint: Hint | None = None
    ) -> None:
        self.gaps = list(gaps or [])
        self.hint = hint
        super().__init__(message)

    def say(self, names: Mapping[str, str] = PARAMS) -> str:
        head = f"{self.args[0]}; {self.hint.say(names)}" if self.hint else self.args[0]
        lines = [head, *(f"  - {g}" for g in self.gaps)]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.say()
