"""Engine, sessions and migrations.

SQLite file ``<data_dir>/wuye.sqlite3`` by default (zero set-up), PostgreSQL when
``WUYE_DATABASE_URL`` is set. The app uses async engines (aiosqlite / psycopg async) so the
event loop never blocks on the database; Alembic runs with a sync engine at start-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from agent.errors import InvalidInput
from agent.settings import Settings

T = TypeVar("T")
BUSY_TIMEOUT_MS = 30_000
_SQLITE_BUSY = {5, 6, 261, 517}  # SQLITE_BUSY, SQLITE_LOCKED and their extended codes (recovery, snapshot)


class _Locked(Exception):
    """The SQLite file is locked by another connection (raised instead of waiting)."""
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def database_urls(settings: Settings) -> tuple[str, str]:
    """(sync URL for Alembic, async URL for the app)."""
    if not settings.database_url:
        path = settings.sqlite_path.resolve()
        return f"sqlite:///{path}", f"sqlite+aiosqlite:///{path}"
    try:
        url = make_url(settings.database_url)
    except Exception as exc:  # sqlalchemy.exc.ArgumentError
        raise InvalidInput(
            "WUYE_DATABASE_URL 格式不正确。", "WUYE_DATABASE_URL is not a valid database URL.",
            code="bad_database_url",
        ) from exc
    backend = url.get_backend_name()
    if backend == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
        rendered = url.render_as_string(hide_password=False)
        return rendered, rendered  # psycopg 3 serves both sync and async engines
    if backend == "sqlite":
        sync = url.set(drivername="sqlite").render_as_string(hide_password=False)
        return sync, url.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)
    raise InvalidInput(
        f"不支持的数据库:{backend}(请使用 PostgreSQL 或不设置以使用 SQLite)。",
        f"Unsupported database {backend!r}; use PostgreSQL, or unset it for SQLite.",
        code="bad_database_url",
    )


def run_migrations(settings: Settings) -> None:
    """``alembic upgrade head`` against the configured database (sync; call it in a thread)."""
    from .migrate import upgrade

    upgrade(settings)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # Switching to WAL needs the file to itself and fails at once (no busy wait) while another
    # connection writes. WAL mode is persistent: only a new file needs it, and if the switch is
    # refused this connection works in the file's current mode and a later one switches it.
    cursor.execute("PRAGMA journal_mode")
    if str(cursor.fetchone()[0]).lower() != "wal":
        with contextlib.suppress(sqlite3.OperationalError):
            cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Database:
    """An async engine + session factory. ``async with db.session() as s:`` commits on success."""

    def __init__(self, engine: AsyncEngine, sync_engine: Engine) -> None:
        self.engine = engine
        self.sync_engine = sync_engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        # SQLite has one writer at a time and its busy handler *sleeps* while another connection
        # writes: this process's write transactions queue on this lock instead.
        self._write_lock = threading.Lock() if engine.dialect.name == "sqlite" else None
        # Own threads: database work must never queue behind drafts waiting on the model.
        self._threads = ThreadPoolExecutor(max_workers=8, thread_name_prefix="wuye-db")

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        sync_url, async_url = database_urls(settings)
        if async_url.startswith("sqlite"):
            settings.ensure_data_dir()
            engine = create_async_engine(async_url, connect_args={"timeout": 30})
            sync_engine = create_engine(sync_url, connect_args={"timeout": 30, "check_same_thread": False})
            for target in (engine.sync_engine, sync_engine):
                event.listen(target, "connect", _sqlite_pragmas)
        else:
            engine = create_async_engine(async_url, pool_size=10, max_overflow=20, pool_pre_ping=True)
            sync_engine = create_engine(sync_url, pool_size=10, max_overflow=40, pool_pre_ping=True)
        return cls(engine, sync_engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """An async session in a transaction, committed on success. Do not nest two (SQLite: the
        write lock is held for the whole block)."""
        if self._write_lock is None:
            async with self._sessions() as session, session.begin():
                yield session
            return
        await self._acquire_write_lock()
        try:
            async with self._sessions() as session, session.begin():
                yield session
        finally:
            self._write_lock.release()

    @asynccontextmanager
    async def read_session(self) -> AsyncIterator[AsyncSession]:
        """A session for reads only (no write lock, nothing committed)."""
        async with self._sessions() as session:
            yield session

    async def _acquire_write_lock(self) -> None:
        assert self._write_lock is not None
        if self._write_lock.acquire(blocking=False):
            return
        waiter = asyncio.get_running_loop().run_in_executor(self._threads, self._write_lock.acquire)
        try:
            await asyncio.shield(waiter)
        except asyncio.CancelledError:  # the thread still gets the lock: hand it back then
            waiter.add_done_callback(lambda f: self._write_lock.release() if not f.cancelled() and f.result()
                                     else None)
            raise

    async def read(self, work: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run ``work(connection, *args, **kwargs)`` (reads only). SQLite: on the loop (in WAL mode a
        read never waits for a writer, and a local indexed read costs less than the ≈ 0.25 ms of CPU
        of a thread hop); PostgreSQL: in one worker-thread hop."""

        def run() -> T:
            with self.sync_engine.connect() as connection:
                return work(connection, *args, **kwargs)

        if self.dialect == "sqlite":
            return run()
        return await asyncio.get_running_loop().run_in_executor(self._threads, run)

    async def transaction(self, work: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run ``work(connection, *args, **kwargs)`` in one sync transaction — the request hot path
        (an async driver pays one thread round trip per statement). SQLite: on the loop when no
        other writer is busy (a WAL commit without fsync is well under a millisecond), otherwise,
        like PostgreSQL, in one worker-thread hop that may wait for the lock. ``work`` must only
        touch the database: it is re-run in the thread if the inline attempt finds the file locked."""

        def run() -> T:
            with self._write_lock or contextlib.nullcontext(), self.sync_engine.begin() as connection:
                return work(connection, *args, **kwargs)

        if self._write_lock is not None and self._write_lock.acquire(blocking=False):
            try:
                return self._without_waiting(work, args, kwargs)
            except _Locked:  # another process (`wuye keys`, a sibling worker) holds the write lock
                pass
            finally:
                self._write_lock.release()
        return await asyncio.get_running_loop().run_in_executor(self._threads, run)

    def _without_waiting(self, work: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
        """One SQLite transaction that fails at once (``_Locked``, rolled back) instead of sleeping
        in SQLite's busy handler, which would stall the event loop."""
        with self.sync_engine.connect() as connection:
            raw = connection.connection.dbapi_connection
            raw.execute("PRAGMA busy_timeout=0")
            try:
                with connection.begin():
                    return work(connection, *args, **kwargs)
            except OperationalError as exc:
                if getattr(exc.orig, "sqlite_errorcode", None) in _SQLITE_BUSY:
                    raise _Locked from exc
                raise
            finally:
                try:
                    raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
                except sqlite3.Error:  # never hand the pool a connection that gives up at once
                    connection.invalidate()

    async def ping(self) -> None:
        from sqlalchemy import text

        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
        self.sync_engine.dispose()
        self._threads.shutdown(wait=False)
