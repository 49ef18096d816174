"""The ``pa-docs log`` commands and ``pa-docs kpi``: parse options, call the log, print.

SQLAlchemy, Alembic and rich load inside the command bodies, so other pa-docs commands start
without them.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .._console import printable, say
from .._dates import parse_date
from ..errors import InputError
from ._vocab import AppealOutcome, Decision, Method

if TYPE_CHECKING:
    from ._store import CaseLog

log_app = typer.Typer(
    name="log",
    help="The case log: submissions, decisions, appeals, follow-ups and renewals.",
    no_args_is_help=True,
)


class Format(StrEnum):
    table = "table"
    json = "json"


class KpiFormat(StrEnum):
    table = "table"
    json = "json"
    html = "html"


Db = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="PA_DOCS_DB",
        show_envvar=True,
        help="The case log: a SQLite file, or a postgresql:// URL. Default ./pa-docs-log.sqlite3.",
    ),
]
User = Annotated[
    str | None,
    typer.Option(
        "--user",
        envvar="PA_DOCS_USER",
        show_envvar=True,
        help="Who records this (default: the login name).",
    ),
]
DateOpt = Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD; default today.")]
CaseId = Annotated[str, typer.Argument(help="The case id, as in the case file.")]
AuthNumber = Annotated[str | None, typer.Option("--auth-number", help="The authorization number.")]
ValidFrom = Annotated[str | None, typer.Option("--valid-from", help="Authorization start.")]
ValidThrough = Annotated[str | None, typer.Option("--valid-through", help="Authorization end.")]


def _date(value: str | None, option: str) -> dt.date | None:
    return None if value is None else parse_date(value, option)


def _today(value: str | None, option: str = "--date") -> dt.date:
    return _date(value, option) or dt.date.today()


def _open(db: str | None, user: str | None = None, *, must_exist: bool = False) -> CaseLog:
    from ._store import CaseLog

    return CaseLog.open(db, user=user, must_exist=must_exist)


def _say(message: str) -> None:
    typer.echo(printable(message))


def _dump(data: Any) -> None:
    from .._console import json_text

    typer.echo(json_text(data))


@log_app.command()
def submit(
    case: Annotated[Path, typer.Argument(help="The case file (YAML) that was submitted.")],
    method: Annotated[Method, typer.Option("--method", help="How it was sent.")],
    confirmation: Annotated[
        str | None, typer.Option("--confirmation", help="The payer's confirmation number.")
    ] = None,
    date: DateOpt = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Who follows it up.")] = None,
    db: Db = None,
    user: User = None,
) -> None:
    """Record a submission; follow up 3 business days later, escalate at 5."""
    from ..case import load_case

    c = load_case(case)
    on = _today(date)
    with _open(db, user) as log:
        state = log.submit(c, method=method.value, on=on, confirmation=confirmation, owner=owner)
    _say(
        f"{state.case_id}: submitted {state.submitted_on}; follow up {state.follow_up_on}, "
        f"escalate {state.escalate_on}"
    )


@log_app.command()
def decision(
    case_id: CaseId,
    outcome: Annotated[Decision, typer.Argument(help="approved, denied or pended.")],
    date: DateOpt = None,
    auth_number: AuthNumber = None,
    valid_from: ValidFrom = None,
    valid_through: ValidThrough = None,
    denial: Annotated[
        Path | None,
        typer.Option("--denial", help="The denial file: sets the reference and appeal deadline."),
    ] = None,
    db: Db = None,
    user: User = None,
) -> None:
    """Record the payer's decision (the denial's date is the default date with --denial)."""
    from ..appeal import load_denial

    d = load_denial(denial, case_id) if denial else None
    on = _date(date, "--date") or (None if d else dt.date.today())
    start, through = _date(valid_from, "--valid-from"), _date(valid_through, "--valid-through")
    with _open(db, user, must_exist=True) as log:
        state = log.decide(
            case_id,
            outcome.value,
            on=on,
            auth_number=auth_number,
            valid_from=start,
            valid_through=through,
            denial=d,
        )
    extra = f"; appeal by {state.appeal_deadline}" if state.appeal_deadline else ""
    if state.status == "pended":
        extra = f"; follow up {state.follow_up_on}, escalate {state.escalate_on}"
    _say(f"{state.case_id}: {state.status} {state.status_on}{extra}")


@log_app.command()
def appeal(
    case_id: CaseId,
    level: Annotated[int, typer.Option("--level", help="The appeal level filed, 1 to 5.")],
    date: DateOpt = None,
    db: Db = None,
    user: User = None,
) -> None:
    """Record that an appeal of a denied case was filed."""
    on = _today(date)
    with _open(db, user, must_exist=True) as log:
        state = log.appeal(case_id, level=level, on=on)
    _say(f"{state.case_id}: level {level} appeal filed {state.status_on}")


@log_app.command("appeal-outcome")
def appeal_outcome(
    case_id: CaseId,
    outcome: Annotated[
        AppealOutcome, typer.Argument(help="overturned (approved on appeal) or upheld.")
    ],
    date: DateOpt = None,
    auth_number: AuthNumber = None,
    valid_from: ValidFrom = None,
    valid_through: ValidThrough = None,
    db: Db = None,
    user: User = None,
) -> None:
    """Record the outcome of the case's open appeal."""
    on = _today(date)
    start, through = _date(valid_from, "--valid-from"), _date(valid_through, "--valid-through")
    with _open(db, user, must_exist=True) as log:
        state = log.appeal_outcome(
            case_id,
            outcome.value,
            on=on,
            auth_number=auth_number,
            valid_from=start,
            valid_through=through,
        )
    extra = f"; next level by {state.appeal_deadline}" if state.appeal_deadline else ""
    _say(f"{state.case_id}: appeal {outcome.value}, case {state.status}{extra}")


