"""The store on SQLite and PostgreSQL: migrations, keys, append-only audit log, listing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from api.store import (
    Database,
    DraftFilter,
    Scope,
    append_audit_event,
    authenticate,
    create_api_key,
    create_request,
    database_urls,
    list_api_keys,
    list_audit_events,
    list_drafts,
    revoke_api_key,
    run_migrations,
    save_draft,
)
from api.store.keys import hash_token

from .conftest import make_settings, postgres_schema


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    async def open_db(settings) -> Database:  # type: ignore[no-untyped-def]
        run_migrations(settings)
        run_migrations(settings)  # idempotent: a second start-up is a no-op
        return Database.from_settings(settings)

    if request.param == "sqlite":
        database = await open_db(make_settings(tmp_path))
        yield database
        await database.dispose()
        return
    async with postgres_schema() as url:
        database = await open_db(make_settings(tmp_path, database_url=url))
        yield database
        await database.dispose()


async def test_schema_is_created_by_migrations(db):
    async with db.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar_one()
    assert {"api_keys", "draft_requests", "drafts", "idempotency", "audit_events"} <= tables
    assert version == "0001"


async def test_keys_are_hashed_and_revocable(db):
    async with db.session() as s:
        row, token = await create_api_key(s, name="前台小王", role="agent", projects=["翠湖苑", " 翠湖苑 "])
    assert token.startswith("wuye_") and len(token) > 40
    assert row.hash == hash_token(token) and token not in row.hash and row.projects == ["翠湖苑"]
    async with db.session() as s:
        assert (await authenticate(s, token=token)).id == row.id
        assert await authenticate(s, token=token + "x") is None
        assert await authenticate(s, token="not-a-wuye-key") is None
        await revoke_api_key(s, key_id=row.id)
    async with db.session() as s:
        assert await authenticate(s, token=token) is None
        assert (await list_api_keys(s))[0].revoked_at is not None


@pytest.mark.parametrize(("role", "projects", "name"), [("boss", ["a"], "n"), ("agent", [], "n"),
                                                        ("agent", ["  "], "n"), ("qa", ["a"], " ")])
async def test_bad_keys_are_refused(db, role, projects, name):
    from agent.errors import InvalidInput

    with pytest.raises(InvalidInput):
        async with db.session() as s:
            await create_api_key(s, name=name, role=role, projects=projects)


async def test_audit_log_rejects_update_and_delete(db):
    async with db.session() as s:
        await append_audit_event(s, draft_id="d1", actor_key_id="k1", role="agent", action="created",
                                 after={"act": "马上安排师傅上门"}, rule_hits=[{"rule_id": "x"}])
    for statement in ("UPDATE audit_events SET action = 'approve'", "DELETE FROM audit_events"):
        with pytest.raises((IntegrityError, DBAPIError), match="append-only"):
            async with db.session() as s:
                await s.execute(text(statement))
    async with db.session() as s:
        await create_request(s, draft_id="d1", key_id="k1", project="p", complaint_masked="c", history=[],
                             channel=None, owner_ref=None)
        await save_draft(s, draft_id="d1", agent_key_id="k1", project="p", data={"status": "pending_approval"})
    async with db.session() as s:
        events, _ = await list_audit_events(s, scope=Scope())
    assert [(e.action, e.after, e.rule_hits) for e in events] == [("created", {"act": "马上安排师傅上门"},
                                                                  [{"rule_id": "x"}])]


async def test_list_filters_scope_and_cursor(db):
    async with db.session() as s:
        for i in range(5):
            did = f"d{i}"
            await create_request(s, draft_id=did, key_id="k1" if i % 2 else "k2", project="p" if i < 4 else "q",
                                 complaint_masked="c", history=[], channel=None, owner_ref=None)
            violations = [{"rule_id": "act.rule_50%", "category": "vague"}] if i == 3 else []
            await save_draft(s, draft_id=did, agent_key_id="k1" if i % 2 else "k2", project="p" if i < 4 else "q",
                             data={"status": "flagged" if violations else "pending_approval",
                                   "classification": {"category": "fees", "severity": "major"},
                                   "stages": [{"stage": "act", "guardrail": {"violations": violations}}]})
    async with db.session() as s:
        mine, _ = await list_drafts(s, scope=Scope(agent_key_id="k1"), flt=DraftFilter())
        assert [d.id for d in mine] == ["d3", "d1"]
        proj, _ = await list_drafts(s, scope=Scope(projects=("q",)), flt=DraftFilter())
        assert [d.id for d in proj] == ["d4"]
        page1, cur = await list_drafts(s, scope=Scope(), flt=DraftFilter(), limit=3)
        page2, end = await list_drafts(s, scope=Scope(), flt=DraftFilter(), cursor=cur, limit=3)
        assert [d.id for d in page1 + page2] == ["d4", "d3", "d2", "d1", "d0"] and end is None
        hit, _ = await list_drafts(s, scope=Scope(), flt=DraftFilter(rule="act.rule_50%", violation="vague"))
        assert [d.id for d in hit] == ["d3"]
        # LIKE wildcards in a filter value are literal, not patterns
        assert (await list_drafts(s, scope=Scope(), flt=DraftFilter(rule="act.rule_5%")))[0] == []


def test_database_urls(tmp_path):
    from agent.errors import InvalidInput

    sync, async_ = database_urls(make_settings(tmp_path))
    assert sync == f"sqlite:///{(tmp_path / 'wuye.sqlite3').resolve()}" and async_.startswith("sqlite+aiosqlite:")
    pg = database_urls(make_settings(tmp_path, database_url="postgresql://u:p@db:5432/wuye"))
    assert pg == ("postgresql+psycopg://u:p@db:5432/wuye",) * 2
    with pytest.raises(InvalidInput):
        database_urls(make_settings(tmp_path, database_url="mysql://u@h/db"))
    with pytest.raises(InvalidInput):
        database_urls(make_settings(tmp_path, database_url="::not a url::"))


# -- the request hot path (Database.read / Database.transaction) --------------------------------
def _request_row(conn, *, draft_id: str) -> None:  # type: ignore[no-untyped-def]
    from api.store.fastpath import record_request

    record_request(conn, draft_id=draft_id, key_id="k1", project="翠湖苑", complaint_masked="电梯坏了",
                   history=[], channel=None, owner_ref=None)


def _states(db: Database) -> dict[str, str]:
    with db.sync_engine.connect() as conn:
        return dict(conn.execute(text("SELECT id, state FROM draft_requests")).all())


async def test_hot_path_transaction_commits_and_reads_back(db):
    import threading

    from api.store.fastpath import authenticate_sync

    async with db.session() as s:
        _, token = await create_api_key(s, name="前台", role="agent", projects=["翠湖苑"])
    seen: list[str] = []

    def work(conn, *, draft_id):  # type: ignore[no-untyped-def]
        seen.append(threading.current_thread().name)
        _request_row(conn, draft_id=draft_id)

    await db.transaction(work, draft_id="d_hot")
    key = await db.read(authenticate_sync, token=token)
    assert _states(db) == {"d_hot": "received"}
    assert key is not None and key.role == "agent" and key.projects == ("翠湖苑",)
    assert await db.read(authenticate_sync, token=token + "x") is None
    # SQLite runs on the caller's thread (no worker hop); PostgreSQL in the store's worker threads
    on_loop = seen == [threading.current_thread().name]
    assert on_loop == (db.dialect == "sqlite")


async def test_sqlite_write_locked_elsewhere_waits_in_a_thread_not_on_the_loop(tmp_path):
    """Another process (``wuye keys create``, a sibling worker) holding the SQLite write lock must
    not stall the event loop: the inline attempt gives up at once, rolls back, and the work is
    re-run in a worker thread that waits for the lock."""
    import asyncio
    import sqlite3

    settings = make_settings(tmp_path)
    run_migrations(settings)
    db = Database.from_settings(settings)
    assert _states(db) == {}  # the first connection has put the file in WAL mode, as at start-up
    other = sqlite3.connect(settings.sqlite_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # holds the write lock
    attempts = 0

    def work(conn, *, draft_id):  # type: ignore[no-untyped-def]
        nonlocal attempts
        attempts += 1
        _request_row(conn, draft_id=draft_id)

    try:
        pending = asyncio.create_task(db.transaction(work, draft_id="d_locked"))
        ticks = 0
        for _ in range(20):  # the loop keeps running while the write waits
            await asyncio.sleep(0.01)
            ticks += 1
        assert not pending.done() and ticks == 20
        other.execute("COMMIT")
        await asyncio.wait_for(pending, timeout=10)
    finally:
        other.close()
    assert attempts == 2  # inline (refused at once, rolled back), then in the thread
    assert _states(db) == {"d_locked": "received"}
    with db.sync_engine.connect() as conn:  # the pooled connection got its normal busy timeout back
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    await db.dispose()


async def test_sqlite_inline_errors_other_than_locking_are_raised(tmp_path):
    settings = make_settings(tmp_path)
    run_migrations(settings)
    db = Database.from_settings(settings)
    await db.transaction(_request_row, draft_id="d_once")
    with pytest.raises(IntegrityError):  # same primary key: a real error, not retried
        await db.transaction(_request_row, draft_id="d_once")
    assert _states(db) == {"d_once": "received"}
    await db.dispose()
