"""The DOCX laid out from the same blocks: tables, page furniture, properties."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from tests.fixtures.documents.support import example, render


def _docx(name: str = "ra-infliximab-aetna", kind: str = "packet") -> bytes:
    return render(kind, example(name), "docx")


def test_tables_have_the_template_column_widths_in_their_grid() -> None:
    """LibreOffice lays a table out by its grid, Word by its cells: both must carry the widths."""
    import docx

    d = docx.Document(io.BytesIO(_docx()))
    crosswalk = next(t for t in d.tables if t.rows[0].cells[0].text.startswith("Criterion"))
    grid = [c.width for c in crosswalk.columns]
    cells = [c.width for c in crosswalk.rows[1].cells]
    assert [round(100 * w / sum(grid)) for w in grid] == [42, 46, 12]
    assert cells == grid


def test_footer_names_patient_policy_and_page_x_of_y() -> None:
    import docx

    d = docx.Document(io.BytesIO(_docx()))
    par = d.sections[0].footer.paragraphs[0]
    assert par.text.startswith("Maria Alvarez · born 1971-03-14 · member W284716395")
    assert "policy aetna-infliximab-ra" in par.text and "sha256:" in par.text
    xml = par._p.xml
    assert "PAGE" in xml and "NUMPAGES" in xml
    assert par.style.name == "pa-docs footer" and par.style.font.size.pt == 7.5


def test_page_is_us_letter_and_properties_are_the_request_date() -> None:
    import docx

    data = _docx("osa-cpap-medicare", "letter")
    d = docx.Document(io.BytesIO(data))
    s = d.sections[0]
    assert (s.page_width.inches, s.page_height.inches) == (8.5, 11)
    cp = d.core_properties
    assert {cp.created.date(), cp.modified.date()} == {dt.date(2026, 11, 20)}
    assert "Robert Lindqvist" in cp.title
    times = {i.date_time for i in zipfile.ZipFile(io.BytesIO(data)).infolist()}
    assert times == {(2026, 11, 20, 0, 0, 0)}
