"""The content model of a document, and the small block markup the templates write it in.

Templates (Jinja, under ``templates/``) write each document once, as lines of block markup; the
HTML/PDF and DOCX renderers lay out the same blocks. The markup, one block per paragraph:

    # Heading 1 / ## Heading 2 / ### Heading 3
    plain text lines form a paragraph (a blank line ends it)
    - bullet item
    > quoted text (a denial reason, verbatim)
    %style NAME           style of the next paragraph (right, small, address, lines, signature,
                          gap); in ``address`` and ``lines`` each line stays a line
    %table NAME [w1 w2…]  class and column widths (percent) of the next table
    |= head | head        a table's header row
    | cell | cell         a table row
    %page                 page break
    %toc                  table of contents (the level-1 headings)

Inline: ``**bold**`` and ``*italic*``. Values from the case never become markup: the template
environment's ``finalize`` escapes them (:func:`escape`), and the parser reads ``\\x`` as ``x``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import ClassVar

_LINE_STYLES = {"address", "lines", "letterhead"}  # paragraph styles that keep their line breaks
_SPACE = re.compile(r"\s+")
_SPECIAL = re.compile(r"([\\*|])")
_LEADING = re.compile(r"^(\s*)([#>%-])")  # after any indent: the parser strips it


def escape(value: object) -> str:
    """A template value as literal text: no markup, one line."""
    if value is None:
        return ""
    text = _SPACE.sub(" ", str(value))
    return _LEADING.sub(r"\1\\\2", _SPECIAL.sub(r"\\\1", text))


@dataclass(frozen=True, slots=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    highlight: bool = False  # a placeholder still to fill, in a draft: "[to fill: member ID]"


@dataclass(frozen=True, slots=True)
class Heading:
    type: ClassVar[str] = "heading"
    level: int
    runs: tuple[Run, ...]

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True, slots=True)
class Paragraph:
    type: ClassVar[str] = "paragraph"
    runs: tuple[Run, ...]
    style: str = "normal"

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True, slots=True)
class Bullets:
    type: ClassVar[str] = "bullets"
    items: tuple[tuple[Run, ...], ...]


@dataclass(frozen=True, slots=True)
class Table:
    type: ClassVar[str] = "table"
    header: tuple[tuple[Run, ...], ...]
    rows: tuple[tuple[tuple[Run, ...], ...], ...]
    style: str = "grid"
    widths: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class PageBreak:
    type: ClassVar[str] = "page_break"


@dataclass(frozen=True, slots=True)
class Contents:
    """A table of contents: the document's level-1 headings."""

    type: ClassVar[str] = "contents"
    entries: tuple[str, ...] = ()


Block = Heading | Paragraph | Bullets | Table | PageBreak | Contents


_MARK = re.compile(r"\[to fill(?:: [^\]]*)?\]")
_LEFT = {"FILL-IN": "[to fill]", "0001-01-01": "[to fill: date]"}  # a placeholder's stand-ins


def _marked(runs: tuple[Run, ...]) -> tuple[Run, ...]:
    out: list[Run] = []
    for r in runs:
        text = r.text
        for old, new in _LEFT.items():
            text = text.replace(old, new)
        pos = 0
        for m in _MARK.finditer(text):
            if m.start() > pos:
                out.append(Run(text[pos : m.start()], r.bold, r.italic, r.highlight))
            out.append(Run(m.group(0), r.bold, r.italic, True))
            pos = m.end()
        if pos < len(text) or not text:
            out.append(Run(text[pos:], r.bold, r.italic, r.highlight))
    return tuple(out)


def mark_placeholders(blocks: list[Block]) -> list[Block]:
    """A draft's blocks with every placeholder highlighted as ``[to fill: ...]``, and no
    ``FILL-IN`` or stand-in date left in any text."""
    out: list[Block] = []
    for b in blocks:
        if isinstance(b, Heading | Paragraph):
            b = replace(b, runs=_marked(b.runs))
        elif isinstance(b, Bullets):
            b = replace(b, items=tuple(_marked(i) for i in b.items))
        elif isinstance(b, Table):
            b = replace(
                b,
                header=tuple(_marked(c) for c in b.header),
                rows=tuple(tuple(_marked(c) for c in row) for row in b.rows),
            )
        out.append(b)
    return out


