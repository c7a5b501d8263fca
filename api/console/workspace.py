"""The agent workspace 客服工作台 (``/console/workspace``, issue 16 item 6): for helpdesks with no
integration yet. An agent signs in with their own key, pastes a complaint (or continues a
conversation), picks the channel, watches the six stages stream in with their guard marks, rewrites
or edits a stage, approves, and copies the final reply.

The page is server-rendered; ``static/workspace.js`` drives it through three JSON endpoints under
``/console/workspace/api`` that call exactly what the API's routes call (``DraftCore.start`` with
``stream=True`` and the API's SSE framing, ``DraftCore.rewrite``, ``api.routes.drafts.decide``), so
the workflow's rules, the guard and the audit are the same. They are authenticated by the
workspace's own signed cookie (``wuye_workspace``: agent keys only; supervisor pages answer 403 to
it) and a CSRF token in the ``X-CSRF-Token`` header; the key itself never reaches the browser's
script. Errors are the API's JSON body ``{"error": {code, message_zh, message_en, details}}``.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.vocab import Channel, Stage
from agent.workflow.models import Decision, DraftInput, DraftSet
from agent.workflow.store.keys import authenticate

from ..auth import Principal
from ..deps import CoreDep, MetricsDep
from ..errors import ApiError, validation_details
from ..limits import RateLimits, rate_limited
from ..routes.drafts import decide, sse
from ..schemas import RewriteBody
from . import labels
from .session import (
    COOKIE_PATH,
    WORKSPACE_COOKIE,
    WORKSPACE_LOGIN_COOKIE,
    WORKSPACE_ROLES,
    issue,
    login_token,
    valid,
)
from .web import (
    WORKSPACE_HEADERS,
    bad_form,
    csrf_failed,
    current_agent,
    error_page,
    page,
    read_form,
    redirect,
    secret,
)

router = APIRouter(include_in_schema=False)
HOME = "/console/workspace"
NONCE_MAX_AGE = 2 * 3600
CHANNELS = {Channel.wechat: "微信 / 企业微信", Channel.app: "物业 App", Channel.sms: "短信",
            Channel.phone: "电话(念给业主听的稿子)", Channel.visit: "上门面谈", Channel.letter: "书面回函"}
STYLES = {"warmer": "更温暖", "more_formal": "更正式", "shorter": "更简短", "more_specific": "更具体",
          "traditional": "转繁体", "simplified": "转简体"}
COOKIE_FLAGS: dict[str, Any] = {"path": COOKIE_PATH, "secure": True, "httponly": True, "samesite": "strict"}
DraftId = Annotated[str, Path(min_length=1, max_length=40)]


# -- sign-in / sign-out -----------------------------------------------------------------------------
def _login_page(request: Request, *, status: int = 200, error: str = "", notice: str = "") -> HTMLResponse:
    nonce = secrets.token_urlsafe(18)
    response = page(request, "workspace_login.html", status=status, error=error, notice=notice, nav="workspace",
                    login_csrf=login_token(secret(request), nonce), principal=None, csrf="")
    response.set_cookie(WORKSPACE_LOGIN_COOKIE, nonce, max_age=NONCE_MAX_AGE, **COOKIE_FLAGS)
    return response


@router.get("/console/workspace/login", response_class=HTMLResponse)
async def login_form(request: Request) -> Response:
    if await current_agent(request) is not None:
        return redirect(HOME)
    return _login_page(request, notice="您已安全退出。" if request.query_params.get("out") == "1" else "")


@router.post("/console/workspace/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    form = await read_form(request)
    if form is None:
        return bad_form(request)
    nonce = request.cookies.get(WORKSPACE_LOGIN_COOKIE, "")
    if not nonce or not valid(login_token(secret(request), nonce), form.get("csrf_token")):
        return _login_page(request, status=403, error="登录页面已过期或来源不明,请重新输入密钥后登录。")
    limits: RateLimits = request.app.state.rate_limits
    wait = await limits.console_login(request.client.host if request.client else "unknown")
    if wait > 0:
        response = _login_page(request, status=429, error=f"尝试次数过多,请 {RateLimits.retry_after(wait)} 秒后再试。")
        response.headers["Retry-After"] = RateLimits.retry_after(wait)
        return response
    token = form.get("api_key")
    token = token.strip() if isinstance(token, str) else ""
    if not token:
        return _login_page(request, status=422, error="请输入 API 密钥。")
    async with request.app.state.core.db.connect() as conn:
        row = await authenticate(conn, token=token)
    if row is None:
        return _login_page(request, status=401, error="密钥无效或已停用,请核对后重新输入(密钥以 wuye_ 开头)。")
    if row.role not in WORKSPACE_ROLES:
        return error_page(request, 403, "客服工作台只对客服开放",
                          f"当前密钥的角色是“{labels.label(labels.ROLE, row.role)}”,客服工作台需要客服密钥。",
                          hint="主管和管理员请使用主管控制台。", back="/console/login", back_label="去主管控制台登录")
    lifetime = int(request.app.state.settings.console_session_hours * 3600)
    _, cookie = issue(secret(request), key_id=row.id, role=row.role, lifetime_s=lifetime)
    response = redirect(HOME)
    response.set_cookie(WORKSPACE_COOKIE, cookie, max_age=lifetime, **COOKIE_FLAGS)
    response.delete_cookie(WORKSPACE_LOGIN_COOKIE, **COOKIE_FLAGS)
    return response


@router.post("/console/workspace/logout", response_class=HTMLResponse)
async def logout(request: Request) -> Response:
    found = await current_agent(request)
    if found is None:
        return redirect(f"{HOME}/login")
    form = await read_form(request)
    if form is None:
        return bad_form(request)
    if not valid(request.state.console_csrf, form.get("csrf_token")):
        return csrf_failed(request)
    session = found[1]
    await request.app.state.shared.sign_out(session.sid, session.expires)
    response = redirect(f"{HOME}/login?out=1")
    response.delete_cookie(WORKSPACE_COOKIE, **COOKIE_FLAGS)
    return response


# -- the page ---------------------------------------------------------------------------------------
@router.get("/console/workspace", response_class=HTMLResponse)
async def workspace(request: Request) -> Response:
    found = await current_agent(request)
    if found is None:
        response = redirect(f"{HOME}/login")
        if request.cookies.get(WORKSPACE_COOKIE):
            response.delete_cookie(WORKSPACE_COOKIE, **COOKIE_FLAGS)
        return response
    principal = found[0]
    wait = await request.app.state.rate_limits.key(principal.id)
    if wait > 0:
        response = error_page(request, 429, "操作太频繁了", "请稍等片刻再刷新页面。",
                              hint=f"约 {RateLimits.retry_after(wait)} 秒后可以继续。", headers=WORKSPACE_HEADERS)
        response.headers["Retry-After"] = RateLimits.retry_after(wait)
        return response
    return page(request, "workspace.html", nav="workspace", headers=WORKSPACE_HEADERS,
                projects=[p for p in principal.projects if p != "*"], any_project=principal.all_projects,
                channels=CHANNELS, styles=STYLES, stages=[(s.value, labels.STAGE[s.value],
                                                           labels.STAGE_HINT[s.value]) for s in Stage],
                violation_labels={c.value: text for c, text in labels.VIOLATION.items()},
                max_chars=request.app.state.settings.max_complaint_chars)


# -- the JSON endpoints the page's script calls -----------------------------------------------------
async def signed_in_agent(request: Request) -> Principal:
    """The workspace's agent: a valid session cookie (401), the session's CSRF token in
    ``X-CSRF-Token`` (403), within the key's rate limit (429)."""
    found = await current_agent(request)
    if found is None:
        raise ApiError(401, "signed_out", "登录已失效,请刷新页面后重新登录客服工作台。",
                       "Your workspace session has ended; reload the page and sign in again.")
    if not valid(request.state.console_csrf, request.headers.get("x-csrf-token")):
        raise ApiError(403, "csrf_failed", "页面校验未通过(可能页面停留太久),请刷新页面后重试。",
                       "The page's CSRF token is missing or wrong; reload the page and retry.")
    wait = await request.app.state.rate_limits.key(found[0].id)
    if wait > 0:
        raise rate_limited(wait)
    return found[0]


