"""The practice profile: letterhead, signer and the reference DOCX, and the demo profile we ship."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from pa_docs.documents import Profile, default_profile, load_profile
from pa_docs.errors import CaseError
from tests.fixtures.documents.assets import (
    DEMO_FONT,
    DEMO_HEADER,
    logo_png,
    reference_docx,
    solid_png,
)
from tests.fixtures.documents.support import ROOT, docx_text, example, image_count, pdf_text, render

DEMO = ROOT / "examples" / "practice-profile.yaml"


@pytest.fixture(scope="module")
def demo() -> Profile:
    return load_profile(DEMO)


def test_demo_assets_are_the_generated_ones(demo: Profile) -> None:
    import docx

    assert demo.asset(demo.logo) == ROOT / "examples" / "assets" / "logo.png"
    assert (ROOT / "examples" / "assets" / "logo.png").read_bytes() == logo_png()
    ref = docx.Document(str(ROOT / "examples" / "assets" / "reference.docx"))
    assert ref.sections[0].header.paragraphs[0].text == DEMO_HEADER
    assert ref.styles["Normal"].font.name == DEMO_FONT


def test_demo_profile_pdf_has_logo_practice_and_signer(demo: Profile) -> None:
    data = render("packet", example("ra-infliximab-aetna"), "pdf", profile=demo)
    assert image_count(data) == 1
    text = pdf_text(data)
    assert "Lakeview Family Medicine" in text  # the letterhead
    # the prescriber signs (payers match the signer to the requesting NPI): the profile's signer
    # has another NPI, so the profile gives only the letterhead
    assert "Jordan Lee" not in text and "1234567893" not in text
    assert "Priya Raman, MD NPI 1548362791" in " ".join(text.split())
    assert "Priya Raman, MD, NPI 1548362791" in text  # the prescriber on the cover sheet


def test_demo_profile_docx_uses_the_reference(demo: Profile) -> None:
    import docx

    data = render("packet", example("ra-infliximab-aetna"), "docx", profile=demo)
    d = docx.Document(io.BytesIO(data))
    assert d.styles["Normal"].font.name == DEMO_FONT
    assert DEMO_HEADER in [p.text for p in d.sections[0].header.paragraphs]
    header_images = [r for r in d.sections[0].header.part.rels.values() if "image" in r.reltype]
    assert len(header_images) == 1  # the logo
    assert "Priya Raman, MD" in docx_text(data) and "Jordan Lee" not in docx_text(data)


def test_without_a_profile_the_prescriber_signs(tmp_path: Path) -> None:
    assert default_profile().signer is None
    text = pdf_text(render("letter", example("osa-cpap-medicare"), "pdf"))
    assert "Samuel Ortiz, DO" in text and "NPI 1467583922" in text
    assert "Northside Sleep Center" in text


def test_a_reference_docx_without_list_or_heading_styles_still_works(tmp_path: Path) -> None:
    """Word saves only the styles a document uses: the renderer must not need the others."""
    import docx

    ref = reference_docx(tmp_path / "ref.docx")
    d = docx.Document(str(ref))
    for name in (
        "List Bullet",
        "List Number",
        "Heading 1",
        "Heading 2",
        "Heading 3",
        "Quote",
        "Table Grid",
        "Title",
    ):
        if name in [s.name for s in d.styles]:
            d.styles[name].delete()
    d.save(str(ref))
    (tmp_path / "p.yaml").write_text("reference_docx: ref.docx\n")
    data = render(
        "packet", example("ra-infliximab-aetna"), "docx", profile=load_profile(tmp_path / "p.yaml")
    )
    text = docx_text(data)
    assert "Letter of medical necessity" in text and "methotrexate" in text


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("logo: missing.png\n", "logo: file not found"),
        ("logo: ../outside.png\n", "logo: must be a file inside the profile's folder"),
        ("reference_docx: nope.docx\n", "reference_docx: file not found"),
        ("signer:\n  name: A\n  npi: '1234567890'\n", "not a valid NPI"),
        ("practise: Typo Clinic\n", "practise"),
        ("practice: !!python/object/apply:os.system ['echo hi']\n", "python"),
    ],
)
def test_profile_problems_are_input_errors(tmp_path: Path, body: str, message: str) -> None:
    folder = tmp_path / "practice"
    folder.mkdir()
    solid_png(tmp_path / "outside.png")
    (folder / "profile.yaml").write_text(body)
    with pytest.raises(CaseError, match=r"profile\.yaml") as err:
        load_profile(folder / "profile.yaml")
    assert message in str(err.value)
