"""End to end in Debian's Chromium (Playwright): a real uvicorn server with the real DraftCore
(corpus index, guardrails, the store of record), the model mocked by respx at http://llm.test/v1.

A supervisor signs in, filters the queue, opens a flagged draft, sees the highlighted spans (and
their popover on keyboard focus), overrides with a note, sees the draft leave the queue and the
override in the audit log; an agent key is refused. Screenshots of every page go to
``<pytest tmp>/screenshots`` and, when set, ``$WUYE_SCREENSHOT_DIR``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.conftest import make_settings
from tests.workflow.conftest import answer_for, chat, context_of, user_message

from .live_site import CHROMIUM, chromium, create_keys, live_api

pytestmark = [pytest.mark.browser, pytest.mark.slow]

GOOD = {
    "listen": "您慢慢说,不着急,您说的每一点我都记下来了,还有什么想补充的尽管告诉我。",
    "empathize": "漏水这么多天,家里还发了霉,换了谁都会着急上火,真是辛苦您了。",
    "ask": "想跟您确认一下,漏水主要在卫生间还是客厅?您看今天下午还是明天上午方便师傅上门?",
    "act": "我这就给您登记加急维修,请维修师傅今天下午上门查看漏水点,有进展我第一时间打电话告诉您。",
    "negotiate": "找到漏水原因后,维修方案我先跟您和楼上住户商量,按您方便的时间安排施工。",
    "thank": "谢谢您及时告诉我们,也谢谢您这几天的耐心,修好以后我会再回访,确认您满意。",
}
FEES_TEXTS = {
    "listen": "您别着急,物业费的事您慢慢说,我都记着。",
    "empathize": "账单突然多了,又没人提前解释,换成谁都会觉得不舒服,这点确实是我们没做好。",
    "ask": "想跟您核对一下,您看到的是哪一期账单?方便告诉我房号吗?",
    "act": "我这就请财务同事把这个月的收费明细调出来,今天下班前把每一项的来由给您讲清楚。",
    "negotiate": "如果核对下来是我们算错了,多收的部分会在下期账单里直接抵扣,您看这样处理可以吗?",
    "thank": "谢谢您细心核对账单,也谢谢您直接来问我们,明细出来后我第一时间联系您。",
}
LAMP_TEXTS = {  # grounded in the lamp complaint: nothing about leaks (the grounding check would flag it)
    "listen": "楼道灯坏了一个星期,您说的情况我都记下了,还有什么想补充的尽管告诉我。",
    "empathize": "晚上回家楼道里黑漆漆的,走着确实不踏实,换了谁都会着急,真是辛苦您了。",
    "ask": "想跟您确认一下,是几楼的楼道灯不亮?大概从哪天开始的?",
    "act": "我这就给您登记报修,请电工师傅今天下午上门查看楼道灯,修好后我第一时间告诉您。",
    "negotiate": "如果需要换灯具,我们先换上能用的,晚上前保证楼道有照明,您看这样可以吗?",
    "thank": "谢谢您及时告诉我们,修好以后我会再回访,确认楼道灯都正常了。",
}
BAD = {  # what a careless drafter might write: arguing, buck-passing, refusing, over-promising
    "act": "明明是楼上的问题,这事不归我们管,您自己去找楼上协商吧。",
    "negotiate": "我保证今天之内一定给您修好,以后绝对不会再漏水了。",
}
LEAK = "楼上漏水一个多星期了,报修三次都没人来,天花板都发霉了,你们到底管不管?我电话13812345678。"
NOISE = "隔壁装修天天早上七点就开始砸墙,孩子都没法睡觉,你们物业能不能管一管?"
FEES = "这个月物业费怎么比上个月多了五十块?也没人跟我说明一下。"


def _answer(request: httpx.Request) -> httpx.Response:
    user, context = user_message(request), context_of(request)
    flagged = "漏水" in context.get("complaint", user) or "砸墙" in context.get("complaint", user)
    complaint = context.get("complaint", user)
    texts = {**GOOD, **BAD} if flagged else (FEES_TEXTS if "物业费" in user else LAMP_TEXTS if "灯" in complaint else GOOD)
    return httpx.Response(200, json=chat(json.dumps(answer_for(request, texts), ensure_ascii=False)))


@dataclass
class Site:
    base: str
    tokens: dict[str, str]
    drafts: dict[str, dict[str, Any]]
    shots: Path

    def shot(self, page: Any, name: str) -> None:
        """A full-page screenshot, kept in the pytest tmp dir and $WUYE_SCREENSHOT_DIR when set."""
        self._keep(name, lambda path: page.screenshot(path=path, full_page=True))

    def shot_element(self, locator: Any, name: str) -> None:
        self._keep(name, lambda path: locator.screenshot(path=path))

    def _keep(self, name: str, take: Any) -> None:
        path = self.shots / f"{name}.png"
        take(str(path))
        assert path.stat().st_size > 1000
        target = os.environ.get("WUYE_SCREENSHOT_DIR")
        if target:
            Path(target).mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, Path(target) / path.name)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if CHROMIUM is None:
        pytest.skip("Debian's Chromium is not installed (apt-get install -y chromium); .ci/run installs it")
    from agent.retrieval.index import build_index

    data_dir = tmp_path_factory.mktemp("console-browser")
    settings = make_settings(data_dir, model="openai/test-model", api_base="http://llm.test/v1",
                             api_key="sk-test", retries=0, timeout=5,
                             rate_limit_per_minute=100_000)
    build_index(settings, progress=False)
    tokens = create_keys(settings, [("agent", "前台小王", ["翠湖苑", "锦绣华庭"]), ("supervisor", "张主管", ["*"]),
                                    ("qa", "质检小李", ["*"])])
    with live_api(settings, _answer) as base:
        drafts = {}
        with httpx.Client(base_url=base, timeout=60) as client:
            for name, complaint, project in (("leak", LEAK, "翠湖苑"), ("noise", NOISE, "锦绣华庭"),
                                             ("fees", FEES, "翠湖苑")):
                r = client.post("/v1/drafts", json={"complaint": complaint, "project": project},
                                headers={"Authorization": f"Bearer {tokens['agent']}"})
                assert r.status_code == 201, r.text
                drafts[name] = r.json()
        yield Site(base=base, tokens=tokens, drafts=drafts, shots=tmp_path_factory.mktemp("screenshots"))


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[Any]:
    with chromium() as browser:
        yield browser


def _sign_in(page: Any, site: Site, role: str) -> None:
    page.goto(f"{site.base}/console")
    assert page.url.startswith(f"{site.base}/console/login")
    page.fill("#api_key", site.tokens[role])
    page.click("button:has-text('登录')")


def test_the_drafts_are_what_the_story_needs(site: Site) -> None:
    assert site.drafts["leak"]["status"] == "flagged"
    assert site.drafts["noise"]["status"] == "flagged"
    assert site.drafts["fees"]["status"] == "pending_approval"
    assert "13812345678" not in site.drafts["leak"]["complaint_masked"]


def test_supervisor_reviews_a_flagged_draft_end_to_end(site: Site, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    problems: list[str] = []  # CSP violations, failed loads and script errors show up here
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{site.base}/console")
    assert "/console/login" in page.url
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.evaluate("document.activeElement.id") == "api_key"  # autofocus: type the key at once
    site.shot(page, "01-login")

    _sign_in(page, site, "supervisor")
    page.wait_for_url(f"{site.base}/console")
    cookie = next(c for c in context.cookies() if c["name"] == "wuye_console")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/console"
    assert page.locator("#matching-count").inner_text() == "2"
    page.keyboard.press("Tab")  # keyboard users land on the skip link first
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    page.select_option("#f-project", "翠湖苑")
    page.select_option("#f-violation", "overpromising")
    page.click("button:has-text('筛选')")
    rows = page.locator("#queue-table tbody tr")
    assert rows.count() == 1
    leak_id = site.drafts["leak"]["id"]
    assert rows.first.get_attribute("data-draft-id") == leak_id
    site.shot(page, "02-queue-filtered")

    rows.first.get_by_role("link").click()
    page.wait_for_url(f"{site.base}/console/drafts/{leak_id}")
    assert "〔电话1〕" in page.locator("#complaint").inner_text()
    act_marks = page.locator("#stage-act mark.v")
    assert act_marks.count() >= 3
    assert page.locator("#stage-act mark.v-buck_passing").count() >= 1
    assert page.locator("#stage-negotiate mark.v-overpromising").count() >= 1
    marked = "".join(act_marks.all_inner_texts())
    assert "明明是" in marked and ("不归我们管" in marked or "您自己去找" in marked)
    for described in act_marks.evaluate_all("els => els.map(e => e.getAttribute('aria-describedby'))"):
        for ref in described.split():
            assert page.locator(f"#{ref}").count() == 1  # every reference resolves to an explanation
    first = page.locator("#stage-negotiate mark.v-overpromising").first
    tip = page.locator("#stage-negotiate .tip").first
    assert not tip.is_visible()
    first.focus()  # keyboard focus shows the popover: rule, message, source, fix hint
    assert tip.is_visible()
    assert "overpromising.guarantee" in tip.inner_text() and "改法" in tip.inner_text() and "依据" in tip.inner_text()
    assert page.locator("#stage-negotiate .instead li").count() >= 1  # what the playbook recommends instead
    site.shot(page, "03-draft-flagged")
    site.shot_element(page.locator("#stage-negotiate"), "03b-draft-popover-on-focus")
    page.keyboard.press("Escape")  # dismissible without moving focus (WCAG 1.4.13)
    assert not tip.is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "MARK"  # the next span, by keyboard

    page.fill("#override-note", "“保证”指已和维修班组确认的上门时间,语气稍后再跟客服沟通,这次先放行。")
    page.click("button:has-text('放行并通过')")
    page.wait_for_url(re.compile(r".*/console\?done=override_approve.*"))
    assert leak_id in page.locator("#flash").inner_text()
    assert page.locator(f"tr[data-draft-id='{leak_id}']").count() == 0  # it left the queue
    assert page.locator("#matching-count").inner_text() == "1"
    site.shot(page, "04-queue-after-override")

    page.click("#flash >> text=审计日志")
    event = page.locator("tr.event[data-action='override_approve']")
    assert event.count() == 1
    assert "维修班组" in event.inner_text() and "张主管" in event.inner_text()
    site.shot(page, "05-audit")

    page.goto(f"{site.base}/console/stats")
    assert page.locator("#chart-days rect").count() >= 3
    assert page.locator("#chart-days title").count() >= 3
    assert page.locator("#kpi-total").inner_text() == "3"
    site.shot(page, "06-stats")

    page.click("button:has-text('退出登录')")
    page.wait_for_url(re.compile(r".*/console/login\?out=1"))
    page.goto(f"{site.base}/console")
    assert "/console/login" in page.url
    assert problems == []
    context.close()


def test_an_agent_or_qa_key_is_refused(site: Site, browser: Any) -> None:
    for role in ("agent", "qa"):
        context = browser.new_context(viewport={"width": 1280, "height": 700}, locale="zh-CN")
        page = context.new_page()
        _sign_in(page, site, role)
        page.wait_for_load_state()
        assert "无权访问主管控制台" in page.locator("h1").inner_text()
        assert not [c for c in context.cookies() if c["name"] == "wuye_console"]
        if role == "agent":
            site.shot(page, "07-agent-refused")
        page.goto(f"{site.base}/console")
        assert "/console/login" in page.url
        context.close()


def test_supervisor_sees_an_escalation_in_the_needs_attention_queue(site: Site, browser: Any) -> None:
    with httpx.Client(base_url=site.base, timeout=60) as client:
        r = client.post("/v1/drafts", json={"complaint": "电梯困人了,我妈被困在里面半个小时!", "project": "翠湖苑"},
                        headers={"Authorization": f"Bearer {site.tokens['agent']}"})
    assert r.status_code == 201 and r.json()["classification"]["escalate"], r.text
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    _sign_in(page, site, "supervisor")
    page.wait_for_url(re.compile(r".*/console$"))
    page.click("nav >> text=需关注")
    page.wait_for_url(re.compile(r".*/console/escalated$"))
    assert page.locator("h1").inner_text() == "需关注队列"
    row = page.locator(f"tr[data-draft-id='{r.json()['id']}']")
    assert row.count() == 1 and "被困" in row.locator("td.reason").inner_text()
    for name in ("leak", "noise"):  # guard-flagged drafts stay in the other queue
        assert page.locator(f"tr[data-draft-id='{site.drafts[name]['id']}']").count() == 0
    site.shot(page, "08-escalated")
    context.close()


def test_supervisor_closes_the_loop_in_the_console(site: Site, browser: Any) -> None:
    """An approved reply's promises in the ledger, marked done; a 回访 recorded as not satisfied
    reopens the case; the analytics page draws its charts."""
    agent = {"Authorization": f"Bearer {site.tokens['agent']}"}
    with httpx.Client(base_url=site.base, timeout=60) as client:
        r = client.post("/v1/drafts", json={"complaint": "楼道的灯坏了一个星期了,晚上黑漆漆的。", "project": "翠湖苑"},
                        headers=agent)
        assert r.status_code == 201 and r.json()["status"] == "pending_approval", r.text
        draft_id = r.json()["id"]
        r = client.post(f"/v1/drafts/{draft_id}/decision", json={"action": "approve"}, headers=agent)
        assert r.status_code == 200 and r.json()["commitments"], r.text
    promised = {c["quote"] for c in r.json()["commitments"]}
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    _sign_in(page, site, "supervisor")
    page.wait_for_url(re.compile(r".*/console$"))
    page.click("nav >> text=承诺台账")
    page.wait_for_url(re.compile(r".*/console/commitments$"))
    page.click("nav[aria-label='承诺状态'] >> text=全部未办")
    rows = page.locator("#commitments-table tbody tr")
    quotes = {q.strip("「」") for q in rows.locator("td:nth-child(3)").all_inner_texts()
              for q in [q.splitlines()[0]]}
    assert promised <= quotes
    site.shot(page, "09-commitments")
    first = rows.first
    commitment_id = first.get_attribute("data-commitment-id")
    first.get_by_role("button", name="标记办到").click()
    page.wait_for_url(re.compile(r".*/console/commitments\?status=open&done=.*"))
    assert commitment_id in page.locator("#flash").inner_text()
    assert page.locator(f"tr[data-commitment-id='{commitment_id}']").count() == 0

    page.click("nav >> text=回访")
    page.wait_for_url(re.compile(r".*/console/follow-ups$"))
    row = page.locator("#follow-ups-table tbody tr").filter(has=page.locator(f"a[href='/console/drafts/{draft_id}']"))
    assert row.count() == 1
    row.get_by_label("不满意", exact=True).check()
    row.locator("textarea").fill("业主说灯修好了又坏了")
    site.shot(page, "10-follow-up")
    row.get_by_role("button", name="记录结果").click()
    page.wait_for_url(re.compile(r".*/console/follow-ups\?.*reopened=.*"))
    assert "已重新打开" in page.locator("#flash").inner_text()
    page.click(f"#flash >> a[href='/console/drafts/{draft_id}']")
    page.wait_for_url(re.compile(rf".*/console/drafts/{draft_id}$"))

    page.click("nav >> text=管理指标")
    page.wait_for_url(re.compile(r".*/console/analytics$"))
    assert page.locator("#chart-overall rect").count() == 4
    assert page.locator("#chart-stages rect").count() == 6
    assert int(page.locator("#kpi-decided").inner_text()) >= 1
    assert page.locator("#rules-table tbody tr").count() >= 1
    site.shot(page, "11-analytics")
    assert not problems, problems
    context.close()


def test_gaps_report_in_the_console(site: Site, browser: Any) -> None:
    """A rejected draft about a topic the playbook lacks shows in the knowledge-gaps report."""
    agent = {"Authorization": f"Bearer {site.tokens['agent']}"}
    with httpx.Client(base_url=site.base, timeout=60) as client:
        gap = client.post("/v1/drafts", json={"complaint": "小区充电桩一直坏着", "project": "翠湖苑"}, headers=agent)
        assert gap.status_code == 201, gap.text
        rejected = client.post(f"/v1/drafts/{gap.json()['id']}/decision", headers=agent,
                               json={"action": "reject", "reason": "话术库里没有充电桩的说法"})
        assert rejected.status_code == 200, rejected.text
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    _sign_in(page, site, "supervisor")
    page.wait_for_url(re.compile(r".*/console$"))
    page.click("nav >> text=知识缺口")
    page.wait_for_url(re.compile(r".*/console/gaps$"))
    row = page.locator("#gaps-table tr[data-topic='充电桩故障']")
    assert row.count() == 1 and row.locator("td").first.inner_text().startswith("1 / 1")
    example = page.locator(f"#gaps-table a[href='/console/drafts/{gap.json()['id']}']")
    assert example.count() == 1 and "充电桩" in example.inner_text()
    site.shot(page, "12-gaps")
    example.click()
    page.wait_for_url(re.compile(rf".*/console/drafts/{gap.json()['id']}$"))
    assert not problems, problems
    context.close()
