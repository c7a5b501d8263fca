"""The one store of record (SQLAlchemy Core, async): ``database`` (engine, migrations),
``tables`` (schema), ``drafts`` (draft records), ``audit`` (append-only log), ``keys`` (API keys).
Nothing else in the project talks to the database."""
