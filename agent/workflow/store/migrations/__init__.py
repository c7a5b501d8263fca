"""Alembic migrations, run programmatically on start-up by ``agent.workflow.store.database.run_migrations``."""
