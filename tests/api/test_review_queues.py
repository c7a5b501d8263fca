"""Supervisor queues and the tests that notice: the escalated ("needs attention") queue, separate
from guard flags and scoped to the supervisor's projects; idempotency replays of a failed or
still-running request; the flag rate counting drafts flagged when drafted, whatever happened after."""

from __future__ import annotations

import pytest

from agent.workflow.intake import accept, keyed_hash
from agent.workflow.models import DraftInput
from agent.workflow.store import drafts as store

TRAPPED = "电梯困人了,我妈被困在里面半个小时!"


async def test_escalated_queue_lists_waiting_escalations_with_their_reason(api):
    agent = await api.key("agent", projects=["翠湖苑", "金桂园"])
    sup, other_sup = await api.key("supervisor"), await api.key("supervisor", projects=["金桂园"])
    trapped = await api.draft(agent, complaint=TRAPPED)
    gas = await api.draft(agent, complaint="楼道里一股煤气味,好害怕", project="金桂园")
    plain = await api.draft(agent, complaint="楼道灯坏了一个星期了")
    flagged = await api.draft(agent, complaint="FLAG 物业费凭什么涨价?")
    assert trapped["classification"]["escalate"] and not plain["classification"]["escalate"]
    page = (await api.client.get("/v1/review/escalated", headers=sup)).json()
    assert [i["id"] for i in page["items"]] == [trapped["id"]]  # 翠湖苑 only: the supervisor's project
    item = page["items"][0]
    assert item["escalate"] and "被困" in item["escalate_reason"]
    assert flagged["id"] not in {i["id"] for i in page["items"]}  # guard flags are the other queue
    mine = (await api.client.get("/v1/review/escalated", headers=other_sup)).json()
    assert [i["id"] for i in mine["items"]] == [gas["id"]]
    await api.client.post(f"/v1/drafts/{trapped['id']}/decision", headers=agent, json={"action": "approve"})
    assert (await api.client.get("/v1/review/escalated", headers=sup)).json()["items"] == []  # handled
    done = await api.client.get("/v1/review/escalated", params={"include_decided": "true"}, headers=sup)
    assert [i["id"] for i in done.json()["items"]] == [trapped["id"]]
    assert (await api.client.get("/v1/review/escalated", headers=agent)).status_code == 403


async def test_replaying_the_key_of_a_failed_request_says_failed(api, monkeypatch):
    agent = await api.key("agent")
    headers = {**agent, "Idempotency-Key": "k-failed"}
    body = {"complaint": "电梯坏了三天了,一直没人修!", "project": "翠湖苑"}

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("index unreadable")

    monkeypatch.setattr(api.core.context.retriever, "search_stages", broken)
    with pytest.raises(RuntimeError):  # the in-process test transport re-raises what answered 500
        await api.client.post("/v1/drafts", json=body, headers=headers)
    monkeypatch.undo()
    again = await api.client.post("/v1/drafts", json=body, headers=headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "idempotency_failed"
    fresh = await api.client.post("/v1/drafts", json=body, headers={**agent, "Idempotency-Key": "k-new"})
    assert fresh.status_code == 201


async def test_replaying_the_key_of_a_request_in_progress_says_in_progress(api):
    agent = await api.key("agent")
    body = DraftInput(complaint="电梯坏了三天了,一直没人修!", project="翠湖苑")
    fingerprint = keyed_hash(api.core.secret, body.model_dump_json(), "request")
    async with api.core.db.begin() as conn:  # another process accepted it and is drafting now
        await store.insert_request(conn, draft_id="d_running", key_id=agent["X-Key-Id"],
                                   accepted=accept(body, api.core.settings, api.core.secret),
                                   idem=("k-running", fingerprint))
    r = await api.client.post("/v1/drafts", json=body.model_dump(mode="json", exclude_none=True),
                              headers={**agent, "Idempotency-Key": "k-running"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "idempotency_in_progress"
    assert r.headers["Retry-After"] == "2" and r.json()["error"]["details"]["draft_id"] == "d_running"
    assert api.model.calls == 0


async def test_flag_rate_counts_drafts_flagged_when_drafted_even_after_an_override(api):
    agent, sup = await api.key("agent"), await api.key("supervisor")
    flagged = await api.draft(agent, complaint="FLAG 停车费又涨了")
    await api.draft(agent)
    r = await api.client.post(f"/v1/review/{flagged['id']}", headers=sup,
                              json={"action": "override_approve", "note": "已电话确认"})
    assert r.json()["status"] == "approved"
    stats = (await api.client.get("/v1/stats", headers=sup)).json()
    assert stats["by_status"].get("flagged", 0) == 0 and stats["flag_rate"] == 0.5
