"""Supervisor endpoints: the flagged queue, the escalated queue ("needs attention"), reviews, the
audit log and statistics."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Body, Path, Query
from fastapi.responses import JSONResponse

from agent.vocab import Category, Severity, ViolationCategory
from agent.workflow.models import WAITING, Decision, DraftPage, DraftSet
from agent.workflow.store import audit as audit_log
from agent.workflow.store import drafts as store
from agent.workflow.store.drafts import DraftFilter

from ..auth import Principal
from ..deps import CoreDep, DbDep, MetricsDep, OversightDep, StatsDep, SupervisorDep
from ..errors import error_responses
from ..schemas import REVIEW_EXAMPLES, AuditEventOut, AuditPage, DayViolations, ReviewBody, Stats
from .common import cursor_param, parse_cursor
from .drafts import decide

router = APIRouter(tags=["review 主管审核"])
Since = Annotated[date | None, Query(alias="from", description="起始日期(含),如 2026-11-01")]
Until = Annotated[date | None, Query(alias="to", description="截止日期(含),如 2026-11-30")]
Text = Annotated[str | None, Query(max_length=200)]


def _day_range(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    start = datetime.combine(since, time.min, tzinfo=UTC) if since else None
    end = datetime.combine(until, time.min, tzinfo=UTC) + timedelta(days=1) if until and until < date.max \
        else None
    return start, end


@router.get("/v1/review/flagged", response_model=DraftPage, summary="待审核队列 Flagged drafts",
            responses=error_responses(401, 403, 422, 429))
async def flagged(
    principal: OversightDep, core: CoreDep,
    category: Annotated[Category | None, Query(description="投诉类别")] = None,
    violation: Annotated[ViolationCategory | None, Query(description="违规类别")] = None,
    rule: Text = None,
    severity: Annotated[Severity | None, Query(description="投诉严重程度")] = None,
    agent: Annotated[str | None, Query(max_length=32, description="客服密钥编号")] = None,
    project: Text = None, since: Since = None, until: Until = None,
    cursor: cursor_param = None, limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DraftPage:
    """被护栏标记、等待主管处理的草稿,最新的在前;用 next_cursor 翻页。"""
    start, end = _day_range(since, until)
    flt = DraftFilter(status="flagged", category=category, violation=violation, rule=rule, severity=severity,
                      agent=agent, project=project, since=start, until=end)
    return await core.list(principal.scope, flt, parse_cursor(cursor), limit)


@router.get("/v1/review/escalated", response_model=DraftPage, summary="需关注队列 Escalated drafts",
            responses=error_responses(401, 403, 422, 429))
async def escalated(
    principal: OversightDep, core: CoreDep,
    project: Text = None, category: Annotated[Category | None, Query(description="投诉类别")] = None,
    include_decided: Annotated[bool, Query(description="也列出已处理的")] = False,
    cursor: cursor_param = None, limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DraftPage:
    """分类结果要求上报(`escalate: true`,如安全隐患、群体事件、媒体曝光)的草稿,附上报原因,最新的在前;
    与护栏标记队列分开,只含主管所绑定项目的草稿。"""
    flt = DraftFilter(escalate=True, project=project, category=category,
                      status=None if include_decided else WAITING)
    return await core.list(principal.scope, flt, parse_cursor(cursor), limit)


@router.post("/v1/review/{draft_id}", response_model=DraftSet, summary="主管处理 Review a draft",
             responses=error_responses(401, 403, 404, 409, 413, 422, 429))
async def review(
    principal: SupervisorDep, core: CoreDep, metrics: MetricsDep,
    draft_id: Annotated[str, Path(min_length=1, max_length=40)],
    body: Annotated[ReviewBody, Body(openapi_examples=REVIEW_EXAMPLES)],
) -> JSONResponse:
    """`override_approve` 放行(必须写说明);`reject` 驳回(必须写原因);`return_to_agent` 退回客服修改。"""
    return JSONResponse(await decide(core, metrics, principal, draft_id, Decision(**body.model_dump(mode="json"))))


@router.get("/v1/audit", response_model=AuditPage, summary="审计日志 Audit log",
            responses=error_responses(401, 403, 422, 429))
async def audit(
    principal: OversightDep, db: DbDep,
    draft_id: Annotated[str | None, Query(max_length=40)] = None,
    cursor: cursor_param = None, limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditPage:
    """只追加的审计事件:谁、做了什么、何时、修改前后的文本(已脱敏)、命中、拦截或被放行的规则。"""
    async with db.connect() as conn:
        rows, nxt = await audit_log.page(conn, scope=principal.scope, draft_id=draft_id,
                                         cursor=parse_cursor(cursor), limit=limit)
    items = [AuditEventOut.model_validate(r, from_attributes=True) for r in rows]
    return AuditPage(items=items, next_cursor=str(nxt) if nxt else None)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@router.get("/v1/stats", response_model=Stats, summary="统计 Volumes and rates",
            responses=error_responses(401, 403, 422, 429))
async def stats(principal: StatsDep, db: DbDep, project: Text = None, since: Since = None,
                until: Until = None) -> Stats:
    """草稿量;采纳、修改、驳回率(以已处理的草稿为分母);标记率(起草完成时即被标记的比例);每天各违规类别的数量。"""
    return await compute_stats(db, principal, project, since, until)


async def compute_stats(db: DbDep, principal: Principal, project: str | None, since: date | None,
                        until: date | None) -> Stats:
    start, end = _day_range(since, until)
    flt = DraftFilter(project=project, since=start, until=end)
    async with db.connect() as conn:
        rows = await store.stats_rows(conn, scope=principal.scope, flt=flt)
        actions = await audit_log.actions_by_draft(conn, draft_ids=[r.id for r in rows])
    by_status = Counter(r.status for r in rows)
    decided = by_status["approved"] + by_status["rejected"]
    edited = sum(1 for r in rows if r.status in ("approved", "rejected") and "edit" in actions.get(r.id, ()))
    flagged_when_drafted = sum(1 for r in rows if r.created_status == "flagged")
    per_day: Counter[tuple[date, str]] = Counter()
    for row in rows:
        for cat in filter(None, row.violation_categories.split(",")):
            per_day[(row.created_at.date(), cat)] += 1
    return Stats(
        total=len(rows), by_status=dict(by_status), decided=decided,
        approval_rate=_rate(by_status["approved"], decided), edit_rate=_rate(edited, decided),
        reject_rate=_rate(by_status["rejected"], decided), flag_rate=_rate(flagged_when_drafted, len(rows)),
        violations_per_day=[DayViolations(date=d, category=c, count=n) for (d, c), n in sorted(per_day.items())],
    )
