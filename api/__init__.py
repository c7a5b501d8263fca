"""HTTP API of wuye-copilot: FastAPI app, API-key auth, SQLAlchemy store, Alembic migrations.

Entry point: ``api.app.create_app(settings)``. The store (``api.store``), auth (``api.auth``)
and the append-only audit log are plain importable modules so the supervisor console reuses them.
"""
