"""The agent workspace 客服工作台 without a browser (httpx): sign-in and roles, the JSON endpoints'
session + CSRF checks, the streamed draft, a rewrite, a guard-blocked edit with its spans, approval."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.console import session as sess
from tests.api.conftest import make_settings, running

from .conftest import BASE, Console
from .workspace_model import BLOCKED_EDIT, BLOCKED_RULE, BLOCKED_SPAN, REWRITES, TEXTS, WorkspaceModel

API = "/console/workspace/api/drafts"
COMPLAINT = "楼上漏水一个多星期了,报修三次都没人来,天花板都发霉了,你们到底管不管?"


@pytest.fixture
async def ws(tmp_path: Path, shared_clients: tuple[Any, Any]) -> AsyncIterator[Console]:
    async with running(make_settings(tmp_path), shared_clients, model=WorkspaceModel()) as api:  # type: ignore[arg-type]
        console = Console(api)
        yield console
        for client in console.opened:
            await client.aclose()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


async def sign_in(ws: Console, headers: dict[str, str]) -> tuple[httpx.AsyncClient, str]:
    """A client signed in to the workspace, and the page's CSRF token (for X-CSRF-Token)."""
    client = ws.client()
    ws.opened.append(client)
    form = await client.get("/console/workspace/login")
    r = await client.post("/console/workspace/login", data={"api_key": ws.token(headers),
                                                            "csrf_token": csrf_of(form.text)})
    assert r.status_code == 303 and r.headers["location"] == "/console/workspace", r.text
    page = await client.get("/console/workspace")
    assert page.status_code == 200
    token = re.search(r'id="ws" data-csrf="([^"]+)"', page.text)
    assert token
    return client, token.group(1)


def events(body: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for frame in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in frame.splitlines())
        out.append((lines["event"], json.loads(lines["data"])))
    return out


