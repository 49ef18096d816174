"""The command-line arguments and options several commands share, declared once (typer)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

CaseArg = Annotated[Path, typer.Argument(help="The case file (YAML).", show_default=False)]
PolicyOpt = Annotated[
    str | None, typer.Option("--policy", help="Policy id; chosen from the case when omitted.")
]
CriteriaOpt = Annotated[
    list[Path] | None,
    typer.Option("--criteria", help="A folder of extra policy YAML files (repeatable)."),
]
