"""The workbench's access rules, against a real server: sign-in everywhere, CSRF on every form,
case ids that are not paths, patient text as text, roles, cookies, the audit log, the conflict
check, and where it listens."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from pa_docs.cli import main
from tests.web_support import PASSWORD, VERSION, Server, csrf_of, login, serve

CASE = "RA-GAP-1"


@pytest.fixture(scope="module")
def wb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path, str]]:
    with serve(tmp_path_factory.mktemp("wb")) as running:
        yield running


@pytest.fixture(scope="module")
def ana(wb: tuple[Server, Path, str]) -> Iterator[httpx.Client]:
    client = login(wb[0].url, "ana")
    yield client
    client.close()


def audit_rows(db: str, **where: str) -> list[sa.Row]:  # type: ignore[type-arg]
    from pa_docs.web._tables import audit

    engine = sa.create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            q = sa.select(audit).order_by(audit.c.id)
            for k, v in where.items():
                q = q.where(audit.c[k] == v)
            return list(conn.execute(q))
    finally:
        engine.dispose()


PAGES = [
    "/",
    "/?mine=1",
    "/new",
    "/kpi",
    "/audit",
    f"/cases/{CASE}",
    f"/cases/{CASE}/document?kind=packet",
    f"/cases/{CASE}/document.pdf?kind=packet",
]
FORMS = [
    "/logout",
    "/new/blank",
    "/new/fhir",
    f"/cases/{CASE}/set",
    f"/cases/{CASE}/add",
    f"/cases/{CASE}/owner",
    f"/cases/{CASE}/denial",
    f"/cases/{CASE}/log/submit",
    f"/cases/{CASE}/log/note",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_without_a_session_redirects_to_login(
    wb: tuple[Server, Path, str], path: str
) -> None:
    r = httpx.get(wb[0].url + path, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=")
    assert "Maria" not in r.text and "Alvarez" not in r.text


@pytest.mark.parametrize("path", FORMS)
def test_every_form_without_a_session_redirects_and_changes_nothing(
    wb: tuple[Server, Path, str], path: str
) -> None:
    server, cases, _ = wb
    before = (cases / "ra-gap.yaml").read_bytes()
    r = httpx.post(server.url + path, data={"text": "x", "csrf_token": "x"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert (cases / "ra-gap.yaml").read_bytes() == before


def test_a_forged_session_cookie_is_no_session(wb: tuple[Server, Path, str]) -> None:
    r = httpx.get(wb[0].url + "/", cookies={"pa_docs_session": "guess"}, follow_redirects=False)
    assert r.status_code == 303


@pytest.mark.parametrize("path", FORMS)
@pytest.mark.parametrize("token", [None, "", "not-the-token"])
def test_a_form_without_its_csrf_token_is_refused(
    wb: tuple[Server, Path, str], ana: httpx.Client, path: str, token: str | None
) -> None:
    _, cases, db = wb
    before = (cases / "ra-gap.yaml").read_bytes()
    events = len(audit_rows(db, action="record_note"))
    page = ana.get(f"/cases/{CASE}")
    version = VERSION.search(page.text)
    data = {"text": "a note", "set:patient.member_id": "HACKED1", "section": "labs"}
    data |= {"version": version.group(1) if version else "", "method": "portal"}
    if token is not None:
        data["csrf_token"] = token
    r = ana.post(path, data=data)
    assert r.status_code == 403
    assert "CSRF" in r.text
    assert (cases / "ra-gap.yaml").read_bytes() == before
    assert len(audit_rows(db, action="record_note")) == events
    assert ana.get("/").status_code == 200  # still signed in: logout without a token did nothing


def test_the_login_form_needs_its_csrf_token(wb: tuple[Server, Path, str]) -> None:
    with httpx.Client(base_url=wb[0].url, follow_redirects=False) as c:
        page = c.get("/login")
        assert 'name="csrf_token"' in page.text
        bare = c.post("/login", data={"username": "ana", "password": PASSWORD})
        assert bare.status_code == 403 and "pa_docs_session" not in c.cookies
        wrong = {"username": "ana", "password": PASSWORD, "csrf_token": "forged"}
        assert c.post("/login", data=wrong).status_code == 403
        good = c.post("/login", data={**wrong, "csrf_token": csrf_of(page.text)})
        assert good.status_code == 303


def test_a_wrong_password_signs_nobody_in_and_is_audited(wb: tuple[Server, Path, str]) -> None:
    server, _, db = wb
    with httpx.Client(base_url=server.url, follow_redirects=False) as c:
        page = c.get("/login")
        data = {"username": "ana", "password": "wrong" * 4, "csrf_token": csrf_of(page.text)}
        r = c.post("/login", data=data)
        assert r.status_code == 401 and "Wrong user name or password" in r.text
        assert c.get("/").status_code == 303
    assert any(a.who == "ana" for a in audit_rows(db, action="login_failed"))


def test_session_cookie_is_httponly_and_samesite_strict(wb: tuple[Server, Path, str]) -> None:
    with httpx.Client(base_url=wb[0].url, follow_redirects=False) as c:
        page = c.get("/login")
        login_cookie = page.headers["set-cookie"].lower()
        assert "httponly" in login_cookie and "samesite=strict" in login_cookie
        data = {"username": "vi", "password": PASSWORD, "csrf_token": csrf_of(page.text)}
        r = c.post("/login", data=data)
        cookies = [v.lower() for k, v in r.headers.multi_items() if k == "set-cookie"]
        session = next(v for v in cookies if v.startswith("pa_docs_session="))
        assert "httponly" in session and "samesite=strict" in session
        assert "secure" not in session  # plain HTTP on loopback: a Secure cookie would be dropped


def test_over_tls_the_session_cookie_is_secure(wb: tuple[Server, Path, str]) -> None:
    """Served over TLS (the request's scheme is https), the cookies carry Secure."""
    server = wb[0]
    app = server.server.config.app

    async def run() -> list[str]:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="https://wb.test") as c:
            page = await c.get("/login")
            data = {"username": "vi", "password": PASSWORD, "csrf_token": csrf_of(page.text)}
            r = await c.post("/login", data=data)
            assert r.headers.get("strict-transport-security")
            return [v.lower() for k, v in r.headers.multi_items() if k == "set-cookie"]

    cookies = asyncio.run(run())
    session = next(v for v in cookies if v.startswith("pa_docs_session="))
    assert "secure" in session and "httponly" in session and "samesite=strict" in session


