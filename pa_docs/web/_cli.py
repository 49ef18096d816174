"""``pa-docs serve`` and ``pa-docs users``: the workbench's commands.

Registered in ``pa_docs/cli.py``. Starlette, uvicorn, argon2 and SQLAlchemy load inside the command
bodies, so other commands start without them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .._options import CriteriaOpt
from ..errors import InputError
from ..log._cli import Db

if TYPE_CHECKING:
    from ..log import CaseLog

users_app = typer.Typer(
    name="users",
    help="Workbench accounts: coordinator, documentation-specialist, appeals-specialist, admin, "
    "viewer.",
    no_args_is_help=True,
)

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _engine(db: str | None) -> CaseLog:
    from ..log import CaseLog

    return CaseLog.open(db)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The user name (letters, digits, . _ @ -).")],
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="coordinator, documentation-specialist, appeals-specialist, admin or viewer.",
        ),
    ],
    db: Db = None,
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the password from standard input (scripts)."),
    ] = False,
) -> None:
    """Create an account. The password is asked for twice, or read from standard input."""
    from ._accounts import MIN_PASSWORD, add_user, role_of

    role = role_of(role)  # a bad role is refused before the password is asked for
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt(
            f"Password for {name} (at least {MIN_PASSWORD} characters)",
            hide_input=True,
            confirmation_prompt=True,
        )
    with _engine(db) as log:
        user = add_user(log.engine, name, role, password)
    typer.echo(f"added {user.name} ({user.role})")


@users_app.command("list")
def users_list(db: Db = None) -> None:
    """List the accounts and their roles."""
    from ._accounts import list_users

    with _engine(db) as log:
        for user, created in list_users(log.engine):
            typer.echo(f"{user.name}\t{user.role}\tsince {created:%Y-%m-%d}")


def serve_command(
    cases: Annotated[Path, typer.Option("--cases", help="The folder of case files (YAML).")] = Path(
        "."
    ),
    db: Db = None,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; loopback unless given.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8750,
    cert: Annotated[
        Path | None, typer.Option("--cert", help="TLS certificate (PEM), with --key.")
    ] = None,
    key: Annotated[Path | None, typer.Option("--key", help="TLS private key (PEM).")] = None,
    profile: Annotated[
        Path | None,
        typer.Option("--profile", help="Practice profile (YAML) for the documents' letterhead."),
    ] = None,
    criteria: CriteriaOpt = None,
) -> None:
    """Serve the workbench: work list, cases, documents, case log and KPIs in a browser."""
    if (cert is None) != (key is None):
        raise InputError("give both --cert and --key for TLS, or neither")
    for f in (cert, key):
        if f is not None and not f.is_file():
            raise InputError("file not found", file=f)
    if not cases.is_dir():
        raise InputError("the case folder does not exist", file=cases)
    if host not in LOOPBACK and cert is None:
        sys.stderr.write(
            f"pa-docs: warning: serving patient data on {host} over plain HTTP: anyone on the "
            "network path can read it. Give --cert and --key to serve over TLS, or keep the "
            "default --host 127.0.0.1.\n"
        )
    import uvicorn

    from ._app import Settings, create_app

    app = create_app(Settings(cases=cases, db=db, profile=profile, criteria=tuple(criteria or ())))
    scheme = "https" if cert else "http"
    sys.stderr.write(f"pa-docs workbench on {scheme}://{host}:{port}/ (cases in {cases})\n")
    uvicorn.run(
        app,
        host=host,
        port=port,
        ssl_certfile=str(cert) if cert else None,
        ssl_keyfile=str(key) if key else None,
        log_level="warning",
        server_header=False,
    )
