"""Plumbing shared by the console pages: templates, security headers, the signed-in supervisor,
CSRF checks and Chinese error pages (the app's JSON error handlers are for the API)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from agent.workflow.store.keys import get_api_key

from ..auth import Principal
from ..limits import RateLimits
from . import labels
from .session import (
    CONSOLE_ROLES,
    COOKIE,
    COOKIE_PATH,
    WORKSPACE_COOKIE,
    WORKSPACE_ROLES,
    ConsoleSession,
    console_key,
    read,
    valid,
)

HERE = Path(__file__).resolve().parent
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
# The agent workspace fetches its streamed drafts from its own origin: the same policy plus connect-src 'self'.
WORKSPACE_HEADERS = {**SECURITY_HEADERS,
                     "Content-Security-Policy": SECURITY_HEADERS["Content-Security-Policy"] + "; connect-src 'self'"}


@lru_cache(maxsize=1)
def environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals["L"] = labels
    env.globals["label"] = labels.label
    env.filters["dt"] = lambda v: v.astimezone().strftime("%Y-%m-%d %H:%M") if v else "—"
    env.filters["pct"] = lambda v: "—" if v is None else f"{v * 100:.1f}%"
    return env


def page(request: Request, template: str, status: int = 200, *, headers: dict[str, str] | None = None,
         **context: Any) -> HTMLResponse:
    context.setdefault("principal", getattr(request.state, "console_principal", None))
    context.setdefault("csrf", getattr(request.state, "console_csrf", ""))
    context.setdefault("nav", "")
    html = environment().get_template(template).render(request=request, **context)
    return HTMLResponse(html, status_code=status, headers=headers or SECURITY_HEADERS)


def error_page(request: Request, status: int, title: str, message: str, *, hint: str = "", back: str = "",
               back_label: str = "", headers: dict[str, str] | None = None) -> HTMLResponse:
    return page(request, "error.html", status=status, headers=headers, title=title, message=message, hint=hint,
                back=back, back_label=back_label)


def redirect(url: str, status: int = 303) -> RedirectResponse:
    return RedirectResponse(url, status_code=status, headers=SECURITY_HEADERS)


def to_login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    response = redirect("/console/login?" + urlencode({"next": target}), status=303)
    if request.cookies.get(COOKIE):
        response.delete_cookie(COOKIE, path=COOKIE_PATH, secure=True, httponly=True, samesite="strict")
    return response


def secret(request: Request) -> bytes:
    return console_key(request.app.state.core.secret)


async def current(request: Request) -> tuple[Principal, ConsoleSession] | None:
    """The signed-in console user (active supervisor/admin key), or None."""
    return await _signed_in(request, COOKIE, CONSOLE_ROLES)


async def current_agent(request: Request) -> tuple[Principal, ConsoleSession] | None:
    """The agent signed in to the workspace (an active agent key), or None."""
    return await _signed_in(request, WORKSPACE_COOKIE, WORKSPACE_ROLES)


async def _signed_in(request: Request, cookie: str, roles: tuple[str, ...]) -> tuple[Principal, ConsoleSession] | None:
    session = read(secret(request), request.cookies.get(cookie))
    if session is None or session.role not in roles or await request.app.state.shared.is_signed_out(session.sid):
        return None
    async with request.app.state.core.db.connect() as conn:
        row = await get_api_key(conn, key_id=session.key_id)
    if row is None or row.revoked_at is not None or row.role not in roles:
        return None
    principal = Principal(id=row.id, name=row.name, role=row.role, projects=tuple(row.projects))
    request.state.principal = principal
    request.state.console_principal = principal
    request.state.console_csrf = session.csrf(secret(request))
    return principal, session


async def sign_in_required(request: Request) -> Principal | Response:
    """The principal, or the response to send instead (redirect to sign-in, 429)."""
    found = await current(request)
    if found is None:
        if await current_agent(request) is not None:  # an agent signed in to the workspace: not for them
            return error_page(request, 403, "无权访问主管控制台",
                              "当前登录的是客服密钥,主管控制台只对主管和管理员开放。",
                              hint="请回到客服工作台继续处理回复;如需审核权限,请联系管理员开通主管密钥。")
        return to_login(request)
    principal, _ = found
    limits: RateLimits = request.app.state.rate_limits
    wait = await limits.key(principal.id)
    if wait > 0:
        response = error_page(request, 429, "操作太频繁了", "请稍等片刻再刷新页面。",
                              hint=f"约 {RateLimits.retry_after(wait)} 秒后可以继续。")
        response.headers["Retry-After"] = RateLimits.retry_after(wait)
        return response
    return principal


async def read_form(request: Request) -> Any | None:
    """The posted form, or None when the body is not a readable form (then the caller answers 400)."""
    try:
        return await request.form(max_files=0, max_fields=20)
    except Exception:  # malformed multipart / urlencoded body, too many fields
        return None


def bad_form(request: Request) -> HTMLResponse:
    return error_page(request, 400, "提交的内容无法识别", "表单数据格式不正确。", hint="请返回上一页刷新后重新提交。")


def csrf_ok(request: Request, form: Any) -> bool:
    expected = getattr(request.state, "console_csrf", "")
    return bool(expected) and valid(expected, form.get("csrf_token"))


def csrf_failed(request: Request) -> HTMLResponse:
    return error_page(request, 403, "页面已过期", "表单校验未通过(可能页面停留太久,或不是从本系统提交的)。",
                      hint="请返回上一页刷新后再操作。")
