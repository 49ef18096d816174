"""Opening a log: where it is, the engine, migrations, and the one-transaction-per-command rule.

SQLite (the default, one file) runs in WAL mode with a busy timeout and takes its write lock at the
start of each transaction (``BEGIN IMMEDIATE``), so two processes writing at once wait for each
other instead of failing. PostgreSQL is used for any target starting with ``postgresql``.
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ..errors import InputError
from . import _schema

DEFAULT_PATH = "pa-docs-log.sqlite3"
ENV_DB = "PA_DOCS_DB"
STALL_ENV = "PA_DOCS_LOG_TEST_STALL"
"""Test seam: when set to a file path, every write transaction creates that file once its changes
are written and then sleeps before committing, so a test can kill the process mid-command."""

BUSY_TIMEOUT_S = 60.0


def resolve_target(db: str | Path | None) -> str:
    """``--db``, else ``$PA_DOCS_DB``, else ``./pa-docs-log.sqlite3``."""
    target = str(db) if db else os.environ.get(ENV_DB) or DEFAULT_PATH
    return target


def is_postgres(target: str) -> bool:
    return target.startswith("postgresql")


def _sqlite_engine(path: Path, create: bool = True) -> sa.Engine:
    if path.is_dir():
        raise InputError(
            "is a folder, expected a log file (SQLite) or a postgresql:// URL", file=path
        )
    if not path.parent.exists():
        raise InputError(f"folder {path.parent} does not exist", file=path)
    try:
        st = os.stat(path)
    except FileNotFoundError:  # a new log holds PHI: readable by its owner only
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_CLOEXEC, 0o600))
    else:
        if not stat.S_ISREG(st.st_mode):
            raise InputError("not a regular file: expected a log file (SQLite)", file=path)
        if st.st_size:
            _probe(path)
        elif not create:
            raise InputError("not a pa-docs case log (an empty file)", file=path)
    engine = sa.create_engine(
        f"sqlite+pysqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_S}
    )

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" below open transactions
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _probe(path: Path) -> None:
    """Look at an existing SQLite file read-only before pa-docs opens it for writing (which
    would set its journal mode): it must be a pa-docs log this pa-docs knows, or an empty
    database."""
    import sqlite3
    from urllib.parse import quote

    try:
        with contextlib.closing(
            sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
        ) as conn:
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            rev = None
            if "alembic_version" in names:
                rev = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        text = str(exc)
        if "file is not a database" in text:
            text = "not a SQLite database (or a damaged one)"
        raise InputError(f"cannot use the log: {text}", file=path) from None
    _check_revision(rev[0] if rev else None, names - {"alembic_version"}, str(path), True)


def _check_revision(rev: str | None, tables: set[str], where: str, create: bool) -> None:
    if rev == _schema.HEAD:
        return
    if rev is None:
        if tables:
            raise InputError(
                f"not a pa-docs case log (it holds the tables {', '.join(sorted(tables)[:5])})",
                file=where,
            )
        if not create:
            raise InputError("not a pa-docs case log (an empty database)", file=where)
    elif rev not in _revisions():
        raise InputError(
            f"the log was written by a newer pa-docs (schema {rev}); update pa-docs", file=where
        )


def create_engine(target: str, *, create: bool = True) -> sa.Engine:
    """An engine for a SQLite path or a PostgreSQL URL (``postgresql+psycopg://...``); with
    ``create`` false, an empty SQLite file is refused rather than made a log."""
    if is_postgres(target):
        if target.startswith("postgresql://"):
            target = "postgresql+psycopg://" + target.removeprefix("postgresql://")
        try:
            return sa.create_engine(target, pool_pre_ping=False)
        except (sa.exc.ArgumentError, ImportError) as exc:
            raise InputError(f"cannot use this PostgreSQL URL: {exc}", param="db") from None
    return _sqlite_engine(Path(target), create)


def migrate(engine: sa.Engine, *, create: bool = True) -> None:
    """Bring the log's schema to the newest revision, creating it in an empty database when
    ``create``. A database holding other tables, or a schema newer than this pa-docs knows, is
    an input error: pa-docs never writes tables into a file that is not its log."""
    with engine.begin() as conn:
        rev = _revision(conn)
        if rev == _schema.HEAD:
            return
        tables = set(sa.inspect(conn).get_table_names()) if rev is None else set()
        _check_revision(rev, tables, name_of(engine), create)
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        location = str(Path(__file__).parent / "migrations").replace("%", "%%")
        cfg.set_main_option("script_location", location)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def _revisions() -> set[str]:
    """The schema revisions this pa-docs knows (one migration file each, named by revision)."""
    return {
        p.name.split("_", 1)[0]
        for p in (Path(__file__).parent / "migrations").glob("versions/*_*.py")
    }


def _revision(conn: sa.Connection) -> str | None:
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def log_error(exc: sa.exc.DatabaseError, target: str) -> InputError:
    """The input error for a log pa-docs cannot use: its first line, password masked."""
    text = str(exc.orig).strip() or type(exc.orig).__name__
    first = text.splitlines()[0]
    if "file is not a database" in first:
        first = "not a SQLite database (or a damaged one)"
    if is_postgres(target):
        target = sa.engine.make_url(target).render_as_string(hide_password=True)
    return InputError(f"cannot use the log: {first}", file=target)


@contextmanager
def transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """One command, one transaction: all its changes are committed together or not at all. A
    log that cannot be written (read-only, locked too long, damaged) is an input error."""
    try:
        with engine.begin() as conn:
            yield conn
            stall = os.environ.get(STALL_ENV)
            if stall:
                Path(stall).write_text("stalled before commit\n", encoding="utf-8")
                time.sleep(3600)
    except (sa.exc.OperationalError, sa.exc.InternalError) as exc:
        raise log_error(exc, name_of(engine)) from None


def name_of(engine: sa.Engine) -> str:
    """The log as a user named it: the SQLite file, or the URL with its password hidden."""
    url = engine.url
    if url.drivername.startswith("sqlite"):
        return url.database or ""
    return url.render_as_string(hide_password=True)
