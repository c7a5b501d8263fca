"""Durable LangGraph checkpoints: SQLite under WUYE_DATA_DIR by default, PostgreSQL when
``WUYE_DATABASE_URL`` is set. A draft waiting for approval survives a killed process."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
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


def open_checkpointer(settings: Settings) -> tuple[Any, Callable[[], None]]:
    """Return ``(saver, close)``; tables are created on first use."""
    if settings.database_url and settings.database_url.startswith(("postgres", "postgresql")):
        return _postgres(psycopg_url(settings.database_url))
    from langgraph.checkpoint.sqlite import SqliteSaver

    settings.ensure_data_dir()
    try:
        conn = sqlite3.connect(str(settings.checkpoint_path), check_same_thread=False, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: committed drafts survive a killed process
    except sqlite3.Error as exc:
        raise CheckpointUnavailable(f"无法打开检查点数据库 {settings.checkpoint_path}:{exc}",
                                    f"cannot open the checkpoint database {settings.checkpoint_path}: {exc}") from exc
    saver = SqliteSaver(conn)
    saver.setup()
    return saver, conn.close


def _postgres(url: str) -> tuple[Any, Callable[[], None]]:
    from langgraph.checkpoint.postgres import PostgresSaver
    from psycopg.rows import dict_row
    from psycopg_pool import ConnectionPool

    pool = ConnectionPool(url, min_size=1, max_size=8, open=False,
                          kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row})
    try:
        pool.open(wait=True, timeout=10)
        saver = PostgresSaver(pool)
        saver.setup()
    except Exception as exc:  # noqa: BLE001 - any connection/setup failure is reported the same way
        pool.close()
        raise CheckpointUnavailable("无法连接 PostgreSQL 检查点数据库,请检查 WUYE_DATABASE_URL。",
                                    f"cannot use the PostgreSQL checkpointer ({type(exc).__name__}: {exc}); "
                                    "check WUYE_DATABASE_URL") from exc
    return saver, pool.close