@pytest.mark.parametrize(
    "path",
    [
        "/cases/../../etc/passwd",
        "/cases/..%2F..%2Fetc%2Fpasswd",
        "/cases/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/cases/%2E%2E",
        "/cases/.pa-docs",
        "/cases/ra-gap.yaml",
        "/cases/..%5C..%5Cetc%5Cpasswd",
    ],
)
def test_a_case_id_is_never_a_path(ana: httpx.Client, path: str) -> None:
    r = ana.get(path)
    assert r.status_code in {400, 404}
    assert "root:" not in r.text and "Maria" not in r.text


def test_a_case_id_with_dot_dot_is_refused_by_forms(
    wb: tuple[Server, Path, str], ana: httpx.Client
) -> None:
    csrf = csrf_of(ana.get("/").text)
    for path in ("/cases/..%2F..%2Fetc%2Fpasswd/log/note", "/cases/x..%2Fy/owner"):
        r = ana.post(path, data={"csrf_token": csrf, "text": "x"})
        assert r.status_code in {400, 404}
    blank = ana.post(
        "/new/blank",
        data={"csrf_token": csrf, "case_id": "../../tmp/evil", "set:patient.name": "X"},
    )
    assert blank.status_code == 400 and "case id" in blank.text
    assert not (wb[1].parent / "tmp").exists()
    assert not list(wb[1].parent.glob("**/evil*"))


def test_script_in_a_patient_name_renders_as_text(ana: httpx.Client) -> None:
    for page in (ana.get("/"), ana.get("/cases/XSS-1")):
        assert page.status_code == 200
        assert "<script>alert" not in page.text
        assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt; Evil" in page.text
    preview = ana.get("/cases/XSS-1/document.html?kind=packet")
    assert preview.status_code == 200 and "<script>alert" not in preview.text
    assert "sandbox" in preview.headers["content-security-policy"]


def test_pages_allow_no_script_at_all(ana: httpx.Client) -> None:
    r = ana.get("/")
    assert "script-src 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["cache-control"] == "no-store"


