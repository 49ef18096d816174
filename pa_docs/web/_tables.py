"""The workbench's tables in the case log's database. Migration ``0002_web`` creates them; keep
both in step.

- ``users``: accounts, each with one role and an argon2 password hash;
- ``web_sessions``: signed-in browsers, by the SHA-256 of their cookie (the cookie itself is never
  stored), with the session's CSRF token;
- ``audit``: append-only, one row per view and change (who, when, what, which case);
- ``case_owners``: who owns a case before it reaches the log (the log's ``cases.owner`` after).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

users = sa.Table(
    "users",
    metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("role", sa.String(40), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
)

web_sessions = sa.Table(
    "web_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_name", sa.String(100), sa.ForeignKey("users.name"), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_seen", sa.DateTime, nullable=False),
)

audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("who", sa.String(100), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("case_id", sa.String(100), index=True),
    sa.Column("detail", sa.JSON, nullable=False),
    sa.Column("client", sa.String(64)),
)

case_owners = sa.Table(
    "case_owners",
    metadata,
    sa.Column("case_id", sa.String(100), primary_key=True),
    sa.Column("owner", sa.String(100), nullable=False),
    sa.Column("assigned_at", sa.DateTime, nullable=False),
    sa.Column("assigned_by", sa.String(100), nullable=False),
)
