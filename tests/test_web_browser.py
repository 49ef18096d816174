"""End to end in a real headless Chromium (Debian's ``chromium``, driven by Playwright; never a
downloaded browser): sign in, the work list with a follow-up due, a case with a gap, the missing
value entered, the verdict turning met, the packet PDF generated and downloaded, the submission
recorded and its follow-up date shown.

Each page is saved as a screenshot (to ``$PA_DOCS_SCREENSHOTS`` when set, else a temporary
folder), to be looked at. One server and one browser for the module.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pa_docs.log import add_business_days
from tests.web_support import PASSWORD, Server, serve

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not Path(CHROMIUM).exists():
    pytest.skip(
        "no chromium at /usr/bin/chromium: apt-get install chromium (CI installs it through "
        "PA_DOCS_EXTRA_APT in .ci/run)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is in the dev extra: pip install -e '.[dev]'"
)


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = os.environ.get("PA_DOCS_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        return Path(target)
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def wb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path, str]]:
    with serve(tmp_path_factory.mktemp("wb")) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def page(browser: Any, wb: tuple[Server, Path, str]) -> Iterator[Any]:
    context = browser.new_context(
        base_url=wb[0].url, viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


def shoot(page: Any, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5_000
    return path


def test_sign_in_and_the_work_list(page: Any, shots: Path) -> None:
    page.goto("/")
    assert "/login" in page.url
    shoot(page, shots, "01-login")
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_selector("table.worklist")
    shoot(page, shots, "02-worklist")
    follow = page.locator("tr[data-case='GI-2026-0502']")
    assert follow.get_attribute("data-urgency") == "follow_up"
    assert "follow-up due" in follow.inner_text()
    # highlighted: the row is painted, unlike a case with nothing due
    due_bg = follow.locator("td").first.evaluate("e => getComputedStyle(e).backgroundColor")
    calm = page.locator("tr[data-case='RA-2026-0147'] td").first
    assert due_bg not in {
        "rgba(0, 0, 0, 0)",
        calm.evaluate("e => getComputedStyle(e).backgroundColor"),
    }
    escalate = page.locator("tr[data-case='DME-2026-0031']")
    assert escalate.get_attribute("data-urgency") == "escalation"
    # the most urgent first
    order = page.locator("tbody tr").evaluate_all("rs => rs.map(r => r.dataset.case)")
    assert order.index("DME-2026-0031") < order.index("GI-2026-0502") < order.index("RA-GAP-1")


def test_fill_a_gap_and_watch_the_verdict_turn_met(page: Any, shots: Path) -> None:
    page.goto("/")
    page.click("a:has-text('RA-GAP-1')")
    page.wait_for_selector("#check")
    shoot(page, shots, "03-case-with-gap")
    row = page.locator("tr[data-criterion='tb-screening']")
    assert row.get_attribute("data-status") == "missing"
    assert page.locator("#case-status").inner_text() == "gaps"
    form = page.locator("form[data-form^='lab-tb']")
    form.locator("select[name='item:test']").select_option("tb_igra")
    form.locator("select[name='item:result']").select_option("negative")
    form.locator("input[name='item:date']").fill("2026-07-21")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("p.ok")
    assert "Added" in page.locator("p.ok").inner_text()
    row = page.locator("tr[data-criterion='tb-screening']")
    assert row.get_attribute("data-status") == "met"
    assert "2026-07-21" in row.inner_text()
    assert page.locator("#case-status").inner_text() == "ready"
    shoot(page, shots, "04-case-met")


def test_generate_and_download_the_packet_pdf(page: Any, shots: Path) -> None:
    from pypdf import PdfReader

    page.goto("/cases/RA-GAP-1#documents")
    page.select_option("select[name=kind]", "packet")
    page.click("#documents button:has-text('Preview')")
    page.wait_for_selector("iframe.preview")
    frame = page.frame_locator("iframe.preview")
    assert "Maria Alvarez" in frame.locator("body").inner_text()
    shoot(page, shots, "05-packet-preview")
    with page.expect_download() as info:
        page.click("#download-pdf")
    download = info.value
    assert download.suggested_filename == "RA-GAP-1-packet.pdf"
    data = Path(download.path()).read_bytes()
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert len(reader.pages) >= 3
    assert "Maria Alvarez" in text and "DRAFT" not in text
    assert "2026-07-21" in text  # the TB result entered in the browser is in the packet


def test_record_the_submission_and_see_the_follow_up(page: Any, shots: Path) -> None:
    page.goto("/cases/RA-GAP-1#log")
    form = page.locator("#form-submit")
    form.locator("select[name=method]").select_option("portal")
    form.locator("input[name=confirmation]").fill("AET-55120")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#follow-up")
    today = dt.date.today()
    assert page.locator("#follow-up").inner_text() == add_business_days(today, 3).isoformat()
    assert "submitted" in page.locator("#log-status").inner_text()
    assert "AET-55120" in page.locator("#log").inner_text()
    shoot(page, shots, "06-submitted")
    page.goto("/?stage=submitted")
    row = page.locator("tr[data-case='RA-GAP-1']")
    assert "submitted" in row.inner_text()
    shoot(page, shots, "07-worklist-submitted")


def test_kpi_page_shows_the_charts(page: Any, shots: Path) -> None:
    page.goto("/kpi")
    assert page.locator("svg[aria-label='First-pass approval rate by month']").count() == 1
    assert "All cases" in page.locator("table.kpi").first.inner_text()
    shoot(page, shots, "08-kpi")


def test_new_case_page(page: Any, shots: Path) -> None:
    page.goto("/new")
    assert page.locator("form[action='/new/fhir']").count() == 1
    shoot(page, shots, "09-new-case")
