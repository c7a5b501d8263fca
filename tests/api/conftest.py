"""Fixtures for the HTTP API tests: an app over the REAL DraftCore (retriever, guard, store,
decision rules) on a temp data dir (SQLite or a throw-away PostgreSQL schema), API keys per role,
and the model mocked by respx at http://llm.test/v1. A complaint containing ``FLAG`` gets an act
stage that passes the buck (in the first draft and the re-ask), so its set is flagged by the real
guard; every other complaint gets clean texts."""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from agent.settings import Settings
from tests.workflow.conftest import CLEAN, answer_for, chat, user_message

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


LLM_URL = "http://llm.test/v1/chat/completions"
FLAG_ACT = "这事不归我们管,您去找开发商吧。"
BLOCK_RULE = "buck_passing.send_elsewhere"


class ScriptedModel:
    """The mocked model host: clean texts, or (complaint contains FLAG) an act that passes the buck."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        texts = {**CLEAN, "act": FLAG_ACT} if "FLAG" in user_message(request) else CLEAN
        return httpx.Response(200, json=chat(json.dumps(answer_for(request, texts), ensure_ascii=False)))


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"data_dir": data_dir, "rate_limit_per_minute": 10_000, "model": "openai/test-model",
                              "api_base": "http://llm.test/v1", "api_key": "sk-test", "retries": 1, "timeout": 5}
    values.update(overrides)
    return Settings(**values)


class Api:
    """An app under test: ``client`` (httpx AsyncClient), ``key(role, projects)`` → headers."""

    def __init__(self, app: Any, client: httpx.AsyncClient, model: ScriptedModel) -> None:
        self.app, self.client, self.model = app, client, model

    @property
    def core(self) -> Any:
        return self.app.state.core

    async def key(self, role: str, projects: list[str] | None = None, name: str = "测试") -> dict[str, str]:
        from agent.workflow.store.keys import create_api_key

        async with self.core.db.begin() as conn:
            key, token = await create_api_key(conn, name=name, role=role, projects=projects or ["翠湖苑"])
        return {"Authorization": f"Bearer {token}", "X-Key-Id": key.id}

    async def draft(self, headers: dict[str, str], complaint: str = "电梯坏了三天了,一直没人修!",
                    project: str = "翠湖苑") -> dict[str, Any]:
        r = await self.client.post("/v1/drafts", json={"complaint": complaint, "project": project}, headers=headers)
        assert r.status_code == 201, r.text
        return r.json()


@asynccontextmanager
async def running(settings: Settings, clients: tuple[Any, Any], model: ScriptedModel | None = None
                  ) -> AsyncIterator[Api]:
    """The app over a real DraftCore (shared retriever and guard), the model host mocked."""
    from agent.workflow.core import DraftCore
    from api.app import create_app

    model = model or ScriptedModel()
    with respx.mock(assert_all_called=False) as mock:
        mock.post(LLM_URL).mock(side_effect=model)
        core = await DraftCore.open(settings, retriever=clients[0], checker=clients[1])
        app = create_app(settings, core)
        try:
            async with app.router.lifespan_context(app):
                await app.state.recovery
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                    yield Api(app, client, model)
        finally:
            await core.aclose()


@pytest.fixture
async def api(tmp_path: Path, shared_clients: tuple[Any, Any]) -> AsyncIterator[Api]:
    async with running(make_settings(tmp_path), shared_clients) as a:
        yield a


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def any_db_api(request: pytest.FixtureRequest, tmp_path: Path, shared_clients: tuple[Any, Any]
                     ) -> AsyncIterator[Api]:
    """The same app on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        async with running(make_settings(tmp_path), shared_clients) as a:
            yield a
        return
    async with postgres_schema() as url, running(make_settings(tmp_path, database_url=url), shared_clients) as a:
        yield a
