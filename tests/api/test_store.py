"""The store of record on SQLite and PostgreSQL: migrations, keys, the append-only audit log (and
its cursor), listing, and the conditional update that applies a change exactly once."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from agent.workflow.intake import Accepted
from agent.workflow.models import AuditEvent, DraftSet
from agent.workflow.store import audit
from agent.workflow.store import drafts as store
from agent.workflow.store.database import HEAD, MIGRATIONS_DIR, Database, database_urls, run_migrations
from agent.workflow.store.drafts import DraftFilter, Scope
from agent.workflow.store.keys import authenticate, create_api_key, hash_token, list_api_keys, revoke_api_key

from .conftest import make_settings, postgres_schema


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        database = await Database.open(make_settings(tmp_path))
        yield database
        await database.dispose()
        return
    async with postgres_schema() as url:
        settings = make_settings(tmp_path, database_url=url)
        database = await Database.open(settings)
        run_migrations(settings)  # idempotent: a second start-up is a no-op
        yield database
        await database.dispose()


def _accepted(project: str = "p") -> Accepted:
    return Accepted(complaint_masked="电梯坏了", complaint_model="电梯坏了", script="simplified", script_variant="tw",
                    project=project)


def _draft(draft_id: str, version: int, *, status: str = "pending_approval", rule: str | None = None) -> DraftSet:
    violation = {"category": "vague", "rule_id": rule, "severity": "block", "start": 0, "end": 1, "excerpt": "我",
                 "message": "m", "fix_hint": "h"} if rule else None
    stages = [{"stage": s, "text": "我们马上处理。", "techniques": [],
               "guardrail": {"passed": violation is None or s != "act",
                             "violations": [violation] if violation and s == "act" else []}}
              for s in ("listen", "empathize", "ask", "act", "negotiate", "thank")]
    return DraftSet.model_validate({
        "id": draft_id, "version": version, "status": status, "script": "simplified", "complaint_masked": "电梯坏了",
        "classification": {"category": "fees", "severity": "major"}, "stages": stages, "model": "m",
        "drafter": "offline", "prompt": {"id": "draft", "version": "1"}, "created_at": datetime.now(UTC)})


async def _stored(db: Database, draft_id: str, *, key: str = "k1", project: str = "p", rule: str | None = None) -> None:
    async with db.begin() as conn:
        await store.insert_request(conn, draft_id=draft_id, key_id=key, accepted=_accepted(project))
        draft = _draft(draft_id, 2, status="flagged" if rule else "pending_approval", rule=rule)
        assert await store.save(conn, draft=draft, expected_version=1, first=True)


async def test_schema_is_created_by_migrations_and_head_is_known(db):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD  # Database.open's quick check
    async with db.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert {"api_keys", "drafts", "idempotency", "audit_events"} <= tables and "draft_requests" not in tables
    assert await db.revision() == HEAD


async def test_migration_0002_carries_drafts_over_and_drops_the_raw_requests(tmp_path):
    from alembic import command
    from alembic.config import Config

    settings = make_settings(tmp_path)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_urls(settings)[0])
    command.upgrade(config, "0001")
    with sqlite3.connect(settings.sqlite_path) as conn:
        conn.execute("INSERT INTO draft_requests VALUES ('d_old','k1','p','电梯坏了','[{\"role\":\"owner\","
                     "\"text\":\"我是张伟13812345678\"}]',NULL,'张伟','done',NULL,'2026-11-01 00:00:00')")
        conn.execute("INSERT INTO drafts (id, agent_key_id, project, status, category, severity, rule_ids, "
                     "violation_categories, drafter, data, created_at, updated_at) VALUES ('d_old','k1','p','approved',"
                     "'fees','major',',',',','offline',?, '2026-11-01 00:00:00','2026-11-01 00:00:00')",
                     (_draft("d_old", 1, status="approved").model_dump_json(),))
    command.upgrade(config, "head")
    with sqlite3.connect(settings.sqlite_path) as conn:
        row = conn.execute("SELECT id, status, version FROM drafts").fetchone()
        dump = "\n".join(conn.iterdump())
    assert row == ("d_old", "approved", 1)
    assert "13812345678" not in dump and "张伟" not in dump


async def test_keys_are_hashed_and_revocable(db):
    async with db.begin() as conn:
        key, token = await create_api_key(conn, name="前台小王", role="agent", projects=["翠湖苑", " 翠湖苑 "])
    assert token.startswith("wuye_") and len(token) > 40 and key.projects == ("翠湖苑",)
    async with db.begin() as conn:
        assert (await authenticate(conn, token=token)).id == key.id
        assert await authenticate(conn, token=token + "x") is None
        assert await authenticate(conn, token="not-a-wuye-key") is None
        assert (await list_api_keys(conn))[0].hash == hash_token(token)
        await revoke_api_key(conn, key_id=key.id)
    async with db.connect() as conn:
        assert await authenticate(conn, token=token) is None
        assert (await list_api_keys(conn))[0].revoked_at is not None


@pytest.mark.parametrize(("role", "projects", "name"), [("boss", ["a"], "n"), ("agent", [], "n"),
                                                        ("agent", ["  "], "n"), ("qa", ["a"], " ")])
async def test_bad_keys_are_refused(db, role, projects, name):
    from agent.errors import InvalidInput

    with pytest.raises(InvalidInput):
        async with db.begin() as conn:
            await create_api_key(conn, name=name, role=role, projects=projects)


def _event(draft_id: str, action: str, n: int) -> AuditEvent:
    return AuditEvent(draft_id=draft_id, actor_key_id="k1", role="agent", action=action, at=datetime.now(UTC),
                      after={"act": f"第{n}次"}, note=str(n))


async def test_audit_log_rejects_update_and_delete_and_pages_without_repeats(db):
    await _stored(db, "d1")
    async with db.begin() as conn:
        for n in range(5):
            await audit.append(conn, _event("d1", "created" if n == 0 else "edit", n))
    for statement in ("UPDATE audit_events SET action = 'approve'", "DELETE FROM audit_events"):
        with pytest.raises((IntegrityError, DBAPIError), match="append-only"):
            async with db.begin() as conn:
                await conn.execute(text(statement))
    seen, cursor = [], None
    async with db.connect() as conn:
        while True:
            rows, cursor = await audit.page(conn, scope=Scope(), draft_id="d1", cursor=cursor, limit=2)
            seen += [r.note for r in rows]
            if cursor is None:
                break
    assert seen == ["0", "1", "2", "3", "4"]  # every event once: a page starts after the previous one's last


async def test_list_filters_scope_and_cursor(db):
    for i in range(5):
        await _stored(db, f"d{i}", key="k1" if i % 2 else "k2", project="p" if i < 4 else "q",
                      rule="act.rule_50%" if i == 3 else None)
    async with db.connect() as conn:
        mine, _ = await store.page(conn, scope=Scope(agent_key_id="k1"), flt=DraftFilter())
        assert [d.id for d in mine] == ["d3", "d1"]
        proj, _ = await store.page(conn, scope=Scope(projects=("q",)), flt=DraftFilter())
        assert [d.id for d in proj] == ["d4"]
        page1, cur = await store.page(conn, scope=Scope(), flt=DraftFilter(), limit=3)
        page2, end = await store.page(conn, scope=Scope(), flt=DraftFilter(), cursor=cur, limit=3)
        assert [d.id for d in page1 + page2] == ["d4", "d3", "d2", "d1", "d0"] and end is None
        hit, _ = await store.page(conn, scope=Scope(), flt=DraftFilter(rule="act.rule_50%", violation="vague"))
        assert [d.id for d in hit] == ["d3"]
        # LIKE wildcards in a filter value are literal, not patterns
        assert (await store.page(conn, scope=Scope(), flt=DraftFilter(rule="act.rule_5%")))[0] == []


async def test_a_change_applies_exactly_once(db):
    """Two writers holding the same version: one conditional update wins, the other changes nothing."""
    await _stored(db, "d1")

    async def write(status: str) -> bool:
        async with db.begin() as conn:
            return await store.save(conn, draft=_draft("d1", 3, status=status), expected_version=2)

    results = await asyncio.gather(write("approved"), write("rejected"))
    assert sorted(results) == [False, True]
    async with db.connect() as conn:
        row = await store.get(conn, draft_id="d1")
    assert row.version == 3 and row.status == ("approved" if results[0] else "rejected")


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
