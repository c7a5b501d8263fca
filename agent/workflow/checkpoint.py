"""Durable LangGraph checkpoints: SQLite under WUYE_DATA_DIR by default, PostgreSQL when
``WUYE_DATABASE_URL`` is set. A draft waiting for approval survives a killed process.

One saver serves both the sync graph (CLI, evals) and the async graph (API): the async methods
bridge to the sync ones. SQLite calls run inline — a local WAL commit without fsync takes well
under a millisecond, less than a hop to a thread (which is what aiosqlite does per statement);
PostgreSQL calls, which wait on the network, run in a worker thread.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from typing import Any

from agent.errors import WuyeError
from agent.settings import Settings


class CheckpointUnavailable(WuyeError):
    code = "checkpoint_unavailable"


def psycopg_url(url: str) -> str:
    """Accept SQLAlchemy-style URLs (postgresql+psycopg://…) as well as plain libpq ones."""
    for prefix in ("postgresql+psycopg://", "postgresql+psycopg2://", "postgres+psycopg://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix):]
    return url


class AsyncBridge:
    """Mixin: LangGraph's async checkpointer methods on top of a sync saver. ``_inline`` = run the
    sync call on the event loop (local SQLite) instead of in a worker thread (network database)."""

    _inline = False

    async def _call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self._inline:
            return fn(*args, **kwargs)
        return await asyncio.to_thread(fn, *args, **kwargs)

    async def aget_tuple(self, config: Any) -> Any:
        return await self._call(self.get_tuple, config)  # type: ignore[attr-defined]

    async def alist(self, config: Any, *, filter: Any = None, before: Any = None,  # noqa: A002
                    limit: int | None = None) -> AsyncIterator[Any]:
        items = await self._call(lambda: list(self.list(config, filter=filter, before=before,  # type: ignore[attr-defined]
                                                        limit=limit)))
        for item in items:
            yield item

    async def aput(self, config: Any, checkpoint: Any, metadata: Any, new_versions: Any) -> Any:
        return await self._call(self.put, config, checkpoint, metadata, new_versions)  # type: ignore[attr-defined]

    async def aput_writes(self, config: Any, writes: Any, task_id: str, task_path: str = "") -> None:
        await self._call(self.put_writes, config, writes, task_id, task_path)  # type: ignore[attr-defined]

    async def adelete_thread(self, thread_id: str) -> None:
        await self._call(self.delete_thread, thread_id)  # type: ignore[attr-defined]


def _sqlite_saver_class() -> type:
    from langgraph.checkpoint.sqlite import SqliteSaver

    class BridgedSqliteSaver(AsyncBridge, SqliteSaver):
        _inline = True

    return BridgedSqliteSaver


def _postgres_saver_class() -> type:
    from langgraph.checkpoint.postgres import PostgresSaver

    class BridgedPostgresSaver(AsyncBridge, PostgresSaver):
        _inline = False

    return BridgedPostgresSaver


def open_checkpointer(settings: Settings) -> tuple[Any, Callable[[], None]]:
    """Return ``(saver, close)``; tables are created on first use."""
    if settings.database_url and settings.database_url.startswith(("postgres", "postgresql")):
        return _postgres(psycopg_url(settings.database_url))
    settings.ensure_data_dir()
    try:
        conn = sqlite3.connect(str(settings.checkpoint_path), check_same_thread=False, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: committed drafts survive a killed process
    except sqlite3.Error as exc:
        raise CheckpointUnavailable(f"无法打开检查点数据库 {settings.checkpoint_path}:{exc}",
                                    f"cannot open the checkpoint database {settings.checkpoint_path}: {exc}") from exc
    saver = _sqlite_saver_class()(conn)
    saver.setup()
    return saver, conn.close


def _postgres(url: str) -> tuple[Any, Callable[[], None]]:
    from psycopg.rows import dict_row
    from psycopg_pool import ConnectionPool

    pool = ConnectionPool(url, min_size=1, max_size=8, open=False,
                          kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row})
    try:
        pool.open(wait=True, timeout=10)
        saver = _postgres_saver_class()(pool)
        saver.setup()
    except Exception as exc:  # noqa: BLE001 - any connection/setup failure is reported the same way
        pool.close()
        raise CheckpointUnavailable("无法连接 PostgreSQL 检查点数据库,请检查 WUYE_DATABASE_URL。",
                                    f"cannot use the PostgreSQL checkpointer ({type(exc).__name__}: {exc}); "
                                    "check WUYE_DATABASE_URL") from exc
    return saver, pool.close
