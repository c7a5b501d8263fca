"""The console's loop pages over the real app (httpx, signed in like a browser): the commitment
ledger with its mark-done form, 回访 outcomes (not satisfied reopens the draft), analytics."""

from __future__ import annotations

import re

from tests.console.conftest import csrf_of


async def _approved(console, agent):  # noqa: ANN001, ANN202
    draft = await console.api.draft(agent)
    r = await console.api.client.post(f"/v1/drafts/{draft['id']}/decision", json={"action": "approve"}, headers=agent)
    assert r.status_code == 200
    return r.json()


async def test_commitments_follow_ups_and_analytics_pages(console):  # noqa: ANN001
    agent, sup = await console.key("agent", name="前台小王"), await console.key("supervisor", name="张主管")
    approved = await _approved(console, agent)
    assert approved["commitments"]
    client = await console.sign_in(sup)
    loop = console.api.app.state.loop
    from datetime import datetime, timedelta

    due = min(datetime.fromisoformat(c["due_at"]) for c in approved["commitments"])
    loop.clock = lambda: due - timedelta(hours=1)
    page = await client.get("/console/commitments")
    assert page.status_code == 200 and "承诺台账" in page.text
    ids = re.findall(r'data-commitment-id="(c_[0-9a-f]+)"', page.text)
    assert ids and "前台小王" in page.text
    loop.clock = lambda: due + timedelta(minutes=1)
    overdue = await client.get("/console/commitments?status=overdue")
    assert "已逾期" in overdue.text and re.findall(r'data-commitment-id="(c_[0-9a-f]+)"', overdue.text)
    target = re.findall(r'data-commitment-id="(c_[0-9a-f]+)"', overdue.text)[0]
    bad = await client.post(f"/console/commitments/{target}/done", data={"csrf_token": "nope"})
    assert bad.status_code in (400, 403)
    r = await client.post(f"/console/commitments/{target}/done", data={"csrf_token": csrf_of(overdue.text),
                                                                         "back": "overdue"})
    assert r.status_code == 303 and target in r.headers["location"]
    done = await client.get("/console/commitments?status=done")
    assert target in done.text

    follow = await client.get("/console/follow-ups")
    [fid] = re.findall(r'data-follow-up-id="(f_[0-9a-f]+)"', follow.text)
    missing = await client.post(f"/console/follow-ups/{fid}/outcome",
                                data={"csrf_token": csrf_of(follow.text), "outcome": "not_satisfied"})
    assert missing.status_code == 422 and "回访不满意时请写明业主的意见" in missing.text
    r = await client.post(f"/console/follow-ups/{fid}/outcome", data={
        "csrf_token": csrf_of(follow.text), "outcome": "not_satisfied", "note": "业主说师傅没来"})
    assert r.status_code == 303 and f"reopened={approved['id']}" in r.headers["location"]
    shown = await client.get(r.headers["location"])
    assert "已重新打开" in shown.text
    assert (await console.api.client.get(f"/v1/drafts/{approved['id']}", headers=agent)).json()["status"] == \
        "pending_approval"

    analytics = await client.get("/console/analytics")
    assert analytics.status_code == 200
    assert 'id="chart-overall"' in analytics.text and 'id="chart-stages"' in analytics.text
    assert re.search(r'id="kpi-decided">1<', analytics.text) and 'id="kpi-acceptance">100.0%<' in analytics.text
    assert "/v1/audit/export?format=csv" in analytics.text


async def test_gaps_page(console):  # noqa: ANN001
    from tests.api.test_loop_gaps import _history

    await _history(console.api)
    client = await console.sign_in(await console.key("supervisor", name="张主管"))
    page = await client.get("/console/gaps")
    assert page.status_code == 200, page.text
    assert 'data-topic="充电桩故障"' in page.text and 'data-topic="楼上漏水"' in page.text
    assert 'id="gaps-complaints">4<' in page.text and 'href="/console/gaps" aria-current="page"' in page.text
    assert page.text.index('data-topic="充电桩故障"') < page.text.index('data-topic="楼上漏水"')
    empty = await client.get("/console/gaps?project=别的小区")
    assert empty.status_code == 200 and 'id="gaps-empty"' in empty.text