async def stream(client: httpx.AsyncClient, csrf: str, **body: Any) -> list[tuple[str, dict[str, Any]]]:
    r = await client.post(API, json={"complaint": COMPLAINT, "project": "翠湖苑", **body},
                          headers={"X-CSRF-Token": csrf, "Accept": "text/event-stream"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream"), r.text
    return events(r.text)


async def test_agent_signs_in_with_a_secure_workspace_cookie(ws: Console) -> None:
    agent = await ws.key("agent")
    async with ws.client() as c:
        form = await c.get("/console/workspace/login")
        assert form.status_code == 200 and '<html lang="zh-CN">' in form.text and "客服工作台登录" in form.text
        assert '<label for="api_key">' in form.text
        r = await c.post("/console/workspace/login", data={"api_key": ws.token(agent), "csrf_token": csrf_of(form.text)})
        assert r.status_code == 303 and r.headers["location"] == "/console/workspace"
        cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith(sess.WORKSPACE_COOKIE + "="))
        for flag in ("HttpOnly", "Secure", "SameSite=strict", "Path=/console"):
            assert flag in cookie
        assert ws.token(agent) not in cookie
        page = await c.get("/console/workspace")
    assert page.status_code == 200 and "起草回复" in page.text and "客服工作台" in page.text
    csp = page.headers["content-security-policy"]
    assert "connect-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    # no inline script: every <script> has a src, or is a JSON data block (never executed)
    for tag in re.findall(r"<script[^>]*>", page.text):
        assert 'src="/console/static/' in tag or 'type="application/json"' in tag, tag
    assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"
    for control in ("ws-project", "ws-channel", "ws-conversation", "ws-complaint"):
        assert f'<label for="{control}">' in page.text


async def test_the_workspace_without_a_session_goes_to_its_sign_in(ws: Console) -> None:
    async with ws.client() as c:
        r = await c.get("/console/workspace")
    assert r.status_code == 303 and r.headers["location"] == "/console/workspace/login"


@pytest.mark.parametrize("role", ["supervisor", "qa", "admin"])
async def test_other_roles_cannot_sign_in_to_the_workspace(ws: Console, role: str) -> None:
    key = await ws.key(role)
    async with ws.client() as c:
        form = await c.get("/console/workspace/login")
        r = await c.post("/console/workspace/login", data={"api_key": ws.token(key), "csrf_token": csrf_of(form.text)})
        assert r.status_code == 403 and "客服工作台只对客服开放" in r.text
        assert not any(h.startswith(sess.WORKSPACE_COOKIE + "=") for h in r.headers.get_list("set-cookie"))
        assert (await c.get("/console/workspace")).status_code == 303


async def test_sign_in_needs_the_forms_csrf_token_and_a_valid_key(ws: Console) -> None:
    agent = await ws.key("agent")
    async with ws.client() as c:
        await c.get("/console/workspace/login")
        r = await c.post("/console/workspace/login", data={"api_key": ws.token(agent), "csrf_token": "forged"})
        assert r.status_code == 403 and "已过期或来源不明" in r.text
        form = await c.get("/console/workspace/login")
        r = await c.post("/console/workspace/login", data={"api_key": "wuye_nope", "csrf_token": csrf_of(form.text)})
        assert r.status_code == 401 and "密钥无效" in r.text


@pytest.mark.parametrize("path", ["/console", "/console/escalated", "/console/stats", "/console/audit",
                                  "/console/commitments", "/console/follow-ups", "/console/analytics",
                                  "/console/drafts/d_x", "/console/no-such-page"])
async def test_a_signed_in_agent_gets_403_on_supervisor_pages(ws: Console, path: str) -> None:
    client, _ = await sign_in(ws, await ws.key("agent"))
    r = await client.get(path)
    assert r.status_code == 403, r.text
    assert "无权访问主管控制台" in r.text and "/console/workspace" in r.text
    assert "待审核队列" not in r.text  # no supervisor navigation for an agent


async def test_a_signed_in_agent_cannot_act_on_supervisor_forms(ws: Console) -> None:
    agent = await ws.key("agent")
    draft = await ws.api.draft(agent)
    client, csrf = await sign_in(ws, agent)
    r = await client.post(f"/console/drafts/{draft['id']}/review",
                          data={"action": "override_approve", "note": "x", "csrf_token": csrf})
    assert r.status_code == 403
    status = (await ws.api.client.get(f"/v1/drafts/{draft['id']}", headers=agent)).json()["status"]
    assert status == draft["status"]


async def test_the_json_endpoints_need_the_session_and_the_csrf_header(ws: Console) -> None:
    agent = await ws.key("agent")
    body = {"complaint": COMPLAINT, "project": "翠湖苑"}
    async with ws.client() as anonymous:
        r = await anonymous.post(API, json=body)
        assert r.status_code == 401 and r.json()["error"]["code"] == "signed_out"
        r = await anonymous.post(API, json=body, headers={"Authorization": agent["Authorization"]})
        assert r.status_code == 401  # an API key is not a workspace session
    client, csrf = await sign_in(ws, agent)
    for headers in ({}, {"X-CSRF-Token": "forged"}):
        r = await client.post(API, json=body, headers=headers)
        assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed", r.text
        assert r.json()["error"]["message_zh"] and r.json()["error"]["message_en"]
    r = await client.post(API, json={**body, "project": "锦绣华庭"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403 and r.json()["error"]["code"] == "project_forbidden"
    r = await client.post(API, json={**body, "channel": "fax"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 422 and "traceback" not in r.text.lower()
    r = await client.post(API, json={**body, "complaint": "  "}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 422 and r.json()["error"]["message_zh"]


async def test_stream_rewrite_blocked_edit_then_approve(ws: Console) -> None:
    agent = await ws.key("agent")
    client, csrf = await sign_in(ws, agent)
    got = await stream(client, csrf, channel="wechat")
    names = [name for name, _ in got]
    assert names[0] == "accepted" and names[1] == "classification" and names[-1] == "done"
    assert [data["stage"] for name, data in got if name == "stage"] == list(TEXTS)
    draft = got[-1][1]["draft"]
    assert draft["meta"]["channel"] == "wechat" and draft["meta"]["agent"] == agent["X-Key-Id"]
    assert draft["status"] == "pending_approval", draft  # the mocked texts are guard-clean
    draft_id = draft["id"]
    assert ws.api.model.streamed == 1  # type: ignore[attr-defined]  # the model was asked for a streamed answer

    r = await client.post(f"{API}/{draft_id}/rewrite", json={"stage": "act", "style": "warmer"},
                          headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.text
    assert r.json()["text"] == REWRITES["act"] and r.json()["guardrail"]["passed"]

    edits = {"act": REWRITES["act"], "negotiate": BLOCKED_EDIT}
    r = await client.post(f"{API}/{draft_id}/decision", json={"action": "edit", "stages": edits},
                          headers={"X-CSRF-Token": csrf})
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "edit_blocked" and error["message_zh"] and error["message_en"]
    hits = error["details"]["guardrail"]["negotiate"]["violations"]
    hit = next(v for v in hits if v["rule_id"] == BLOCKED_RULE)
    assert BLOCKED_EDIT[hit["start"]:hit["end"]] == BLOCKED_SPAN  # the span indexes the text as sent
    assert set(error["details"]["guardrail"]) == {"negotiate"}

    edits["negotiate"] = TEXTS["negotiate"].replace("商量", "一起商量")
    r = await client.post(f"{API}/{draft_id}/decision", json={"action": "edit", "stages": edits},
                          headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["draft"]["status"] == "approved"
    assert out["reply"] == "".join({**TEXTS, **edits}[s] for s in TEXTS)
    audit = (await ws.api.client.get(f"/v1/drafts/{draft_id}", headers=agent)).json()
    assert audit["status"] == "approved" and audit["final"]["act"] == REWRITES["act"]


async def test_a_blocked_edit_shows_where_but_never_echoes_a_phone_number(ws: Console) -> None:
    agent = await ws.key("agent")
    client, csrf = await sign_in(ws, agent)
    draft_id = (await stream(client, csrf))[-1][1]["draft"]["id"]
    text = "有事您直接打我手机13812345678,我随时在。"
    r = await client.post(f"{API}/{draft_id}/decision", json={"action": "edit", "stages": {"act": text}},
                          headers={"X-CSRF-Token": csrf})
    assert r.status_code == 422 and r.json()["error"]["code"] == "edit_blocked"
    assert "13812345678" not in r.text
    mobile = next(v for v in r.json()["error"]["details"]["guardrail"]["act"]["violations"]
                  if v["rule_id"] == "pii_leak.mobile")
    assert text[mobile["start"]:mobile["end"]] == "13812345678"


async def test_sign_out_ends_the_workspace_session(ws: Console) -> None:
    client, csrf = await sign_in(ws, await ws.key("agent"))
    cookie = client.cookies.get(sess.WORKSPACE_COOKIE)
    r = await client.post("/console/workspace/logout", data={"csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/console/workspace/login?out=1"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=ws.api.app), base_url=BASE) as copy:
        copy.cookies.set(sess.WORKSPACE_COOKIE, cookie, path="/console")
        assert (await copy.get("/console/workspace")).status_code == 303
        r = await copy.post(API, json={"complaint": COMPLAINT, "project": "翠湖苑"}, headers={"X-CSRF-Token": csrf})
        assert r.status_code == 401