def test_a_viewer_reads_but_cannot_edit(wb: tuple[Server, Path, str]) -> None:
    server, cases, db = wb
    before = (cases / "ra-gap.yaml").read_bytes()
    vi = login(server.url, "vi")
    editor = login(server.url, "ana")
    if True:
        page = vi.get(f"/cases/{CASE}")
        assert page.status_code == 200 and "Maria Alvarez" in page.text
        assert 'action="/cases/RA-GAP-1/set"' not in page.text
        assert 'action="/cases/RA-GAP-1/add"' not in page.text
        assert "Record the submission" not in page.text
        version = VERSION.search(editor.get(f"/cases/{CASE}").text)  # what an editor sees
        assert version
        csrf = csrf_of(page.text)
        attempts = {
            f"/cases/{CASE}/set": {"set:patient.member_id": "VIEWER1"},
            f"/cases/{CASE}/add": {"section": "labs", "item:test": "tb_igra",
                                   "item:result": "negative", "item:date": "2026-07-21"},
            f"/cases/{CASE}/log/submit": {"method": "portal"},
            f"/cases/{CASE}/log/note": {"text": "viewer note"},
            f"/cases/{CASE}/owner": {"owner": "vi"},
            f"/cases/{CASE}/denial": {"denial_date": "2026-11-20", "reference": "X"},
            "/new/blank": {"case_id": "VIEWER-1"},
        }  # fmt: skip
        for path, data in attempts.items():
            r = vi.post(path, data={**data, "csrf_token": csrf, "version": version.group(1)})
            assert r.status_code == 403, path
            assert "cannot do this" in r.text
        assert vi.get("/new").status_code == 403
        assert vi.get("/audit").status_code == 403
    assert (cases / "ra-gap.yaml").read_bytes() == before
    assert not (cases / "VIEWER-1.yaml").exists()
    assert len(audit_rows(db, who="vi", action="forbidden")) >= len(attempts)


def test_every_view_and_change_is_audited(wb: tuple[Server, Path, str]) -> None:
    server, _, db = wb
    bo = login(server.url, "bo")
    if True:
        page = bo.get("/cases/GI-2026-0502")
        assert page.status_code == 200
        r = bo.post(
            "/cases/GI-2026-0502/log/note",
            data={"csrf_token": csrf_of(page.text), "text": "called UHC, pending review"},
        )
        assert r.status_code == 303
        assert "called UHC" in bo.get("/cases/GI-2026-0502").text
    rows = audit_rows(db, who="bo")
    actions = [(a.action, a.case_id) for a in rows]
    assert ("login", None) in actions
    assert ("view_case", "GI-2026-0502") in actions
    assert ("record_note", "GI-2026-0502") in actions
    assert all(isinstance(a.at, dt.datetime) for a in rows)
    engine = sa.create_engine(f"sqlite:///{db}")
    try:
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM audit"))
    finally:
        engine.dispose()


