"""The case log: cases, appeals and the append-only events table.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_PG_GUARD = (
    """CREATE FUNCTION pa_docs_events_append_only() RETURNS trigger AS $$
    BEGIN
      RAISE EXCEPTION 'the events table is append-only';
    END
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION pa_docs_events_append_only()""",
)


def upgrade() -> None:
    op.create_table(
        "cases",
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
    op.create_table(
        "appeals",
        sa.Column("case_id", sa.String(100), sa.ForeignKey("cases.case_id"), primary_key=True),
        sa.Column("level", sa.Integer, primary_key=True),
        sa.Column("filed_on", sa.Date, nullable=False),
        sa.Column("outcome", sa.String(20)),
        sa.Column("outcome_on", sa.Date),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        sa.Column("case_id", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("who", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_index("ix_events_case_id", "events", ["case_id"])
    if op.get_bind().dialect.name == "postgresql":
        for statement in _PG_GUARD:
            op.execute(statement)
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER events_no_{action.lower()} BEFORE {action} ON events "
                "BEGIN SELECT RAISE(ABORT, 'the events table is append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER events_append_only ON events")
        op.execute("DROP FUNCTION pa_docs_events_append_only()")
    op.drop_table("events")
    op.drop_table("appeals")
    op.drop_table("cases")
