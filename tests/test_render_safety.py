"""Safety: case text is never markup or HTML, and WeasyPrint reads only the files it is allowed to.

WeasyPrint's default fetcher reads ``file://`` and ``http://`` URLs, and ``<link rel="attachment">``
embeds a local file into the PDF. Patient text is escaped before it reaches HTML; a user's own
templates are sandboxed, and whatever URLs they hold go through pa-docs' restricted fetcher.
"""

from __future__ import annotations

import http.server
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from markupsafe import escape as html_escape

from pa_docs import render_document as render_doc
from pa_docs.errors import InputError
from tests.fixtures.documents.assets import solid_png
from tests.fixtures.documents.support import (
    ROOT,
    build,
    case_data,
    docx_text,
    embedded_files,
    flat,
    image_count,
    pdf_text,
    render,
    run_cli,
    write_case,
)

IMG = '<img src="file:///etc/passwd">'
LINK = '<link rel="attachment" href="file:///etc/hostname">'
HOSTILE = [
    IMG,
    LINK,
    "{{ 7*7 }}",
    "{% raw %}raw{% endraw %}",
    "# heading",
    "| pipe",
    "**bold**",
    "- item",
    "%page",
]


@pytest.fixture(scope="module")
def hostile_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = case_data("ra-infliximab-aetna")
    data["patient"]["name"] = "Maria {{ 7*7 }} <b>Alvarez</b>"
    data["notes"] = "\n".join(HOSTILE) + "\n"
    data["treatments"][0]["note"] = " ".join(HOSTILE)
    data["encounters"][0]["note"] = "  # indented heading"
    return write_case(tmp_path_factory.mktemp("hostile"), data)


def test_hostile_text_is_escaped_in_html(hostile_case: Path) -> None:
    html = render("packet", hostile_case, "html").decode()
    for s in HOSTILE:
        assert str(html_escape(s)) in html, s
    assert IMG not in html and "<link" not in html and "<b>" not in html
    assert "Maria {{ 7*7 }} &lt;b&gt;Alvarez&lt;/b&gt;" in html


def test_hostile_text_is_literal_in_the_pdf_and_nothing_is_fetched(
    hostile_case: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="pa_docs.render"):
        data = render("packet", hostile_case, "pdf")
    text = pdf_text(data)
    for s in HOSTILE:
        assert s in text, s
    assert "Maria {{ 7*7 }} <b>Alvarez</b>" in text
    assert "# indented heading" in text
    assert embedded_files(data) == []
    assert image_count(data) == 0
    assert not caplog.records  # nothing was even asked for: the text never became a URL


def test_hostile_text_is_literal_in_the_docx(hostile_case: Path) -> None:
    text = docx_text(render("packet", hostile_case, "docx"))
    for s in HOSTILE:
        assert s in text, s
    assert "Maria {{ 7*7 }} <b>Alvarez</b>" in text


def test_hostile_text_makes_no_extra_structure(hostile_case: Path) -> None:
    """Markup characters in a note add no heading, list item or page."""
    from pa_docs.documents import Heading, PageBreak

    plain = build(
        "packet", write_case(hostile_case.parent / "plain", case_data("ra-infliximab-aetna"))
    )
    hostile = build("packet", hostile_case)
    kinds = [type(b) for b in plain.blocks if isinstance(b, Heading | PageBreak)]
    assert [type(b) for b in hostile.blocks if isinstance(b, Heading | PageBreak)] == kinds


# A user's own templates ----------------------------------------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    paths: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.paths.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def http_server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records every request it gets."""
    requests: list[str] = []
    handler = type("Handler", (_Recorder,), {"paths": requests})
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()


def hostile_layout(folder: Path, extra: str, css: str = "") -> Path:
    """A user template folder whose HTML layout (and stylesheet) reach for other files."""
    folder.mkdir(parents=True, exist_ok=True)
    shipped = (ROOT / "templates" / "document.html.j2").read_text(encoding="utf-8")
    body = shipped.index(">", shipped.index("<body ")) + 1
    (folder / "document.html.j2").write_text(
        shipped[:body] + extra + shipped[body:], encoding="utf-8"
    )
    if css:
        style = (ROOT / "templates" / "style.css").read_text(encoding="utf-8")
        (folder / "style.css").write_text(style + css, encoding="utf-8")
    return folder


