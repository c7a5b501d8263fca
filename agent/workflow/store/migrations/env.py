"""Alembic environment. The URL (or an open connection) is passed in by
``agent.workflow.store.database.run_migrations``; nothing here reads the environment."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool, text

from agent.workflow.store.tables import metadata

config = context.config
target_metadata = metadata
MIGRATION_LOCK = 0x77_75_79_65  # "wuye": one PostgreSQL advisory lock for every instance's upgrade


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":  # instances starting together migrate one at a time
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():  # pragma: no cover - we never generate SQL scripts offline
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
