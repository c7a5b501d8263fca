"""Console pages for closing the loop (issue 17): the commitment ledger (due / overdue, mark done),
回访 follow-ups (record the outcome; "not satisfied" reopens the case) and analytics with charts.
Every action goes through ``agent.loop.service.Loop``, like the API."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from agent.errors import WuyeError
from agent.loop.models import FollowUpOutcomeIn

from ..auth import Principal
from ..deps import LoopDep
from ..routes.loop import day_range
from . import charts, queries, views
from .web import bad_form, csrf_failed, csrf_ok, error_page, page, read_form, redirect, sign_in_required

router = APIRouter(include_in_schema=False)
COMMITMENT_TABS = {"due": "24 小时内到期", "overdue": "已逾期", "open": "全部未办", "done": "已办到"}
FOLLOW_TABS = {"scheduled": "待回访", "overdue": "回访已逾期", "not_satisfied": "不满意", "satisfied": "满意"}
STAGE_ZH = {"listen": "听", "empathize": "同", "ask": "问", "act": "办", "negotiate": "议", "thank": "谢"}


def _project(request: Request) -> str | None:
    return (request.query_params.get("project") or "").strip()[:200] or None


@router.get("/console/commitments", response_class=HTMLResponse)
async def commitments(request: Request, loop: LoopDep) -> Response:
    who = await sign_in_required(request)
    if not isinstance(who, Principal):
        return who
    status = request.query_params.get("status") or "due"
    status = status if status in COMMITMENT_TABS else "due"
    project = _project(request)
    rows = await loop.commitments(who.scope, status, project=project)
    names = await queries.key_names(loop.db, {r.agent_key_id for r in rows})
    options = await queries.filter_options(loop.db, who)
    return page(request, "commitments.html", nav="commitments", rows=rows, tab=status, tabs=COMMITMENT_TABS,
                project=project or "", options=options, names=names, now=loop.clock(),
                can_act=who.role == "supervisor", done=(request.query_params.get("done") or "")[:40])


@router.post("/console/commitments/{commitment_id}/done", response_class=HTMLResponse)
async def commitment_done(request: Request, commitment_id: str, loop: LoopDep) -> Response:
    who = await sign_in_required(request)
    if not isinstance(who, Principal):
        return who
    form = await read_form(request)
    if form is None:
        return bad_form(request)
    if not csrf_ok(request, form):
        return csrf_failed(request)
    if who.role != "supervisor":
        return error_page(request, 403, "无权操作", "标记承诺办到需要使用主管密钥登录。")
    try:
        await loop.done(commitment_id[:40], who.actor, who.scope)
    except WuyeError as exc:
        return error_page(request, 409 if exc.code == "already_done" else 404, "无法标记", exc.zh)
    back = str(form.get("back") or "due")
    return redirect("/console/commitments?" + urlencode({"status": back if back in COMMITMENT_TABS else "due",
                                                         "done": commitment_id[:40]}))


@router.get("/console/follow-ups", response_class=HTMLResponse)
async def follow_ups(request: Request, loop: LoopDep) -> Response:
    return await _follow_ups(request, loop)


async def _follow_ups(request: Request, loop: LoopDep, *, status_code: int = 200, form_error: str = "",
                      form_id: str = "") -> Response:
    who = await sign_in_required(request)
    if not isinstance(who, Principal):
        return who
    status = request.query_params.get("status") or "scheduled"
    status = status if status in FOLLOW_TABS else "scheduled"
    rows = await loop.follow_ups(who.scope, status, project=_project(request))
    names = await queries.key_names(loop.db, {r.agent_key_id for r in rows})
    return page(request, "follow_ups.html", status=status_code, nav="follow_ups", rows=rows, tab=status,
                tabs=FOLLOW_TABS, names=names, now=loop.clock(), can_act=who.role == "supervisor",
                form_error=form_error, form_id=form_id, recorded=(request.query_params.get("recorded") or "")[:40],
                reopened=(request.query_params.get("reopened") or "")[:40])


@router.post("/console/follow-ups/{follow_up_id}/outcome", response_class=HTMLResponse)
async def follow_up_outcome(request: Request, follow_up_id: str, loop: LoopDep) -> Response:
    who = await sign_in_required(request)
    if not isinstance(who, Principal):
        return who
    form = await read_form(request)
    if form is None:
        return bad_form(request)
    if not csrf_ok(request, form):
        return csrf_failed(request)
    if who.role != "supervisor":
        return error_page(request, 403, "无权操作", "记录回访结果需要使用主管密钥登录。")
    note = form.get("note")
    try:
        body = FollowUpOutcomeIn(outcome=form.get("outcome"), note=note if isinstance(note, str) else None)
        result = await loop.record_outcome(follow_up_id[:40], body, who.actor, who.scope)
    except ValidationError:
        return await _follow_ups(request, loop, status_code=422, form_error="请选择回访结果(满意 / 不满意)。",
                                 form_id=follow_up_id[:40])
    except WuyeError as exc:
        return await _follow_ups(request, loop, status_code=422 if exc.code == "note_required" else 409,
                                 form_error=exc.zh, form_id=follow_up_id[:40])
    params = {"status": "scheduled", "recorded": follow_up_id[:40]}
    if result.get("reopened_draft_id"):
        params["reopened"] = result["reopened_draft_id"]
    return redirect("/console/follow-ups?" + urlencode(params))


@router.get("/console/analytics", response_class=HTMLResponse)
async def analytics(request: Request, loop: LoopDep) -> Response:
    who = await sign_in_required(request)
    if not isinstance(who, Principal):
        return who
    if who.role not in ("supervisor", "qa", "admin"):
        return error_page(request, 403, "无权查看", "管理指标需要主管、质检或管理员密钥。")
    since, until, errors = views.stats_range(request.query_params, date.today())
    project = _project(request)
    start, end = day_range(since, until)
    a = await loop.analytics(who.scope, since=start, until=end, project=project)
    overall = [("approval", "原样采纳率", a.acceptance_rate, f"已处理 {a.decided} 份"),
               ("edit", "修改后采纳率", a.edit_rate, f"已处理 {a.decided} 份"),
               ("reject", "驳回率", a.reject_rate, f"已处理 {a.decided} 份"),
               ("approval", "承诺按时办到率", a.commitments.kept_on_time_rate, f"已到期 {a.commitments.due} 条")]
    stages = [("edit", f"{STAGE_ZH[g.key]}({g.key})", g.edit_rate,
               f"平均改动 {g.mean_edit_chars or 0:g} 字") for g in a.by_stage]
    rules = [("flag", r.rule_id, r.override_rate, f"命中 {r.hits} 次,标记率 {r.flag_rate or 0:.0%}")
             for r in a.rules[:12]]
    options = await queries.filter_options(loop.db, who)
    names = await queries.key_names(loop.db, {g.key for g in a.by_agent})
    return page(request, "analytics.html", nav="analytics", a=a, since=since, until=until, project=project or "",
                errors=errors, options=options, names=names, stage_zh=STAGE_ZH,
                overall_chart=charts.rate_bars(overall, chart_id="chart-overall", title="采纳、修改、驳回与承诺按时办到"),
                stage_chart=charts.rate_bars(stages, chart_id="chart-stages", title="各环节被修改的比例"),
                rule_chart=charts.rate_bars(rules, chart_id="chart-rules", title="各规则被主管放行的比例")
                if rules else None,
                export=f"/v1/audit/export?{urlencode({'format': 'csv', **({'project': project} if project else {}), 'from': since.isoformat(), 'to': until.isoformat()})}",
                week_ago=date.today() - timedelta(days=7))


@router.get("/console/gaps", response_class=HTMLResponse)
async def gaps(request: Request, loop: LoopDep) -> Response:
    """The "missing playbook topics" report (agent/loop/gaps.py) over a date range (default 30 days)."""
    who = await sign_in_required(request)
    if not isinstance(who, Principal):
        return who
    if who.role not in ("supervisor", "qa", "admin"):
        return error_page(request, 403, "无权查看", "知识缺口报告需要主管、质检或管理员密钥。")
    params = dict(request.query_params)
    params.setdefault("from", (date.today() - timedelta(days=29)).isoformat())
    since, until, errors = views.stats_range(params, date.today())
    project = _project(request)
    start, end = day_range(since, until)
    report = await loop.gaps(who.scope, since=start, until=end, project=project)
    options = await queries.filter_options(loop.db, who)
    return page(request, "gaps.html", nav="gaps", r=report, since=since, until=until, project=project or "",
                errors=errors, options=options, stage_zh=STAGE_ZH)
