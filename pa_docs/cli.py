"""The ``pa-docs`` command: parse arguments, call the library, map errors to exit codes.

Exit codes: 0 success (a case is ready), 1 the record does not support what was asked (gaps),
2 bad input. A command sets a non-zero exit code with ``raise typer.Exit(code)``: click ignores
the return value of a command. Heavy modules (renderers, FHIR, the case log) are imported inside
their commands.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from .errors import InputError, NotReadyError

app = typer.Typer(
    name="pa-docs",
    help="Prior-authorization documentation: check a case against the payer's policy, and write "
    "the packet, the letter of medical necessity and appeals.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
criteria_app = typer.Typer(help="List, show and validate payer policies.", no_args_is_help=True)
app.add_typer(criteria_app, name="criteria")

CaseArg = Annotated[Path, typer.Argument(help="The case file (YAML).", show_default=False)]
PolicyOpt = Annotated[
    str | None, typer.Option("--policy", help="Policy id; chosen from the case when omitted.")
]
CriteriaOpt = Annotated[
    list[Path] | None,
    typer.Option("--criteria", help="A folder of extra policy YAML files (repeatable)."),
]


def _out() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def _policy_for(
    case: Any, policy: str | None, criteria: list[Path] | None, source: Path | None = None
) -> Any:
    from .policy import load_policies, select_policy

    return select_policy(case, load_policies(criteria or ()), policy, source=source)


@app.command()
def check(
    case: CaseArg,
    policy: PolicyOpt = None,
    criteria: CriteriaOpt = None,
    format: Annotated[
        str, typer.Option("--format", help="table (for people) or json (for tools).")
    ] = "table",
) -> None:
    """Check a case against its payer's policy, criterion by criterion.

    Exit 0 when the case is ready, 1 when it has gaps or a criterion is not met, 2 on bad input.
    """
    from .case import load_case
    from .check import CaseStatus, check_case

    if format not in {"table", "json"}:
        raise InputError(f"--format must be table or json, got {format!r}")
    c = load_case(case)
    result = check_case(c, _policy_for(c, policy, criteria, case))
    if format == "json":
        import json

        sys.stdout.write(json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        from ._table import verdict_table

        verdict_table(_out(), result)
    # click ignores a command's return value: the exit code must travel as typer.Exit
    raise typer.Exit(0 if result.status is CaseStatus.ready else 1)


@criteria_app.command("list")
def criteria_list(criteria: CriteriaOpt = None) -> int:
    """List the policies: shipped ones and those in --criteria folders."""
    from rich.table import Table

    from .policy import load_policies

    t = Table(show_lines=False)
    for col in ("id", "payer", "number", "title", "requests"):
        t.add_column(col, no_wrap=col == "id")
    for p in load_policies(criteria or ()).values():
        t.add_row(p.id, p.payer, p.number or "-", p.title, ", ".join(p.request_types))
    _out().print(t)
    return 0


@criteria_app.command("show")
def criteria_show(
    policy_id: Annotated[str, typer.Argument(help="The policy id.")],
    criteria: CriteriaOpt = None,
) -> int:
    """Show one policy: its source, and each criterion with the payer's wording and citation."""
    from .errors import PolicyError
    from .policy import load_policies

    policies = load_policies(criteria or ())
    if policy_id not in policies:
        raise PolicyError(f"unknown policy {policy_id!r}; known: {', '.join(sorted(policies))}")
    from ._table import policy_view

    policy_view(_out(), policies[policy_id])
    return 0


@criteria_app.command("validate")
def criteria_validate(
    folder: Annotated[
        Path | None, typer.Argument(help="Folder of policy files; the shipped ones by default.")
    ] = None,
) -> int:
    """Validate policy files; print every problem as file:line: message. Exit 2 if any."""
    from .policy import validate_folder

    count, problems = validate_folder(folder)
    for p in problems:
        sys.stderr.write(f"{p}\n")
    if problems:
        sys.stderr.write(f"{len(problems)} problem(s) in {count} file(s)\n")
        raise typer.Exit(2)
    sys.stdout.write(f"{count} policies valid\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    try:
        rv = app(args=argv, prog_name="pa-docs", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    except InputError as exc:
        sys.stderr.write(f"pa-docs: error: {exc}\n")
        return 2
    except NotReadyError as exc:
        sys.stderr.write(f"pa-docs: {exc}\n")
        return 1
    except KeyboardInterrupt:
        return 130
    return rv if isinstance(rv, int) else 0
