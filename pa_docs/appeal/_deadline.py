"""The last day to file an appeal, per program and level, from ``data/deadlines.yaml``.

The facts come from ``../shared/policies/appeals.md``: calendar days (or "4 months": the same day
four months later, the month's last day when it has none) counted from the denial notice, or from
receipt where the rule says so. Receipt is the denial's ``received_date`` when it is given and
earlier than the presumed receipt (notice date + 5 days), else the presumed receipt.

The deadline is never extended. When it falls on a weekend or a US federal holiday (the
``holidays`` package's ``country_holidays("US")``: the federal public holidays, observed days
included), ``file_by`` is the business day before it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .._business_days import previous_business_day
from .._dates import add_months
from .._yaml import load_data
from ..errors import InputError

if TYPE_CHECKING:
    from ..case import Case
    from ._denial import Denial

PRESUMED_RECEIPT_DAYS = 5


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LevelRule(_Model):
    level: int = Field(ge=1)
    name: str
    days: int | None = Field(default=None, ge=1)
    months: int | None = Field(default=None, ge=1)
    from_: Literal["notice", "receipt"] = Field(alias="from")
    window: str
    decision_time: str | None = None
    amount_in_controversy: str | None = None
    independent: bool = False

    @model_validator(mode="after")
    def _one(self) -> LevelRule:
        if (self.days is None) == (self.months is None):
            raise ValueError("give exactly one of `days` or `months`")
        return self


class Program(_Model):
    name: str
    source: str
    levels: list[LevelRule] = Field(min_length=1)


class _Table(_Model):
    programs: dict[str, Program]


@cache
def deadline_table() -> dict[str, Program]:
    """The shipped deadline table, by program (``coverage.line_of_business``)."""
    text = resources.files(__package__).joinpath("data/deadlines.yaml").read_text("utf-8")
    return _Table.model_validate(load_data(text, "deadlines.yaml")).programs


@dataclass(frozen=True, slots=True)
class NextLevel:
    """A level that follows, as appeals.md states it (no date: it counts from a later decision)."""

    level: int
    name: str
    window: str
    decision_time: str | None
    amount_in_controversy: str | None


@dataclass(frozen=True, slots=True)
class Deadline:
    """The last day to file one appeal level, and how it was reckoned."""

    program: str
    program_name: str
    level: int
    level_name: str
    deadline: dt.date
    file_by: dt.date
    rule: str
    counted_from: dt.date
    counted_from_how: str
    decision_time: str | None
    amount_in_controversy: str | None
    next_levels: list[NextLevel] = field(default_factory=list)
    is_last_internal: bool = False
    independent: bool = False  # this level is decided outside the plan (QIC, external review)

    @property
    def falls_on_closed_day(self) -> bool:
        return self.file_by != self.deadline

    def days_left(self, as_of: dt.date) -> int:
        """Calendar days from ``as_of`` to the deadline; negative once it has passed."""
        return (self.deadline - as_of).days

    def is_past(self, as_of: dt.date) -> bool:
        return as_of > self.deadline


def deadline(case: Case, denial: Denial, *, file: str | Path | None = None) -> Deadline:
    """The deadline to file the appeal of ``denial`` at its ``appeal_level``, for the case's
    program (``coverage.line_of_business``). ``file`` (the denial file) is named in errors."""
    return filing_deadline(
        case.coverage.line_of_business,
        denial.appeal_level,
        denial.denial_date,
        denial.received_date,
        file=file,
    )


def filing_deadline(
    program: str,
    level: int,
    denial_date: dt.date,
    received_date: dt.date | None = None,
    *,
    file: str | Path | None = None,
) -> Deadline:
    """The deadline to file appeal ``level`` of ``program`` against the denial dated
    ``denial_date``. A program or level that appeals.md does not cover is an ``InputError``."""
    table = deadline_table()
    prog = table.get(str(program))
    if prog is None:
        raise InputError(
            f"no appeal deadlines for program {program!r}; known: {', '.join(table)}",
            file=file,
            field="coverage.line_of_business",
        )
    rules = {r.level: r for r in prog.levels}
    rule = rules.get(level)
    if rule is None:
        covered = ", ".join(f"{r.level} ({r.name})" for r in prog.levels)
        raise InputError(
            f"appeal level {level} for {program} is not covered by appeals.md; "
            f"covered levels: {covered}",
            file=file,
            field="appeal_level",
        )
    start, how = _counted_from(rule, denial_date, received_date)
    if rule.days is not None:
        deadline = start + dt.timedelta(days=rule.days)
    else:
        assert rule.months is not None
        deadline = add_months(start, rule.months)
    following = [r for r in prog.levels if r.level > level]
    return Deadline(
        program=str(program),
        program_name=prog.name,
        level=level,
        level_name=rule.name,
        deadline=deadline,
        file_by=previous_business_day(deadline),
        rule=f"{rule.window} ({prog.source})",
        counted_from=start,
        counted_from_how=how,
        decision_time=rule.decision_time,
        amount_in_controversy=rule.amount_in_controversy,
        next_levels=[
            NextLevel(r.level, r.name, r.window, r.decision_time, r.amount_in_controversy)
            for r in following
        ],
        is_last_internal=bool(following) and following[0].independent and not rule.independent,
        independent=rule.independent,
    )


def _counted_from(
    rule: LevelRule, notice: dt.date, received: dt.date | None
) -> tuple[dt.date, str]:
    if rule.from_ == "notice":
        return notice, f"the notice date {notice}"
    presumed = notice + dt.timedelta(days=PRESUMED_RECEIPT_DAYS)
    if received is not None and received < presumed:
        return received, f"receipt on {received} (before the presumed receipt {presumed})"
    why = f"; received_date {received} is not earlier" if received is not None else ""
    return presumed, (
        f"presumed receipt {presumed} (the notice date {notice} + "
        f"{PRESUMED_RECEIPT_DAYS} days{why})"
    )
