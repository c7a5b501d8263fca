"""The console pages: flagged queue, draft review (with actions), statistics, audit log.

Actions go through ``DraftCore.decide`` (``api.routes.drafts.decide``) with the same bodies as
``POST /v1/review/{id}`` (validated by ``api.schemas.ReviewBody``), so the rules and audit events are
identical. Statistics come from the API's ``/v1/stats`` function. The escalated queue
(``/console/escalated``) lists waiting drafts whose classification says to escalate, with the reason.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import TypeAdapter, ValidationError

from agent.errors import WuyeError
from agent.workflow.models import Decision

from ..auth import Principal
from ..deps import CoreDep, MetricsDep, SettingsDep
from ..errors import http_status
from ..routes import review as review_routes
from ..routes.drafts import decide
from ..schemas import ReviewBody
from . import charts, playbook, queries, views
from .labels import ACTION, CATEGORY, VIOLATION, label
from .web import bad_form, csrf_failed, csrf_ok, error_page, page, read_form, redirect, sign_in_required

router = APIRouter(include_in_schema=False)
ACTIONS = {"override_approve": "note", "reject": "reason", "return_to_agent": "note"}
DONE = {"override_approve": "已放行", "reject": "已驳回", "return_to_agent": "已退回客服修改"}
_review_body: TypeAdapter[Any] = TypeAdapter(ReviewBody)


@router.get("/console", response_class=HTMLResponse)
async def queue(request: Request, core: CoreDep, settings: SettingsDep) -> Response:
    return await _queue(request, core, settings, escalated=False)


@router.get("/console/escalated", response_class=HTMLResponse)
async def escalated(request: Request, core: CoreDep, settings: SettingsDep) -> Response:
    return await _queue(request, core, settings, escalated=True)


async def _queue(request: Request, core: CoreDep, settings: SettingsDep, *, escalated: bool) -> Response:
    who = await sign_in_required(request)
    if not isinstance(who, Principal):
        return who
    query, errors = views.parse_queue(request.query_params, settings)
    cursor = views.parse_int(request.query_params.get("cursor"))
    shown_before = views.parse_int(request.query_params.get("pos")) or 0
    db = core.db
    base = "/console/escalated" if escalated else "/console"
    result = await queries.queue(db, who, query, cursor, escalated=escalated)
    options = await queries.filter_options(db, who)
    names = await queries.key_names(db, {r.agent_key_id for r in result.rows})
    texts = await queries.complaints(db, [r.id for r in result.rows])
    done_action = request.query_params.get("done")
    done_id = (request.query_params.get("id") or "")[:40]
    next_link = None
    if result.next_cursor is not None:
        next_link = f"{base}?" + urlencode({**query.params(), "cursor": result.next_cursor,
                                            "pos": shown_before + len(result.rows)})
    return page(
        request, "queue.html", nav="escalated" if escalated else "queue", escalated=escalated, base=base,
        query=query, errors=errors, page=result, names=names, texts=texts,
        options=options, rules=playbook.rules(settings), next_link=next_link, first=shown_before + 1,
        first_link=f"{base}?" + urlencode(query.params()) if cursor is not None else None,
        done=DONE.get(done_action or ""), done_id=done_id if done_action in DONE else "",
    )


async def _draft_page(request: Request, core: CoreDep, principal: Principal, draft_id: str, *, status: int = 200,
                      form_error: str = "", form_action: str = "", form_text: str = "") -> Response:
    db = core.db
    row, events = await queries.draft_with_history(db, principal, draft_id)
    if row is None:
        return error_page(request, 404, "找不到这份草稿", f"草稿 {draft_id} 不存在,或不在您负责的项目内。",
                          hint="请回到待审核队列重新选择。")
    stages = views.stage_views(core.settings, row.data)
    names = await queries.key_names(db, {row.agent_key_id, *(e.actor_key_id for e in events)})
    return page(
        request, "draft.html", status=status, nav="queue", row=row, data=row.data, stages=stages,
        legend=views.legend(stages), events=views.event_views(events, names), names=names,
        can_act=principal.role == "supervisor" and row.status in ("flagged", "pending_approval"),
        form_error=form_error, form_action=form_action, form_text=form_text,
    )


@router.get("/console/drafts/{draft_id}", response_class=HTMLResponse)
async def draft(request: Request, draft_id: str, core: CoreDep) -> Response:
    who = await sign_in_required(request)
    if not isinstance(who, Principal):
        return who
    return await _draft_page(request, core, who, draft_id[:40])


@router.post("/console/drafts/{draft_id}/review", response_class=HTMLResponse)
async def review(request: Request, draft_id: str, core: CoreDep, metrics: MetricsDep) -> Response:
    who = await sign_in_required(request)
    if not isinstance(who, Principal):
        return who
    draft_id = draft_id[:40]
    form = await read_form(request)
    if form is None:
        return bad_form(request)
    if not csrf_ok(request, form):
        return csrf_failed(request)
    if who.role != "supervisor":
        return error_page(request, 403, "无权处理草稿", "管理员可以查看待审核草稿,放行、驳回和退回需要使用主管密钥登录。")
    action = form.get("action")
    if action not in ACTIONS:
        return await _draft_page(request, core, who, draft_id, status=422, form_error="请选择要执行的操作。")
    field = ACTIONS[str(action)]
    text = form.get(field)
    text = text if isinstance(text, str) else ""
    try:
        body = _review_body.validate_python({"action": action, field: text})
    except ValidationError:
        need = "驳回原因" if field == "reason" else ("放行说明" if action == "override_approve" else "修改意见")
        return await _draft_page(request, core, who, draft_id, status=422, form_action=str(action), form_text=text,
                                 form_error=f"请填写{need}(不能为空,最多 2000 字)。")
    try:
        await decide(core, metrics, who, draft_id, Decision(**body.model_dump(mode="json")))
    except WuyeError as exc:
        return await _draft_page(request, core, who, draft_id, status=http_status(exc), form_action=str(action), form_text=text,
                                 form_error=exc.zh)
    return redirect("/console?" + urlencode({"done": action, "id": draft_id}))


@router.get("/console/stats", response_class=HTMLResponse)
async def stats(request: Request, core: CoreDep) -> Response:
    who = await sign_in_required(request)
    if not isinstance(who, Principal):
        return who
    since, until, errors = views.stats_range(request.query_params, date.today())
    project = (request.query_params.get("project") or "").strip()[:200] or None
    result = await review_routes.compute_stats(core.db, who, project, since, until)
    days = [since + timedelta(days=i) for i in range((until - since).days + 1)]
    series: dict[str, dict[date, int]] = {}
    for item in result.violations_per_day:
        series.setdefault(item.category, {})[item.date] = item.count
    order = [c for c in VIOLATION if c.value in series]
    series = {c.value: series[c.value] for c in order}
    decided = result.decided
    rates = [
        ("approval", "通过率", result.approval_rate, f"已处理 {decided} 份"),
        ("edit", "修改率", result.edit_rate, f"已处理 {decided} 份"),
        ("reject", "驳回率", result.reject_rate, f"已处理 {decided} 份"),
        ("flag", "标记率", result.flag_rate, f"共 {result.total} 份草稿"),
    ]
    options = await queries.filter_options(core.db, who)
    return page(
        request, "stats.html", nav="stats", result=result, since=since, until=until, project=project or "",
        errors=errors, options=options, series=series, days=days,
        legend=[(c, label(VIOLATION, c)) for c in series],
        per_day=charts.stacked_bars(days, series, {c.value: VIOLATION[c] for c in VIOLATION}, chart_id="chart-days",
                                    title="每天出现各类违规的草稿数"),
        rate_chart=charts.rate_bars(rates, chart_id="chart-rates", title="通过、修改、驳回与标记比例"),
        rates=rates, category_labels=CATEGORY,
    )


@router.get("/console/audit", response_class=HTMLResponse)
async def audit(request: Request, core: CoreDep) -> Response:
    who = await sign_in_required(request)
    if not isinstance(who, Principal):
        return who
    draft_id = (request.query_params.get("draft_id") or "").strip()[:40] or None
    before = views.parse_int(request.query_params.get("before"))
    db = core.db
    events, nxt = await queries.recent_audit(db, who.scope, before, draft_id=draft_id)
    names = await queries.key_names(db, {e.actor_key_id for e in events})
    params = {"draft_id": draft_id} if draft_id else {}
    return page(
        request, "audit.html", nav="audit", events=views.event_views(events, names), draft_id=draft_id or "",
        next_link=f"/console/audit?{urlencode({**params, 'before': nxt})}" if nxt else None,
        first_link=f"/console/audit?{urlencode(params)}" if before else None, actions=ACTION,
    )
