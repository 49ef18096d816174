"""Write an imported case as a case file: a header comment saying what was imported and what is
still to be filled in, then the case in the field order of the case model.

The text is deterministic. Required values the chart lacks are written as ``FILL-IN`` with a
comment, so the file does not load until they are filled in; optional values a policy may ask for
(a treatment's outcome, a sleep test's event count) are suggested as comment lines. The file is
written atomically with mode 0600 (``pa_docs._files``): it holds health information.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from .._files import check_target, write_atomic
from ..case import Case
from ..errors import Hint, InputError
from ._import import ImportResult, ToFill
from ._util import FILL

_SECTIONS = ("diagnoses", "labs", "scores", "treatments", "findings", "encounters")


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return repr(value)
    if _BREAKS.search(str(value)):  # double-quoted, every break and control escaped
        escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
        return '"' + _BREAKS.sub(lambda m: f"\\u{ord(m.group()):04x}", escaped) + '"'
    text = yaml.safe_dump(str(value), allow_unicode=True, width=10**9, default_flow_style=True)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def _models() -> dict[str, type[BaseModel]]:
    fields = Case.model_fields
    out: dict[str, type[BaseModel]] = {}
    for name in ("patient", "coverage", "prescriber", "request"):
        ann = fields[name].annotation
        assert isinstance(ann, type) and issubclass(ann, BaseModel)
        out[name] = ann
    from ..case import Diagnosis, Encounter, Finding, Lab, Score, Treatment

    out.update(
        diagnoses=Diagnosis,
        labs=Lab,
        scores=Score,
        treatments=Treatment,
        findings=Finding,
        encounters=Encounter,
    )
    return out


def _ordered(data: dict[str, Any], model: type[BaseModel]) -> list[tuple[str, Any]]:
    order = list(model.model_fields)
    return sorted(data.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)


def _mapping(
    data: dict[str, Any],
    model: type[BaseModel],
    indent: str,
    path: str,
    fills: dict[str, ToFill],
    first: str = "",
) -> list[str]:
    lines = []
    lead = first or indent
    for key, value in _ordered(data, model):
        fill = fills.get(f"{path}.{key}")
        if isinstance(value, list):
            text = f"[{', '.join(_scalar(v) for v in value)}]"
        elif (
            isinstance(value, str)
            and "\n" in value
            and _BREAKS.sub("", value) == value.replace("\n", "")
        ):  # a block of plain lines; any other break or control is quoted by the YAML library
            body = textwrap.indent(value.rstrip("\n"), indent + "  ")
            lines.append(f"{lead}{key}: |\n{body}")
            lead = indent
            continue
        else:
            text = _scalar(value)
        comment = f"  # TO FILL: {one_line(fill.what)}" if fill and value == FILL else ""
        lines.append(f"{lead}{key}: {text}{comment}")
        lead = indent
    for f in fills.values():  # optional fields suggested as comments
        prefix, _, name = f.path.rpartition(".")
        if prefix == path and not f.required and name not in data:
            lines.append(f"{indent}# {name}: TO FILL if known: {one_line(f.what)}")
    return lines


def render_case(result: ImportResult, source: str | None = None) -> str:
    """The case file text for an import: header comment, then the case."""
    fills = {f.path: f for f in result.to_fill}
    models = _models()
    out = _header(result, source)
    data = result.data
    out.append(f"case_id: {_scalar(data['case_id'])}")
    out.append(f"request_date: {_scalar(data['request_date'])}")
    for name in ("patient", "coverage", "prescriber", "request"):
        out.append("")
        out.append(f"{name}:")
        out += _mapping(data[name], models[name], "  ", name, fills)
    for name in _SECTIONS:
        items = data.get(name) or []
        out.append("")
        if not items:
            out.append(f"{name}: []")
            continue
        out.append(f"{name}:")
        for i, item in enumerate(items):
            out += _mapping(item, models[name], "    ", f"{name}[{i}]", fills, first="  - ")
    if data.get("notes"):
        out.append("")
        out += _mapping({"notes": data["notes"]}, Case, "", "", fills)
    return "\n".join(out) + "\n"


# Characters YAML (1.1) or a reader takes for a line break, and other controls: text from the
# chart written into a comment must not start a new line of YAML (U+2028 in a display name would
# add a field to the case).
_BREAKS = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` for a YAML comment: every line break and control character becomes a space."""
    return _BREAKS.sub(" ", text)


def _wrap(text: str, lead: str = "#   - ") -> list[str]:
    return textwrap.wrap(
        one_line(text),
        width=100,
        initial_indent=lead,
        subsequent_indent="#     ",
        break_long_words=False,
        break_on_hyphens=False,
    )


def _header(result: ImportResult, source: str | None) -> list[str]:
    counts = ", ".join(f"{n} {k}" for k, n in result.imported.items())
    read = ", ".join(f"{n} {k}" for k, n in result.read.items())
    lines = ["# Case imported from a FHIR R4 record by `pa-docs import-fhir`."]
    if source:
        lines.append(f"# Source: {one_line(source)}")
    if result.patient:
        lines.append(f"# Patient: Patient/{one_line(result.patient)}")
    lines += _wrap(f"Imported: {counts}.", "# ")
    lines += _wrap(f"From: {read}.", "#   ")
    lines += ["# Each imported item names the resource it came from in `fhir_ref`."]
    required = [f for f in result.to_fill if f.required]
    optional = [f for f in result.to_fill if not f.required]
    if required:
        lines.append("#")
        lines.append("# TO FILL IN before the case can be checked (written as FILL-IN below):")
        for f in required:
            lines += _wrap(str(f))
    if optional:
        lines.append("#")
        lines.append("# TO COMPLETE where the policy asks for it (suggested as comments below):")
        for f in optional:
            lines += _wrap(str(f))
    if not result.imported.get("findings"):
        lines.append(
            "#   - findings: named findings (e.g. excessive daytime sleepiness) are not coded in"
        )
        lines.append("#     the chart export; add those the record supports")
    if result.unmapped:
        lines.append("#")
        lines.append("# NOT IMPORTED (codes outside the curated tables and vocabularies):")
        for u in result.unmapped:
            lines += _wrap(u)
    if result.notes:
        lines.append("#")
        lines.append("# NOTES:")
        for n in result.notes:
            lines += _wrap(n)
    if result.case_error:
        lines.append("#")
        lines += _wrap(f"The imported values do not validate yet: {result.case_error}", "# ")
    lines.append("")
    return lines


def write_case(
    result: ImportResult,
    path: str | Path,
    *,
    source: str | None = None,
    overwrite: bool = False,
    inputs: Sequence[str | Path] = (),
) -> Path:
    """Write the case file atomically with mode 0600 (``pa_docs._files.write_atomic``); an
    existing file is kept unless ``overwrite`` (it may hold what the specialist already filled
    in), and ``inputs`` (the FHIR source) are never overwritten."""
    target = check_target(path, inputs)
    if target.exists() and not overwrite:
        raise InputError(
            "the file exists",
            file=target,
            hint=Hint("overwrite", "choose another name or overwrite it ({})"),
        )
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InputError("the output folder does not exist", file=target)
    return write_atomic(target, render_case(result, source).encode("utf-8"), inputs=inputs)
