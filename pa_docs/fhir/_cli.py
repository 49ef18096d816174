"""``pa-docs import-fhir``: parse the options, call the import, write the case file.

Registered by the main CLI as ``app.command("import-fhir")(import_fhir_command)``. Nothing heavy
is imported until the command runs (``fhir.resources`` loads inside the import).
"""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .._console import say
from .._dates import parse_date


class RequestKind(StrEnum):
    initial = "initial"
    continuation = "continuation"


def _date(text: str | None) -> dt.date | None:
    return None if text is None else parse_date(text, "--request-date")


def import_fhir_command(
    source: Annotated[
        Path,
        typer.Argument(
            help="A FHIR R4 Bundle (JSON: transaction, collection, searchset or document), a "
            "folder of single-resource JSON files, or a bulk-export folder of NDJSON files.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Case file to write (default: print to stdout)."),
    ] = None,
    patient: Annotated[
        str | None,
        typer.Option("--patient", help="Patient id, when the source holds several patients."),
    ] = None,
    request_date: Annotated[
        str | None,
        typer.Option(
            "--request-date",
            help="Date of the request, YYYY-MM-DD (default: today, noted in the file).",
        ),
    ] = None,
    item: Annotated[
        str | None,
        typer.Option("--item", help="The drug (generic or brand) or device key requested."),
    ] = None,
    payer: Annotated[
        str | None,
        typer.Option("--payer", help="Payer key (e.g. aetna, medicare); overrides the chart."),
    ] = None,
    request_type: Annotated[
        RequestKind,
        typer.Option("--request-type", help="initial or continuation."),
    ] = RequestKind.initial,
    case_id: Annotated[
        str | None,
        typer.Option("--case-id", help="Case id (default: FHIR-<patient id>)."),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Overwrite the output file if it exists."),
    ] = False,
) -> None:
    """Build a case file from a FHIR R4 record; the header says what is still to be filled in."""
    from ._import import import_source
    from ._write import render_case, write_case

    result = import_source(
        source,
        patient=patient,
        request_date=_date(request_date),
        item=item,
        payer=payer,
        request_type="continuation" if request_type is RequestKind.continuation else "initial",
        case_id=case_id,
    )
    counts = ", ".join(f"{n} {k}" for k, n in result.imported.items())
    if output is None:
        sys.stdout.write(render_case(result, str(source)))
    else:
        write_case(result, output, source=str(source), overwrite=force, inputs=(source,))
        say(f"wrote {output}")
    say(f"imported: {counts}")
    missing = result.missing
    if missing:
        say(f"to fill in before checking ({len(missing)}):")
        for f in missing:
            say(f"  - {f}")
    else:
        say("the case is complete enough to check: pa-docs check")
