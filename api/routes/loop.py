"""Closing the loop (issue 17): the commitment ledger, 回访 follow-ups, analytics and the masked
audit export. Each route is one call into ``agent.loop.service.Loop``."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path, Query
from fastapi.responses import StreamingResponse

from agent.loop.analytics import Analytics
from agent.loop.gaps import HEAVY_EDIT_CHARS, LOW_CONFIDENCE, GapsReport
from agent.loop.models import FollowUpOutcomeIn
from agent.loop.service import commitment_json, follow_up_json

from ..deps import DeciderDep, LoopDep, ReaderDep, StatsDep
from ..errors import error_responses

router = APIRouter(tags=["loop 承诺与回访"])
Since = Annotated[date | None, Query(alias="from", description="起始日期(含),如 2026-11-01")]
Until = Annotated[date | None, Query(alias="to", description="截止日期(含),如 2026-11-30")]
Text = Annotated[str | None, Query(max_length=200)]
Id = Annotated[str, Path(min_length=1, max_length=40)]


def day_range(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    start = datetime.combine(since, time.min, tzinfo=UTC) if since else None
    end = datetime.combine(until, time.min, tzinfo=UTC) + timedelta(days=1) if until and until < date.max else None
    return start, end


@router.get("/v1/commitments", summary="承诺台账 Commitments (due / overdue)",
            responses=error_responses(401, 403, 422, 429))
async def list_commitments(
    principal: ReaderDep, loop: LoopDep,
    status: Annotated[Literal["due", "overdue", "open", "done", "all"],
                      Query(description="due 24 小时内到期 / overdue 已逾期 / open / done / all")] = "due",
    project: Text = None, agent: Annotated[str | None, Query(max_length=32)] = None,
    hours: Annotated[int, Query(ge=1, le=24 * 30, description="due:多少小时内到期")] = 24,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> dict:
    """采纳的回复里承诺的事(回电、上门、维修、赔偿、减免、跟进),按到期时间排序。客服只看到自己的。"""
    rows = await loop.commitments(principal.scope, status, project=project, agent=agent,
                                  within=timedelta(hours=hours), limit=limit)
    return {"items": [commitment_json(r) for r in rows], "now": loop.clock().isoformat()}


@router.post("/v1/commitments/{commitment_id}/done", summary="承诺已办到 Mark a commitment done",
             responses=error_responses(401, 403, 404, 409, 422, 429))
async def commitment_done(commitment_id: Id, principal: DeciderDep, loop: LoopDep) -> dict:
    return commitment_json(await loop.done(commitment_id, principal.actor, principal.scope))


@router.get("/v1/follow-ups", summary="回访 Follow-ups", responses=error_responses(401, 403, 422, 429))
async def list_follow_ups(
    principal: ReaderDep, loop: LoopDep,
    status: Annotated[Literal["scheduled", "overdue", "satisfied", "not_satisfied", "all"], Query()] = "scheduled",
    project: Text = None, limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> dict:
    """结案(采纳)时安排的回访,按到期时间排序。"""
    rows = await loop.follow_ups(principal.scope, status, project=project, limit=limit)
    return {"items": [follow_up_json(r) for r in rows]}


@router.post("/v1/follow-ups/{follow_up_id}/outcome", summary="记录回访结果 Record a follow-up outcome",
             responses=error_responses(401, 403, 404, 409, 422, 429))
async def follow_up_outcome(
    follow_up_id: Id, principal: DeciderDep, loop: LoopDep,
    body: Annotated[FollowUpOutcomeIn, Body(openapi_examples={
        "satisfied": {"value": {"outcome": "satisfied", "note": "业主表示已经修好了"}},
        "not_satisfied": {"value": {"outcome": "not_satisfied", "note": "业主说还在漏水"}}})],
) -> dict:
    """满意:结案;不满意(必须写明意见):草稿重新打开,回到客服的待处理队列,附此前的回复和回访记录。"""
    return await loop.record_outcome(follow_up_id, body, principal.actor, principal.scope)


@router.get("/v1/analytics", response_model=Analytics, summary="管理指标 Analytics",
            responses=error_responses(401, 403, 422, 429))
async def analytics(principal: StatsDep, loop: LoopDep, project: Text = None,
                    agent: Annotated[str | None, Query(max_length=32)] = None,
                    since: Since = None, until: Until = None) -> Analytics:
    """采纳率(原样采纳)、修改率与修改字数(按环节、话术、客服、项目、提示词版本)、决策用时、各规则的标记率与放行率、承诺按时办到率。"""
    start, end = day_range(since, until)
    return await loop.analytics(principal.scope, since=start, until=end, project=project, agent=agent)


@router.get("/v1/analytics/gaps", response_model=GapsReport, summary="知识缺口 Missing playbook topics",
            responses=error_responses(401, 403, 422, 429))
async def gaps(principal: StatsDep, loop: LoopDep, project: Text = None, since: Since = None, until: Until = None,
               min_confidence: Annotated[float, Query(ge=0, le=1, description="低于此检索置信度算“低”")] = LOW_CONFIDENCE,
               heavy_edit_chars: Annotated[int, Query(ge=1, le=10_000, description="改动至少多少字算“大幅修改”")]
               = HEAVY_EDIT_CHARS,
               limit: Annotated[int, Query(ge=1, le=20_000, description="最多读取最新的多少条投诉")] = 5000) -> GapsReport:
    """检索置信度低、或草稿被驳回 / 大幅修改的投诉,按主题分组:该补写哪些话术。"""
    start, end = day_range(since, until)
    return await loop.gaps(principal.scope, since=start, until=end, project=project, limit=limit,
                           low_confidence=min_confidence, heavy_edit_chars=heavy_edit_chars)


@router.get("/v1/audit/export", summary="导出审计日志 Export the audit log (CSV)",
            responses={**error_responses(401, 403, 422, 429),
                       200: {"content": {"text/csv": {}}, "description": "CSV,逐页流式输出,已脱敏"}})
async def audit_export(principal: StatsDep, loop: LoopDep,
                       format: Annotated[Literal["csv"], Query(description="目前只支持 csv")] = "csv",  # noqa: A002
                       project: Text = None, since: Since = None, until: Until = None) -> StreamingResponse:
    """审计日志导出为 CSV(UTF-8 带 BOM,Excel 可直接打开),流式输出,所有文本再次脱敏。"""
    start, end = day_range(since, until)
    name = f"wuye-audit-{(since or date.min).isoformat() if since else 'all'}.csv"
    return StreamingResponse(loop.export_csv(principal.scope, project=project, since=start, until=end),
                             media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})
