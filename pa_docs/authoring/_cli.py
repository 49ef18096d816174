"""The policy authoring commands: ``criteria test``, ``criteria new``, ``criteria diff``,
``criteria currency`` and ``schema``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from .._options import CriteriaOpt

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


def new_command(
    policy_id: Annotated[str, typer.Argument(metavar="ID", help="The new policy's id.")],
    folder: Annotated[
        Path, typer.Option("--dir", help="The folder of policy files to write into.")
    ] = Path("criteria"),
) -> None:
    """Write a commented policy skeleton, <dir>/ID.yaml, and its test folder <dir>/tests/ID/
    (a base case and one test, which pass as written). Never overwrites."""
    import datetime as dt

    from ._skeleton import write_skeleton

    for p in write_skeleton(policy_id, folder, dt.date.today()):
        sys.stderr.write(f"wrote {p}\n")
    sys.stderr.write(f"next: fill in the TODOs, then pa-docs criteria test {folder}\n")


def diff_command(
    old: Annotated[Path, typer.Argument(help="The policy file before the update.")],
    new: Annotated[Path, typer.Argument(help="The policy file after the update.")],
) -> None:
    """List what changed between two versions of a policy: its own fields, and criteria added,
    removed and changed (thresholds, windows, drug lists, wording, source).

    Exit 0 when they say the same, 1 when they differ, 2 on a bad file.
    """
    from ..policy import load_policy
    from ._diff import diff_policies

    lines = diff_policies(load_policy(old), load_policy(new))
    sys.stdout.write(f"--- {old}\n+++ {new}\n")
    for line in lines:
        sys.stdout.write(f"{line}\n")
    if not lines:
        sys.stdout.write("no differences\n")
    raise typer.Exit(1 if lines else 0)


def currency_command(
    mcd: Annotated[
        Path,
        typer.Option(
            "--mcd",
            help="The CMS Medicare Coverage Database index (documents_latest.csv).",
            show_default=False,
        ),
    ],
    criteria: CriteriaOpt = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The date to judge on (default today).")
    ] = None,
    format: Annotated[
        str, typer.Option("--format", help="table (for people) or json (for tools).")
    ] = "table",
) -> None:
    """Compare the LCD and policy-article versions each Medicare policy cites with the current
    ones in the CMS index, and flag any retired.

    Exit 0 when every cited version is current, 1 when one is outdated, retired or missing, 2 on
    a bad file.
    """
    import datetime as dt
    import json

    from ..errors import InputError
    from ..policy import load_policies
    from ._currency import cited_documents, currency, read_index

    if format not in {"table", "json"}:
        raise InputError(f"--format must be table or json, got {format!r}")
    try:
        day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError:
        raise InputError(f"--as-of must be a date (YYYY-MM-DD), got {as_of!r}") from None
    index = read_index(mcd)
    policies = [p for p in load_policies(criteria or ()).values() if cited_documents(p)]
    rows = currency(policies, index, day)
    if format == "json":
        doc = {
            "as_of": day.isoformat(),
            "index": str(mcd),
            "documents": [r.to_dict() for r in rows],
        }
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    else:
        from rich.table import Table

        t = Table(title=f"LCD and article versions on {day} ({mcd.name})")
        for col in ("policy", "document", "cited", "current", "status", "detail"):
            t.add_column(col, no_wrap=col != "detail")
        for r in rows:
            cur = "-" if r.current is None else str(r.current)
            t.add_row(r.policy, f"{r.kind} {r.document}", r.cited or "-", cur, r.status, r.detail)
        out = _console()
        if not out.is_terminal:
            out.width = 160
        out.print(t)
    raise typer.Exit(0 if all(r.ok for r in rows) else 1)


def schema_command(
    kind: Annotated[str, typer.Argument(metavar="policy|case", help="Which file's schema.")],
) -> None:
    """Print the JSON Schema of a policy or case file (for an editor to validate YAML as it is
    typed), generated from the models."""
    from ..errors import InputError
    from ._schema import schema_text

    if kind not in {"policy", "case"}:
        raise InputError(f"expected policy or case, got {kind!r}", field="KIND")
    sys.stdout.write(schema_text(kind))


def register(criteria_app: typer.Typer, app: typer.Typer) -> None:
    """Add the policy authoring commands to the CLI."""
    criteria_app.command("test")(test_command)
    criteria_app.command("new")(new_command)
    criteria_app.command("diff")(diff_command)
    criteria_app.command("currency")(currency_command)
    app.command("schema")(schema_command)