def test_two_concurrent_edits_one_wins_the_other_is_told(
    wb: tuple[Server, Path, str],
) -> None:
    """Both open the case; both save at once. One save lands; the other is refused with 'changed
    since you opened it'; the file holds exactly the first."""
    server, cases, db = wb
    path = cases / "ra-gap.yaml"
    users = {"ana": "W-FIRST-111", "cy": "W-SECOND-222"}
    clients = {u: login(server.url, u) for u in users}
    pages = {u: c.get(f"/cases/{CASE}").text for u, c in clients.items()}
    versions = {VERSION.search(p).group(1) for p in pages.values()}  # type: ignore[union-attr]
    assert len(versions) == 1
    results: dict[str, httpx.Response] = {}
    start = threading.Barrier(len(users))

    def save(user: str) -> None:
        page = pages[user]
        data = {
            "csrf_token": csrf_of(page),
            "version": VERSION.search(page).group(1),  # type: ignore[union-attr]
            "form": "fix",
            "set:patient.member_id": users[user],
        }
        start.wait()
        results[user] = clients[user].post(f"/cases/{CASE}/set", data=data)

    threads = [threading.Thread(target=save, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    codes = sorted(r.status_code for r in results.values())
    assert codes == [303, 409]
    winner = next(u for u, r in results.items() if r.status_code == 303)
    loser = next(u for u, r in results.items() if r.status_code == 409)
    assert "changed since you opened it" in results[loser].text
    text = path.read_text(encoding="utf-8")
    assert f"member_id: {users[winner]}" in text
    assert users[loser] not in text
    # exactly the first: the one line changed, every comment kept
    history = sorted((cases / ".pa-docs" / "history" / "ra-gap.yaml").iterdir())
    before = history[-1].read_text(encoding="utf-8")
    changed = [
        (a, b) for a, b in zip(before.splitlines(), text.splitlines(), strict=True) if a != b
    ]
    assert len(changed) == 1 and users[winner] in changed[0][1]
    assert len(audit_rows(db, action="edit_conflict", who=loser)) == 1
    for c in clients.values():
        c.close()


def test_an_invalid_value_is_refused_with_its_reason(
    wb: tuple[Server, Path, str], ana: httpx.Client
) -> None:
    path = wb[1] / "ra-gap.yaml"
    before = path.read_bytes()
    page = ana.get(f"/cases/{CASE}").text
    data = {
        "csrf_token": csrf_of(page),
        "version": VERSION.search(page).group(1),  # type: ignore[union-attr]
        "form": "lab-tb_igra-tst-any",
        "section": "labs",
        "item:test": "tb_igra",
        "item:result": "negative",
        "item:date": "2027-01-05",  # after the request date
    }
    r = ana.post(f"/cases/{CASE}/add", data=data)
    assert r.status_code == 400
    assert "after the request date" in r.text
    assert path.read_bytes() == before


# -- where it listens -------------------------------------------------------------------------


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """uvicorn.run replaced by a recorder: the command's checks and warnings run, nothing binds."""
    import uvicorn

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    return calls


def test_serve_binds_to_loopback_by_default(
    tmp_path: Path, no_server: list[dict[str, object]], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["serve", "--cases", str(tmp_path), "--db", str(tmp_path / "log.sqlite3")])
    assert code == 0
    assert no_server[0]["host"] == "127.0.0.1" and no_server[0]["port"] == 8750
    assert "warning" not in capsys.readouterr().err


def test_serve_on_another_host_warns_without_tls(
    tmp_path: Path, no_server: list[dict[str, object]], capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "log.sqlite3")
    assert main(["serve", "--cases", str(tmp_path), "--db", db, "--host", "0.0.0.0"]) == 0
    err = capsys.readouterr().err
    assert "warning" in err and "plain HTTP" in err and "--cert" in err
    assert no_server[0]["host"] == "0.0.0.0" and no_server[0]["ssl_certfile"] is None
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_text("x")
    key.write_text("x")
    args = ["--host", "0.0.0.0", "--cert", str(cert), "--key", str(key)]
    assert main(["serve", "--cases", str(tmp_path), "--db", db, *args]) == 0
    assert "warning" not in capsys.readouterr().err
    assert no_server[1]["ssl_certfile"] == str(cert) and no_server[1]["ssl_keyfile"] == str(key)


def test_serve_refuses_half_a_tls_setup_and_a_missing_folder(
    tmp_path: Path, no_server: list[dict[str, object]], capsys: pytest.CaptureFixture[str]
) -> None:
    cert = tmp_path / "cert.pem"
    cert.write_text("x")
    assert main(["serve", "--cases", str(tmp_path), "--cert", str(cert)]) == 2
    assert "--cert and --key" in capsys.readouterr().err
    assert main(["serve", "--cases", str(tmp_path / "nope")]) == 2
    assert "case folder does not exist" in capsys.readouterr().err
    assert no_server == []


def test_login_redirect_stays_on_this_site(wb: tuple[Server, Path, str]) -> None:
    with httpx.Client(base_url=wb[0].url, follow_redirects=False) as c:
        page = c.get("/login?next=//evil.example/x")
        assert "evil.example" not in page.text
        data = {
            "username": "ana",
            "password": PASSWORD,
            "csrf_token": csrf_of(page.text),
            "next": "https://evil.example/",
        }
        r = c.post("/login", data=data)
        assert r.status_code == 303 and r.headers["location"] == "/"


def test_no_patient_data_in_urls_of_the_work_list(ana: httpx.Client) -> None:
    """Links carry case ids only, never names (URLs end up in logs and histories)."""
    html = ana.get("/").text
    for href in re.findall(r'href="([^"]+)"', html):
        assert "Alvarez" not in href and "Maria" not in href


def test_repeated_wrong_passwords_lock_the_name_for_a_while(wb: tuple[Server, Path, str]) -> None:
    from pa_docs.log import CaseLog
    from pa_docs.web._accounts import Throttle, add_user

    server, _, db = wb
    with CaseLog.open(db) as log:
        add_user(log.engine, "guessed", "viewer", PASSWORD)
    with httpx.Client(base_url=server.url, follow_redirects=False) as c:
        for _ in range(Throttle.LIMIT):
            page = c.get("/login")
            data = {"username": "guessed", "password": "nope" * 4, "csrf_token": csrf_of(page.text)}
            assert c.post("/login", data=data).status_code == 401
        page = c.get("/login")
        data = {"username": "guessed", "password": PASSWORD, "csrf_token": csrf_of(page.text)}
        locked = c.post("/login", data=data)
        assert locked.status_code == 429 and "Too many wrong passwords" in locked.text
        assert "pa_docs_session" not in c.cookies
    assert audit_rows(db, who="guessed", action="login_blocked")
