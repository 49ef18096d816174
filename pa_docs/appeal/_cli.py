"""``pa-docs deadline``: the last day to file an appeal, and the levels that follow.

Registered in ``pa_docs/cli.py`` with ``app.command("deadline")(deadline_command)``.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .._dates import parse_date
from ..errors import InputError

if TYPE_CHECKING:
    from ._deadline import Deadline


def _date(value: str | None) -> dt.date:
    """``--as-of``: the date given, or today."""
    return dt.date.today() if value is None else parse_date(value, "--as-of")


def deadline_to_dict(d: Deadline, as_of: dt.date) -> dict[str, Any]:
    """The JSON form of a deadline as seen on ``as_of``."""
    return {
        "deadline": d.deadline.isoformat(),
        "file_by": d.file_by.isoformat(),
        "level": d.level,
        "level_name": d.level_name,
        "program": d.program,
        "program_name": d.program_name,
        "as_of": as_of.isoformat(),
        "days_left": d.days_left(as_of),
        "past_due": d.is_past(as_of),
        "rule": d.rule,
        "counted_from": d.counted_from.isoformat(),
        "counted_from_how": d.counted_from_how,
        "decision_time": d.decision_time,
        "amount_in_controversy": d.amount_in_controversy,
        "is_last_internal": d.is_last_internal,
        "independent": d.independent,
        "next_levels": [
            {
                "level": n.level,
                "level_name": n.name,
                "window": n.window,
                "decision_time": n.decision_time,
                "amount_in_controversy": n.amount_in_controversy,
            }
            for n in d.next_levels
        ],
    }


def deadline_lines(d: Deadline, as_of: dt.date) -> list[str]:
    """The deadline in words, for people."""
    lines = [
        f"Level {d.level}: {d.level_name} — {d.program_name} ({d.program})",
        f"Last day to file: {d.deadline:%A} {d.deadline}",
    ]
    if d.file_by != d.deadline:
        lines.append(
            f"File by:          {d.file_by:%A} {d.file_by} (the deadline falls on a weekend or "
            "federal holiday; it is not extended)"
        )
    left = d.days_left(as_of)
    if left < 0:
        lines.append(f"Days left:        PAST DUE by {-left} day{'s' if left != -1 else ''}")
    else:
        lines.append(f"Days left:        {left} (as of {as_of})")
    lines.append(f"Rule:             {d.rule}")
    lines.append(f"Counted from:     {d.counted_from_how}")
    if d.decision_time:
        lines.append(f"Decision time:    {d.decision_time}")
    if d.amount_in_controversy:
        lines.append(f"Amount in controversy: {d.amount_in_controversy}")
    if d.next_levels:
        lines.append("Then, if the denial is upheld:")
        for n in d.next_levels:
            aic = n.amount_in_controversy
            extra = f"; amount in controversy {aic}" if aic else ""
            lines.append(f"  {n.level}. {n.name}: {n.window}{extra}")
    else:
        lines.append("Levels that follow: none listed in appeals.md for this program.")
    return lines


def deadline_command(
    case: Annotated[Path, typer.Argument(help="The case file (YAML).", show_default=False)],
    denial: Annotated[Path, typer.Option("--denial", help="The denial file (YAML).")],
    policy: Annotated[
        str | None, typer.Option("--policy", help="Policy id (checked when given; not needed).")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The day to count from (YYYY-MM-DD); today.")
    ] = None,
    format: Annotated[
        str, typer.Option("--format", help="table (for people) or json (for tools).")
    ] = "table",
) -> None:
    """Print the last day to file the appeal at the denial's level, and the levels that follow."""
    from .. import policy as policies
    from ..case import load_case
    from ._denial import load_denial

    if format not in {"table", "json"}:
        raise InputError(f"--format must be table or json, got {format!r}")
    day = _date(as_of)
    c = load_case(case)
    d = load_denial(denial, c.case_id)
    if policy is not None:
        policies.select_policy(c, policies.load_policies(), policy)
    from ._deadline import deadline

    result = deadline(c, d, file=denial)
    if format == "json":
        sys.stdout.write(json.dumps(deadline_to_dict(result, day), indent=2) + "\n")
    else:
        sys.stdout.write("\n".join(deadline_lines(result, day)) + "\n")
