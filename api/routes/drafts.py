"""Agent endpoints: create a draft set, read drafts, decide (approve / edit / reject). Each route
is one call into ``DraftCore``."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header, Path, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from agent.workflow.models import Decision, DraftInput, DraftPage, DraftPending, DraftSet
from agent.workflow.store.drafts import DraftFilter

from ..deps import AgentDep, CoreDep, DeciderDep, MetricsDep, ReaderDep
from ..errors import ApiError, error_responses
from ..schemas import DECISION_EXAMPLES, STREAM_DESCRIPTION, DecisionBody, RewriteBody, RewriteOut
from .common import cursor_param, parse_cursor

router = APIRouter(prefix="/v1/drafts", tags=["drafts 草稿"])
DraftId = Annotated[str, Path(min_length=1, max_length=40, description="草稿编号")]
StatusParam = Literal["pending_approval", "flagged", "approved", "rejected"]


@router.post("", status_code=201, response_model=DraftSet,
             summary="起草回复 Draft replies for a complaint",
             responses={
                 200: {"description": STREAM_DESCRIPTION,
                       "content": {"text/event-stream": {"schema": {"type": "string"}}}},
                 202: {"model": DraftPending, "description": "`Prefer: respond-async`: 已受理,后台起草;"
                       "`Location` 指向 GET /v1/drafts/{id}(`status` 为 drafting 直到完成),完成后推送 "
                       "`draft.ready` webhook / accepted, drafted in the background",
                       "headers": {"Location": {"schema": {"type": "string"}, "description": "/v1/drafts/{id}"}}},
                 **error_responses(401, 403, 409, 413, 422, 429)})
async def post_draft(
    request: Request, body: DraftInput, principal: AgentDep, core: CoreDep, metrics: MetricsDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200,
                                                  description="同一个键 + 同样的内容 → 同一份草稿,不会再次调用模型")] = None,
    prefer: Annotated[str | None, Header(max_length=200, description="`respond-async`:立即返回 202,后台起草")] = None,
) -> Any:
    """按六字诀(听、同、问、办、议、谢)为业主投诉各起草一条回复,附引用的话术和护栏检查结果。
    请求在调用模型之前已落库(已脱敏);模型不可用时由离线起草器生成(`drafter` = `offline_fallback`)。

    - `Accept: text/event-stream`:以 SSE 流式返回(`classification`、每个环节写完并过护栏即发一条 `stage`、
      重写时 `revise`、最后 `done` 带完整草稿);客户端断开不影响草稿的生成和保存。
    - `Prefer: respond-async`:立即返回 202 和 `Location`,起草完成后推送 webhook。
    - `conversation_id`:服务保存该会话的历史(已脱敏),后续消息只需发本条内容。"""
    if not principal.may_use_project(body.project):
        raise ApiError(403, "project_forbidden", f"当前密钥未绑定项目「{body.project}」。",
                       f"This key is not bound to project {body.project!r}.")
    key = idempotency_key or None
    if "text/event-stream" in request.headers.get("accept", ""):
        started = await core.start(body, principal.actor, idempotency_key=key, stream=True)
        return StreamingResponse(sse(started), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no",
                                          "Location": f"/v1/drafts/{started.draft_id}"})
    if prefer and "respond-async" in prefer.lower():
        started = await core.start(body, principal.actor, idempotency_key=key)
        if started.replay is not None:
            return JSONResponse(started.replay.model_dump(mode="json"), status_code=200,
                                headers={"Idempotent-Replayed": "true"})
        pending = await core.status(started.draft_id)
        return JSONResponse(pending.model_dump(mode="json"), status_code=202, headers={
            "Location": f"/v1/drafts/{started.draft_id}", "Preference-Applied": "respond-async", "Retry-After": "2"})
    created = await core.create(body, principal.actor, idempotency_key=key)
    data = created.draft.model_dump(mode="json")
    if not created.replayed:
        metrics.record_draft(data)
    return JSONResponse(data, status_code=201, headers={"Idempotent-Replayed": "true"} if created.replayed else None)


@router.get("", response_model=DraftPage, summary="草稿列表 List drafts",
            responses=error_responses(401, 403, 422, 429))
async def get_drafts(
    principal: ReaderDep, core: CoreDep,
    status: Annotated[StatusParam | None, Query(description="按状态筛选")] = None,
    cursor: cursor_param = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DraftPage:
    """客服只能看到自己的草稿;主管和管理员看到所绑定项目的草稿。"""
    return await core.list(principal.scope, DraftFilter(status=status), parse_cursor(cursor), limit)


@router.get("/{draft_id}", response_model=DraftSet | DraftPending, summary="查看草稿 Get a draft set",
            responses=error_responses(401, 403, 404, 422, 429))
async def get_one(draft_id: DraftId, principal: ReaderDep, core: CoreDep) -> JSONResponse:
    """起草完成后返回草稿;异步请求起草中返回 `{"id","status":"drafting"}`(带 Retry-After),失败为 `failed`。
    `stale: true`:该会话之后又有业主新消息,需先刷新才能采纳。"""
    found = await core.status(draft_id, principal.scope)
    headers = {"Retry-After": "2"} if found.status == "drafting" else None
    return JSONResponse(found.model_dump(mode="json"), headers=headers)


@router.post("/{draft_id}/refresh", status_code=201, response_model=DraftSet,
             summary="刷新过时草稿 Re-draft a stale draft for the conversation's newest message",
             responses=error_responses(401, 403, 404, 409, 422, 429))
async def post_refresh(draft_id: DraftId, principal: AgentDep, core: CoreDep, metrics: MetricsDep) -> JSONResponse:
    """会话里业主又发来新消息后,旧草稿为 `stale`:刷新即按会话最新的业主消息(及全部历史)重新起草,
    返回新的草稿;旧草稿被驳回(原因:已刷新)。"""
    draft = await core.refresh(draft_id, principal.actor, principal.scope)
    data = draft.model_dump(mode="json")
    metrics.record_draft(data)
    return JSONResponse(data, status_code=201)


@router.post("/{draft_id}/rewrite", response_model=RewriteOut, summary="一键改写 Rewrite one stage",
             responses=error_responses(401, 403, 404, 409, 422, 429))
async def post_rewrite(draft_id: DraftId, body: RewriteBody, principal: DeciderDep, core: CoreDep) -> JSONResponse:
    """把一个环节改写得更温暖 / 更正式 / 更简短 / 更具体,或转为繁体 / 简体。新文本过护栏;
    触犯拦截规则时返回 422 和违规明细。改写记入审计,但只有客服采纳(`edit`)后才进入草稿。"""
    out = await core.rewrite(draft_id, body.stage, body.style, principal.actor, principal.scope)
    return JSONResponse(out)


@router.post("/{draft_id}/decision", response_model=DraftSet, summary="处理草稿 Approve / edit / reject",
             responses=error_responses(401, 403, 404, 409, 413, 422, 429))
async def post_decision(
    draft_id: DraftId, principal: DeciderDep, core: CoreDep, metrics: MetricsDep,
    body: Annotated[DecisionBody, Body(openapi_examples=DECISION_EXAMPLES)],
) -> JSONResponse:
    """`approve` 采纳;`edit` 修改后采纳(整套回复重新过护栏,触犯拦截规则返回 422 和违规明细,
    主管可带 `override: true` 放行);`reject` 驳回(必须写原因)。被标记的草稿客服不能直接采纳(409)。"""
    return JSONResponse(await decide(core, metrics, principal, draft_id, Decision(**body.model_dump(mode="json"))))


async def decide(core: CoreDep, metrics: MetricsDep, principal: DeciderDep, draft_id: str,
                 decision: Decision) -> dict:
    """One decision through the core, counted in the metrics (also used by review and the console)."""
    try:
        draft = await core.decide(draft_id, decision, principal.actor, principal.scope)
    except ApiError:
        raise
    except Exception as exc:
        if getattr(exc, "code", None) == "edit_blocked":
            metrics.decisions.labels(action="edit", status="blocked").inc()
        raise
    metrics.decisions.labels(action=decision.action, status=draft.status).inc()
    return draft.model_dump(mode="json")


async def sse(started: Any) -> AsyncIterator[bytes]:
    """Server-sent events: ``event: <name>`` + ``data: <json>`` per graph event, ``done`` last. A
    client that disconnects stops only this generator; the draft goes on and is stored (and counted
    in the metrics by the core's ``on_drafted``)."""
    if started.replay is not None:
        yield _frame("done", {"draft": started.replay.model_dump(mode="json")})
        return
    yield _frame("accepted", {"id": started.draft_id, "status": "drafting"})
    async for item in started.events:
        name = item.pop("event")
        yield _frame(name, item)


def _frame(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n".encode()
