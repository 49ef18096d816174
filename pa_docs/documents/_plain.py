"""What a template may see: plain data only.

Every context handed to a template (shipped or a practice's own, see ``_templates``) passes
through :func:`plain`: strings, numbers, booleans, dates, lists and mappings, nothing else. No
``Path``, model or other object whose methods could reach the file system gets into a template,
so a user template cannot read or write files even through methods the sandbox allows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from enum import Enum
from typing import Any

from ._blocks import Block
from ._document import Document

_SCALARS = (str, int, float, bool, dt.date, type(None))


def plain(value: Any, where: str = "context") -> Any:
    """``value`` as plain data (tuples become lists, enums their value); anything else is a
    TypeError (a programming error: the context must be built of plain data)."""
    if isinstance(value, Enum):
        return plain(value.value, where)
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"{where}: a key of type {type(k).__name__} in a template context")
            out[k] = plain(v, f"{where}.{k}")
        return out
    if isinstance(value, list | tuple):
        return [plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
    raise TypeError(f"{where}: a {type(value).__name__} is not plain data for a template")


def block_data(block: Block) -> dict[str, Any]:
    """A block as a mapping: its ``type``, its fields, runs as mappings, and ``text``."""
    data: dict[str, Any] = {"type": block.type, **dataclasses.asdict(block)}
    if hasattr(block, "text"):
        data["text"] = block.text
    out: dict[str, Any] = plain(data, f"block {block.type}")
    return out


def document_data(doc: Document) -> dict[str, Any]:
    """What the HTML layout may know of a document: its words and flags, not its files."""
    return {
        "kind": doc.kind,
        "title": doc.title,
        "footer": doc.footer,
        "date": doc.date,
        "digest": doc.digest,
        "author": doc.author,
        "subject": doc.subject,
        "draft": doc.draft,
        "fax": doc.fax,
        "logo": doc.logo,
        "practice_name": doc.practice_name,
        "gaps": list(doc.gaps),
    }
