"""Accounts, roles, sign-in sessions and the audit log of the workbench.

Passwords are hashed with argon2 (argon2-cffi's defaults, RFC 9106's low-memory profile). A session
is a random cookie; the database keeps only its SHA-256, the user, the session's CSRF token and
when it was last used. Sessions end after ``IDLE`` without a request, and after ``LONGEST`` in any
case.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import re
import secrets
import threading
from typing import Any

import sqlalchemy as sa

from ..errors import InputError
from ._tables import audit, case_owners, users, web_sessions

ROLES: dict[str, str] = {
    "coordinator": "tracks submissions and follow-ups, records them, assigns owners",
    "documentation-specialist": "fills the gaps, creates cases, writes packets, letters, appeals",
    "appeals-specialist": "the same as a documentation specialist, for denied cases",
    "admin": "everything",
    "viewer": "reads the work list, cases and KPIs; changes nothing",
}

PERMISSIONS: dict[str, frozenset[str]] = {
    # edit case files, create cases, generate documents, record denials
    "document": frozenset({"documentation-specialist", "appeals-specialist", "admin"}),
    # record submissions, decisions, appeals and notes in the case log
    "record": frozenset({"coordinator", "documentation-specialist", "appeals-specialist", "admin"}),
    # assign a case's owner
    "assign": frozenset({"coordinator", "admin"}),
    # read the audit log
    "audit": frozenset({"admin"}),
}

MIN_PASSWORD = 12
IDLE = dt.timedelta(minutes=30)
LONGEST = dt.timedelta(hours=12)
_TOUCH_EVERY = dt.timedelta(seconds=60)
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,99}")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _hasher() -> Any:
    try:
        from argon2 import PasswordHasher
    except ImportError:  # pragma: no cover - the web extra is installed with the workbench
        raise InputError(
            "the workbench needs its extra dependencies: pip install 'pa-docs[web]'"
        ) from None
    return PasswordHasher()


def role_of(text: str) -> str:
    """The role named by ``text`` (``documentation_specialist`` is accepted for the hyphen)."""
    role = text.strip().lower().replace("_", "-")
    if role not in ROLES:
        raise InputError(f"unknown role {text!r}; one of {', '.join(ROLES)}", param="role")
    return role


def can(role: str, permission: str) -> bool:
    return role in PERMISSIONS[permission]


@dataclasses.dataclass(frozen=True)
class User:
    name: str
    role: str

    def can(self, permission: str) -> bool:
        return can(self.role, permission)


@dataclasses.dataclass(frozen=True)
class Session:
    user: User
    csrf: str
    token_hash: str


def add_user(engine: sa.Engine, name: str, role: str, password: str) -> User:
    """Create an account; the name must be new and the password at least 12 characters."""
    if not _NAME.fullmatch(name):
        raise InputError(
            "a user name is 1 to 100 letters, digits, '.', '_', '@' or '-', starting with a "
            f"letter or digit (got {name!r})",
            field="NAME",
        )
    role = role_of(role)
    if len(password) < MIN_PASSWORD:
        raise InputError(f"the password must be at least {MIN_PASSWORD} characters")
    digest = _hasher().hash(password)
    with engine.begin() as conn:
        if conn.execute(sa.select(users.c.name).where(users.c.name == name)).first():
            raise InputError(f"user {name!r} exists already", field="NAME")
        conn.execute(
            users.insert().values(
                name=name, role=role, password_hash=digest, created_at=_now(), disabled=False
            )
        )
    return User(name, role)


def list_users(engine: sa.Engine) -> list[tuple[User, dt.datetime]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(users.c.name, users.c.role, users.c.created_at)
            .where(users.c.disabled == sa.false())
            .order_by(users.c.name)
        )
        return [(User(r.name, r.role), r.created_at) for r in rows]


# a hash of a random password, verified when the user does not exist, so that a wrong name and a
# wrong password take the same time
_DUMMY: list[str] = []


def authenticate(engine: sa.Engine, name: str, password: str) -> User | None:
    """The user, when ``name`` exists, is enabled and ``password`` is theirs; else None."""
    from argon2.exceptions import InvalidHashError, VerificationError

    ph = _hasher()
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(users).where(users.c.name == name, users.c.disabled == sa.false())
        ).first()
    if row is None:
        if not _DUMMY:
            _DUMMY.append(ph.hash(secrets.token_urlsafe(16)))
        with contextlib.suppress(VerificationError):
            ph.verify(_DUMMY[0], password)
        return None
    try:
        ph.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if ph.check_needs_rehash(row.password_hash):
        with engine.begin() as conn:
            conn.execute(
                users.update().where(users.c.name == name).values(password_hash=ph.hash(password))
            )
    return User(row.name, row.role)


class Throttle:
    """Sign-in attempts for a name: after ``LIMIT`` failures within ``WINDOW``, the name is refused
    until the window has passed (kept in memory: a restart forgets, a slow guesser is slowed)."""

    LIMIT = 5
    WINDOW = dt.timedelta(minutes=15)

    def __init__(self) -> None:
        self._failures: dict[str, list[dt.datetime]] = {}
        self._lock = threading.Lock()

    def _recent(self, name: str, now: dt.datetime) -> list[dt.datetime]:
        kept = [t for t in self._failures.get(name, []) if now - t < self.WINDOW]
        if kept:
            self._failures[name] = kept
        else:
            self._failures.pop(name, None)
        return kept

    def blocked(self, name: str) -> bool:
        with self._lock:
            return len(self._recent(name.lower(), _now())) >= self.LIMIT

    def failed(self, name: str) -> None:
        with self._lock:
            now = _now()
            self._failures[name.lower()] = [*self._recent(name.lower(), now), now]

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name.lower(), None)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(engine: sa.Engine, user: User) -> tuple[str, Session]:
    """A new session for ``user``: the cookie value (shown once) and the session."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = _now()
    with engine.begin() as conn:
        # sessions past their end are removed whenever someone signs in
        conn.execute(
            web_sessions.delete().where(
                (web_sessions.c.last_seen < now - IDLE)
                | (web_sessions.c.created_at < now - LONGEST)
            )
        )
        conn.execute(
            web_sessions.insert().values(
                token_hash=_digest(token),
                user_name=user.name,
                csrf=csrf,
                created_at=now,
                last_seen=now,
            )
        )
    return token, Session(user, csrf, _digest(token))


