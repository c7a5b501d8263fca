"""Sign-in, sessions, CSRF and roles of the console (no browser)."""

from __future__ import annotations

import base64
import json
import os
import stat
import time

import pytest

from api.console import session as sess
from api.console.signin import safe_next

from .conftest import BASE, Console, csrf_of


async def test_login_page_is_chinese_labelled_and_carries_a_csrf_token(console: Console) -> None:
    async with console.client() as c:
        r = await c.get("/console/login")
    assert r.status_code == 200
    assert '<html lang="zh-CN">' in r.text and "主管登录" in r.text
    assert '<label for="api_key">' in r.text and 'name="api_key"' in r.text and 'type="password"' in r.text
    assert csrf_of(r.text)
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(sess.LOGIN_COOKIE + "=")
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie


async def test_supervisor_gets_a_secure_httponly_strict_session_cookie(console: Console) -> None:
    sup = await console.key("supervisor")
    async with console.client() as c:
        form = await c.get("/console/login")
        r = await c.post("/console/login", data={"api_key": console.token(sup), "csrf_token": csrf_of(form.text)})
        assert r.status_code == 303 and r.headers["location"] == "/console"
        cookies = r.headers.get_list("set-cookie")
        session = next(h for h in cookies if h.startswith(sess.COOKIE + "="))
        for flag in ("HttpOnly", "Secure", "SameSite=strict", "Path=/console", "Max-Age=28800"):
            assert flag in session
        assert console.token(sup) not in session  # the key itself never goes into the cookie
        page = await c.get("/console")
    assert page.status_code == 200 and "待审核队列" in page.text


@pytest.mark.parametrize("token", [None, "", "forged-token"])
async def test_sign_in_without_a_valid_csrf_token_is_refused(console: Console, token: str | None) -> None:
    sup = await console.key("supervisor")
    async with console.client() as c:
        await c.get("/console/login")
        data = {"api_key": console.token(sup)}
        if token is not None:
            data["csrf_token"] = token
        r = await c.post("/console/login", data=data)
        assert r.status_code == 403 and "已过期或来源不明" in r.text
        assert not any(h.startswith(sess.COOKIE + "=") for h in r.headers.get_list("set-cookie"))
        assert (await c.get("/console")).status_code == 303


async def test_a_malformed_form_body_gets_a_400_page(console: Console) -> None:
    async with console.client() as c:
        await c.get("/console/login")
        r = await c.post("/console/login", content=b"api_key=x", headers={"content-type": "multipart/form-data"})
    assert r.status_code == 400 and "表单数据格式不正确" in r.text


async def test_csrf_token_of_another_browser_does_not_work(console: Console) -> None:
    sup = await console.key("supervisor")
    async with console.client() as attacker, console.client() as victim:
        token = csrf_of((await attacker.get("/console/login")).text)
        await victim.get("/console/login")
        r = await victim.post("/console/login", data={"api_key": console.token(sup), "csrf_token": token})
    assert r.status_code == 403


@pytest.mark.parametrize("role", ["agent", "qa"])
async def test_agent_and_qa_keys_cannot_open_the_console(console: Console, role: str) -> None:
    key = await console.key(role)
    async with console.client() as c:
        form = await c.get("/console/login")
        r = await c.post("/console/login", data={"api_key": console.token(key), "csrf_token": csrf_of(form.text)})
        assert r.status_code == 403
        assert "无权访问主管控制台" in r.text and "只对主管和管理员开放" in r.text
        assert not any(h.startswith(sess.COOKIE + "=") for h in r.headers.get_list("set-cookie"))
        assert (await c.get("/console")).status_code == 303


async def test_unknown_empty_and_revoked_keys_are_refused(console: Console) -> None:
    from agent.workflow.store.keys import revoke_api_key

    sup = await console.key("supervisor")
    async with console.api.core.db.begin() as conn:
        await revoke_api_key(conn, key_id=sup["X-Key-Id"])
    async with console.client() as c:
        for key, status, text in (("wuye_nope", 401, "密钥无效或已停用"), ("  ", 422, "请输入 API 密钥"),
                                  (console.token(sup), 401, "密钥无效或已停用")):
            form = await c.get("/console/login")
            r = await c.post("/console/login", data={"api_key": key, "csrf_token": csrf_of(form.text)})
            assert r.status_code == status and text in r.text


@pytest.mark.parametrize("path", ["/console", "/console/stats", "/console/audit", "/console/drafts/d_x"])
async def test_signed_out_visitors_are_sent_to_the_login_page(console: Console, path: str) -> None:
    async with console.client() as c:
        r = await c.get(path)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/console/login?next=%2Fconsole")


