"""Fixtures for the HTTP API tests: an app on a temp data dir (SQLite or a throw-away PostgreSQL
schema), API keys per role, and a small in-memory stand-in for the DraftingService that follows
the service's decision rules (the real service is exercised in test_real_service.py)."""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from agent.settings import Settings
from agent.vocab import Stage
from agent.workflow.models import Decision, DraftSet
from agent.workflow.nodes.review import DecisionNotAllowed, EditBlocked

PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BLOCK_PHRASE = "不归我们管"


def guard_ready() -> bool:
    try:
        from agent.guard import GuardChecker  # noqa: F401
    except ImportError:
        return False
    return True


def postgres_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            pass
        import psycopg

        psycopg.connect("host=127.0.0.1 port=5432 dbname=test user=postgres connect_timeout=2").close()
        return True
    except Exception:
        return False


@asynccontextmanager
async def postgres_schema() -> AsyncIterator[str]:
    """A database URL whose search_path is a fresh schema, dropped afterwards."""
    if not postgres_available():
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432 (database `test`, user postgres)")
    import psycopg

    schema = "wuye_t_" + uuid.uuid4().hex[:12]
    dsn = "host=127.0.0.1 port=5432 dbname=test user=postgres"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _violation(text: str) -> dict[str, Any]:
    start = text.find(BLOCK_PHRASE)
    return {"category": "buck_passing", "rule_id": "act.buck_passing.not_our_job", "severity": "block",
            "start": start, "end": start + len(BLOCK_PHRASE), "excerpt": BLOCK_PHRASE,
            "message": "推诿责任", "fix_hint": "说明我们会怎么协调处理"}


def _guard(text: str) -> dict[str, Any]:
    return {"passed": BLOCK_PHRASE not in text,
            "violations": [_violation(text)] if BLOCK_PHRASE in text else []}


class FakeService:
    """acreate/adecide/aget with the contract's types. A complaint containing ``FLAG`` yields a
    flagged set (the act stage passes the buck); edits containing ``不归我们管`` are blocked."""

    def __init__(self, on_create: Any = None) -> None:
        self.drafts: dict[str, DraftSet] = {}
        self.create_calls = 0
        self.on_create = on_create  # async hook(draft_id) called before drafting (test probes)

    async def acreate(self, complaint: str, draft_id: str | None = None, history: Any = None,
                      meta: dict[str, Any] | None = None) -> DraftSet:
        self.create_calls += 1
        draft_id = draft_id or uuid.uuid4().hex
        if self.on_create is not None:
            await self.on_create(draft_id)
        flagged = "FLAG" in complaint
        stages = []
        for stage in Stage:
            text = f"{stage.value}:您反映的情况我们已经记下了。"
            if flagged and stage == Stage.act:
                text = "这事不归我们管,您去找开发商吧。"
            stages.append({"stage": stage.value, "text": text,
                           "techniques": [{"id": f"{stage.value}.demo", "title": "示例", "source": "x.txt § 1"}],
                           "guardrail": _guard(text)})
        draft = DraftSet(
            id=draft_id, status="flagged" if flagged else "pending_approval", script="simplified",
            complaint_masked=complaint, classification={"category": "facilities", "severity": "important"},
            stages=stages, model="wuye-offline/drafter", drafter="offline", prompt={"id": "draft", "version": "1"},
            llm_calls=0, timings_ms={"total": 1.0}, created_at=datetime.now(UTC), meta=meta or {},
        )
        self.drafts[draft_id] = draft
        return draft

    async def aget(self, draft_id: str) -> DraftSet | None:
        return self.drafts.get(draft_id)

    async def adecide(self, draft_id: str, decision: Decision, actor: str, role: str = "agent") -> DraftSet:
        draft = self.drafts[draft_id]
        if draft.status not in ("pending_approval", "flagged"):
            raise DecisionNotAllowed("已处理。", "already decided.")
        data = draft.model_dump(mode="json")
        if decision.action == "approve":
            if draft.status == "flagged":
                raise DecisionNotAllowed("被标记。", "flagged.")
            data["status"] = "approved"
        elif decision.action == "edit":
            for stage in data["stages"]:
                new = (decision.stages or {}).get(Stage(stage["stage"]))
                if new is not None:
                    stage["text"], stage["guardrail"] = new, _guard(new)
            blocked = {s["stage"]: s["guardrail"]["violations"] for s in data["stages"] if not s["guardrail"]["passed"]}
            if blocked and not (decision.override and role == "supervisor"):
                raise EditBlocked(blocked)
            data["status"] = "approved"
        elif decision.action in ("reject",):
            data["status"] = "rejected"
        elif decision.action == "override_approve":
            data["status"] = "approved"
        elif decision.action == "return_to_agent":
            data["status"] = "pending_approval"
        data["events"].append({"at": datetime.now(UTC).isoformat(), "actor": actor, "action": decision.action,
                               "detail": {}})
        self.drafts[draft_id] = DraftSet.model_validate(data)
        return self.drafts[draft_id]


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"data_dir": data_dir, "rate_limit_per_minute": 10_000}
    values.update(overrides)
    return Settings(**values)


class Api:
    """An app under test: ``client`` (httpx AsyncClient), ``key(role, projects)`` → headers."""

    def __init__(self, app: Any, client: httpx.AsyncClient, service: Any) -> None:
        self.app, self.client, self.service = app, client, service

    async def key(self, role: str, projects: list[str] | None = None, name: str = "测试") -> dict[str, str]:
        from api.store import create_api_key

        async with self.app.state.db.session() as s:
            row, token = await create_api_key(s, name=name, role=role, projects=projects or ["翠湖苑"])
        return {"Authorization": f"Bearer {token}", "X-Key-Id": row.id}

    async def draft(self, headers: dict[str, str], complaint: str = "电梯坏了三天了,一直没人修!",
                    project: str = "翠湖苑") -> dict[str, Any]:
        r = await self.client.post("/v1/drafts", json={"complaint": complaint, "project": project}, headers=headers)
        assert r.status_code == 201, r.text
        return r.json()


@asynccontextmanager
async def running(settings: Settings, service: Any = None) -> AsyncIterator[Api]:
    from api.app import create_app

    service = service if service is not None else FakeService()
    app = create_app(settings, service=service)
    async with app.router.lifespan_context(app):
        await app.state.recovery
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Api(app, client, service)


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    async with running(make_settings(tmp_path)) as a:
        yield a


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def any_db_api(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Api]:
    """The same app on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        async with running(make_settings(tmp_path)) as a:
            yield a
        return
    async with postgres_schema() as url, running(make_settings(tmp_path, database_url=url)) as a:
        yield a