def find_session(engine: sa.Engine, token: str | None) -> Session | None:
    """The live session of the cookie ``token``; None when absent, unknown or expired."""
    if not token or len(token) > 100:
        return None
    h = _digest(token)
    now = _now()
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(web_sessions, users.c.role)
            .join(users, users.c.name == web_sessions.c.user_name)
            .where(web_sessions.c.token_hash == h, users.c.disabled == sa.false())
        ).first()
    if row is None:
        return None
    if row.last_seen < now - IDLE or row.created_at < now - LONGEST:
        end_session(engine, token)
        return None
    if now - row.last_seen > _TOUCH_EVERY:
        with engine.begin() as conn:
            conn.execute(
                web_sessions.update().where(web_sessions.c.token_hash == h).values(last_seen=now)
            )
    return Session(User(row.user_name, row.role), row.csrf, h)


def end_session(engine: sa.Engine, token: str | None) -> None:
    if token:
        with engine.begin() as conn:
            conn.execute(web_sessions.delete().where(web_sessions.c.token_hash == _digest(token)))


def record(
    engine: sa.Engine,
    who: str,
    action: str,
    case_id: str | None = None,
    client: str | None = None,
    **detail: Any,
) -> None:
    """Append one line to the audit log: who did what, when, to which case."""
    with engine.begin() as conn:
        conn.execute(
            audit.insert().values(
                at=_now(),
                who=who,
                action=action,
                case_id=case_id,
                detail={k: v for k, v in detail.items() if v is not None},
                client=client,
            )
        )


@dataclasses.dataclass(frozen=True)
class AuditLine:
    id: int
    at: dt.datetime
    who: str
    action: str
    case_id: str | None
    detail: dict[str, Any]
    client: str | None


def audit_lines(
    engine: sa.Engine, *, case_id: str | None = None, limit: int = 200
) -> list[AuditLine]:
    """The newest audit lines first (of one case when ``case_id`` is given)."""
    q = sa.select(audit).order_by(audit.c.id.desc()).limit(limit)
    if case_id is not None:
        q = q.where(audit.c.case_id == case_id)
    with engine.connect() as conn:
        return [
            AuditLine(
                r.id,
                r.at.replace(tzinfo=dt.UTC),
                r.who,
                r.action,
                r.case_id,
                dict(r.detail),
                r.client,
            )
            for r in conn.execute(q)
        ]


def owners_before_submission(engine: sa.Engine) -> dict[str, str]:
    """Owners of cases not in the log yet, by case id."""
    with engine.connect() as conn:
        return {r.case_id: r.owner for r in conn.execute(sa.select(case_owners))}


def set_owner_before_submission(
    engine: sa.Engine, case_id: str, owner: str | None, by: str
) -> None:
    with engine.begin() as conn:
        conn.execute(case_owners.delete().where(case_owners.c.case_id == case_id))
        if owner:
            conn.execute(
                case_owners.insert().values(
                    case_id=case_id, owner=owner, assigned_at=_now(), assigned_by=by
                )
            )
