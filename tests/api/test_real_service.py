"""The API over the real DraftingService (retriever, guard checker, LangGraph checkpointer) with the
model mocked by respx at http://llm.test/v1: idempotency, restart, recovery, offline fallback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from agent.settings import Settings
from tests.workflow.conftest import answer_for, chat

from .conftest import make_settings, running

pytestmark = pytest.mark.slow  # builds the corpus index once (~6 s)

LLM_URL = "http://llm.test/v1/chat/completions"
TEXTS = {
    "listen": "您慢慢说,不着急,您说的每一点我都记下来了,还有什么想补充的尽管告诉我。",
    "empathize": "漏水这么多天,家里还发了霉,换了谁都会着急上火,真是辛苦您了。",
    "ask": "想跟您确认一下,漏水主要在卫生间还是客厅?您看今天下午还是明天上午方便师傅上门?",
    "act": "我这就给您登记加急维修,请维修师傅今天下午上门查看漏水点,有进展我第一时间打电话告诉您。",
    "negotiate": "找到漏水原因后,维修方案我先拿来跟您商量,按您方便的时间安排施工。",
    "thank": "谢谢您及时告诉我们,也谢谢您这几天的耐心,修好以后我会再回访,确认您满意。",
}
COMPLAINT = "楼上漏水一个多星期了,报修三次都没人来,天花板都发霉了,你们到底管不管?"


def _answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=chat(json.dumps(answer_for(request, TEXTS), ensure_ascii=False)))


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    from agent.guard import GuardChecker
    from agent.retrieval.index import build_index
    from agent.retrieval.search import Retriever

    settings = Settings(data_dir=tmp_path_factory.mktemp("api-index"))
    build_index(settings, progress=False)
    return Retriever.open(settings), GuardChecker.from_settings(settings)


@pytest.fixture
def make_service(clients) -> Iterator[Any]:
    from agent.workflow.core import DraftingService

    opened: list[Any] = []

    def make(settings: Settings) -> Any:
        service = DraftingService(settings, retriever=clients[0], checker=clients[1])
        opened.append(service)
        return service

    yield make
    for service in opened:
        service.close()


def model_settings(data_dir: Path) -> Settings:
    return make_settings(data_dir, model="openai/test-model", api_base="http://llm.test/v1", api_key="sk-test",
                         retries=1, retry_backoff=0.0, timeout=5)


async def test_idempotent_post_calls_the_model_once(tmp_path, make_service):
    settings = model_settings(tmp_path)
    with respx.mock(assert_all_mocked=True) as mock:
        route = mock.post(LLM_URL).mock(side_effect=_answer)
        async with running(settings, make_service(settings)) as api:
            agent = await api.key("agent")
            headers = {**agent, "Idempotency-Key": "2026-11-23-翠湖苑-001".encode().hex()}
            body = {"complaint": COMPLAINT, "project": "翠湖苑"}
            first = await api.client.post("/v1/drafts", json=body, headers=headers)
            calls_after_first = route.call_count
            second = await api.client.post("/v1/drafts", json=body, headers=headers)
    assert first.status_code == second.status_code == 201, first.text
    assert first.json() == second.json()
    assert route.call_count == calls_after_first == 1  # one model call in all (the texts pass the guard)
    draft = first.json()
    assert draft["drafter"] == "model" and draft["model"] == "openai/test-model" and draft["llm_calls"] == 1
    assert draft["status"] == "pending_approval"
    assert [s["text"] for s in draft["stages"]] == list(TEXTS.values())


async def test_model_outage_falls_back_to_the_offline_drafter(tmp_path, make_service):
    settings = model_settings(tmp_path)
    with respx.mock(assert_all_mocked=True) as mock:
        mock.post(LLM_URL).mock(return_value=httpx.Response(503, json={"error": {"message": "down"}}))
        async with running(settings, make_service(settings)) as api:
            agent = await api.key("agent")
            r = await api.client.post("/v1/drafts", json={"complaint": COMPLAINT, "project": "翠湖苑"},
                                      headers=agent)
            metrics = (await api.client.get("/metrics")).text
    assert r.status_code == 201, r.text
    draft = r.json()
    assert draft["drafter"] == "offline_fallback" and draft["model"] == "wuye-offline/drafter"
    assert all(s["text"] for s in draft["stages"])
    assert "wuye_model_fallbacks_total 1.0" in metrics


async def test_pending_draft_survives_a_restart_and_is_approved_after(tmp_path, make_service):
    settings = make_settings(tmp_path)  # offline drafter, SQLite store + SQLite checkpoints
    async with running(settings, make_service(settings)) as first:
        agent = await first.key("agent")
        sup = await first.key("supervisor")
        draft = await first.draft(agent, complaint=COMPLAINT)
        assert draft["status"] == "pending_approval"
    first.service.close()
    async with running(settings, make_service(settings)) as second:
        got = await second.client.get(f"/v1/drafts/{draft['id']}", headers=agent)
        assert got.status_code == 200 and got.json()["status"] == "pending_approval"
        r = await second.client.post(f"/v1/drafts/{draft['id']}/decision", json={"action": "approve"},
                                     headers=agent)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "approved" and r.json()["final"]
        audit = (await second.client.get("/v1/audit", params={"draft_id": draft["id"]}, headers=sup)).json()
    assert [e["action"] for e in audit["items"]] == ["created", "approve"]


async def test_request_accepted_before_a_crash_is_drafted_on_start_up(tmp_path, make_service):
    from api.store import create_request, get_draft, run_migrations
    from api.store.db import Database

    settings = make_settings(tmp_path)
    run_migrations(settings)
    db = Database.from_settings(settings)
    async with db.session() as s:  # what POST /v1/drafts had committed when the process died
        await create_request(s, draft_id="d_crashed", key_id="k_agent", project="翠湖苑",
                             complaint_masked="电梯困人了!我电话〔电话1〕,快来人!", history=[], channel="phone",
                             owner_ref=None)
    await db.dispose()
    async with running(settings, make_service(settings)) as api:  # `running` awaits the recovery task
        async with api.app.state.db.session() as s:
            row = await get_draft(s, draft_id="d_crashed")
        assert row is not None and row.status in ("pending_approval", "flagged")
        assert row.agent_key_id == "k_agent" and row.project == "翠湖苑"
        assert "〔电话1〕" in row.data["complaint_masked"]
        sup = await api.key("supervisor")
        audit = (await api.client.get("/v1/audit", params={"draft_id": "d_crashed"}, headers=sup)).json()
        assert audit["items"][0]["action"] == "created" and "restart" in audit["items"][0]["note"]
