"""The log's tables. The Alembic migrations in ``migrations/`` create them; keep both in step.

- ``events``: append-only history, one row per change, with who and when (UTC);
- ``cases``: the current state of each case, updated in the same transaction as its event;
- ``appeals``: one row per appeal level filed, with its outcome.

Migration 0002 adds the workbench's tables (accounts, sessions, audit, owners of cases not yet
submitted), defined in ``pa_docs/web/_tables.py``.
"""

from __future__ import annotations

import sqlalchemy as sa

HEAD = "0002"
"""The newest migration: a log at this revision is opened without loading Alembic."""

metadata = sa.MetaData()

cases = sa.Table(
    "cases",
    metadata,
    sa.Column("case_id", sa.String(100), primary_key=True),
    sa.Column("patient", sa.String(200)),
    sa.Column("payer", sa.String(100), nullable=False),
    sa.Column("item", sa.String(200)),
    sa.Column("policy", sa.String(200)),
    sa.Column("line_of_business", sa.String(40), nullable=False),
    sa.Column("owner", sa.String(100)),
    sa.Column("method", sa.String(20)),
    sa.Column("confirmation", sa.String(100)),
    sa.Column("submitted_on", sa.Date, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("status_on", sa.Date, nullable=False),
    sa.Column("first_decision", sa.String(20)),
    sa.Column("first_decision_on", sa.Date),
    sa.Column("follow_up_on", sa.Date),
    sa.Column("escalate_on", sa.Date),
    sa.Column("auth_number", sa.String(100)),
    sa.Column("valid_from", sa.Date),
    sa.Column("valid_through", sa.Date),
    sa.Column("denial_reference", sa.String(100)),
    sa.Column("appeal_deadline", sa.Date),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

appeals = sa.Table(
    "appeals",
    metadata,
    sa.Column("case_id", sa.String(100), sa.ForeignKey("cases.case_id"), primary_key=True),
    sa.Column("level", sa.Integer, primary_key=True),
    sa.Column("filed_on", sa.Date, nullable=False),
    sa.Column("outcome", sa.String(20)),
    sa.Column("outcome_on", sa.Date),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column("case_id", sa.String(100), nullable=False, index=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("who", sa.String(100), nullable=False),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
)
