"""The workbench's other paths, over HTTP against a real server: appeal letters and P2P sheets,
denials recorded by form and by upload, the log's decision / appeal / outcome, owners, new cases
from a blank form and from a FHIR export, and the KPI page."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader

from pa_docs.case import load_case
from pa_docs.log import CaseLog
from tests.web_support import VERSION, Server, csrf_of, login, serve

FHIR = Path(__file__).resolve().parent / "fhir_fixtures" / "ra_bundle.json"


@pytest.fixture(scope="module")
def wb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path, str]]:
    with serve(tmp_path_factory.mktemp("wb")) as running:
        yield running


@pytest.fixture(scope="module")
def ana(wb: tuple[Server, Path, str]) -> Iterator[httpx.Client]:
    client = login(wb[0].url, "ana")
    yield client
    client.close()


@pytest.fixture(scope="module")
def bo(wb: tuple[Server, Path, str]) -> Iterator[httpx.Client]:
    client = login(wb[0].url, "bo")
    yield client
    client.close()


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def post(client: httpx.Client, path: str, page_path: str, **data: str) -> httpx.Response:
    page = client.get(page_path).text
    return client.post(path, data={"csrf_token": csrf_of(page), **data})


def test_appeal_letter_and_p2p_answer_the_recorded_denial(ana: httpx.Client) -> None:
    q = "denial=crohns-vedolizumab-uhc.denial.yaml&as_of=2026-08-10"
    page = ana.get("/cases/GI-2026-0502")
    assert "crohns-vedolizumab-uhc.denial.yaml" in page.text
    preview = ana.get(f"/cases/GI-2026-0502/document?kind=appeal&{q}")
    assert preview.status_code == 200 and "document.pdf?" in preview.text
    letter = ana.get(f"/cases/GI-2026-0502/document.pdf?kind=appeal&{q}")
    assert letter.status_code == 200
    assert letter.headers["content-disposition"] == (
        'attachment; filename="GI-2026-0502-appeal-level1.pdf"'
    )
    text = pdf_text(letter.content)
    assert "UHC-PA-90417726" in text and "Miguel Santos" in text
    docx = ana.get(f"/cases/GI-2026-0502/document.docx?kind=appeal&{q}")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    p2p = ana.get(f"/cases/GI-2026-0502/document.pdf?kind=p2p&{q}")
    assert p2p.status_code == 200 and "Peer-to-peer" in pdf_text(p2p.content)
    # without a denial chosen, an appeal cannot be made: said plainly, nothing rendered
    bare = ana.get("/cases/GI-2026-0502/document?kind=appeal")
    assert bare.status_code == 400 and "choose the denial" in bare.text


def test_a_packet_for_a_case_with_gaps_is_refused_unless_draft(ana: httpx.Client) -> None:
    refused = ana.get("/cases/RA-GAP-1/document?kind=packet")
    assert refused.status_code == 409
    assert "tb-screening" in refused.text and "draft=1" in refused.text
    draft = ana.get("/cases/RA-GAP-1/document.pdf?kind=packet&draft=1")
    assert draft.status_code == 200 and "DRAFT" in pdf_text(draft.content)
    download = ana.get("/cases/RA-GAP-1/document.pdf?kind=packet")
    assert download.status_code == 409  # said in the workbench's words, not the CLI's or Python's
    assert "or pass the draft option for a marked draft" in download.text
    assert "--draft" not in download.text and "draft=True" not in download.text


def test_owner_before_and_after_submission(
    wb: tuple[Server, Path, str], ana: httpx.Client, bo: httpx.Client
) -> None:
    _, _, db = wb
    case = "/cases/DERM-2026-0388"
    assert post(ana, f"{case}/owner", case, owner="cy").status_code == 403
    assert post(bo, f"{case}/owner", case, owner="cy").status_code == 303
    assert post(bo, f"{case}/owner", case, owner="nobody-here").status_code == 400
    row = re.search(r'data-case="DERM-2026-0388".*?</tr>', bo.get("/").text, re.S)
    assert row and "<td>cy</td>" in row.group(0)
    r = post(ana, f"{case}/log/submit", case, method="fax", date="2026-11-02", confirmation="F-1")
    assert r.status_code == 303
    with CaseLog.open(db) as log:
        assert log.get("DERM-2026-0388").owner == "cy"
    assert post(bo, f"{case}/owner", case, owner="ana").status_code == 303
    with CaseLog.open(db) as log:
        assert log.get("DERM-2026-0388").owner == "ana"
        assert log.history("DERM-2026-0388")[-1].summary() == "owner set to ana"
    assert "cy" not in re.findall(r"<td>(\w+)</td>", bo.get("/?owner=cy").text)


def test_denial_by_form_then_decision_appeal_and_outcome(
    wb: tuple[Server, Path, str], ana: httpx.Client
) -> None:
    _, cases, db = wb
    case = "/cases/GI-2026-0127"
    assert post(ana, f"{case}/log/submit", case, method="portal", date="2026-11-03").is_redirect
    r = post(
        ana, f"{case}/denial", case,
        denial_date="2026-11-20", reference="BCND-77", appeal_level="1",
        reason1="Step therapy with a conventional agent is not documented.", code1="CO-50",
    )  # fmt: skip
    assert r.status_code == 303
    saved = cases / "crohns-infliximab-bcbsnd.denial.yaml"
    assert "BCND-77" in saved.read_text(encoding="utf-8")
    r = post(
        ana, f"{case}/log/decision", case,
        decision="denied", date="2026-11-20", denial="crohns-infliximab-bcbsnd.denial.yaml",
    )  # fmt: skip
    assert r.status_code == 303
    page = ana.get(case).text
    assert "Appeal deadline" in page and "2027-05-19" in page  # commercial: 180 days
    row = re.search(r'data-case="GI-2026-0127".*?</tr>', ana.get("/").text, re.S)
    assert row and "<td>appeal</td>" in row.group(0)
    assert post(ana, f"{case}/log/appeal", case, level="1", date="2026-11-25").is_redirect
    r = post(
        ana, f"{case}/log/outcome", case, outcome="overturned", date="2026-12-01",
        auth_number="A-9", valid_from="2026-12-01", valid_through="2027-05-31",
    )  # fmt: skip
    assert r.status_code == 303
    with CaseLog.open(db) as log:
        state = log.get("GI-2026-0127")
        kinds = [e.kind for e in log.history("GI-2026-0127")]
    assert state.status == "approved" and state.auth_number == "A-9"
    assert kinds == ["submit", "decision", "appeal", "appeal_outcome"]
    bad = post(ana, f"{case}/log/appeal", case, level="9")
    assert bad.status_code == 400


def test_denial_upload_is_validated_and_kept_as_written(
    wb: tuple[Server, Path, str], ana: httpx.Client
) -> None:
    _, cases, _ = wb
    page = ana.get("/cases/XSS-1").text
    text = (cases / "crohns-vedolizumab-uhc.denial.yaml").read_text(encoding="utf-8")

    def upload(body: str) -> httpx.Response:
        return ana.post(
            "/cases/XSS-1/denial",
            data={"csrf_token": csrf_of(page)},
            files={"file": ("../../evil.yaml", body.encode(), "application/yaml")},
        )

    wrong = upload(text)
    assert wrong.status_code == 400 and "not 'XSS-1'" in html.unescape(wrong.text)
    hostile = upload("!!python/object/apply:os.system ['true']\n")
    assert hostile.status_code == 400 and "not allowed" in hostile.text
    good = upload(text.replace("case_id: GI-2026-0502", "case_id: XSS-1"))
    assert good.status_code == 303
    saved = cases / "xss.denial.yaml"
    assert saved.read_text(encoding="utf-8").startswith("# The plan's denial")  # comments kept
    assert not list(cases.parent.glob("evil*")) and not (cases / "evil.yaml").exists()


def test_new_case_from_the_blank_form_then_filled_in(
    wb: tuple[Server, Path, str], ana: httpx.Client
) -> None:
    _, cases, _ = wb
    fields = {
        "case_id": "NEW-1",
        "set:request_date": "2026-11-02",
        "set:patient.name": "Nora Quinn",
        "set:patient.birth_date": "1980-05-05",
        "set:coverage.payer": "aetna",
        "set:prescriber.name": "Priya Raman, MD",
        "set:request.item": "infliximab",
        "set:request.diagnosis": "M05.79",
    }
    bad = post(ana, "/new/blank", "/new", **{**fields, "set:prescriber.npi": "1234567890"})
    assert bad.status_code == 400 and "NPI" in bad.text
    assert not (cases / "NEW-1.yaml").exists()
    r = post(ana, "/new/blank", "/new", **fields)
    assert r.status_code == 303 and r.headers["location"].startswith("/cases/NEW-1")
    text = (cases / "NEW-1.yaml").read_text(encoding="utf-8")
    assert "member_id: FILL-IN" in text and "npi: FILL-IN" in text
    page = ana.get("/cases/NEW-1").text
    assert 'name="set:patient.member_id"' in page and 'name="set:prescriber.npi"' in page
    again = post(ana, "/new/blank", "/new", **fields)
    assert again.status_code == 400 and "exists already" in again.text
    version = VERSION.search(page)
    assert version
    r = post(
        ana, "/cases/NEW-1/set", "/cases/NEW-1", version=version.group(1),
        **{"set:patient.member_id": "W1234", "set:prescriber.npi": "1548362791"},
    )  # fmt: skip
    assert r.status_code == 303
    case = load_case(cases / "NEW-1.yaml")
    assert case.patient.member_id == "W1234" and case.prescriber.npi == "1548362791"
    page = ana.get("/cases/NEW-1").text
    assert 'data-criterion="tb-screening"' in page  # it loads and is checked now


def test_new_case_from_a_fhir_export(wb: tuple[Server, Path, str], ana: httpx.Client) -> None:
    _, cases, _ = wb
    page = ana.get("/new").text
    r = ana.post(
        "/new/fhir",
        data={"csrf_token": csrf_of(page), "request_date": "2026-11-02", "payer": "aetna",
              "case_id": "FHIR-RA-1"},
        files={"file": ("ra.json", FHIR.read_bytes(), "application/fhir+json")},
    )  # fmt: skip
    assert r.status_code == 303, r.text
    text = (cases / "FHIR-RA-1.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Case imported from a FHIR R4 record")
    assert "Maria" in text
    assert ana.get("/cases/FHIR-RA-1").status_code == 200
    junk = ana.post(
        "/new/fhir",
        data={"csrf_token": csrf_of(page), "case_id": "FHIR-RA-2"},
        files={"file": ("x.json", b"{not json", "application/json")},
    )
    assert junk.status_code == 400 and not (cases / "FHIR-RA-2.yaml").exists()


def test_kpi_page_with_a_period_and_cost(ana: httpx.Client) -> None:
    page = ana.get("/kpi?from=2026-01-01&to=2026-12-31&cost=12000")
    assert page.status_code == 200
    assert "First-pass approval rate by month" in page.text
    assert re.search(r"Cost per PA.*?[\d,]+\.\d\d", page.text, re.S)
    assert ana.get("/kpi?from=someday").status_code == 400


def test_placeholders_and_warnings_are_fixed_from_the_page(
    wb: tuple[Server, Path, str], ana: httpx.Client
) -> None:
    """An imported-style case: FILL-IN left in two fields and a misspelt drug. The page marks the
    placeholders, asks for them, offers the suggested drug name; each fix is one click."""
    _, cases, _ = wb
    text = (cases / "ra-infliximab-aetna.yaml").read_text(encoding="utf-8")
    text = text.replace("case_id: RA-2026-0147", "case_id: FILL-1")
    text = text.replace("member_id: W284716395", "member_id: FILL-IN")
    text = text.replace("drug: hydroxychloroquine", "drug: hydroxychloroquin")
    (cases / "fill.yaml").write_text(text, encoding="utf-8")
    page = ana.get("/cases/FILL-1").text
    assert '<mark class="to-fill">to fill</mark>' in page
    assert 'name="set:patient.member_id"' in page
    assert "still to fill" in page
    assert html.unescape(page).count("did you mean 'hydroxychloroquine'") == 1
    assert 'name="set:treatments[2].drug" value="hydroxychloroquine"' in page
    version = VERSION.search(page)
    assert version
    r = post(
        ana, "/cases/FILL-1/set", "/cases/FILL-1", version=version.group(1),
        **{"set:treatments[2].drug": "hydroxychloroquine"},
    )  # fmt: skip
    assert r.status_code == 303
    page = ana.get("/cases/FILL-1").text
    assert "did you mean" not in page
    r = post(
        ana, "/cases/FILL-1/set", "/cases/FILL-1", version=VERSION.search(page).group(1),  # type: ignore[union-attr]
        **{"set:patient.member_id": "W284716395"},
    )  # fmt: skip
    assert r.status_code == 303
    page = ana.get("/cases/FILL-1").text
    assert 'id="case-status">ready<' in page
    assert (cases / "fill.yaml").read_text(encoding="utf-8").replace(
        "case_id: FILL-1", "case_id: RA-2026-0147"
    ) == (cases / "ra-infliximab-aetna.yaml").read_text(encoding="utf-8")


def test_lab_forms_ask_what_the_policy_judges_a_result_by(ana: httpx.Client) -> None:
    """Medicare oxygen: the qualifying test must not be a supplier's, must be evaluated by the
    treating practitioner, and Group I/II results name their context."""
    page = html.unescape(ana.get("/cases/DME-2026-0044").text)
    assert 'name="item:performed_by"' in page
    assert "a test performed by: supplier does not count" in page
    assert 'name="item:evaluated_by_treating_practitioner"' in page
    assert 'name="item:context" value="exercise"' in page
    assert "Oxygen saturation (SpO2) during sleep" in page
