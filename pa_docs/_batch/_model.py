"""What a batch is asked to do (:class:`Options`) and what it did: a :class:`Row` per case."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

KINDS = ("packet", "letter", "appeal", "p2p")
APPEAL_KINDS = ("appeal", "p2p")
DENIAL_SUFFIX = ".denial.yaml"


class Outcome(StrEnum):
    """What the batch did for one case."""

    written = "written"  # a document written (a draft when ``Row.draft``)
    unchanged = "unchanged"  # its document is already there, made from the same inputs
    refused = "refused"  # the record has gaps: no document (see ``Row.gaps``)
    error = "error"  # bad input: the case, its denial or its policy (see ``Row.error``)
    failed = "failed"  # pa-docs itself failed on this case (a bug: see ``Row.error``)
    skipped = "skipped"  # a YAML file in the folder that is not a case (a practice profile)


@dataclass(frozen=True)
class Options:
    """The settings every case of a batch shares."""

    outdir: Path
    kind: str = "packet"
    format: str = "pdf"
    draft: bool = False
    force: bool = False
    profile: Path | None = None
    criteria: tuple[Path, ...] = ()
    templates: Path | None = None
    as_of: dt.date | None = None
    late: bool = False
    strict: bool = False


@dataclass(frozen=True)
class Row:
    """One case of a batch: the summary row. ``gaps`` pairs each unmet criterion with what to
    do; ``to_fill`` lists the case's ``FILL-IN`` placeholders and ``warnings`` what pa-docs kept
    but could not use (as ``pa-docs check`` shows them); ``output`` is the document's path
    (written now, or already there and unchanged)."""

    file: str
    case: str
    kind: str
    outcome: Outcome
    policy: str | None = None
    status: str | None = None  # the check's verdict on the case: ready, gaps or not_met
    draft: bool = False
    gaps: tuple[str, ...] = ()
    to_fill: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    output: str | None = None
    error: str | None = None
    key: str | None = field(default=None, repr=False)  # inputs key of the document (manifest)
    sha256: str | None = field(default=None, repr=False)  # of the document's bytes (manifest)

    @property
    def produced(self) -> bool:
        """Whether the case has its document (written now or unchanged)."""
        return self.outcome in (Outcome.written, Outcome.unchanged)

    def to_dict(self) -> dict[str, Any]:
        """The row as the summary files hold it."""
        d = asdict(self)
        for private in ("key", "sha256"):
            d.pop(private)
        d["outcome"] = self.outcome.value
        for name in ("gaps", "to_fill", "warnings"):
            d[name] = list(d[name])
        return d


COLUMNS = (
    "case",
    "file",
    "kind",
    "policy",
    "status",
    "outcome",
    "draft",
    "gaps",
    "to_fill",
    "warnings",
    "output",
    "error",
)


def exit_code(rows: list[Row]) -> int:
    """3 when pa-docs failed on a case, else 2 when any case was bad input, else 1 when any was
    refused for gaps, else 0 (every case has its document)."""
    outcomes = {r.outcome for r in rows}
    if Outcome.failed in outcomes:
        return 3
    if Outcome.error in outcomes:
        return 2
    if Outcome.refused in outcomes:
        return 1
    return 0