def test_user_template_urls_outside_the_allowed_folders_are_refused(
    tmp_path: Path, http_server: tuple[str, list[str]], caplog: pytest.LogCaptureFixture
) -> None:
    base, requests = http_server
    (tmp_path / "outside").mkdir()
    secret = solid_png(tmp_path / "outside" / "secret.png")
    (tmp_path / "outside" / "secret.txt").write_text("secret")
    templates = hostile_layout(
        tmp_path / "templates",
        f'<img src="http://127.0.0.1:9/x.png"><img src="{base}/img.png">'
        f'<img src="file:///etc/passwd"><img src="{secret.as_uri()}">'
        f'<link rel="attachment" href="file:///etc/hostname">'
        f'<link rel="attachment" href="{(tmp_path / "outside" / "secret.txt").as_uri()}">'
        f'<a rel="attachment" href="{base}/a.txt">a</a>',
        css=f"body {{ background: url({base}/bg.png) }} "
        f"h1 {{ background: url({secret.as_uri()}) }}",
    )
    case = write_case(tmp_path / "case", case_data("osa-cpap-medicare"))
    with caplog.at_level(logging.WARNING, logger="pa_docs.render"):
        data = render("letter", case, "pdf", templates=templates)
    assert requests == []
    assert embedded_files(data) == []
    assert image_count(data) == 0
    refused = " ".join(r.getMessage() for r in caplog.records if r.name == "pa_docs.render")
    for url in (
        "http://127.0.0.1:9/x.png",
        f"{base}/img.png",
        f"{base}/bg.png",
        "/etc/passwd",
        "/etc/hostname",
        str(secret),
        "secret.txt",
    ):
        assert url in refused, url


def test_the_same_layout_without_the_fetcher_would_leak(tmp_path: Path) -> None:
    """The control: WeasyPrint's own fetcher embeds the file, so the test above can see a leak."""
    from weasyprint import HTML

    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    image = solid_png(tmp_path / "img.png")
    html = f'<link rel="attachment" href="{secret.as_uri()}"><img src="{image.as_uri()}"><p>x</p>'
    data = HTML(string=html).write_pdf()
    assert embedded_files(data) != [] and image_count(data) == 1


def test_images_inside_the_template_and_profile_folders_are_embedded(tmp_path: Path) -> None:
    from pa_docs.documents import load_profile

    profile_dir = tmp_path / "practice"
    profile_dir.mkdir()
    solid_png(profile_dir / "logo.png", (30, 60, 90))
    (profile_dir / "profile.yaml").write_text("practice: Test Practice\nlogo: logo.png\n")
    templates = tmp_path / "templates"
    templates.mkdir()
    solid_png(templates / "seal.png", (90, 60, 30))
    hostile_layout(templates, '<img src="seal.png" style="width: 1in">')
    case = write_case(tmp_path / "case", case_data("osa-cpap-medicare"))
    profile = load_profile(profile_dir / "profile.yaml")
    data = render("letter", case, "pdf", templates=templates, profile=profile)
    assert image_count(data) == 2  # the profile's logo and the template's own seal


def test_a_user_template_cannot_reach_python(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "letter.j2").write_text("Hello\n{{ ''.__class__.__mro__ }}\n")
    case = write_case(tmp_path / "case", case_data("osa-cpap-medicare"))
    with pytest.raises(InputError, match=r"letter\.j2:2: template error: .*unsafe"):
        build("letter", case, templates=templates)
    out = tmp_path / "letter.pdf"
    proc = run_cli("letter", case, "--templates", templates, "-o", out)
    assert proc.returncode == 2
    assert "template error" in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{{ range(10**9) | list }}", "OverflowError"),
        ("{{ 1 // 0 }}", "ZeroDivisionError"),
        ("{% for x in %}", "Expected an expression"),
        ("{{ patient.nickname }}", "no attribute 'nickname'"),
    ],
)
def test_a_broken_user_template_is_an_input_error(tmp_path: Path, body: str, message: str) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "crosswalk.j2").write_text(f"# Crosswalk\n\n{body}\n")
    case = write_case(tmp_path / "case", case_data("osa-cpap-medicare"))
    with pytest.raises(InputError, match=rf"crosswalk\.j2:3: template error: .*{message}"):
        build("packet", case, templates=templates)


def test_user_templates_override_the_shipped_ones_file_by_file(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "crosswalk.j2").write_text("# Our crosswalk\n\nFor {{ patient.name }}.\n")
    case = write_case(tmp_path / "case", case_data("osa-cpap-medicare"))
    text = flat(docx_text(render_doc(build("packet", case, "docx", templates=templates), "docx")))
    assert "Our crosswalk" in text and "For Robert Lindqvist." in text
    # the shipped ones (a Medicare DME letter is framed for the DME MAC)
    assert "Documentation supporting the supplier's claim" in text and "Evidence summary" in text
    assert "Criteria crosswalk" not in text
