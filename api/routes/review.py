"""Supervisor endpoints: the flagged queue, reviews, the audit log and statistics."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.responses import JSONResponse

from agent.vocab import Category, Severity, ViolationCategory
from agent.workflow.models import Decision, DraftSet

from ..decisions import apply_decision
from ..deps import OversightDep, StatsDep, SupervisorDep
from ..errors import error_responses
from ..schemas import REVIEW_EXAMPLES, AuditEventOut, AuditPage, DayViolations, DraftPage, ReviewBody, Stats
from ..store import DraftFilter, actions_by_draft, draft_rows_for_stats, list_audit_events, list_drafts
from .common import cursor_param, parse_cursor, runtime, summary

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
    request: Request, principal: OversightDep,
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
    rt = runtime(request)
    async with rt.db.read_session() as s:
        rows, nxt = await list_drafts(s, scope=principal.scope, flt=flt, cursor=parse_cursor(cursor), limit=limit)
    return DraftPage(items=[summary(r) for r in rows], next_cursor=str(nxt) if nxt else None)


@router.post("/v1/review/{draft_id}", response_model=DraftSet, summary="主管处理 Review a draft",
             responses=error_responses(401, 403, 404, 409, 413, 422, 429))
async def review(
    request: Request, principal: SupervisorDep,
    draft_id: Annotated[str, Path(min_length=1, max_length=40)],
    body: Annotated[ReviewBody, Body(openapi_examples=REVIEW_EXAMPLES)],
) -> JSONResponse:
    """`override_approve` 放行(必须写说明);`reject` 驳回(必须写原因);`return_to_agent` 退回客服修改。"""
    decision = Decision(**body.model_dump(mode="json"))
    return JSONResponse(await apply_decision(runtime(request), principal, draft_id, decision))


@router.get("/v1/audit", response_model=AuditPage, summary="审计日志 Audit log",
            responses=error_responses(401, 403, 422, 429))
async def audit(
    request: Request, principal: OversightDep,
    draft_id: Annotated[str | None, Query(max_length=40)] = None,
    cursor: cursor_param = None, limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditPage:
    """只追加的审计事件:谁、做了什么、何时、修改前后的文本、命中的规则。"""
    rt = runtime(request)
    async with rt.db.read_session() as s:
        rows, nxt = await list_audit_events(s, scope=principal.scope, draft_id=draft_id,
                                            cursor=parse_cursor(cursor), limit=limit)
    items = [AuditEventOut.model_validate(r, from_attributes=True) for r in rows]
    return AuditPage(items=items, next_cursor=str(nxt) if nxt else None)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@router.get("/v1/stats", response_model=Stats, summary="统计 Volumes and rates",
            responses=error_responses(401, 403, 422, 429))
async def stats(
    request: Request, principal: StatsDep, project: Text = None, since: Since = None, until: Until = None,
) -> Stats:
    """草稿量;采纳、修改、驳回率(以已处理的草稿为分母);每天各违规类别的数量。"""
    start, end = _day_range(since, until)
    flt = DraftFilter(project=project, since=start, until=end)
    rt = runtime(request)
    async with rt.db.read_session() as s:
        rows = await draft_rows_for_stats(s, scope=principal.scope, flt=flt)
        actions = await actions_by_draft(s, draft_ids=[r[0] for r in rows])
    by_status = Counter(r[1] for r in rows)
    decided = by_status["approved"] + by_status["rejected"]
    edited = sum(1 for r in rows if r[1] in ("approved", "rejected") and "edit" in actions.get(r[0], ()))
    flagged_at_creation = sum(1 for r in rows if "flagged" in _created_status(actions.get(r[0], set()), r[1]))
    per_day: Counter[tuple[date, str]] = Counter()
    for _, _, created, cats in rows:
        for cat in filter(None, cats.split(",")):
            per_day[(created.date(), cat)] += 1
    return Stats(
        total=len(rows), by_status=dict(by_status), decided=decided,
        approval_rate=_rate(by_status["approved"], decided), edit_rate=_rate(edited, decided),
        reject_rate=_rate(by_status["rejected"], decided), flag_rate=_rate(flagged_at_creation, len(rows)),
        violations_per_day=[DayViolations(date=d, category=c, count=n) for (d, c), n in sorted(per_day.items())],
    )


def _created_status(actions: set[str], status: str) -> set[str]:
    """A draft went to a supervisor if it is flagged now or a supervisor acted on it."""
    if status == "flagged" or actions & {"override_approve", "return_to_agent"}:
        return {"flagged"}
    return set()
