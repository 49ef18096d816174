"""Lay a document's blocks out with python-docx (the same blocks as the HTML, not converted HTML).

With a practice profile's reference DOCX, its styles, page setup, header and footer are kept
and the body is replaced. Output is byte-for-byte reproducible: fixed core properties and zip
entry times, both taken from the document's date.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

from ..documents import Bullets, Contents, Document, Heading, PageBreak, Paragraph, Run, Table
from ._fit import fit_widths

NAVY = (0x1F, 0x3B, 0x5B)
DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _nobreak_dates(run: Any) -> None:
    """Write the run's ISO dates with Word's non-breaking hyphen (w:noBreakHyphen): Word and
    LibreOffice otherwise break a narrow table cell at "2022-/06-01"."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    text = run.text
    if not DATE.search(text):
        return
    r = run._r
    for t in r.findall(qn("w:t")):
        r.remove(t)
    pos = 0
    pieces: list[tuple[str, str]] = []
    for m in DATE.finditer(text):
        pieces.append(("t", text[pos : m.start()]))
        pieces += [("t", m.group(1)), ("h", ""), ("t", m.group(2)), ("h", ""), ("t", m.group(3))]
        pos = m.end()
    pieces.append(("t", text[pos:]))
    for kind, s in pieces:
        if kind == "h":
            r.append(OxmlElement("w:noBreakHyphen"))
        elif s:
            el = OxmlElement("w:t")
            el.set(qn("xml:space"), "preserve")
            el.text = s
            r.append(el)


def _runs(par: Any, runs: tuple[Run, ...], *, dates: bool = False) -> None:
    from docx.enum.text import WD_BREAK

    for r in runs:
        for i, line in enumerate(r.text.split("\n")):
            if i:
                par.add_run().add_break(WD_BREAK.LINE)
            run = par.add_run(line)
            run.bold = r.bold or None
            run.italic = r.italic or None
            if r.highlight:  # a placeholder still to fill, in a draft
                from docx.enum.text import WD_COLOR_INDEX

                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
            if dates:
                _nobreak_dates(run)


