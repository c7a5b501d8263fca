"""Agent endpoints: create a draft set, read drafts, decide (approve / edit / reject). Each route
is one call into ``DraftCore``."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Header, Path, Query
from fastapi.responses import JSONResponse

from agent.workflow.models import Decision, DraftInput, DraftPage, DraftSet
from agent.workflow.store.drafts import DraftFilter

from ..deps import AgentDep, CoreDep, DeciderDep, MetricsDep, ReaderDep
from ..errors import ApiError, error_responses
from ..schemas import DECISION_EXAMPLES, DecisionBody
from .common import cursor_param, parse_cursor

router = APIRouter(prefix="/v1/drafts", tags=["drafts 草稿"])
DraftId = Annotated[str, Path(min_length=1, max_length=40, description="草稿编号")]
StatusParam = Literal["pending_approval", "flagged", "approved", "rejected"]


@router.post("", status_code=201, response_model=DraftSet,
             summary="起草回复 Draft replies for a complaint",
             responses=error_responses(401, 403, 409, 413, 422, 429))
async def post_draft(
    body: DraftInput, principal: AgentDep, core: CoreDep, metrics: MetricsDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200,
                                                  description="同一个键 + 同样的内容 → 同一份草稿,不会再次调用模型")] = None,
) -> JSONResponse:
    """按六字诀(听、同、问、办、议、谢)为业主投诉各起草一条回复,附引用的话术和护栏检查结果。
    请求在调用模型之前已落库(已脱敏);模型不可用时由离线起草器生成(`drafter` = `offline_fallback`)。"""
    if not principal.may_use_project(body.project):
        raise ApiError(403, "project_forbidden", f"当前密钥未绑定项目「{body.project}」。",
                       f"This key is not bound to project {body.project!r}.")
    created = await core.create(body, principal.actor, idempotency_key=idempotency_key or None)
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


@router.get("/{draft_id}", response_model=DraftSet, summary="查看草稿 Get a draft set",
            responses=error_responses(401, 403, 404, 422, 429))
async def get_one(draft_id: DraftId, principal: ReaderDep, core: CoreDep) -> JSONResponse:
    return JSONResponse((await core.get(draft_id, principal.scope)).model_dump(mode="json"))


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
