"""Draft life cycle over HTTP on SQLite and PostgreSQL: create, read, decide, review, audit, stats."""

from __future__ import annotations

import asyncio
import json
import sqlite3

from tests.workflow.conftest import CLEAN

from .conftest import BLOCK_RULE, ScriptedModel, make_settings, running

COMPLAINT = "楼上漏水一个多星期了,报修三次都没人来,天花板都发霉了!"


async def test_create_returns_draft_set_and_audits(any_db_api):
    api = any_db_api
    agent = await api.key("agent")
    r = await api.client.post("/v1/drafts", headers=agent, json={
        "complaint": COMPLAINT, "project": "翠湖苑", "channel": "phone", "owner_ref": "3-1502",
        "history": [{"role": "owner", "text": "上周就打过电话了。"}]})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "pending_approval"
    assert [s["stage"] for s in body["stages"]] == ["listen", "empathize", "ask", "act", "negotiate", "thank"]
    assert body["meta"]["project"] == "翠湖苑"
    got = await api.client.get(f"/v1/drafts/{body['id']}", headers=agent)
    assert got.status_code == 200 and got.json()["id"] == body["id"]
    sup = await api.key("supervisor")
    audit = (await api.client.get("/v1/audit", params={"draft_id": body["id"]}, headers=sup)).json()
    assert [e["action"] for e in audit["items"]] == ["created"]
    assert audit["items"][0]["after"]["listen"] == CLEAN["listen"]
    assert body["meta"]["owner_ref"].startswith("h_") and "3-1502" not in r.text  # a keyed hash, never the value


async def test_request_is_stored_masked_before_the_model_is_called(tmp_path, shared_clients):
    settings = make_settings(tmp_path)
    seen: list[tuple[str, str]] = []

    class Probe(ScriptedModel):
        def __call__(self, request):  # noqa: ANN001, ANN204 - reads the store while the model is asked
            with sqlite3.connect(settings.sqlite_path) as conn:
                status, stored = conn.execute("SELECT status, request FROM drafts").fetchone()
            seen.append((status, json.loads(stored)["complaint_masked"]))
            return super().__call__(request)

    async with running(settings, shared_clients, Probe()) as api:
        agent = await api.key("agent")
        await api.draft(agent, complaint="我电话13812345678,电梯又坏了,赶紧派人来修!")
        status, masked = seen[0]
        assert status == "drafting" and "〔电话1〕" in masked and "13812345678" not in masked
        with sqlite3.connect(settings.sqlite_path) as conn:
            assert conn.execute("SELECT status FROM drafts").fetchall() == [("pending_approval",)]