def _field(par: Any, instr: str, size: Any = None) -> None:
    """A Word field (PAGE, NUMPAGES) inside a paragraph, its result in ``size``."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = par.add_run()
    run.font.size = size
    parts = (("begin", None), (None, instr), ("separate", None), (None, "1"), ("end", None))
    for kind, text in parts:
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == instr:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instr} "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)


def _footer_style(d: Any, fax: bool = False) -> Any:
    """A 7.5 pt paragraph style of our own for the footer: LibreOffice sets the page numbers it
    recomputes in the paragraph style's size, and the reference DOCX's styles stay untouched."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt

    if _has_style(d, "pa-docs footer"):
        return d.styles["pa-docs footer"]
    style = d.styles.add_style("pa-docs footer", WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = d.styles["Footer"] if _has_style(d, "Footer") else None
    style.font.size = Pt(9 if fax else 7.5)
    return style


def _table(d: Any, b: Table, width_in: float, fax: bool = False) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Inches, Pt, RGBColor

    cols = max(1, len(b.header), *(len(r) for r in b.rows))
    rows = ([b.header] if b.header else []) + list(b.rows)
    t = d.add_table(rows=len(rows), cols=cols)
    t.style = "Table Grid" if _has_style(d, "Table Grid") else None
    t.autofit = False
    widths = [float(w) for w in fit_widths(b, width_in * 72)]
    widths += [100.0 / cols] * (cols - len(widths))
    for ci, column in enumerate(t.columns):  # the grid LibreOffice lays out by; Word reads cells
        column.width = Inches(width_in * widths[ci] / 100)
    for ri, row in enumerate(rows):
        cells = t.rows[ri].cells
        for ci in range(cols):
            cell = cells[ci]
            cell.width = Inches(width_in * widths[ci] / 100)
            par = cell.paragraphs[0]
            _runs(par, row[ci] if ci < len(row) else (), dates=True)
            for run in par.runs:
                run.font.size = Pt(9.5 if fax else 9)
                if ri == 0 and b.header:
                    run.bold = True
                    if not fax:
                        run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
            if ri == 0 and b.header and not fax:
                shd = OxmlElement("w:shd")
                shd.set(qn("w:val"), "clear")
                shd.set(qn("w:fill"), "1F3B5B")
                cell._tc.get_or_add_tcPr().append(shd)
        tr_pr = t.rows[ri]._tr.get_or_add_trPr()
        no_split = OxmlElement("w:cantSplit")
        tr_pr.append(no_split)
        if ri == 0 and b.header:
            head = OxmlElement("w:tblHeader")
            tr_pr.append(head)
    d.add_paragraph()


def _has_style(d: Any, name: str) -> bool:
    """Whether the document defines ``name``: a reference DOCX saved by Word holds only the
    styles it uses, and python-docx raises on a missing one."""
    return any(s.name == name for s in d.styles)


def _heading(d: Any, b: Heading, fax: bool = False) -> None:
    from docx.shared import Pt, RGBColor

    if _has_style(d, f"Heading {b.level}"):
        h = d.add_heading(level=b.level)
        _runs(h, b.runs)
        if fax:
            for r in h.runs:
                r.font.color.rgb = RGBColor(0, 0, 0)
        return
    par = d.add_paragraph()
    par.paragraph_format.keep_with_next = True
    par.paragraph_format.space_before = Pt(12 if b.level == 1 else 8)
    _runs(par, b.runs)
    for r in par.runs:
        r.bold = True
        r.font.size = Pt({1: 15, 2: 11.5}.get(b.level, 10.5))
        r.font.color.rgb = RGBColor(0, 0, 0) if fax else RGBColor(*NAVY)


def _item(d: Any, style: str, marker: str, runs: tuple[Run, ...]) -> None:
    """A list item in ``style``, or a plain paragraph starting with ``marker`` without it."""
    if _has_style(d, style):
        _runs(d.add_paragraph(style=style), runs)
    else:
        _runs(d.add_paragraph(marker), runs)


def _paragraph(d: Any, b: Paragraph, fax: bool = False) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    if b.style == "closing" and d.paragraphs:  # the signature page keeps some of the letter
        d.paragraphs[-1].paragraph_format.keep_with_next = True

    style = {"quote": "Quote"}.get(b.style)
    par = d.add_paragraph(style=style if style and _has_style(d, style) else None)
    _runs(par, b.runs)
    if b.style == "right":
        par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif b.style == "letterhead":
        par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for r in par.runs:
            r.font.size = Pt(9.5)
            if not fax:
                r.font.color.rgb = RGBColor(*NAVY)
    elif b.style == "small":
        for r in par.runs:
            r.font.size = Pt(9 if fax else 8.5)
    elif b.style == "closing":
        par.paragraph_format.keep_with_next = True
    elif b.style == "signature":
        par.paragraph_format.keep_with_next = True
        par.paragraph_format.space_before = Pt(30)
        for r in par.runs:
            r.bold = True
    elif b.style == "gap" and not fax:
        for r in par.runs:
            r.font.color.rgb = RGBColor(0x7A, 0x1F, 0x16)


def _base(doc: Document) -> Any:
    import docx
    from docx.shared import Inches, Pt, RGBColor

    if doc.reference_docx:
        d = docx.Document(str(doc.reference_docx))
        body = d.element.body
        for el in list(body):
            if not el.tag.endswith("}sectPr"):
                body.remove(el)
        return d
    d = docx.Document()
    s = d.sections[0]
    s.page_width, s.page_height = Inches(8.5), Inches(11)
    s.left_margin = s.right_margin = Inches(0.9)
    s.top_margin, s.bottom_margin = Inches(0.9), Inches(0.95)
    normal = d.styles["Normal"]
    normal.font.name = "Liberation Serif"
    normal.font.size = Pt(10.5)
    for name, size in (("Heading 1", 15), ("Heading 2", 11.5), ("Heading 3", 10.5)):
        st = d.styles[name]
        st.font.name = "Liberation Sans"
        st.font.size = Pt(size)
        st.font.color.rgb = RGBColor(*NAVY)
    return d


def _header_footer(d: Any, doc: Document) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Inches, Pt, RGBColor

    section = d.sections[0]
    footer = section.footer
    par = footer.add_paragraph() if footer.paragraphs[0].text else footer.paragraphs[0]
    par.style = _footer_style(d, doc.fax)
    size = Pt(9 if doc.fax else 7.5)
    run = par.add_run(doc.footer + "   Page ")
    run.font.size = size
    _field(par, "PAGE", size)
    par.add_run(" of ").font.size = size
    _field(par, "NUMPAGES", size)
    header = section.header
    if doc.logo and doc.logo.lower().endswith((".png", ".jpg", ".jpeg")):
        from urllib.parse import unquote, urlsplit

        hp = header.add_paragraph()
        hp.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        hp.add_run().add_picture(unquote(urlsplit(doc.logo).path), height=Inches(0.5))
    if doc.draft:
        hp = header.add_paragraph()
        hp.alignment = WD_ALIGN_PARAGRAPH.CENTER
        r = hp.add_run("DRAFT — NOT FOR SUBMISSION")
        r.bold = True
        r.font.size = Pt(28)
        r.font.color.rgb = RGBColor(0, 0, 0) if doc.fax else RGBColor(0xC8, 0x8A, 0x84)


def _fixed_zip(data: bytes, day: dt.date) -> bytes:
    """Rewrite the package with every entry dated ``day``, so equal inputs give equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            when = (day.year, day.month, day.day, 0, 0, 0)
            fixed = zipfile.ZipInfo(info.filename, date_time=when)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def _prop(text: str) -> str:
    """A core property: DOCX allows 255 characters (cut at a word, with an ellipsis)."""
    if len(text) <= 255:
        return text
    cut = text[:254].rsplit(" ", 1)[0] if " " in text[200:254] else text[:254]
    return cut + "…"


def to_docx(doc: Document) -> bytes:
    """The document as DOCX bytes."""
    d = _base(doc)
    s = d.sections[0]
    width_in = (s.page_width - s.left_margin - s.right_margin) / 914400
    for b in doc.blocks:
        if isinstance(b, Heading):
            _heading(d, b, doc.fax)
        elif isinstance(b, Paragraph):
            _paragraph(d, b, doc.fax)
        elif isinstance(b, Bullets):
            for item in b.items:
                _item(d, "List Bullet", "• ", item)
        elif isinstance(b, Table):
            _table(d, b, width_in, doc.fax)
        elif isinstance(b, PageBreak):
            d.add_page_break()
        elif isinstance(b, Contents):
            for n, e in enumerate(b.entries, 1):
                _item(d, "List Number", f"{n}. ", (Run(e),))
    _header_footer(d, doc)
    when = dt.datetime(doc.date.year, doc.date.month, doc.date.day)
    cp = d.core_properties
    cp.title, cp.author, cp.subject = (_prop(doc.title), _prop(doc.author), _prop(doc.subject))
    cp.created = cp.modified = cp.last_printed = when
    cp.last_modified_by, cp.revision, cp.comments = "pa-docs", 1, f"inputs sha256:{doc.digest}"
    buf = io.BytesIO()
    d.save(buf)
    return _fixed_zip(buf.getvalue(), doc.date)
