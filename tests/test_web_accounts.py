"""Accounts from the command line, their hashes, sessions, the migration that adds the
workbench's tables (SQLite, and PostgreSQL when configured), and the work list's rules."""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from pa_docs.cli import main
from pa_docs.log import CaseLog, CaseState, add_business_days
from pa_docs.web import _accounts as accounts
from pa_docs.web._worklist import rows
from tests.test_log_backends import log_db  # noqa: F401  (the SQLite / PostgreSQL fixture)


def add(db: Path, *args: str, password: str) -> int:
    old = sys.stdin
    sys.stdin = io.StringIO(password + "\n")
    try:
        return main(["users", "add", *args, "--db", str(db), "--password-stdin"])
    finally:
        sys.stdin = old


def test_users_add_with_password_stdin(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "log.sqlite3"
    assert add(db, "ana", "--role", "documentation-specialist", password="s3cret-enough-pw") == 0
    assert "added ana (documentation-specialist)" in capsys.readouterr().out
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT password_hash, role FROM users")).one()
    engine.dispose()
    assert stored.password_hash.startswith("$argon2id$")
    assert "s3cret-enough-pw" not in stored.password_hash
    with CaseLog.open(db) as log:
        assert accounts.authenticate(log.engine, "ana", "s3cret-enough-pw") == accounts.User(
            "ana", "documentation-specialist"
        )
        assert accounts.authenticate(log.engine, "ana", "wrong-password!") is None
        assert accounts.authenticate(log.engine, "nobody", "s3cret-enough-pw") is None
    assert main(["users", "list", "--db", str(db)]) == 0
    assert "ana\tdocumentation-specialist" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["x", "--role", "boss"], "long-enough-password", "unknown role 'boss'"),
        (["x", "--role", "viewer"], "short", "at least 12 characters"),
        (["../x", "--role", "viewer"], "long-enough-password", "user name"),
    ],
)
def test_users_add_refuses_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], password: str, message: str
) -> None:
    assert add(tmp_path / "log.sqlite3", *args, password=password) == 2
    assert message in capsys.readouterr().err


def test_a_user_is_added_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "log.sqlite3"
    assert add(db, "bo", "--role", "coordinator", password="long-enough-password") == 0
    assert add(db, "bo", "--role", "admin", password="long-enough-password") == 2
    assert "exists already" in capsys.readouterr().err


def test_roles_and_what_they_may_do() -> None:
    assert accounts.role_of("documentation_specialist") == "documentation-specialist"
    viewer = accounts.User("v", "viewer")
    assert not any(viewer.can(p) for p in accounts.PERMISSIONS)
    assert accounts.User("a", "admin").can("audit")
    assert accounts.User("c", "coordinator").can("assign")
    assert not accounts.User("c", "coordinator").can("document")
    assert accounts.User("d", "documentation-specialist").can("document")


def test_sessions_end_when_idle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with CaseLog.open(tmp_path / "log.sqlite3") as log:
        user = accounts.add_user(log.engine, "ana", "viewer", "long-enough-password")
        token, session = accounts.start_session(log.engine, user)
        assert accounts.find_session(log.engine, token) == session
        assert accounts.find_session(log.engine, token + "x") is None
        later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + accounts.IDLE * 2
        monkeypatch.setattr(accounts, "_now", lambda: later)
        assert accounts.find_session(log.engine, token) is None


def test_migration_adds_the_tables_and_the_audit_is_append_only(log_db: str) -> None:  # noqa: F811
    from pa_docs.log._schema import HEAD

    with CaseLog.open(log_db) as log:
        accounts.record(log.engine, "ana", "view_case", "C-1", "127.0.0.1", file="c.yaml")
        [line] = accounts.audit_lines(log.engine, case_id="C-1")
        assert (line.who, line.action, line.detail) == ("ana", "view_case", {"file": "c.yaml"})
        with log.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == HEAD
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), log.engine.begin() as conn:
            conn.execute(sa.text("UPDATE audit SET who = 'x'"))


def _state(cid: str, status: str, submitted: dt.date, **kw: object) -> CaseState:
    return CaseState(cid, "aetna", "commercial", submitted, status, submitted, **kw)  # type: ignore[arg-type]


def test_work_list_rows_follow_log_due() -> None:
    today = dt.date(2026, 12, 2)
    states = [
        _state("F", "submitted", dt.date(2026, 11, 27),
               follow_up_on=add_business_days(dt.date(2026, 11, 27), 3),
               escalate_on=add_business_days(dt.date(2026, 11, 27), 5)),
        _state("E", "submitted", dt.date(2026, 11, 20),
               follow_up_on=dt.date(2026, 11, 25), escalate_on=dt.date(2026, 11, 27)),
        _state("P", "denied", dt.date(2026, 6, 1), appeal_deadline=dt.date(2026, 11, 28)),
        _state("N", "denied", dt.date(2026, 6, 1), appeal_deadline=dt.date(2026, 12, 10)),
        _state("R", "approved", dt.date(2026, 1, 5), valid_through=dt.date(2026, 12, 20)),
        _state("D", "approved", dt.date(2026, 1, 5), valid_through=dt.date(2027, 6, 1)),
        _state("A", "appealed", dt.date(2026, 6, 1)),
    ]  # fmt: skip
    got = rows({}, states, {}, {}, today)
    assert [(r.case_id, r.urgency, r.stage) for r in got] == [
        ("E", "escalation", "submitted"),
        ("P", "appeal_past", "appeal"),
        ("N", "appeal_deadline", "appeal"),
        ("F", "follow_up", "submitted"),
        ("R", "auth_expiring", "decided"),
        ("A", None, "appeal"),
        ("D", None, "decided"),
    ]
    assert not next(r for r in got if r.case_id == "D").open
    assert next(r for r in got if r.case_id == "F").business_days == 3
