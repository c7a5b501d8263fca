"""Agent endpoints: create a draft set, read drafts, decide (approve / edit / reject)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Header, Path, Query, Request
from fastapi.responses import JSONResponse

from agent.workflow.models import Decision, DraftSet

from ..decisions import apply_decision, get_visible
from ..deps import AgentDep, DeciderDep, ReaderDep
from ..drafting import create_draft
from ..errors import error_responses
from ..schemas import DECISION_EXAMPLES, DecisionBody, DraftCreate, DraftPage
from ..store import DraftFilter, list_drafts
from .common import cursor_param, parse_cursor, runtime, summary

router = APIRouter(prefix="/v1/drafts", tags=["drafts 草稿"])
DraftId = Annotated[str, Path(min_length=1, max_length=40, description="草稿编号")]
StatusParam = Literal["pending_approval", "flagged", "approved", "rejected"]


@router.post("", status_code=201, response_model=DraftSet,
             summary="起草回复 Draft replies for a complaint",
             responses=error_responses(401, 403, 409, 413, 422, 429))
async def post_draft(
    request: Request, body: DraftCreate, principal: AgentDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200,
                                                  description="同一个键 + 同样的内容 → 同一份草稿,不会再次调用模型")] = None,
) -> JSONResponse:
    """按六字诀(听、同、问、办、议、谢)为业主投诉各起草一条回复,附引用的话术和护栏检查结果。
    请求在调用模型之前已落库;模型不可用时由离线起草器生成(`drafter` = `offline_fallback`)。"""
    data, created = await create_draft(runtime(request), principal, body.model_dump(mode="json"),
                                       idempotency_key or None)
    # ``data`` is DraftSet.model_dump(mode="json") already: skip re-validating it on the way out
    return JSONResponse(data, status_code=201, headers=None if created else {"Idempotent-Replayed": "true"})


@router.get("", response_model=DraftPage, summary="草稿列表 List drafts",
            responses=error_responses(401, 403, 422, 429))
async def get_drafts(
    request: Request, principal: ReaderDep,
    status: Annotated[StatusParam | None, Query(description="按状态筛选")] = None,
    cursor: cursor_param = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DraftPage:
    """客服只能看到自己的草稿;主管和管理员看到所绑定项目的草稿。"""
    rt = runtime(request)
    async with rt.db.read_session() as s:
        rows, nxt = await list_drafts(s, scope=principal.scope, flt=DraftFilter(status=status),
                                      cursor=parse_cursor(cursor), limit=limit)
    return DraftPage(items=[summary(r) for r in rows], next_cursor=str(nxt) if nxt else None)


@router.get("/{draft_id}", response_model=DraftSet, summary="查看草稿 Get a draft set",
            responses=error_responses(401, 403, 404, 422, 429))
async def get_one(request: Request, draft_id: DraftId, principal: ReaderDep) -> JSONResponse:
    return JSONResponse(await get_visible(runtime(request), principal, draft_id))


@router.post("/{draft_id}/decision", response_model=DraftSet, summary="处理草稿 Approve / edit / reject",
             responses=error_responses(401, 403, 404, 409, 413, 422, 429))
async def post_decision(
    request: Request, draft_id: DraftId, principal: DeciderDep,
    body: Annotated[DecisionBody, Body(openapi_examples=DECISION_EXAMPLES)],
) -> JSONResponse:
    """`approve` 采纳;`edit` 修改后采纳(修改内容会重新过护栏,触犯拦截规则返回 422 和违规明细,
    主管可带 `override: true` 放行);`reject` 驳回(必须写原因)。被标记的草稿客服不能直接采纳(409)。"""
    decision = Decision(**body.model_dump(mode="json"))
    return JSONResponse(await apply_decision(runtime(request), principal, draft_id, decision))
