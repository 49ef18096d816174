"""Read a FHIR source into raw resources: a Bundle file, a folder of JSON files, or NDJSON.

Nothing here validates FHIR: this module only finds the resources and says where each came from.
Bad input a user can fix (unreadable JSON, not FHIR, an unsupported Bundle type) is an
``InputError`` naming the file and, for NDJSON, the line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._files import parse_json, read_text
from .._limits import MAX_DATA_BYTES
from ..errors import InputError

BUNDLE_TYPES = ("transaction", "collection", "searchset", "document")
_SUFFIXES = (".json", ".ndjson")


@dataclass(frozen=True)
class RawResource:
    """One resource as parsed JSON, with where it was found."""

    data: dict[str, Any]
    origin: str
    full_url: str | None = None


@dataclass
class SourceRead:
    resources: list[RawResource]
    skipped_files: list[str]


def read_source(source: str | Path) -> SourceRead:
    """All resources in ``source``: a Bundle or single-resource JSON file, an NDJSON file, or a
    folder of those (a bulk-export folder of NDJSON files included)."""
    path = Path(source)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        wanted = [p for p in files if p.suffix.lower() in _SUFFIXES]
        skipped = [p.name for p in files if p.suffix.lower() not in _SUFFIXES]
        if not wanted:
            raise InputError("the folder holds no .json or .ndjson files", file=path)
        out: list[RawResource] = []
        for f in wanted:
            out.extend(_read_file(f))
        return SourceRead(out, skipped)
    if not path.exists():
        raise InputError("file or folder not found", file=path)
    return SourceRead(list(_read_file(path)), [])


def _text(path: Path) -> str:
    return read_text(path, InputError, MAX_DATA_BYTES, encoding="utf-8-sig")


def _read_file(path: Path) -> Iterator[RawResource]:
    text = _text(path)
    if path.suffix.lower() == ".ndjson":
        for n, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                data = _parse(line, path, n)
                yield from _expand(data, path, f"{path.name}:{n}", n)
        return
    stripped = text.strip()
    if not stripped:
        raise InputError("the file is empty", file=path)
    try:
        data = _parse(stripped, path, None)
    except InputError:
        # a .json file may still be newline-delimited
        lines = [ln for ln in stripped.splitlines() if ln.strip()]
        if not (len(lines) > 1 and lines[0].lstrip().startswith("{")):
            raise
        for n, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                yield from _expand(_parse(line, path, n), path, f"{path.name}:{n}", n)
        return
    yield from _expand(data, path, path.name, None)


def _parse(text: str, path: Path, line: int | None) -> Any:
    return parse_json(text, path, InputError, line)


def _expand(data: Any, path: Path, origin: str, line: int | None) -> Iterator[RawResource]:
    if not isinstance(data, dict) or not isinstance(data.get("resourceType"), str):
        raise InputError(
            "not a FHIR resource: a JSON object with a `resourceType` is expected",
            file=path,
            line=line,
        )
    if data["resourceType"] != "Bundle":
        yield RawResource(data, origin)
        return
    kind = data.get("type")
    if kind not in BUNDLE_TYPES:
        raise InputError(
            f"Bundle type {kind!r} is not supported; expected one of {', '.join(BUNDLE_TYPES)}",
            file=path,
            line=line,
            field="type",
        )
    entries = data.get("entry") or []
    if not isinstance(entries, list):
        raise InputError(
            f"Bundle entry must be a list, got {type(entries).__name__}",
            file=path,
            line=line,
            field="entry",
        )
    for i, entry in enumerate(entries):
        res = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(res, dict) or not isinstance(res.get("resourceType"), str):
            continue  # e.g. a transaction-response entry or a deleted resource
        if res["resourceType"] == "Bundle":  # a nested Bundle (rare): read its entries too
            yield from _expand(res, path, f"{origin}#entry[{i}]", line)
            continue
        full_url = entry.get("fullUrl")
        yield RawResource(
            res, f"{origin}#entry[{i}]", full_url if isinstance(full_url, str) else None
        )