def inline(text: str) -> tuple[Run, ...]:
    """Parse ``**bold**``, ``*italic*`` and ``\\`` escapes into runs."""
    if "*" not in text and "\\" not in text:
        return (Run(text),) if text else ()
    runs: list[Run] = []
    buf: list[str] = []
    bold = italic = False
    i = 0

    def flush() -> None:
        if buf:
            runs.append(Run("".join(buf), bold, italic))
            buf.clear()

    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            buf.append(text[i + 1])
            i += 2
            continue
        if text.startswith("**", i):
            flush()
            bold = not bold
            i += 2
            continue
        if ch == "*":
            flush()
            italic = not italic
            i += 1
            continue
        buf.append(ch)
        i += 1
    flush()
    return tuple(runs)


def _cells(line: str) -> list[str]:
    """Split a table row on unescaped ``|``."""
    body = line[2:] if line.startswith("|=") else line[1:]
    return [c.strip() for c in re.split(r"(?<!\\)\|", body)]


@dataclass
class _Parser:
    blocks: list[Block] = field(default_factory=list)
    para: list[str] = field(default_factory=list)
    bullets: list[tuple[Run, ...]] = field(default_factory=list)
    header: list[tuple[Run, ...]] = field(default_factory=list)
    rows: list[tuple[tuple[Run, ...], ...]] = field(default_factory=list)
    style: str = "normal"
    table_style: str = "grid"
    widths: tuple[int, ...] = ()

    def flush_para(self) -> None:
        if self.para:
            text = ("\n" if self.style in _LINE_STYLES else " ").join(self.para)
            self.blocks.append(Paragraph(inline(text), self.style))
            self.para.clear()
            self.style = "normal"

    def flush(self) -> None:
        self.flush_para()
        if self.bullets:
            self.blocks.append(Bullets(tuple(self.bullets)))
            self.bullets.clear()
        if self.rows or self.header:
            self.blocks.append(
                Table(tuple(self.header), tuple(self.rows), self.table_style, self.widths)
            )
            self.header, self.rows = [], []
            self.table_style, self.widths = "grid", ()

    def line(self, raw: str) -> None:
        """Read one line. A blank line ends a paragraph; lists and tables run on past blank
        lines (templates leave them around conditional rows) until another kind of line."""
        s = raw.strip()
        if not s:
            self.flush_para()
            return
        if s.startswith("|"):
            if self.para or self.bullets:
                self.flush()
            cells = tuple(inline(c) for c in _cells(s))
            if s.startswith("|="):
                self.header = list(cells)
            else:
                self.rows.append(cells)
            return
        if s.startswith("- "):
            if self.para or self.rows or self.header:
                self.flush()
            self.bullets.append(inline(s[2:]))
            return
        if self.bullets and raw.startswith("  ") and not self.para:
            self.bullets[-1] = (*self.bullets[-1], Run(" "), *inline(s))
            return
        if self.bullets or self.rows or self.header:
            self.flush()
        if m := re.match(r"^(#{1,3}) (.*)$", s):
            self.flush()
            self.blocks.append(Heading(len(m.group(1)), inline(m.group(2))))
        elif s.startswith("> "):
            self.flush()
            self.blocks.append(Paragraph(inline(s[2:]), "quote"))
        elif s == "%page":
            self.flush()
            self.blocks.append(PageBreak())
        elif s == "%toc":
            self.flush()
            self.blocks.append(Contents())
        elif s.startswith("%style "):
            self.flush()
            self.style = s.split()[1]
        elif s.startswith("%table"):
            self.flush()
            parts = s.split()
            self.table_style = parts[1] if len(parts) > 1 else "grid"
            self.widths = tuple(int(w) for w in parts[2:])
        else:
            self.para.append(s)


def parse(markup: str) -> list[Block]:
    """Blocks from markup; a table of contents is filled with the level-1 headings after it."""
    p = _Parser()
    for raw in markup.splitlines():
        p.line(raw)
    p.flush()
    out = p.blocks
    for i, b in enumerate(out):
        if isinstance(b, Contents):
            heads = tuple(h.text for h in out[i + 1 :] if isinstance(h, Heading) and h.level == 1)
            out[i] = Contents(heads)
    return out
