"""The one store of record (SQLAlchemy Core, async): ``database`` (engine), ``migrate``
(Alembic migrations: ``wuye db``),
``tables`` (schema), ``drafts`` (draft records), ``audit`` (append-only log), ``keys`` (API keys).
Nothing else in the project talks to the database."""