@log_app.command()
def note(
    case_id: CaseId,
    text: Annotated[str, typer.Argument(help="The note.")],
    db: Db = None,
    user: User = None,
) -> None:
    """Add a note to a case's history."""
    with _open(db, user, must_exist=True) as log:
        log.note(case_id, text)
    _say(f"{case_id}: note added")


@log_app.command()
def show(
    case_id: CaseId,
    format: Annotated[Format, typer.Option("--format")] = Format.table,
    db: Db = None,
) -> None:
    """A case's current state and dates, then its full history."""
    from . import _output

    with _open(db, must_exist=True) as log:
        state, history = log.get(case_id), log.history(case_id)
    if format is Format.json:
        _dump(_output.show_json(state, history))
    else:
        _output.print_renderable(_output.show_table(state, history))


@log_app.command()
def due(
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD; default today.")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Only this owner's cases.")] = None,
    format: Annotated[Format, typer.Option("--format")] = Format.table,
    db: Db = None,
) -> None:
    """The work list: follow-ups, escalations, appeal deadlines, expiring authorizations."""
    from . import _output
    from ._due import work_list

    day = _today(as_of, "--as-of")
    with _open(db, must_exist=True) as log:
        items = work_list(log.all_cases(), day, owner)
    if format is Format.json:
        _dump(_output.due_json(items, day))
    else:
        _output.print_renderable(_output.due_table(items, day))


@log_app.command("import-csv")
def import_csv(
    file: Annotated[Path, typer.Argument(help="The spreadsheet, saved as CSV (UTF-8).")],
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Import the good rows and list the bad ones.")
    ] = False,
    db: Db = None,
    user: User = None,
) -> None:
    """Add the cases of a tracking spreadsheet; any bad row stops the import unless --skip-bad."""
    from ._csv import read_csv

    read = read_csv(file)
    if read.problems and not skip_bad:
        raise InputError(problems=[*read.problems])
    with _open(db, user) as log:
        log.add_imported(read.cases, str(file), read.lines)
    for p in read.problems:
        say(f"skipped: {p}")
    _say(
        f"imported {len(read.cases)} case(s) from {file}"
        + (f"; {len({p.line for p in read.problems})} bad row(s) skipped" if skip_bad else "")
    )


@log_app.command("export-csv")
def export_csv(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="The CSV file; default standard output.")
    ] = None,
    db: Db = None,
) -> None:
    """Write every case as one spreadsheet row (the documented column layout)."""
    import io

    from .._files import check_target, write_atomic
    from ._csv import export_csv as write

    if output is not None:
        check_target(output)
    with _open(db, must_exist=True) as log:
        cases = log.all_cases()
    if output is None:
        write(cases, sys.stdout)
        return
    buf = io.StringIO(newline="")
    n = write(cases, buf)
    write_atomic(output, buf.getvalue().encode("utf-8"))  # 0600: the sheet holds PHI
    say(f"exported {n} case(s) to {output}")


def kpi_command(
    period_from: Annotated[
        str | None, typer.Option("--from", help="First submission date, YYYY-MM-DD.")
    ] = None,
    period_to: Annotated[
        str | None, typer.Option("--to", help="Last submission date, YYYY-MM-DD.")
    ] = None,
    team_cost: Annotated[
        float | None,
        typer.Option(
            "--team-cost", min=0, help="What PA work cost in the period, for cost per PA."
        ),
    ] = None,
    format: Annotated[KpiFormat, typer.Option("--format")] = KpiFormat.table,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of standard output.")
    ] = None,
    db: Db = None,
) -> None:
    """The four PA KPIs, overall, per payer and per owner (all recorded cases by default)."""
    from .._files import check_target, write_atomic
    from . import _output
    from ._html import render_kpi_html
    from ._kpi import compute_kpis

    start, end = _date(period_from, "--from"), _date(period_to, "--to")
    if start and end and end < start:
        raise InputError(f"--to {end} is before --from {start}", field="--to")
    if output is not None:
        check_target(output)
    with _open(db, must_exist=True) as log:
        report = compute_kpis(
            log.all_cases(), period_from=start, period_to=end, team_cost=team_cost
        )
    if format is KpiFormat.table and output is None:
        _output.print_renderable(_output.kpi_table(report))
        return
    text = (
        render_kpi_html(report, dt.date.today())
        if format is KpiFormat.html
        else json.dumps(report.to_json(), indent=2)
        if format is KpiFormat.json
        else None
    )
    if text is None:
        raise InputError("--output goes with --format json or html", field="--output")
    if output is None:
        typer.echo(text)
    else:
        write_atomic(output, (text + "\n").encode("utf-8"))  # 0600: per-owner figures
        say(f"wrote {output}")
