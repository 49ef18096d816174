"""The workbench under test: a case folder, a log with accounts, and a real uvicorn server on a
free loopback port, in a thread. Shared by the web test modules (one server per module)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from pa_docs.log import CaseLog, add_business_days

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
PASSWORD = "correct horse battery staple"
USERS = {
    "ana": "documentation-specialist",
    "bo": "coordinator",
    "cy": "appeals-specialist",
    "root": "admin",
    "vi": "viewer",
}


def business_days_before(day: dt.date, n: int) -> dt.date:
    """The day ``n`` business days before ``day`` (so that adding ``n`` gives ``day`` or later)."""
    d = day
    while add_business_days(d, n) > day:
        d -= dt.timedelta(days=1)
    return d


def make_folder(root: Path) -> Path:
    """A case folder with the shipped examples and ``RA-GAP-1``: the RA example without its TB
    screening (so the TB criterion is missing), with a patient name that holds markup."""
    cases = root / "cases"
    cases.mkdir()
    for f in EXAMPLES.glob("*.yaml"):
        shutil.copy(f, cases / f.name)
    shutil.copytree(EXAMPLES / "assets", cases / "assets")
    text = (EXAMPLES / "ra-infliximab-aetna.yaml").read_text(encoding="utf-8")
    tb = re.search(r"  - test: tb_igra\n(    .*\n)+", text)
    assert tb is not None
    text = text.replace(tb.group(0), "").replace("case_id: RA-2026-0147", "case_id: RA-GAP-1")
    (cases / "ra-gap.yaml").write_text(text, encoding="utf-8")
    xss = (EXAMPLES / "crohns-vedolizumab-uhc.yaml").read_text(encoding="utf-8")
    xss = xss.replace("case_id: GI-2026-0502", "case_id: XSS-1")
    xss = re.sub(
        r"(?m)^  name: .*$", "  name: \"<script>alert('pwned')</script> Evil\"", xss, count=1
    )
    (cases / "xss.yaml").write_text(xss, encoding="utf-8")
    return cases


def make_log(db: str, cases: Path, today: dt.date) -> None:
    """Accounts for every role; GI-2026-0502 submitted three business days ago (its follow-up is
    due today); DME-2026-0031 submitted five business days ago (to escalate)."""
    from pa_docs.case import load_case
    from pa_docs.web._accounts import add_user

    with CaseLog.open(db, user="setup") as log:
        for name, role in USERS.items():
            add_user(log.engine, name, role, PASSWORD)
        follow = business_days_before(today, 3)
        if add_business_days(follow, 5) <= today:  # pragma: no cover - calendar guard
            raise AssertionError("the follow-up case would be an escalation")
        log.submit(load_case(cases / "crohns-vedolizumab-uhc.yaml"), method="portal", on=follow,
                   owner="bo", confirmation="UHC-778")  # fmt: skip
        log.submit(
            load_case(cases / "oxygen-concentrator-medicare.yaml"),
            method="fax",
            on=business_days_before(today, 5),
            owner="ana",
        )


class Server:
    """uvicorn serving ``app`` on 127.0.0.1 at a free port, in a daemon thread."""

    def __init__(self, app: object) -> None:
        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app,  # type: ignore[arg-type]
            log_level="warning",
            lifespan="off",
            timeout_keep_alive=300,  # a slow, shared test machine: no reset of an idle connection
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the workbench did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


@contextmanager
def serve(root: Path, today: dt.date | None = None) -> Iterator[tuple[Server, Path, str]]:
    """A folder, a log and a running workbench: (server, case folder, db)."""
    from pa_docs.web import Settings, create_app

    cases = make_folder(root)
    db = str(root / "log.sqlite3")
    make_log(db, cases, today or dt.date.today())
    app = create_app(Settings(cases=cases, db=db))
    with Server(app) as server:
        yield server, cases, db


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="([0-9a-f]{64})"')


def csrf_of(html: str) -> str:
    m = CSRF.search(html)
    assert m, "no csrf_token field in the page"
    return m.group(1)


def login(base: str, user: str, password: str = PASSWORD) -> httpx.Client:
    """A client signed in as ``user`` (cookies kept)."""
    client = httpx.Client(base_url=base, follow_redirects=False, timeout=60)
    page = client.get("/login")
    r = client.post(
        "/login",
        data={"username": user, "password": password, "csrf_token": csrf_of(page.text)},
    )
    assert r.status_code == 303, r.text
    return client
