"""The log on each backend: migrations, the append-only history, two writers at once, and a
process killed in the middle of a command.

Every test taking ``log_db`` runs on SQLite and, when ``PA_DOCS_TEST_PG_URL`` names a PostgreSQL
database (``.ci/start-postgres`` prints one), on PostgreSQL in a schema of its own.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from pa_docs.case import Case, load_case
from pa_docs.errors import InputError
from pa_docs.log import CaseLog
from pa_docs.log._db import STALL_ENV
from pa_docs.log._schema import HEAD

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT.parent / "shared" / "examples"
if not EXAMPLES.exists():
    EXAMPLES = ROOT / "examples"
PG_URL = os.environ.get("PA_DOCS_TEST_PG_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def log_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty log: a SQLite file, or a fresh schema in the test PostgreSQL database."""
    if request.param == "sqlite":
        yield str(tmp_path / "log.sqlite3")
        return
    if not PG_URL:
        pytest.skip("PostgreSQL variant: set PA_DOCS_TEST_PG_URL (e.g. to $(.ci/start-postgres))")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def log(log_db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CaseLog]:
    monkeypatch.delenv("PA_DOCS_DB", raising=False)
    with CaseLog.open(log_db, user="ann") as opened:
        yield opened


def example_case(case_id: str = "GI-1", payer: str = "uhc", lob: str = "medicaid") -> Case:
    base = load_case(EXAMPLES / "crohns-vedolizumab-uhc.yaml")
    coverage = base.coverage.model_copy(update={"payer": payer, "line_of_business": lob})
    return base.model_copy(update={"case_id": case_id, "coverage": coverage})


def _run(code: str, *args: str, **env: str) -> subprocess.Popen[str]:
    """``code`` in a new Python process, with ``args`` as ``sys.argv[1:]``."""
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_opening_a_new_log_migrates_it_to_the_newest_revision(log_db: str) -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "pa_docs" / "log" / "migrations"))
    assert ScriptDirectory.from_config(cfg).get_current_head() == HEAD
    for _ in range(2):  # the second open finds it up to date
        with CaseLog.open(log_db, user="ann") as log, log.engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        assert {"cases", "events", "appeals"} <= tables
        assert version == HEAD


def test_migrations_are_found_from_any_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.delenv("PA_DOCS_DB", raising=False)
    with CaseLog.open(user="ann") as log:
        log.submit(example_case(), method="fax", on=dt.date(2026, 3, 2))
    assert (elsewhere / "pa-docs-log.sqlite3").exists()


def test_history_cannot_be_rewritten(log: CaseLog) -> None:
    log.submit(example_case(), method="portal", on=dt.date(2026, 3, 2))
    for statement in ("UPDATE events SET who = 'mallory'", "DELETE FROM events"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), log.engine.begin() as c:
            c.execute(sa.text(statement))
    assert [e.who for e in log.history("GI-1")] == ["ann"]


def test_a_missing_log_is_an_input_error_for_commands_that_read(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no case log here"):
        CaseLog.open(tmp_path / "nope.sqlite3", user="ann", must_exist=True)
    assert not (tmp_path / "nope.sqlite3").exists()


WRITER = """
    import sys
    from pa_docs.log import CaseLog
    with CaseLog.open(sys.argv[1], user=sys.argv[2]) as log:
        for i in range(500):
            log.note("GI-1", f"note {i}")
"""


def test_two_processes_writing_at_once_lose_nothing(log: CaseLog, log_db: str) -> None:
    log.submit(example_case(), method="portal", on=dt.date(2026, 3, 2))
    started = time.perf_counter()
    writers = [_run(WRITER, log_db, name) for name in ("w1", "w2")]
    for w in writers:
        _, err = w.communicate(timeout=300)
        assert w.returncode == 0, err
    elapsed = time.perf_counter() - started
    history = log.history("GI-1")
    assert len(history) == 1 + 1000
    for name in ("w1", "w2"):
        notes = [e.data["text"] for e in history if e.who == name]
        assert notes == [f"note {i}" for i in range(500)]
    print(f"\n{log.engine.dialect.name}: 1000 events from 2 processes in {elapsed:.2f} s")


KILLED = """
    import datetime as dt, sys
    from pa_docs.case import load_case
    from pa_docs.log import CaseLog
    case = load_case(sys.argv[2]).model_copy(update={"case_id": "GI-2"})
    with CaseLog.open(sys.argv[1], user="killed") as log:
        log.submit(case, method="fax", on=dt.date(2026, 3, 3))
"""


def test_a_process_killed_mid_command_leaves_the_log_as_it_was(
    log: CaseLog, log_db: str, tmp_path: Path
) -> None:
    log.submit(example_case(), method="portal", on=dt.date(2026, 3, 2))
    before = log.event_count()
    marker = tmp_path / "stalled"
    proc = _run(KILLED, log_db, str(EXAMPLES / "crohns-vedolizumab-uhc.yaml"),
                **{STALL_ENV: str(marker)})  # fmt: skip
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "the command never reached its stall point"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    # the submission's case row and its event were written, not committed: neither is there
    assert log.event_count() == before
    with pytest.raises(InputError, match="not in the log"):
        log.get("GI-2")
    log.note("GI-1", "the log still takes writes")  # no lock left behind
    assert log.event_count() == before + 1
