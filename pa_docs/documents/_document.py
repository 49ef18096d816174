"""A document ready to render: its blocks, footer, date and the files it may read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ._blocks import Block


@dataclass(frozen=True)
class Enclosure:
    """A PDF attachment listed by the case, appended to a PDF packet."""

    path: Path
    title: str
    data: bytes = b""  # the PDF without active content (``_attachments.clean_pdf``)


@dataclass(frozen=True)
class Document:
    """One rendered-to-blocks document: a packet, a letter, an appeal letter or a p2p sheet."""

    kind: str
    title: str
    blocks: tuple[Block, ...]
    footer: str
    date: dt.date
    digest: str
    author: str
    subject: str
    draft: bool = False
    enclosures: tuple[Enclosure, ...] = ()
    templates: Path | None = None
    asset_dirs: tuple[Path, ...] = ()
    logo: str | None = None
    practice_name: str | None = None
    reference_docx: Path | None = None
    gaps: tuple[str, ...] = field(default=())
    fax: bool = False  # black on white, no tinted fills, nothing below 9 pt
