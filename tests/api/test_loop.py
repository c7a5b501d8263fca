"""Closing the loop over HTTP, on SQLite and PostgreSQL: a scripted history of drafts and decisions
(approve, edits, a beyond-authority promise, an override, a reject, an edit that fixes a violation),
then the commitment ledger as an injectable clock moves, the 回访 outcome that reopens a case,
analytics against hand-computed figures, and the masked CSV export."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from agent.loop import events
from tests.api.conftest import BLOCK_RULE, FLAG_ACT
from tests.workflow.conftest import CLEAN

PHONE = "13912345678"
SUFFIX_D2 = "另外明天上午十点前我再给您回个电话。"
SUFFIX_D3 = "您家被泡坏的地板，我们负责赔偿。"  # the guard lets it through; the authority policy does not (agents may not promise compensation)
FIXED_ACT = "马上安排师傅上门查看！"  # shares no character with FLAG_ACT: its edit size is the longer length


async def decide(api, draft_id, headers, **body):  # noqa: ANN001, ANN201
    return await api.client.post(f"/v1/drafts/{draft_id}/decision", json=body, headers=headers)


def _office_hours_clock() -> Callable[[], datetime]:
    """The core's clock, started at the last 11:00 Shanghai time (03:00 UTC) and moving with real time:
    "明天上午十点前" must be 23 hours away, not 34, whatever hour the suite runs at."""
    real = datetime.now(UTC)
    start = real.replace(hour=3, minute=0, second=0, microsecond=0)
    if start > real:
        start -= timedelta(days=1)
    began = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - began)


async def test_scripted_history(any_db_api, monkeypatch):  # noqa: PLR0915 - one story, told in order
    api = any_db_api
    monkeypatch.setattr("agent.workflow.core.now", _office_hours_clock())
    agent, sup = await api.key("agent"), await api.key("supervisor")
    aid = agent["X-Key-Id"]

    d1 = await api.draft(agent)
    assert (await decide(api, d1["id"], agent, action="approve")).status_code == 200
    d2 = await api.draft(agent)
    r = await decide(api, d2["id"], agent, action="edit", stages={"act": CLEAN["act"] + SUFFIX_D2})
    assert r.status_code == 200, r.text
    d3 = await api.draft(agent)
    beyond = await decide(api, d3["id"], agent, action="edit",
                          stages={"negotiate": CLEAN["negotiate"] + SUFFIX_D3})
    assert beyond.status_code == 409, beyond.text
    err = beyond.json()["error"]
    assert err["code"] == "beyond_authority" and "负责赔偿" in err["message_zh"] and err["message_en"]
    assert [c["kind"] for c in err["details"]["commitments"]] == ["compensation"]
    r = await decide(api, d3["id"], sup, action="edit", stages={"negotiate": CLEAN["negotiate"] + SUFFIX_D3})
    assert r.status_code == 200, r.text
    owed = [c for c in r.json()["commitments"] if c["kind"] == "compensation"]
    assert owed and owed[0]["authorized_by"] == sup["X-Key-Id"] and not owed[0]["within_authority"]
    d4 = await api.draft(agent, complaint="FLAG 物业费凭什么涨价?")
    r = await api.client.post(f"/v1/review/{d4['id']}", headers=sup, json={"action": "override_approve",
                                                                           "note": "已与业主电话沟通"})
    assert r.status_code == 200, r.text
    d5 = await api.draft(agent)
    r = await decide(api, d5["id"], agent, action="reject", reason=f"业主留的电话{PHONE}打不通,重新起草")
    assert r.status_code == 200
    d6 = await api.draft(agent, complaint="FLAG 车库的灯坏了")
    r = await decide(api, d6["id"], agent, action="edit", stages={"act": FIXED_ACT})
    assert r.status_code == 200, r.text

    # -- analytics, hand-computed: 6 decided (5 approved, 1 rejected); unchanged d1, d4; edited d2, d3, d6
    r = await api.client.get("/v1/analytics", headers=sup)
    assert r.status_code == 200, r.text
    a = r.json()
    n2, n3, n6 = len(SUFFIX_D2), len(SUFFIX_D3), max(len(FLAG_ACT), len(FIXED_ACT))
    assert (a["decided"], a["approved"], a["rejected"]) == (6, 5, 1)
    assert a["acceptance_rate"] == round(2 / 6, 4) and a["edit_rate"] == 0.5 and a["reject_rate"] == round(1 / 6, 4)
    assert a["mean_edit_chars"] == round((n2 + n3 + n6) / 3, 2)
    stages = {g["key"]: g for g in a["by_stage"]}
    assert stages["act"]["edit_rate"] == round(2 / 6, 4) and stages["act"]["mean_edit_chars"] == (n2 + n6) / 2
    assert stages["negotiate"]["edit_rate"] == round(1 / 6, 4) and stages["negotiate"]["mean_edit_chars"] == n3
    assert stages["listen"]["edit_rate"] == 0
    [by_agent] = a["by_agent"]
    assert by_agent["key"] == aid and by_agent["decided"] == 6 and by_agent["edit_rate"] == 0.5
    assert [g["key"] for g in a["by_project"]] == ["翠湖苑"] and len(a["by_prompt"]) == 1
    assert a["mean_seconds_to_decision"] is not None and a["mean_seconds_to_decision"] >= 0
    rule = next(x for x in a["rules"] if x["rule_id"] == BLOCK_RULE)
    assert rule["hits"] == 2 and rule["flag_rate"] == round(2 / 6, 4)
    assert rule["override_rate"] == 0.5 and rule["fixed_by_edit_rate"] == 0.5  # d4 overridden, d6 fixed
    assert any(g["key"].startswith("act:") for g in a["by_technique"])
    agent_view = await api.client.get("/v1/analytics", headers=agent)
    assert agent_view.status_code == 403
    assert (await api.client.get("/v1/analytics?project=别的小区", headers=sup)).json()["decided"] == 0

    # -- the ledger as the clock moves
    loop = api.app.state.loop
    everything = (await api.client.get("/v1/commitments?status=all", headers=sup)).json()["items"]
    kinds = sorted(c["kind"] for c in everything if c["draft_id"] == d1["id"])
    assert kinds == ["callback", "follow_up", "visit"]
    assert sorted(c["kind"] for c in everything if c["draft_id"] == d3["id"]) == [
        "callback", "compensation", "follow_up", "visit"]


    dues = sorted(datetime.fromisoformat(c["due_at"]) for c in everything)
    first, last = dues[0], dues[-1]
    loop.clock = lambda: first - timedelta(minutes=1)
    overdue = (await api.client.get("/v1/commitments?status=overdue", headers=sup)).json()["items"]
    due = (await api.client.get("/v1/commitments?status=due&hours=720", headers=sup)).json()["items"]
    assert overdue == [] and len(due) == len(everything)
    soonest = [c for c in everything if datetime.fromisoformat(c["due_at"]) == first]
    # one done before its time (kept), then the clock passes the first due time
    kept = soonest[0]
    r = await api.client.post(f"/v1/commitments/{kept['id']}/done", headers=agent)
    assert r.status_code == 200 and r.json()["status"] == "done"
    assert (await api.client.post(f"/v1/commitments/{kept['id']}/done", headers=agent)).status_code == 409
    loop.clock = lambda: first + timedelta(minutes=1)
    overdue = (await api.client.get("/v1/commitments?status=overdue", headers=agent)).json()["items"]
    assert {c["id"] for c in overdue} == {c["id"] for c in soonest} - {kept["id"]}
    seen: list[dict] = []
    unsubscribe = events.subscribe(events.COMMITMENT_OVERDUE, seen.append)
    try:
        assert await loop.sweep_overdue() == len(overdue)
        assert await loop.sweep_overdue() == 0  # raised once
    finally:
        unsubscribe()
    assert {e["commitment_id"] for e in seen} == {c["id"] for c in overdue}
    loop.clock = lambda: last + timedelta(days=1)
    overdue = (await api.client.get("/v1/commitments?status=overdue", headers=sup)).json()["items"]
    assert len(overdue) == len(everything) - 1
    late = overdue[0]
    assert (await api.client.post(f"/v1/commitments/{late['id']}/done", headers=sup)).status_code == 200
    numbers = (await api.client.get("/v1/analytics", headers=sup)).json()["commitments"]
    assert numbers == {"total": len(everything), "due": len(everything), "kept_on_time": 1, "late": 1,
                       "overdue_open": len(everything) - 2, "kept_on_time_rate": round(1 / len(everything), 4)}

    # -- 回访: not satisfied reopens d1 for its agent, with the history
    follow = (await api.client.get("/v1/follow-ups", headers=agent)).json()["items"]
    f1 = next(f for f in follow if f["draft_id"] == d1["id"])
    bad = await api.client.post(f"/v1/follow-ups/{f1['id']}/outcome", headers=agent, json={"outcome": "not_satisfied"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "note_required"
    r = await api.client.post(f"/v1/follow-ups/{f1['id']}/outcome", headers=agent,
                              json={"outcome": "not_satisfied", "note": f"业主说还在漏水,让打{PHONE}"})
    assert r.status_code == 200, r.text
    assert r.json()["reopened_draft_id"] == d1["id"] and PHONE not in r.json()["outcome_note"]
    reopened = (await api.client.get(f"/v1/drafts/{d1['id']}", headers=agent)).json()
    assert reopened["status"] == "pending_approval" and reopened["final"] is None
    history = reopened["events"][-1]
    assert history["action"] == "reopened" and history["detail"]["previous_final"]["act"] == CLEAN["act"]
    again = await api.client.post(f"/v1/follow-ups/{f1['id']}/outcome", headers=agent, json={"outcome": "satisfied"})
    assert again.status_code == 409
    assert (await decide(api, d1["id"], agent, action="approve")).status_code == 200
    follow = (await api.client.get("/v1/follow-ups?status=all", headers=sup)).json()["items"]
    assert [f["status"] for f in follow if f["draft_id"] == d1["id"]] == ["not_satisfied", "scheduled"]
    f2 = next(f for f in follow if f["draft_id"] == d2["id"])
    r = await api.client.post(f"/v1/follow-ups/{f2['id']}/outcome", headers=sup, json={"outcome": "satisfied"})
    assert r.status_code == 200 and r.json()["reopened_draft_id"] is None

    # -- the audit export: CSV that parses, scoped, masked
    r = await api.client.get("/v1/audit/export?format=csv&project=翠湖苑", headers=sup)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    body = r.text
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    actions = [row["action"] for row in rows]
    assert actions.count("created") == 6 and "reject" in actions and "reopen" in actions
    assert "edit_blocked" not in actions and PHONE not in body and "〔电话" in body
    assert {row["draft_id"] for row in rows} == {d["id"] for d in (d1, d2, d3, d4, d5, d6)}
    assert (await api.client.get("/v1/audit/export?format=csv&to=2000-01-01", headers=sup)).text.count("\n") == 1
    assert (await api.client.get("/v1/audit/export?format=xml", headers=sup)).status_code == 422
    assert (await api.client.get("/v1/audit/export", headers=agent)).status_code == 403
