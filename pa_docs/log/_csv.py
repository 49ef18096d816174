"""A tracking spreadsheet in and out: one row per case, the columns of ``COLUMNS``.

Export writes every column; import needs ``case_id``, ``payer`` and ``submitted_on`` and fills the
rest as the log would (status from the decision and appeal columns, follow-up and escalation dates
from the submission). Dates are ISO (2026-03-05); import also takes US dates (3/5/2026).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from .._files import read_text
from .._limits import MAX_DATA_BYTES, MAX_LINE, check_date, check_identifier, check_text
from ..case._model import LineOfBusiness
from ..errors import InputError, Problem
from ._dates import ESCALATE_DAYS, FOLLOW_UP_DAYS, add_business_days
from ._model import Appeal, CaseState
from ._vocab import APPEAL_OUTCOMES, METHODS, STATUSES

COLUMNS = (
    "case_id", "patient", "payer", "item", "policy", "line_of_business", "owner", "method",
    "confirmation", "submitted_on", "status", "status_on", "first_decision", "first_decision_on",
    "follow_up_on", "escalate_on", "auth_number", "valid_from", "valid_through",
    "denial_reference", "appeal_deadline", "appeal_level", "appeal_filed_on", "appeal_outcome",
    "appeal_outcome_on",
)  # fmt: skip
REQUIRED = ("case_id", "payer", "submitted_on")
_APPEAL = ("appeal_level", "appeal_filed_on", "appeal_outcome", "appeal_outcome_on")
_CHOICES = {
    "line_of_business": tuple(LineOfBusiness),
    "method": METHODS,
    "status": STATUSES,
    "first_decision": ("approved", "denied"),
    "appeal_outcome": APPEAL_OUTCOMES,
}
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """A cell a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``+SUM(...)``, ``@``,
    ``-2+3``, a leading tab or carriage return) prefixed with ``'`` so it is shown as text, as
    OWASP advises for CSV exports; import takes the ``'`` off again."""
    return f"'{cell}" if cell.startswith(_FORMULA) else cell