async def test_idempotency_same_key_same_draft_one_call(api):
    agent = await api.key("agent")
    headers = {**agent, "Idempotency-Key": "abc-123"}
    body = {"complaint": COMPLAINT, "project": "翠湖苑"}
    first = await api.client.post("/v1/drafts", json=body, headers=headers)
    second = await api.client.post("/v1/drafts", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert second.headers["Idempotent-Replayed"] == "true"
    assert api.model.calls == 1
    other = await api.client.post("/v1/drafts", json={**body, "complaint": "另一件事"}, headers=headers)
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_mismatch"
    # the key is per API key: another agent may use the same Idempotency-Key
    agent2 = await api.key("agent")
    third = await api.client.post("/v1/drafts", json=body, headers={**agent2, "Idempotency-Key": "abc-123"})
    assert third.status_code == 201 and third.json()["id"] != first.json()["id"]


async def test_approve_then_no_second_decision(any_db_api):
    api = any_db_api
    agent = await api.key("agent")
    draft = await api.draft(agent)
    r = await api.client.post(f"/v1/drafts/{draft['id']}/decision", json={"action": "approve"}, headers=agent)
    assert r.status_code == 200 and r.json()["status"] == "approved"
    again = await api.client.post(f"/v1/drafts/{draft['id']}/decision", json={"action": "approve"}, headers=agent)
    assert again.status_code == 409
    err = again.json()["error"]
    assert err["code"] == "already_decided" and err["message_zh"] and err["message_en"]
    current = err["details"]["current"]  # the loser gets the current state
    assert current["status"] == "approved" and current["version"] == r.json()["version"]


async def test_agent_cannot_approve_flagged(api):
    agent = await api.key("agent")
    draft = await api.draft(agent, complaint="FLAG 物业费凭什么涨价?")
    assert draft["status"] == "flagged"
    r = await api.client.post(f"/v1/drafts/{draft['id']}/decision", json={"action": "approve"}, headers=agent)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "flagged_needs_supervisor"


async def test_blocked_edit_is_422_with_violations_and_audited(api):
    agent = await api.key("agent")
    draft = await api.draft(agent)
    url = f"/v1/drafts/{draft['id']}/decision"
    r = await api.client.post(url, headers=agent, json={"action": "edit", "stages": {"act": "这个不归我们管。"}})
    assert r.status_code == 422, r.text
    violations = r.json()["error"]["details"]["violations"]
    assert violations[0]["stage"] == "act" and violations[0]["category"] == "refusing"
    # an agent may not override
    r = await api.client.post(url, headers=agent,
                              json={"action": "edit", "stages": {"act": "这个不归我们管。"}, "override": True})
    assert r.status_code == 403
    ok = await api.client.post(url, headers=agent, json={
        "action": "edit", "stages": {"act": "我马上给您登记加急维修,师傅下午三点前上门。"}})
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    sup = await api.key("supervisor")
    events = (await api.client.get("/v1/audit", params={"draft_id": draft["id"]}, headers=sup)).json()["items"]
    assert [e["action"] for e in events] == ["created", "edit_blocked", "edit"]
    assert events[1]["rule_hits"][0]["rule_id"] == "refusing.flat_refusal"
    assert events[2]["before"]["act"] == CLEAN["act"] and events[2]["after"]["act"].startswith("我马上")


async def test_supervisor_overrides_blocked_edit(api):
    agent, sup = await api.key("agent"), await api.key("supervisor")
    draft = await api.draft(agent)
    r = await api.client.post(f"/v1/drafts/{draft['id']}/decision", headers=sup, json={
        "action": "edit", "stages": {"act": "这部分确实不归我们管,但我会帮您联系开发商。"}, "override": True,
        "note": "已核实属开发商保修范围"})
    assert r.status_code == 200 and r.json()["status"] == "approved"


async def test_reject_needs_reason_bilingual(api):
    agent = await api.key("agent")
    draft = await api.draft(agent)
    url = f"/v1/drafts/{draft['id']}/decision"
    for body in ({"action": "reject"}, {"action": "reject", "reason": "   "}):
        r = await api.client.post(url, headers=agent, json=body)
        assert r.status_code == 422
        err = r.json()["error"]
        assert err["code"] == "invalid_input" and "reason" in err["message_en"]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in err["message_zh"])
    r = await api.client.post(url, headers=agent, json={"action": "reject", "reason": "业主已撤诉"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"


async def test_review_queue_filters_and_cursor(any_db_api):
    api = any_db_api
    agent, sup = await api.key("agent"), await api.key("supervisor")
    flagged = [await api.draft(agent, complaint=f"FLAG 第{i}次投诉") for i in range(5)]
    await api.draft(agent)  # not flagged
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await api.client.get("/v1/review/flagged", params=params, headers=sup)).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [d["id"] for d in reversed(flagged)]
    by_rule = await api.client.get("/v1/review/flagged", headers=sup,
                                   params={"rule": BLOCK_RULE, "violation": "buck_passing",
                                           "category": flagged[0]["classification"]["category"],
                                           "agent": agent["X-Key-Id"]})
    assert len(by_rule.json()["items"]) == 5
    none = await api.client.get("/v1/review/flagged", headers=sup, params={"rule": "act.other", "project": "别的小区"})
    assert none.json()["items"] == []
    dated = await api.client.get("/v1/review/flagged", headers=sup, params={"from": "2000-01-01", "to": "2000-01-02"})
    assert dated.json()["items"] == []


async def test_review_actions(api):
    agent, sup = await api.key("agent"), await api.key("supervisor")
    a, b, c = [await api.draft(agent, complaint=f"FLAG {i}") for i in range(3)]
    r = await api.client.post(f"/v1/review/{a['id']}", headers=sup, json={"action": "override_approve"})
    assert r.status_code == 422  # note required
    r = await api.client.post(f"/v1/review/{a['id']}", headers=sup,
                              json={"action": "override_approve", "note": "已电话确认,可发送"})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    r = await api.client.post(f"/v1/review/{b['id']}", headers=sup, json={"action": "reject", "reason": "口吻推诿"})
    assert r.json()["status"] == "rejected"
    r = await api.client.post(f"/v1/review/{c['id']}", headers=sup,
                              json={"action": "return_to_agent", "note": "请写清楚维修时间"})
    assert r.json()["status"] == "pending_approval"
    r = await api.client.post(f"/v1/drafts/{c['id']}/decision", headers=agent, json={"action": "approve"})
    assert r.status_code == 409  # returned, but its act stage still breaks a block rule: edit it
    r = await api.client.post(f"/v1/drafts/{c['id']}/decision", headers=agent,
                              json={"action": "edit", "stages": {"act": CLEAN["act"]}})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    audit = (await api.client.get("/v1/audit", params={"draft_id": a["id"]}, headers=sup)).json()["items"]
    assert audit[-1]["action"] == "override_approve" and audit[-1]["note"] == "已电话确认,可发送"


async def test_return_to_agent_only_from_a_supervisor_queue(api):
    """A clean pending set is already with the agent: 409; a flagged set is returned once, even
    when two supervisors return it at the same time."""
    agent, sup, sup2 = await api.key("agent"), await api.key("supervisor"), await api.key("supervisor")
    plain, flagged = await api.draft(agent), await api.draft(agent, complaint="FLAG 门口乱停车")
    r = await api.client.post(f"/v1/review/{plain['id']}", headers=sup,
                              json={"action": "return_to_agent", "note": "请重写"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_with_agent", r.text
    assert r.json()["error"]["message_zh"] and r.json()["error"]["message_en"]
    body = {"action": "return_to_agent", "note": "“办”这一段请重写"}
    both = await asyncio.gather(api.client.post(f"/v1/review/{flagged['id']}", headers=sup, json=body),
                                api.client.post(f"/v1/review/{flagged['id']}", headers=sup2, json=body))
    assert sorted(r.status_code for r in both) == [200, 409], [r.text for r in both]
    audit = (await api.client.get("/v1/audit", params={"draft_id": flagged["id"]}, headers=sup)).json()["items"]
    assert [e["action"] for e in audit] == ["created", "return_to_agent"]


async def test_list_status_filter_and_stats(api):
    agent, qa = await api.key("agent"), await api.key("qa")
    d1, d2, d3 = [await api.draft(agent) for _ in range(3)]
    await api.draft(agent, complaint="FLAG 停车费")
    await api.client.post(f"/v1/drafts/{d1['id']}/decision", headers=agent, json={"action": "approve"})
    await api.client.post(f"/v1/drafts/{d2['id']}/decision", headers=agent,
                          json={"action": "edit", "stages": {"thank": "谢谢您的耐心,我们明天上午回访。"}})
    await api.client.post(f"/v1/drafts/{d3['id']}/decision", headers=agent, json={"action": "reject", "reason": "重复"})
    page = (await api.client.get("/v1/drafts", params={"status": "approved"}, headers=agent)).json()
    assert {i["id"] for i in page["items"]} == {d1["id"], d2["id"]}
    stats = (await api.client.get("/v1/stats", headers=qa)).json()
    assert stats["total"] == 4 and stats["decided"] == 3
    assert stats["by_status"] == {"approved": 2, "rejected": 1, "flagged": 1}
    assert stats["approval_rate"] == round(2 / 3, 4) and stats["reject_rate"] == round(1 / 3, 4)
    assert stats["edit_rate"] == round(1 / 3, 4) and stats["flag_rate"] == 0.25
    assert [(v["category"], v["count"]) for v in stats["violations_per_day"]] == [("buck_passing", 1), ("refusing", 1)]


async def test_stats_empty_has_null_rates(api):
    stats = (await api.client.get("/v1/stats", headers=await api.key("admin"))).json()
    assert stats["total"] == 0 and stats["approval_rate"] is None and stats["violations_per_day"] == []
