"""Alembic migrations, run programmatically on start-up by ``api.store.db.run_migrations``."""