def export_csv(cases: Iterable[CaseState], out: TextIO) -> int:
    """Write one row per case (its latest appeal in the appeal columns); returns the row count.
    No cell can run as a formula in a spreadsheet (see :func:`neutralise`)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    n = 0
    for c in cases:
        a = c.latest_appeal
        values: dict[str, Any] = dataclasses.asdict(c)
        if a is not None:
            values.update(zip(_APPEAL, (a.level, a.filed_on, a.outcome, a.outcome_on), strict=True))
        row = [values.get(col) for col in COLUMNS]
        writer.writerow(
            [
                "" if v is None else v.isoformat() if isinstance(v, dt.date) else neutralise(str(v))
                for v in row
            ]
        )
        n += 1
    return n


class _Row:
    """One spreadsheet row being read; every problem found is kept, not just the first."""

    def __init__(self, raw: dict[str, str | None], file: str, line: int) -> None:
        self.raw = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        self.file, self.line = file, line
        self.problems: list[Problem] = []

    def bad(self, column: str, message: str) -> None:
        self.problems.append(Problem(message, self.file, self.line, column))

    def text(self, column: str) -> str | None:
        value = self.raw.get(column) or None
        if value is not None and value.startswith("'") and value[1:].startswith(_FORMULA):
            value = value[1:]  # a cell pa-docs (or a careful user) neutralised on export
        if value is None and column in REQUIRED:
            self.bad(column, "required, and empty")
        if value is not None:
            try:
                if column == "case_id":
                    check_identifier(value)
                else:
                    check_text(value, multiline=False, max_length=MAX_LINE)
            except ValueError as exc:
                got = "" if column == "case_id" else f" (got {value[:60]!r})"
                self.bad(column, f"{exc}{got}")
                return None
        if value is not None and column in _CHOICES:
            value = value.lower()
            if value not in _CHOICES[column]:
                self.bad(column, f"{value!r} is not one of {', '.join(_CHOICES[column])}")
        return value

    def date(self, column: str) -> dt.date | None:
        value = self.text(column)
        if value is None:
            return None
        us = _US_DATE.fullmatch(value)
        try:
            day = dt.date(int(us[3]), int(us[1]), int(us[2])) if us else None
            day = day or dt.date.fromisoformat(value)
        except ValueError:
            self.bad(column, f"{value!r} is not a date (2026-03-05 or 3/5/2026)")
            return None
        try:
            return check_date(day)
        except ValueError as exc:
            self.bad(column, str(exc))
            return None

    def level(self) -> int | None:
        value = self.text("appeal_level")
        if value is None:
            return None
        if not value.isdigit() or not 1 <= int(value) <= 5:
            self.bad("appeal_level", f"{value!r} is not an appeal level from 1 to 5")
            return None
        return int(value)


def _state(row: _Row) -> CaseState | None:
    v: dict[str, Any] = {c: row.text(c) for c in COLUMNS if c not in _APPEAL}
    for c in COLUMNS:
        if c.endswith(("_on", "_from", "_through", "_deadline")) and c not in _APPEAL:
            v[c] = row.date(c)
    level, filed, outcome, outcome_on = (
        row.level(),
        row.date("appeal_filed_on"),
        row.text("appeal_outcome"),
        row.date("appeal_outcome_on"),
    )
    submitted = v["submitted_on"]
    for c in ("status_on", "first_decision_on", "appeal_filed_on", "appeal_outcome_on"):
        day = v.get(c) or {"appeal_filed_on": filed, "appeal_outcome_on": outcome_on}.get(c)
        if submitted and day and day < submitted:
            row.bad(c, f"{day} is before submitted_on {submitted}")
    if bool(v["first_decision"]) != bool(v["first_decision_on"]):
        row.bad("first_decision_on", "first_decision and first_decision_on go together")
    if (level is None) != (filed is None):
        row.bad("appeal_filed_on", "appeal_level and appeal_filed_on go together")
    if (outcome or outcome_on) and not (outcome and outcome_on and level):
        row.bad("appeal_outcome", "an appeal outcome needs its date and the appeal's level")
    if v["valid_from"] and v["valid_through"] and v["valid_through"] < v["valid_from"]:
        row.bad("valid_through", f"{v['valid_through']} is before valid_from {v['valid_from']}")
    if row.problems or submitted is None:
        return None
    if v["status"] is None:
        v["status"] = {"overturned": "approved", "upheld": "denied"}.get(outcome or "") or (
            "appealed" if level else v["first_decision"] or "submitted"
        )
    v["status_on"] = v["status_on"] or outcome_on or filed or v["first_decision_on"] or submitted
    v["line_of_business"] = v["line_of_business"] or "commercial"
    if v["status"] in {"submitted", "pended"}:
        v["follow_up_on"] = v["follow_up_on"] or add_business_days(v["status_on"], FOLLOW_UP_DAYS)
        v["escalate_on"] = v["escalate_on"] or add_business_days(v["status_on"], ESCALATE_DAYS)
    appeals = (Appeal(level, filed, outcome, outcome_on),) if level and filed else ()
    return CaseState(**v, appeals=appeals)


@dataclasses.dataclass(frozen=True)
class CsvRows:
    """A spreadsheet read: the good rows' cases, the line each came from, and every problem found
    in the other rows (each naming file, line and column)."""

    cases: list[CaseState]
    lines: list[int]
    problems: list[Problem]


def read_csv(path: str | Path) -> CsvRows:
    """Read a spreadsheet; a missing file or a bad header raises ``InputError``, bad rows are
    returned as problems."""
    p = Path(path)
    text = read_text(p, InputError, MAX_DATA_BYTES, encoding="utf-8-sig")
    reader = csv.DictReader(text.splitlines(keepends=True))
    try:
        return _read_rows(reader, p)
    except csv.Error as exc:  # a field over the csv module's size limit, a stray quote, ...
        raise InputError(f"not a readable CSV file: {exc}", file=p, line=reader.line_num) from None


def _read_rows(reader: csv.DictReader[str], p: Path) -> CsvRows:
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}", file=p, line=1)
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        raise InputError(
            f"unknown column(s) {', '.join(unknown)}; see the documented layout", file=p, line=1
        )
    states: list[CaseState] = []
    lines: list[int] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for raw in reader:
        row = _Row(raw, str(p), reader.line_num)
        state = _state(row)
        cid = row.raw.get("case_id")
        if cid and cid in seen:
            row.bad("case_id", f"{cid} is also on line {seen[cid]}")
        elif cid:
            seen[cid] = reader.line_num
        problems += row.problems
        if state is not None and not row.problems:
            states.append(state)
            lines.append(reader.line_num)
    return CsvRows(states, lines, problems)
