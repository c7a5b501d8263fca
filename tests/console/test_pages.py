"""The queue, draft, review, stats and audit pages over the API app (no browser)."""

from __future__ import annotations

import re

import pytest

from .conftest import Console, csrf_of


async def _review(console: Console, client, draft_id: str, **form: str):  # type: ignore[no-untyped-def]
    page = await client.get(f"/console/drafts/{draft_id}")
    return await client.post(f"/console/drafts/{draft_id}/review", data={"csrf_token": csrf_of(page.text), **form})


async def test_queue_lists_only_flagged_drafts_with_counts_and_filters(console: Console) -> None:
    agent = await console.key("agent", ["翠湖苑", "锦绣华庭"], name="前台小王")
    sup = await console.key("supervisor", ["*"])
    a = await console.flagged(agent, project="翠湖苑")
    b = await console.flagged(agent, project="锦绣华庭")
    calm = await console.api.draft(agent, complaint="门口路灯不亮了。")
    c = await console.sign_in(sup)
    page = (await c.get("/console")).text
    assert re.search(r'id="matching-count">2<', page)
    assert a["id"] in page and b["id"] in page and calm["id"] not in page
    assert "待客服确认 <strong>1</strong>" in page and "前台小王" in page
    only_a = (await c.get("/console", params={"project": "翠湖苑", "violation": "buck_passing"})).text
    assert a["id"] in only_a and b["id"] not in only_a and re.search(r'id="matching-count">1<', only_a)
    none = (await c.get("/console", params={"violation": "arguing"})).text
    assert 'id="queue-empty"' in none and "没有符合筛选条件" in none
    by_agent = (await c.get("/console", params={"agent": agent["X-Key-Id"], "from": "2000-01-01"})).text
    assert a["id"] in by_agent and b["id"] in by_agent
    future = (await c.get("/console", params={"from": "2999-01-01"})).text
    assert 'id="queue-empty"' in future
    bad = await c.get("/console", params={"category": "nonsense", "from": "yesterday", "rule": "no.such"})
    assert bad.status_code == 200
    for message in ("“投诉类别”的取值无效", "起始日期格式应为", "没有这条护栏规则"):
        assert message in bad.text
    assert a["id"] in bad.text  # invalid filters are ignored, not fatal


async def test_queue_pages_through_every_flagged_draft_once(console: Console) -> None:
    agent = await console.key("agent")
    sup = await console.key("supervisor")
    ids = {(await console.flagged(agent, complaint=f"FLAG 第{i}单"))["id"] for i in range(23)}
    c = await console.sign_in(sup)
    first = (await c.get("/console")).text
    seen = re.findall(r'data-draft-id="([^"]+)"', first)
    assert len(seen) == 20 and "第 1–20 条,共 23 条" in first
    nxt = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = (await c.get(nxt)).text
    rest = re.findall(r'data-draft-id="([^"]+)"', second)
    assert len(rest) == 3 and "第 21–23 条" in second and 'rel="next"' not in second
    assert set(seen) | set(rest) == ids and not set(seen) & set(rest)
    assert "回到第一页" in second


async def test_draft_page_shows_highlighted_spans_techniques_and_history(console: Console) -> None:
    agent = await console.key("agent", name="前台小王")
    sup = await console.key("supervisor", name="张主管")
    draft = await console.flagged(agent, complaint="FLAG 电梯坏了 <script>alert('x')</script>")
    c = await console.sign_in(sup)
    r = await c.get(f"/console/drafts/{draft['id']}")
    html = r.text
    assert r.status_code == 200
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    mark = re.search(r'<mark class="v v-buck_passing v-block" tabindex="0" title="([^"]+)" '
                     r'aria-describedby="([^"]+)"[^>]*>您去找开发商</mark>', html)
    assert mark, "the violation span is not highlighted"
    assert "推诿责任" in mark.group(1)
    for ref in mark.group(2).split():
        assert f'id="{ref}"' in html  # aria-describedby resolves to the written explanation
    assert 'role="tooltip"' in html and "改法:不要让业主自己去找别的部门或单位" in html
    assert "图例" in html and "拦截 · 需处理" in html
    assert all(t["id"] in html for s in draft["stages"] for t in s["techniques"])  # cited techniques
    assert "生成草稿" in html and "前台小王" in html  # audit history
    assert 'id="override-note"' in html and '<label for="override-note">' in html
    assert html.count('name="csrf_token"') == 4  # sign-out + three actions


async def test_override_needs_a_note_then_leaves_the_queue_and_is_audited(console: Console) -> None:
    agent = await console.key("agent")
    sup = await console.key("supervisor", name="张主管")
    draft = await console.flagged(agent)
    c = await console.sign_in(sup)
    empty = await _review(console, c, draft["id"], action="override_approve", note="   ")
    assert empty.status_code == 422 and "请填写放行说明" in empty.text
    assert (await console.api.core.get(draft["id"])).status == "flagged"
    note = "“不归我们管”是引用业主原话,核实后可以发送。"
    r = await _review(console, c, draft["id"], action="override_approve", note=note)
    assert r.status_code == 303 and r.headers["location"].startswith("/console?done=override_approve")
    queue = (await c.get(r.headers["location"])).text
    assert "已放行" in queue and f'data-draft-id="{draft["id"]}"' not in queue
    audit = (await console.api.client.get("/v1/audit", params={"draft_id": draft["id"]}, headers=sup)).json()
    last = audit["items"][-1]
    assert last["action"] == "override_approve" and last["note"] == note
    assert last["actor_key_id"] == sup["X-Key-Id"] and last["role"] == "supervisor"
    page = (await c.get(f"/console/audit?draft_id={draft['id']}")).text
    assert "主管放行" in page and "核实后可以发送" in page and "张主管" in page
    again = await _review(console, c, draft["id"], action="reject", reason="重复提交")
    assert again.status_code == 409 and "已处理" in again.text


