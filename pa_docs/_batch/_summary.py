"""The batch summary file: a row per case as CSV, HTML or JSON (chosen by the file's suffix).

It names patients' cases and their gaps, so it is written like the documents: atomically, 0600.
"""

from __future__ import annotations

import csv
import io
import json
from html import escape
from pathlib import Path

from ..errors import InputError
from ._model import COLUMNS, Row

SUFFIXES = (".csv", ".html", ".json")


def check_summary_path(path: Path) -> None:
    if path.suffix.lower() not in SUFFIXES:
        raise InputError(
            f"must end in {', '.join(SUFFIXES)} (the format), got {path.name!r}",
            param="summary",
        )
    if path.is_dir():
        raise InputError("is a folder, expected a file name", file=path, param="summary")
    from .._files import check_target

    check_target(path)  # a regular file or a new one, before any case runs (a FIFO would block)


def _cell(value: object) -> str:
    """A value as one spreadsheet cell: lists one item a line; text that a spreadsheet would
    run as a formula (``=``, ``+``, ``-``, ``@`` first) is kept as text with a leading quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = "\n".join(value) if isinstance(value, list) else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(rows: list[Row]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for r in rows:
        d = r.to_dict()
        w.writerow([_cell(d[c]) for c in COLUMNS])
    return out.getvalue()


def to_json(rows: list[Row]) -> str:
    return json.dumps([r.to_dict() for r in rows], indent=2, ensure_ascii=False) + "\n"


_STYLE = """
body { font: 13px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1b1b1b; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ccd; padding: 4px 6px; vertical-align: top; text-align: left; }
th { background: #1f3b5b; color: #fff; }
td.written, td.unchanged { color: #1d6b2f; } td.refused { color: #8a5a00; }
td.error, td.failed { color: #a01c12; font-weight: bold; }
ul { margin: 0; padding-left: 1.1em; }
"""


def to_html(rows: list[Row]) -> str:
    """A standalone page (no script, nothing fetched): every value escaped."""
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.outcome.value] = counts.get(r.outcome.value, 0) + 1
    total = ", ".join(f"{n} {k}" for k, n in counts.items())
    head = "".join(f"<th>{escape(c)}</th>" for c in COLUMNS)
    body = []
    for r in rows:
        d = r.to_dict()
        cells = []
        for c in COLUMNS:
            v = d[c]
            if isinstance(v, list):
                items = "".join(f"<li>{escape(x)}</li>" for x in v)
                cells.append(f"<td><ul>{items}</ul></td>" if v else "<td></td>")
            else:
                cls = f' class="{escape(str(v))}"' if c == "outcome" else ""
                cells.append(f"<td{cls}>{escape(_cell(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
        "<title>pa-docs batch summary</title>"
        f"<style>{_STYLE}</style></head><body>\n"
        f"<h1>pa-docs batch: {len(rows)} cases</h1>\n<p>{escape(total)}</p>\n"
        f"<table><thead><tr>{head}</tr></thead><tbody>\n" + "\n".join(body) + "\n</tbody></table>"
        "\n</body></html>\n"
    )


def write_summary(rows: list[Row], path: Path) -> Path:
    """Write the rows to ``path`` in the format its suffix names."""
    from ..render import write_atomic

    check_summary_path(path)
    text = {".csv": to_csv, ".html": to_html, ".json": to_json}[path.suffix.lower()](rows)
    return write_atomic(path, text.encode("utf-8"))
