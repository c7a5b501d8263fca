"""The Alembic migrations as functions: ``upgrade`` (start-up and ``wuye db upgrade``), ``status``
(``wuye db current``) and ``history`` (``wuye db history``). Sync: call them in a thread.

Upgrades are safe to start from several instances at once: on PostgreSQL the migration
transaction first takes an advisory lock (``migrations/env.py``), so one instance migrates and the
others wait, then find the schema at head and do nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agent.settings import Settings

from .database import MIGRATIONS_DIR, database_urls


@dataclass(frozen=True)
class MigrationStatus:
    current: tuple[str, ...]  # revisions recorded in the database (empty: never migrated)
    heads: tuple[str, ...]  # the newest revisions this code ships

    @property
    def at_head(self) -> bool:
        return set(self.current) == set(self.heads)


@dataclass(frozen=True)
class Revision:
    id: str
    down: str | None
    message: str
    is_head: bool


def alembic_config(settings: Settings) -> Any:
    from alembic.config import Config

    sync_url, _ = database_urls(settings)
    if sync_url.startswith("sqlite:"):
        settings.ensure_data_dir()
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", sync_url.replace("%", "%%"))
    return config


def upgrade(settings: Settings, revision: str = "head") -> None:
    """``alembic upgrade`` against the configured database."""
    from alembic import command

    command.upgrade(alembic_config(settings), revision)


def _script(settings: Settings) -> Any:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(settings))


def status(settings: Settings) -> MigrationStatus:
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine, pool

    script = _script(settings)  # also creates the data dir for SQLite
    engine = create_engine(database_urls(settings)[0], poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_heads()
    finally:
        engine.dispose()
    return MigrationStatus(current=tuple(current), heads=tuple(script.get_heads()))


def history(settings: Settings) -> list[Revision]:
    """Newest first."""
    script = _script(settings)
    heads = set(script.get_heads())
    return [Revision(id=r.revision, down=r.down_revision if isinstance(r.down_revision, str) else None,
                     message=(r.doc or "").strip().splitlines()[0] if r.doc else "", is_head=r.revision in heads)
            for r in script.walk_revisions()]
