"""Opening a log: where it is, the engine, migrations, and the one-transaction-per-command rule.

SQLite (the default, one file) runs in WAL mode with a busy timeout and takes its write lock at the
start of each transaction (``BEGIN IMMEDIATE``), so two processes writing at once wait for each
other instead of failing. PostgreSQL is used for any target starting with ``postgresql``.
"""

from __future__ import annotations

import os
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


def _sqlite_engine(path: Path) -> sa.Engine:
    if path.is_dir():
        raise InputError(
            "is a folder, expected a log file (SQLite) or a postgresql:// URL", file=path
        )
    if not path.parent.exists():
        raise InputError(f"folder {path.parent} does not exist", file=path)
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


def create_engine(target: str) -> sa.Engine:
    """An engine for a SQLite path or a PostgreSQL URL (``postgresql+psycopg://...``)."""
    if is_postgres(target):
        if target.startswith("postgresql://"):
            target = "postgresql+psycopg://" + target.removeprefix("postgresql://")
        try:
            return sa.create_engine(target, pool_pre_ping=False)
        except (sa.exc.ArgumentError, ImportError) as exc:
            raise InputError(f"cannot use this PostgreSQL URL: {exc}", field="--db") from None
    return _sqlite_engine(Path(target))


def migrate(engine: sa.Engine) -> None:
    """Bring the log's schema to the newest revision (creating it in an empty database)."""
    with engine.begin() as conn:
        if _revision(conn) == _schema.HEAD:
            return
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        location = str(Path(__file__).parent / "migrations").replace("%", "%%")
        cfg.set_main_option("script_location", location)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def _revision(conn: sa.Connection) -> str | None:
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


@contextmanager
def transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """One command, one transaction: all its changes are committed together or not at all."""
    with engine.begin() as conn:
        yield conn
        stall = os.environ.get(STALL_ENV)
        if stall:
            Path(stall).write_text("stalled before commit\n", encoding="utf-8")
            time.sleep(3600)
