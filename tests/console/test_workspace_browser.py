"""The agent workspace end to end in Debian's Chromium (Playwright): a real uvicorn server with the
real DraftCore (corpus index, guardrails, store), the model mocked by respx at http://llm.test/v1 and
streaming its answer (holding every stage after the first until the test has seen the first one in
the page, so the test fails if stages are not shown as they arrive).

An agent signs in with their key, pastes a complaint, picks the channel, watches the stages stream
in, rewrites a stage, submits an edit the guard blocks (the span is highlighted, the rule shown),
fixes it, approves, and copies the reply (clipboard + visible confirmation); the same agent gets 403
on every supervisor page. Screenshots go to ``<pytest tmp>/screenshots`` and ``$WUYE_SCREENSHOT_DIR``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.api.conftest import make_settings

from .live_site import CHROMIUM, chromium, create_keys, live_api
from .test_browser import Site
from .workspace_model import BLOCKED_EDIT, BLOCKED_RULE, BLOCKED_SPAN, REWRITES, TEXTS, WorkspaceModel

pytestmark = [pytest.mark.browser, pytest.mark.slow]
COMPLAINT = "楼上漏水一个多星期了,报修三次都没人来,天花板都发霉了,你们到底管不管?"
FIXED_NEGOTIATE = "找到漏水原因后,维修方案我先跟您和楼上住户一起商量,按您方便的时间安排施工。"


@dataclass
class WorkspaceSite(Site):
    gate: threading.Event = field(default_factory=threading.Event)
    model: Any = None


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkspaceSite]:
    if CHROMIUM is None:
        pytest.skip("Debian's Chromium is not installed (apt-get install -y chromium); .ci/run installs it")
    from agent.retrieval.index import build_index

    data_dir = tmp_path_factory.mktemp("workspace-browser")
    settings = make_settings(data_dir, model="openai/test-model", api_base="http://llm.test/v1", api_key="sk-test",
                             retries=0, timeout=40, rate_limit_per_minute=100_000)
    build_index(settings, progress=False)
    tokens = create_keys(settings, [("agent", "前台小王", ["翠湖苑", "锦绣华庭"]), ("supervisor", "张主管", ["*"])])
    gate = threading.Event()
    model = WorkspaceModel(gate)
    with live_api(settings, model) as base:
        try:
            yield WorkspaceSite(base=base, tokens=tokens, drafts={},
                                shots=tmp_path_factory.mktemp("screenshots"), gate=gate, model=model)
        finally:
            gate.set()


@pytest.fixture(scope="module")
def browser(site: WorkspaceSite) -> Iterator[Any]:
    with chromium() as browser:
        yield browser


def _watch(page: Any) -> list[str]:
    problems: list[str] = []  # CSP violations, failed loads and script errors show up here
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def _sign_in(page: Any, site: WorkspaceSite) -> None:
    page.goto(f"{site.base}/console/workspace")
    assert page.url == f"{site.base}/console/workspace/login"
    assert page.evaluate("document.activeElement.id") == "api_key"
    page.keyboard.type(site.tokens["agent"])
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site.base}/console/workspace")


def test_agent_drafts_rewrites_fixes_a_blocked_edit_approves_and_copies(site: WorkspaceSite, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.base)
    page = context.new_page()
    problems = _watch(page)

    # sign-in
    page.goto(f"{site.base}/console/workspace")
    site.shot(page, "w01-workspace-login")
    _sign_in(page, site)
    cookie = next(c for c in context.cookies() if c["name"] == "wuye_workspace")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/console"
    assert site.tokens["agent"] not in cookie["value"]
    assert page.locator("h1").inner_text() == "起草回复"
    assert "前台小王" in page.locator(".who").inner_text()

    # a streamed draft: the first stage is on screen while the model still holds the others
    page.select_option("#ws-project", "翠湖苑")
    page.select_option("#ws-channel", "wechat")
    page.fill("#ws-complaint", COMPLAINT)
    page.focus("#ws-submit")
    page.keyboard.press("Enter")
    page.wait_for_selector("#ws-stage-listen[data-state='arrived']", timeout=30_000)
    assert page.locator("#ws-text-listen").inner_text() == TEXTS["listen"]
    assert page.locator("#ws-badge-listen").inner_text() == "护栏通过"
    assert page.locator("#ws-stage-thank").get_attribute("data-state") == "waiting"
    assert page.locator("#ws-tools-thank").is_hidden() and page.locator("#ws-tools-listen").is_visible()
    assert page.locator("#ws-status").get_attribute("data-state") == "streaming"
    assert "1/6" in page.locator("#ws-status").inner_text()
    assert page.locator("#ws-approve").is_disabled()
    site.shot(page, "w02-streaming-first-stage")
    site.gate.set()
    page.wait_for_selector("#ws-status[data-state='done']", timeout=30_000)
    for stage, text in TEXTS.items():
        assert page.locator(f"#ws-stage-{stage}").get_attribute("data-state") == "arrived"
        assert page.locator(f"#ws-text-{stage}").inner_text() == text
    draft_id = page.locator("#ws-draft-id").inner_text().removeprefix("编号 ").strip()
    assert re.fullmatch(r"d_\w+", draft_id), draft_id
    assert site.model.streamed == 1
    site.shot(page, "w03-draft-complete")

    # a rewrite of one stage (warmer), taken into the editor
    page.select_option("#ws-style-act", "warmer")
    page.click("#ws-tools-act button[data-do='rewrite']")
    proposal = page.locator("#ws-proposal-act[data-result='ok']")
    proposal.wait_for(timeout=30_000)
    assert REWRITES["act"] in proposal.inner_text()
    assert site.model.rewrites == ["act"]
    site.shot_element(page.locator("#ws-stage-act"), "w04-rewrite")
    assert page.evaluate("document.activeElement.textContent") == "用这个改写"  # focus moves to the choice
    page.keyboard.press("Enter")
    assert page.locator("#ws-edit-act").input_value() == REWRITES["act"]
    assert page.locator("#ws-approve").inner_text() == "提交修改并采纳"

    # an edit the guard blocks: its span highlighted, the rule shown; nothing approved
    page.click("#ws-tools-negotiate button[data-do='edit']")
    assert page.locator("#ws-tools-negotiate button[data-do='edit']").get_attribute("aria-expanded") == "true"
    page.fill("#ws-edit-negotiate", BLOCKED_EDIT)
    page.click("#ws-approve")
    blocked = page.locator("#ws-blocked-negotiate")
    blocked.wait_for(state="visible", timeout=30_000)
    mark = blocked.locator(f"mark[data-rule='{BLOCKED_RULE}']")
    assert mark.count() == 1 and mark.inner_text() == BLOCKED_SPAN
    assert "v-blaming" in mark.get_attribute("class") and "v-block" in mark.get_attribute("class")
    explanation = page.locator(f"#{mark.get_attribute('aria-describedby')}")
    assert BLOCKED_RULE in explanation.inner_text() and "指责业主" in explanation.inner_text()
    assert "改法" in explanation.inner_text()
    assert page.evaluate("document.activeElement.tagName") == "MARK"  # keyboard users land on the span
    assert "“议”" in page.locator("#ws-error").inner_text() and "违反" in page.locator("#ws-error").inner_text()
    assert page.locator("#ws-final").is_hidden()
    site.shot(page, "w05-edit-blocked")
    with httpx.Client(base_url=site.base, timeout=30) as client:
        stored = client.get(f"/v1/drafts/{draft_id}", headers={"Authorization": f"Bearer {site.tokens['agent']}"})
    assert stored.json()["status"] == "pending_approval" and stored.json()["meta"]["channel"] == "wechat"

    # fixed, approved
    page.fill("#ws-edit-negotiate", FIXED_NEGOTIATE)
    page.click("#ws-approve")
    page.wait_for_selector("#ws-final:not([hidden])", timeout=30_000)
    final = page.locator("#ws-final-text").input_value()
    expected = "".join({**TEXTS, "act": REWRITES["act"], "negotiate": FIXED_NEGOTIATE}[s] for s in TEXTS)
    assert final == expected
    assert page.locator("#ws-status").get_attribute("data-state") == "approved"
    assert page.locator("#ws-text-negotiate").inner_text() == FIXED_NEGOTIATE  # the stages as approved
    assert page.locator("#ws-text-act").inner_text() == REWRITES["act"]
    assert page.locator("#ws-approve").is_hidden() and page.locator("#ws-tools-act").is_hidden()
    assert page.evaluate("document.activeElement.id") == "ws-copy"

    # copy: clipboard + a visible confirmation
    page.keyboard.press("Enter")
    page.wait_for_selector("#ws-copied.notice")
    assert "已复制到剪贴板" in page.locator("#ws-copied").inner_text()
    assert page.evaluate("navigator.clipboard.readText()") == expected
    site.shot(page, "w06-approved-copied")
    with httpx.Client(base_url=site.base, timeout=30) as client:
        stored = client.get(f"/v1/drafts/{draft_id}", headers={"Authorization": f"Bearer {site.tokens['agent']}"})
        audit = client.get("/v1/audit", params={"draft_id": draft_id},
                           headers={"Authorization": f"Bearer {site.tokens['supervisor']}"})
    assert stored.json()["status"] == "approved" and stored.json()["final"]["act"] == REWRITES["act"]
    assert audit.status_code == 200, audit.text
    actions = [e["action"] for e in audit.json()["items"]]
    assert {"rewrite", "edit_blocked", "edit"} <= set(actions), actions
    expected_422 = [p for p in problems if "status of 422" in p]  # the blocked edit, logged by Chromium
    assert len(expected_422) == 1 and [p for p in problems if p not in expected_422] == [], problems
    context.close()


def test_an_agent_gets_403_on_supervisor_pages(site: WorkspaceSite, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 700}, locale="zh-CN")
    page = context.new_page()
    problems = _watch(page)
    site.gate.set()
    _sign_in(page, site)
    for path in ("/console", "/console/stats", "/console/audit", "/console/escalated", "/console/analytics"):
        response = page.goto(f"{site.base}{path}")
        assert response.status == 403, path
        assert page.locator("h1").inner_text() == "无权访问主管控制台"
        assert page.locator("nav a[href='/console/stats']").count() == 0  # no supervisor navigation
    site.shot(page, "w07-agent-403-supervisor-page")
    page.click("a:has-text('返回客服工作台')")
    page.wait_for_url(f"{site.base}/console/workspace")
    # the supervisor sign-in refuses the agent key too, and points to the workspace
    fresh = browser.new_context(viewport={"width": 1280, "height": 700}, locale="zh-CN")
    other = fresh.new_page()
    other.goto(f"{site.base}/console/login")
    other.fill("#api_key", site.tokens["agent"])
    with other.expect_response(lambda r: r.url.endswith("/console/login") and r.request.method == "POST") as answer:
        other.click("button:has-text('登录')")
    assert answer.value.status == 403
    assert "无权访问主管控制台" in other.locator("h1").inner_text()
    other.click("a:has-text('去客服工作台登录')")
    other.wait_for_url(f"{site.base}/console/workspace/login")
    fresh.close()
    # sign out: the workspace asks for the key again
    page.click("button:has-text('退出登录')")
    page.wait_for_url(re.compile(r".*/console/workspace/login\?out=1"))
    page.goto(f"{site.base}/console/workspace")
    assert page.url == f"{site.base}/console/workspace/login"
    refused = [p for p in problems if "status of 403" in p]  # the five refused pages, logged by Chromium
    assert len(refused) == 5 and [p for p in problems if p not in refused] == [], problems
    context.close()