AgentSession = Annotated[Principal, Depends(signed_in_agent)]


class WorkspaceDraft(BaseModel):
    """What the workspace form sends; becomes a ``DraftInput`` (its limits and masking)."""

    model_config = ConfigDict(extra="forbid")
    complaint: str
    project: str
    channel: Channel | None = None
    conversation_id: str | None = None


class WorkspaceDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["approve", "edit", "reject"]
    stages: dict[Stage, str] | None = Field(None, max_length=6)
    reason: str | None = Field(None, max_length=2000)


def _invalid(exc: ValidationError) -> ApiError:
    items = validation_details(list(exc.errors()))
    first = items[0] if items else {"field": "", "message_zh": "请求内容不正确", "message_en": "invalid"}
    field = {"complaint": "投诉内容", "project": "项目", "channel": "渠道", "conversation_id": "会话编号"}.get(
        first["field"].split(".")[0], first["field"])
    return ApiError(422, "invalid_input", f"{field}:{first['message_zh']}。",
                    f"Invalid {first['field']}: {first['message_en']}", errors=items)


@router.post("/console/workspace/api/drafts")
async def stream_draft(request: Request, principal: AgentSession, core: CoreDep,
                       body: Annotated[WorkspaceDraft, Body()]) -> Response:
    """Draft a reply and stream it (the API's SSE events: accepted, classification, stage …, done)."""
    try:
        draft_input = DraftInput(**body.model_dump(exclude_none=True))
    except ValidationError as exc:
        raise _invalid(exc) from None
    if not principal.may_use_project(draft_input.project):
        raise ApiError(403, "project_forbidden", f"当前密钥未绑定项目「{draft_input.project}」。",
                       f"This key is not bound to project {draft_input.project!r}.")
    started = await core.start(draft_input, principal.actor, stream=True)
    return StreamingResponse(sse(started), media_type="text/event-stream",
                             headers={**WORKSPACE_HEADERS, "Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.post("/console/workspace/api/drafts/{draft_id}/rewrite")
async def rewrite(draft_id: DraftId, principal: AgentSession, core: CoreDep,
                  body: Annotated[RewriteBody, Body()]) -> JSONResponse:
    out = await core.rewrite(draft_id, body.stage, body.style, principal.actor, principal.scope)
    return JSONResponse(out, headers=WORKSPACE_HEADERS)


@router.post("/console/workspace/api/drafts/{draft_id}/decision")
async def decision(draft_id: DraftId, principal: AgentSession, core: CoreDep, metrics: MetricsDep,
                   body: Annotated[WorkspaceDecision, Body()]) -> JSONResponse:
    """Approve, edit (the whole set re-guarded; a blocked edit answers 422 ``edit_blocked`` with each
    blocked stage's violations and spans) or reject. An approved set comes back with ``reply``: the
    text to copy."""
    data = await decide(core, metrics, principal, draft_id, Decision(**body.model_dump(mode="json")))
    reply = DraftSet.model_validate(data).reply()
    return JSONResponse({"draft": data, "reply": reply}, headers=WORKSPACE_HEADERS)