@pytest.mark.parametrize("action, field, status", [("reject", "reason", "rejected"),
                                                    ("return_to_agent", "note", "pending_approval")])
async def test_reject_and_return_go_through_the_review_function(console: Console, action: str, field: str,
                                                                status: str) -> None:
    agent = await console.key("agent")
    sup = await console.key("supervisor")
    draft = await console.flagged(agent)
    c = await console.sign_in(sup)
    r = await _review(console, c, draft["id"], action=action, **{field: "推诿口吻太明显,请重写“办”这一段。"})
    assert r.status_code == 303
    assert (await console.api.core.get(draft["id"])).status == status
    audit = (await console.api.client.get("/v1/audit", params={"draft_id": draft["id"]}, headers=sup)).json()
    assert [e["action"] for e in audit["items"]] == ["created", action]


async def test_review_without_csrf_or_with_a_bad_action_changes_nothing(console: Console) -> None:
    agent = await console.key("agent")
    sup = await console.key("supervisor")
    draft = await console.flagged(agent)
    c = await console.sign_in(sup)
    r = await c.post(f"/console/drafts/{draft['id']}/review", data={"action": "reject", "reason": "x"})
    assert r.status_code == 403 and "页面已过期" in r.text
    bad = await _review(console, c, draft["id"], action="approve")
    assert bad.status_code == 422 and "请选择要执行的操作" in bad.text
    assert (await console.api.core.get(draft["id"])).status == "flagged"


async def test_admin_can_read_but_not_act_and_scope_hides_other_projects(console: Console) -> None:
    agent = await console.key("agent", ["锦绣华庭"])
    admin = await console.key("admin", ["*"])
    sup_a = await console.key("supervisor", ["翠湖苑"])
    draft = await console.flagged(agent, project="锦绣华庭")
    c = await console.sign_in(admin)
    page = await c.get(f"/console/drafts/{draft['id']}")
    assert page.status_code == 200 and 'id="form-override"' not in page.text and "管理员" in page.text
    r = await c.post(f"/console/drafts/{draft['id']}/review",
                     data={"csrf_token": csrf_of(page.text), "action": "reject", "reason": "x"})
    assert r.status_code == 403 and "主管密钥" in r.text
    other = await console.sign_in(sup_a)
    hidden = await other.get(f"/console/drafts/{draft['id']}")
    assert hidden.status_code == 404 and "不在您负责的项目内" in hidden.text
    assert draft["id"] not in (await other.get("/console")).text
    assert (await console.api.core.get(draft["id"])).status == "flagged"


async def test_stats_page_draws_svg_charts_without_external_assets(console: Console) -> None:
    agent = await console.key("agent")
    sup = await console.key("supervisor")
    for _ in range(2):
        await console.flagged(agent)
    await console.api.draft(agent, complaint="门口路灯不亮了。")
    c = await console.sign_in(sup)
    r = await c.get("/console/stats")
    html = r.text
    assert r.status_code == 200 and '<svg class="chart" id="chart-days"' in html
    assert html.count('<rect class="c-buck_passing"') == 1 and "推诿责任:2 份草稿" in html
    assert 'id="kpi-total">3<' in html and "66.7%" in html  # flag rate 2/3
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)  # no CDN, nothing off-site
    swapped = await c.get("/console/stats", params={"from": "2026-02-01", "to": "2026-01-01", "project": "翠湖苑"})
    assert swapped.status_code == 200 and "已对调" in swapped.text
    capped = await c.get("/console/stats", params={"from": "2020-01-01", "to": "2026-01-01"})
    assert "一次最多查看 92 天" in capped.text


async def test_static_assets_and_unknown_console_pages(console: Console) -> None:
    sup = await console.key("supervisor")
    c = await console.sign_in(sup)
    css = await c.get("/console/static/console.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css") and "mark.v" in css.text
    assert (await c.get("/console/static/../../app.py")).status_code == 404
    assert (await c.get("/console/static/secret.key")).status_code == 404
    missing = await c.get("/console/no-such-page")
    assert missing.status_code == 404 and "页面不存在" in missing.text
    gone = await c.get("/console/drafts/d_missing")
    assert gone.status_code == 404 and "找不到这份草稿" in gone.text


async def test_escalated_page_lists_escalations_with_reasons_apart_from_flags(console: Console) -> None:
    agent, sup = await console.key("agent"), await console.key("supervisor")
    trapped = await console.api.draft(agent, complaint="电梯困人了,我妈被困在里面半个小时!")
    flagged = await console.flagged(agent)
    c = await console.sign_in(sup)
    html = (await c.get("/console/escalated")).text
    assert "需关注队列" in html and trapped["id"] in html and flagged["id"] not in html
    assert "被困" in html and 'aria-current="page">需关注' in html
    queue = (await c.get("/console")).text
    assert flagged["id"] in queue and trapped["id"] not in queue
