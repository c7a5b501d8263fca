"""Conversations (issue 16): the service keeps the masked history; a newer owner message makes a
waiting draft stale (no approval without a refresh)."""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest

from tests.api.conftest import ScriptedModel, make_settings, postgres_schema, running
from tests.workflow.conftest import user_message

FIRST = "电梯坏了三天了,一直没人修!我电话13912345678"
SECOND = "我刚才又去看了,还是不动,家里老人下不了楼。"


class Recording(ScriptedModel):
    """The scripted model host, keeping the user message of every request."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(user_message(request))
        return super().__call__(request)


async def _post(api: Any, headers: dict[str, str], text: str, conversation: str = "wx-7f3a") -> dict[str, Any]:
    r = await api.client.post("/v1/drafts", headers=headers,
                              json={"complaint": text, "project": "翠湖苑", "conversation_id": conversation})
    assert r.status_code == 201, r.text
    return r.json()


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_follow_up_needs_only_its_text_and_the_older_draft_goes_stale(database, tmp_path,
                                                                           shared_clients) -> None:
    model = Recording()
    seen = model.seen
    async with AsyncExitStack() as stack:
        url = await stack.enter_async_context(postgres_schema()) if database == "postgres" else None
        api = await stack.enter_async_context(running(make_settings(tmp_path, database_url=url), shared_clients,
                                                      model))
        agent = await api.key("agent")
        first = await _post(api, agent, FIRST)
        assert first["conversation_id"].startswith("h_") and first["conversation_seq"] == 1
        assert first["stale"] is False and "wx-7f3a" not in str(first)
        second = await _post(api, agent, SECOND)
        assert second["conversation_seq"] == 2
        # the model saw the first message (masked) as history, though the caller sent only the second
        assert "<history>" in seen[-1] and "电梯坏了三天了" in seen[-1] and "13912345678" not in seen[-1]
        # the first draft is stale now: no approval without a refresh
        got = (await api.client.get(f"/v1/drafts/{first['id']}", headers=agent)).json()
        assert got["stale"] is True
        r = await api.client.post(f"/v1/drafts/{first['id']}/decision", headers=agent, json={"action": "approve"})
        assert r.status_code == 409 and r.json()["error"]["code"] == "draft_stale"
        assert r.json()["error"]["message_zh"]
        r = await api.client.post(f"/v1/drafts/{first['id']}/decision", headers=agent,
                                  json={"action": "edit", "stages": {"act": "我马上登记,安排师傅今天下午上门查看。"}})
        assert r.status_code == 409 and r.json()["error"]["code"] == "draft_stale"
        # the newest draft is fresh and can be approved; a fresh one cannot be "refreshed"
        assert (await api.client.post(f"/v1/drafts/{second['id']}/refresh", headers=agent)).status_code == 409
        # refresh: a new draft for the newest owner message, the stale one rejected as superseded
        r = await api.client.post(f"/v1/drafts/{first['id']}/refresh", headers=agent)
        assert r.status_code == 201, r.text
        fresh = r.json()
        assert fresh["id"] not in (first["id"], second["id"]) and fresh["stale"] is False
        assert fresh["complaint_masked"] == SECOND and fresh["conversation_seq"] == 2
        old = (await api.client.get(f"/v1/drafts/{first['id']}", headers=agent)).json()
        assert old["status"] == "rejected"
        r = await api.client.post(f"/v1/drafts/{fresh['id']}/decision", headers=agent, json={"action": "approve"})
        assert r.status_code == 200, r.text
        # the approved reply is part of the history the next message is drafted with
        await _post(api, agent, "好的,那我等师傅。")
        assert "客服:" in seen[-1] and "业主:" in seen[-1]


async def test_conversations_are_separate_per_id_and_project(tmp_path, shared_clients) -> None:
    async with running(make_settings(tmp_path), shared_clients) as api:
        agent = await api.key("agent", ["翠湖苑", "别的小区"])
        a = await _post(api, agent, FIRST, "c-1")
        await _post(api, agent, SECOND, "c-2")
        assert (await api.client.get(f"/v1/drafts/{a['id']}", headers=agent)).json()["stale"] is False
        r = await api.client.post("/v1/drafts", headers=agent, json={
            "complaint": SECOND, "project": "别的小区", "conversation_id": "c-1"})
        assert r.json()["conversation_seq"] == 1 and r.json()["conversation_id"] != a["conversation_id"]
        assert (await api.client.get(f"/v1/drafts/{a['id']}", headers=agent)).json()["stale"] is False
