"""Alembic environment for the case log: run only through ``pa_docs.log._db.migrate``, which passes
an open connection in a transaction (no alembic.ini, no URL of its own)."""

from alembic import context

from pa_docs.log._schema import metadata

connection = context.config.attributes["connection"]
if connection.dialect.name == "postgresql":
    # two processes opening a new shared log at once: the second waits, then finds it migrated
    connection.exec_driver_sql("SELECT pg_advisory_xact_lock(727361)")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
