"""The database: an async SQLAlchemy Core engine (aiosqlite by default, psycopg with
``WUYE_DATABASE_URL``) and its migrations.

SQLite lives in ``<data_dir>/wuye.sqlite3`` (WAL, a 30 s busy timeout: a writer waits for another
in the driver's thread, never on the event loop). ``Database.open`` runs ``alembic upgrade head``
only when the schema is not at ``HEAD`` already, so a CLI start pays one SELECT, not Alembic.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from agent.errors import InvalidInput, WuyeError
from agent.settings import Settings

HEAD = "0006"  # the newest revision in migrations/versions (tests/api/test_store.py checks it)
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 30_000


class StoreUnavailable(WuyeError):
    code = "store_unavailable"


def database_urls(settings: Settings) -> tuple[str, str]:
    """(sync URL for Alembic, async URL for the app)."""
    if not settings.database_url:
        path = settings.sqlite_path.resolve()
        return f"sqlite:///{path}", f"sqlite+aiosqlite:///{path}"
    try:
        url = make_url(settings.database_url)
    except Exception as exc:  # sqlalchemy.exc.ArgumentError
        raise InvalidInput("WUYE_DATABASE_URL 格式不正确。", "WUYE_DATABASE_URL is not a valid database URL.",
                           code="bad_database_url") from exc
    backend = url.get_backend_name()
    if backend == "postgresql":
        rendered = url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        return rendered, rendered  # psycopg 3 serves both
    if backend == "sqlite":
        return (url.set(drivername="sqlite").render_as_string(hide_password=False),
                url.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False))
    raise InvalidInput(f"不支持的数据库:{backend}(请使用 PostgreSQL 或不设置以使用 SQLite)。",
                       f"Unsupported database {backend!r}; use PostgreSQL, or unset it for SQLite.",
                       code="bad_database_url")


def run_migrations(settings: Settings) -> None:
    """``alembic upgrade head`` (sync: call it in a thread)."""
    from .migrate import upgrade

    upgrade(settings)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a committed draft survives a killed process
    cursor.close()


class Database:
    """``async with db.begin() as conn:`` one transaction (committed on success);
    ``async with db.connect() as conn:`` reads."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        _, async_url = database_urls(settings)
        if async_url.startswith("sqlite"):
            settings.ensure_data_dir()
            engine = create_async_engine(async_url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000},
                                         pool_size=8, max_overflow=24)
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        else:
            engine = create_async_engine(async_url, pool_size=10, max_overflow=20, pool_pre_ping=True)
        return cls(engine)

    @classmethod
    async def open(cls, settings: Settings) -> Database:
        """The database, migrated to ``HEAD`` (Alembic runs only when it is not there yet)."""
        import asyncio

        db = cls.from_settings(settings)
        try:
            if await db.revision() != HEAD:
                await asyncio.to_thread(run_migrations, settings)
        except SQLAlchemyError as exc:
            await db.dispose()
            raise StoreUnavailable(f"无法打开数据库:{type(exc).__name__}", f"cannot open the database: {exc}") from exc
        return db

    async def revision(self) -> str | None:
        async with self.engine.connect() as conn:
            try:
                return (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
            except SQLAlchemyError:
                return None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.begin() as conn:
            yield conn

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn:
            yield conn

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
