"""``pa-docs batch``: parse the options, run the batch with a progress bar, print the table.

Registered by the main CLI as ``app.command("batch")(batch_command)``; nothing heavy is imported
until the command runs.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .._options import CriteriaOpt

if TYPE_CHECKING:
    from ._model import Row

_OUTCOME_STYLE = {
    "written": "green",
    "unchanged": "green",
    "refused": "yellow",
    "error": "bold red",
    "failed": "bold red",
    "skipped": "dim",
}


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # a SIGTERM stops the batch the way Ctrl-C does: nothing half-written


def batch_command(
    cases: Annotated[
        list[Path],
        typer.Argument(
            help="Case files, or folders of them (their *.yaml files but *.denial.yaml).",
            show_default=False,
        ),
    ],
    kind: Annotated[str, typer.Option("--kind", help="packet, letter, appeal or p2p.")] = "packet",
    format: Annotated[str, typer.Option("--format", help="pdf, docx or html.")] = "pdf",
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Folder for the documents (made if missing).")
    ] = Path("."),
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Worker processes; one per core by default."),
    ] = None,
    draft: Annotated[
        bool, typer.Option("--draft", help="Write a marked draft for each case with gaps.")
    ] = False,
    profile: Annotated[
        Path | None,
        typer.Option("--profile", help="Practice profile (YAML): letterhead and signer."),
    ] = None,
    criteria: CriteriaOpt = None,
    templates: Annotated[
        Path | None,
        typer.Option(
            "--templates", help="Folder of templates overriding the shipped ones, file by file."
        ),
    ] = None,
    summary: Annotated[
        Path | None,
        typer.Option(
            "--summary", help="Summary file: .csv, .html or .json (default OUTPUT/summary.csv)."
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Write every document again, even if unchanged.")
    ] = False,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Appeals: the letters' date, and the day lateness is judged."),
    ] = None,
    late: Annotated[
        bool, typer.Option("--late", help="Appeals: file past the deadline, asking good cause.")
    ] = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Treat a case's warnings (an unknown drug...) as errors of that case."
        ),
    ] = False,
) -> None:
    """Check every case and write each ready case's document (a draft for each case with gaps
    with --draft), on warm worker processes; end with a table and a summary file.

    Documents are named <case_id>-<kind>.<format> (appeals <case_id>-appeal-level<N>) and
    written atomically; a rerun skips documents whose inputs are unchanged. Appeals read
    <case>.denial.yaml beside each case. Exit 0 when every case has its document, 1 when some
    were refused for gaps, 2 when some were bad input, 3 when pa-docs failed on one.
    """
    from rich.console import Console

    from .._console import say
    from ..appeal._cli import _date
    from ._model import exit_code
    from ._run import batch

    err = Console(stderr=True, highlight=False)
    progress = _progress(err) if sys.stderr.isatty() else None
    task: list[Any] = []

    def on_start(total: int) -> None:
        if progress is not None:
            progress.start()
            task.append(progress.add_task(f"{kind}s", total=total))

    def on_row(row: Row) -> None:
        if progress is not None:
            from rich.markup import escape

            from .._console import printable

            progress.update(task[0], advance=1, description=escape(printable(row.case)))
            progress.refresh()

    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        rows = batch(
            cases,
            outdir=output,
            kind=kind,
            format=format,
            jobs=jobs,
            draft=draft,
            force=force,
            profile=profile,
            criteria=criteria or (),
            templates=templates,
            as_of=_date(as_of) if as_of is not None else None,
            late=late,
            strict=strict,
            summary=summary or output / "summary.csv",
            on_start=on_start,
            on_row=on_row,
        )
    finally:
        signal.signal(signal.SIGTERM, previous)
        if progress is not None:
            progress.stop()
    _table(Console(highlight=False), rows)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.outcome.value] = counts.get(r.outcome.value, 0) + 1
    said = ", ".join(f"{n} {k}" for k, n in counts.items())
    plural = "s" if len(rows) != 1 else ""
    say(f"{len(rows)} case{plural}: {said}; summary in {summary or output / 'summary.csv'}")
    raise typer.Exit(exit_code(rows))


def _progress(console: Any) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description:<20}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        auto_refresh=False,  # no refresh thread: the pool's processes are forked from this one
        transient=True,
    )


def _table(out: Any, rows: list[Row]) -> None:
    """One row per case, narrow enough for 80 columns; every value from a case shown, never
    acted on by the terminal."""
    from rich.table import Table
    from rich.text import Text

    from .._console import printable

    t = Table(show_lines=True, expand=True)
    t.add_column("case · policy", no_wrap=True, max_width=30)
    t.add_column("result", no_wrap=True)
    t.add_column("document, or the gaps and what to do", ratio=1)
    for r in rows:
        who = Text(printable(r.case))
        if r.policy:
            who.append(f"\n{printable(r.policy)}", style="dim")
        outcome = r.outcome.value + (" draft" if r.draft else "")
        result = Text(outcome, style=_OUTCOME_STYLE[r.outcome.value])
        if r.status:
            result.append(f"\n{r.status}", style="dim")
        lines = [Path(r.output).name] if r.output else []
        lines += [f"• {g}" for g in r.gaps]
        lines += [f"• to fill: {f}" for f in r.to_fill]
        lines += [f"• warning: {w}" for w in r.warnings]
        if r.error:
            lines.append(r.error)
        t.add_row(who, result, Text(printable("\n".join(lines))))
    out.print(t)