async def test_signed_out_post_is_not_processed(console: Console) -> None:
    agent = await console.key("agent")
    draft = await console.flagged(agent)
    async with console.client() as c:
        r = await c.post(f"/console/drafts/{draft['id']}/review", data={"action": "reject", "reason": "x"})
    assert r.status_code == 303
    assert (await console.api.core.get(draft["id"])).status == "flagged"


@pytest.mark.parametrize("target, expected", [
    ("/console/drafts/d_1?x=1", "/console/drafts/d_1?x=1"), ("https://evil.example/", "/console"),
    ("//evil.example/console", "/console"), ("/consolex/../x", "/consolex/../x"), ("/\\evil", "/console"),
    ("/console/login", "/console"), (None, "/console"), ("/other", "/console"),
])
def test_next_only_stays_inside_the_console(target: object, expected: str) -> None:
    assert safe_next(target) == expected


async def test_after_sign_in_the_next_page_is_opened(console: Console) -> None:
    sup = await console.key("supervisor")
    async with console.client() as c:
        form = await c.get("/console/login?next=%2Fconsole%2Fstats")
        assert 'name="next" value="/console/stats"' in form.text
        r = await c.post("/console/login", data={"api_key": console.token(sup), "csrf_token": csrf_of(form.text),
                                                 "next": "https://evil.example/"})
    assert r.headers["location"] == "/console"


async def test_sign_out_needs_csrf_and_the_old_cookie_stops_working(console: Console) -> None:
    sup = await console.key("supervisor")
    c = await console.sign_in(sup)
    old = c.cookies.get(sess.COOKIE)
    assert (await c.post("/console/logout", data={"csrf_token": "bad"})).status_code == 403
    assert (await c.get("/console")).status_code == 200  # a forged sign-out does nothing
    token = csrf_of((await c.get("/console")).text)
    r = await c.post("/console/logout", data={"csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/console/login?out=1"
    assert any(h.startswith(sess.COOKIE + '=""') for h in r.headers.get_list("set-cookie"))
    async with console.client() as replay:
        replay.cookies.set(sess.COOKIE, old, domain="console.test", path="/console")
        assert (await replay.get("/console")).status_code == 303


async def test_a_tampered_cookie_is_rejected(console: Console) -> None:
    admin = await console.key("admin")
    c = await console.sign_in(admin)
    payload, signature = c.cookies.get(sess.COOKIE).split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["exp"] += 10 ** 6
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    c.cookies.set(sess.COOKIE, f"{forged}.{signature}", domain="console.test", path="/console")
    assert (await c.get("/console")).status_code == 303


async def test_revoking_a_key_ends_its_console_session(console: Console) -> None:
    from agent.workflow.store.keys import revoke_api_key

    sup = await console.key("supervisor")
    c = await console.sign_in(sup)
    assert (await c.get("/console")).status_code == 200
    async with console.api.core.db.begin() as conn:
        await revoke_api_key(conn, key_id=sup["X-Key-Id"])
    assert (await c.get("/console")).status_code == 303


def test_session_cookie_round_trip_expiry_and_forgery(tmp_path) -> None:
    secret = b"k" * 32
    session, value = sess.issue(secret, key_id="k_1", role="supervisor", lifetime_s=60)
    assert sess.read(secret, value) == session
    assert sess.read(b"x" * 32, value) is None
    assert sess.read(secret, value + "x") is None and sess.read(secret, "a.b.c") is None
    assert sess.read(secret, None) is None
    _, expired = sess.issue(secret, key_id="k_1", role="supervisor", lifetime_s=-1)
    assert sess.read(secret, expired) is None
    assert session.csrf(secret) != sess.issue(secret, key_id="k_1", role="supervisor", lifetime_s=60)[0].csrf(secret)
    assert time.time() < session.expires


def test_the_signing_key_comes_from_the_deployment_secret(tmp_path) -> None:
    from agent.settings import Settings
    from agent.workflow.intake import load_secret

    settings = Settings(data_dir=tmp_path / "d")
    first = load_secret(settings)
    assert stat.S_IMODE(os.stat(settings.secret_path).st_mode) == 0o600
    assert load_secret(settings) == first and len(first) == 64
    key = sess.console_key(first)
    assert len(key) == 32 and key != first and sess.console_key(first) == key
    configured = Settings(data_dir=tmp_path / "e", secret_key="a-long-shared-secret-for-replicas")
    assert sess.console_key(load_secret(configured)) != key and not configured.secret_path.exists()


async def test_pages_send_security_headers_and_stay_out_of_openapi(console: Console) -> None:
    async with console.client() as c:
        r = await c.get("/console/login")
        schema = (await c.get("/openapi.json")).json()
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY" and r.headers["cache-control"] == "no-store"
    assert not [p for p in schema["paths"] if p.startswith("/console")]
    assert BASE.startswith("https://")
