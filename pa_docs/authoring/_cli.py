"""The policy authoring commands: ``criteria test``, ``criteria new``, ``criteria diff``,
``criteria currency`` and ``schema``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

FolderArg = Annotated[
    Path | None,
    typer.Argument(
        help="Folder of policy files with tests/<policy-id>/; the shipped ones by default."
    ),
]


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def test_command(folder: FolderArg = None) -> None:
    """Run the policy tests: each case in tests/<policy-id>/ against its policy.

    Prints a table of case, expected and got; exit 1 when any case differs, 2 on a bad file.
    """
    from rich.table import Table
    from rich.text import Text

    from .._resources import shipped
    from ._tests import run_folder

    where = folder if folder is not None else shipped("criteria")
    report = run_folder(where)
    t = Table(show_lines=False, expand=True)
    t.add_column("case", no_wrap=True)
    t.add_column("expected", ratio=1)
    t.add_column("got", ratio=1)
    t.add_column("", no_wrap=True)
    for o in report.outcomes:
        mark = Text("ok", style="green") if o.ok else Text("FAIL", style="bold red")
        t.add_row(o.name, o.expected, o.got, mark)
    out = _console()
    if not out.is_terminal:  # a log or a pipe: one row per line, as wide as the rows need
        rows = [(o.name, o.expected, o.got) for o in report.outcomes] or [("", "", "")]
        out.width = max(80, min(240, sum(max(len(r[i]) for r in rows) for i in range(3)) + 16))
    out.print(t)
    failed = [o for o in report.outcomes if not o.ok]
    for o in failed:
        out.print(Text(f"FAIL {o.name} ({o.path}): {o.about}", style="bold red"))
        for p in o.problems:
            out.print(f"  {p}")
    for gap in report.coverage_gaps:
        sys.stderr.write(f"warning: {gap}\n")
    for pid in report.untested:
        sys.stderr.write(f"warning: {pid}: no tests (add {where / 'tests' / pid}/*.yaml)\n")
    n, bad = len(report.outcomes), len(failed)
    out.print(f"{n - bad} of {n} policy tests pass" + (f"; {bad} fail" if bad else ""))
    if bad:
        raise typer.Exit(1)


def register(criteria_app: typer.Typer, app: typer.Typer) -> None:
    """Add the policy authoring commands to the CLI."""
    criteria_app.command("test")(test_command)
