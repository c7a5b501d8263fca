"""Sign-in, sign-out and the vendored static files of the console."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from agent.workflow.store.keys import authenticate

from ..limits import RateLimits
from . import labels
from .session import CONSOLE_ROLES, COOKIE, COOKIE_PATH, LOGIN_COOKIE, issue, login_token, valid
from .web import (
    HERE,
    SECURITY_HEADERS,
    bad_form,
    csrf_failed,
    csrf_ok,
    current,
    error_page,
    page,
    read_form,
    redirect,
    secret,
)

router = APIRouter(include_in_schema=False)
STATIC = {"console.css": "text/css; charset=utf-8", "console.js": "text/javascript; charset=utf-8",
          "workspace.js": "text/javascript; charset=utf-8",
          "favicon.svg": "image/svg+xml"}
NONCE_MAX_AGE = 2 * 3600
REFUSED_HINT = {"agent": "客服请在客服工作台(/console/workspace)里处理自己的草稿;", "qa": "质检请继续使用护栏检查和评测接口;"}


def safe_next(target: object) -> str:
    """Only a path inside the console (no other host, no scheme tricks)."""
    if not isinstance(target, str) or not target.startswith("/console") or "\\" in target or len(target) > 500:
        return "/console"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//") or target.startswith("/console/login"):
        return "/console"
    return target


def _login_page(request: Request, *, status: int = 200, error: str = "", next_url: str = "/console",
                notice: str = "") -> HTMLResponse:
    nonce = secrets.token_urlsafe(18)
    response = page(request, "login.html", status=status, error=error, notice=notice, next_url=safe_next(next_url),
                    login_csrf=login_token(secret(request), nonce), principal=None, csrf="")
    response.set_cookie(LOGIN_COOKIE, nonce, max_age=NONCE_MAX_AGE, path=COOKIE_PATH, secure=True, httponly=True,
                        samesite="strict")
    return response


@router.get("/console/login", response_class=HTMLResponse)
async def login_form(request: Request) -> Response:
    if await current(request) is not None:
        return redirect(safe_next(request.query_params.get("next")))
    notice = "您已安全退出。" if request.query_params.get("out") == "1" else ""
    return _login_page(request, next_url=request.query_params.get("next", "/console"), notice=notice)


@router.post("/console/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    form = await read_form(request)
    if form is None:
        return bad_form(request)
    next_url = safe_next(form.get("next"))
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    if not nonce or not valid(login_token(secret(request), nonce), form.get("csrf_token")):
        return _login_page(request, status=403, next_url=next_url,
                           error="登录页面已过期或来源不明,请重新输入密钥后登录。")
    host = request.client.host if request.client else "unknown"
    limits: RateLimits = request.app.state.rate_limits
    wait = await limits.console_login(host)
    if wait > 0:
        response = _login_page(request, status=429, next_url=next_url,
                               error=f"尝试次数过多,请 {RateLimits.retry_after(wait)} 秒后再试。")
        response.headers["Retry-After"] = RateLimits.retry_after(wait)
        return response
    token = form.get("api_key")
    token = token.strip() if isinstance(token, str) else ""
    if not token:
        return _login_page(request, status=422, next_url=next_url, error="请输入 API 密钥。")
    async with request.app.state.core.db.connect() as conn:
        row = await authenticate(conn, token=token)
    if row is None:
        return _login_page(request, status=401, next_url=next_url,
                           error="密钥无效或已停用,请核对后重新输入(密钥以 wuye_ 开头)。")
    if row.role not in CONSOLE_ROLES:
        return error_page(
            request, 403, "无权访问主管控制台",
            f"当前密钥的角色是“{labels.label(labels.ROLE, row.role)}”,主管控制台只对主管和管理员开放。",
            hint=REFUSED_HINT.get(row.role, "") + "如需审核权限,请联系管理员开通主管密钥。",
            back="/console/workspace/login" if row.role == "agent" else "",
            back_label="去客服工作台登录" if row.role == "agent" else "")
    lifetime = int(request.app.state.settings.console_session_hours * 3600)
    _, cookie = issue(secret(request), key_id=row.id, role=row.role, lifetime_s=lifetime)
    response = redirect(next_url)
    response.set_cookie(COOKIE, cookie, max_age=lifetime, path=COOKIE_PATH, secure=True, httponly=True,
                        samesite="strict")
    response.delete_cookie(LOGIN_COOKIE, path=COOKIE_PATH, secure=True, httponly=True, samesite="strict")
    return response


@router.post("/console/logout", response_class=HTMLResponse)
async def logout(request: Request) -> Response:
    found = await current(request)
    if found is None:
        return redirect("/console/login")
    form = await read_form(request)
    if form is None:
        return bad_form(request)
    if not csrf_ok(request, form):
        return csrf_failed(request)
    session = found[1]
    await request.app.state.shared.sign_out(session.sid, session.expires)
    response = redirect("/console/login?out=1")
    response.delete_cookie(COOKIE, path=COOKIE_PATH, secure=True, httponly=True, samesite="strict")
    return response


@router.get("/console/static/{name}")
async def static(name: str) -> Response:
    if name not in STATIC:
        return Response("not found", status_code=404, media_type="text/plain")
    body = (HERE / "static" / name).read_bytes()
    headers = {k: v for k, v in SECURITY_HEADERS.items() if k != "Cache-Control"}
    headers["Cache-Control"] = "public, max-age=300"
    return Response(body, media_type=STATIC[name], headers=headers)
