"""The numbers managers ask for (``GET /v1/analytics``), as SQL aggregates over the facts each
decision records (``decision_facts``, ``rule_facts``) and the commitment ledger — never the JSON
documents, so 50,000 drafts answer in well under 300 ms (bench/bench_console.py).

Definitions (docs/closing-the-loop.md):
- decided: decisions that approved or rejected a set (a return to the agent is not an outcome);
- acceptance rate: approved exactly as drafted / decided; edit rate: approved after an edit / decided;
  edit size: mean characters changed (difflib) per edited set, per edited stage for a stage;
- per technique: the first technique a stage cites; edit rate of that stage when it was cited;
- time to decision: seconds from drafting to the decision (mean, median);
- per rule: hits on decided sets; flag rate = decided sets it fired on / decided sets; override rate =
  hits a supervisor let through / hits; fixed by edit = hits an agent's edit removed / hits;
- commitments kept on time: done by their due time / commitments due by now (or done).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import Integer, and_, case, cast, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from agent.workflow.store.loop import LoopScope
from agent.workflow.store.tables import STAGE_NAMES, commitments, decision_facts, rule_facts

DECIDED = ("approved", "rejected")


class Group(BaseModel):
    key: str
    decided: int
    acceptance_rate: float | None
    edit_rate: float | None
    mean_edit_chars: float | None
    mean_seconds: float | None = None


class RuleNumbers(BaseModel):
    rule_id: str
    hits: int
    flag_rate: float | None
    override_rate: float | None
    fixed_by_edit_rate: float | None


class CommitmentNumbers(BaseModel):
    total: int
    due: int
    kept_on_time: int
    late: int
    overdue_open: int
    kept_on_time_rate: float | None


class Analytics(BaseModel):
    decided: int
    approved: int
    rejected: int
    acceptance_rate: float | None
    edit_rate: float | None
    reject_rate: float | None
    mean_edit_chars: float | None
    mean_seconds_to_decision: float | None
    median_seconds_to_decision: float | None
    by_stage: list[Group]
    by_technique: list[Group]
    by_agent: list[Group]
    by_project: list[Group]
    by_prompt: list[Group]
    rules: list[RuleNumbers]
    commitments: CommitmentNumbers


def _rate(part: int | None, whole: int | None) -> float | None:
    return round((part or 0) / whole, 4) if whole else None


def _mean(total: float | int | None, count: int | None) -> float | None:
    return round(float(total or 0) / count, 2) if count else None


async def compute(conn: AsyncConnection, *, scope: LoopScope, since: datetime | None, until: datetime | None,
                  project: str | None, agent: str | None, now: datetime) -> Analytics:
    d = decision_facts.c

    def where(table, time_column):  # type: ignore[no-untyped-def]
        parts = []
        if scope.agent_key_id is not None:
            parts.append(table.c.agent_key_id == scope.agent_key_id)
        if scope.projects is not None:
            parts.append(table.c.project.in_(scope.projects))
        if project:
            parts.append(table.c.project == project)
        if agent:
            parts.append(table.c.agent_key_id == agent)
        if since is not None:
            parts.append(time_column >= since)
        if until is not None:
            parts.append(time_column < until)
        return and_(True, *parts)

    decided_where = and_(where(decision_facts, d.decided_at), d.outcome.in_(DECIDED))
    approved = case((d.outcome == "approved", 1), else_=0)
    unchanged = case((d.unchanged, 1), else_=0)
    edited = case((and_(d.outcome == "approved", d.edited_stages > 0), 1), else_=0)
    chars = case((and_(d.outcome == "approved", d.edited_stages > 0), d.edit_chars), else_=0)
    measures = (func.count(), func.sum(unchanged), func.sum(edited), func.sum(chars), func.sum(d.seconds))

    total, n_approved, n_unchanged, n_edited, n_chars, n_seconds = (await conn.execute(
        select(func.count(), func.sum(approved), *measures[1:]).where(decided_where))).one()
    median = None
    if total:
        median = (await conn.execute(select(d.seconds).where(decided_where).order_by(d.seconds)
                                     .offset((total - 1) // 2).limit(1))).scalar()

    async def grouped(column) -> list[Group]:  # type: ignore[no-untyped-def]
        rows = (await conn.execute(select(column, *measures).where(decided_where).group_by(column)
                                   .order_by(func.count().desc()).limit(100))).all()
        return [Group(key=str(k), decided=n, acceptance_rate=_rate(u, n), edit_rate=_rate(e, n),
                      mean_edit_chars=_mean(c, e), mean_seconds=_mean(s, n)) for k, n, u, e, c, s in rows]

    stage_cols = []
    for s in STAGE_NAMES:
        col = d[f"e_{s}"]
        stage_cols += [func.sum(case((and_(d.outcome == "approved", col > 0), 1), else_=0)),
                       func.sum(case((d.outcome == "approved", col), else_=0))]
    stage_row = (await conn.execute(select(*stage_cols).where(decided_where))).one()
    by_stage = [Group(key=s, decided=total, acceptance_rate=None, edit_rate=_rate(stage_row[2 * i], total),
                      mean_edit_chars=_mean(stage_row[2 * i + 1], stage_row[2 * i]))
                for i, s in enumerate(STAGE_NAMES)]

    by_technique: list[Group] = []
    for s in STAGE_NAMES:
        t, col = d[f"t_{s}"], d[f"e_{s}"]
        rows = (await conn.execute(
            select(t, func.count(), func.sum(case((and_(d.outcome == "approved", col > 0), 1), else_=0)),
                   func.sum(case((d.outcome == "approved", col), else_=0)))
            .where(decided_where, t.is_not(None)).group_by(t))).all()
        by_technique += [Group(key=f"{s}:{k}", decided=n, acceptance_rate=None, edit_rate=_rate(e, n),
                               mean_edit_chars=_mean(c, e)) for k, n, e, c in rows]
    by_technique.sort(key=lambda g: (-g.decided, g.key))

    r = rule_facts.c
    rule_rows = (await conn.execute(
        select(r.rule_id, func.count(), func.count(distinct(r.draft_id)),
               func.sum(cast(r.outcome == "overridden", Integer)), func.sum(cast(r.outcome == "removed_by_edit", Integer)))
        .where(where(rule_facts, r.decided_at), r.outcome.not_in(("returned",)))
        .group_by(r.rule_id).order_by(func.count().desc()))).all()
    rules = [RuleNumbers(rule_id=k, hits=n, flag_rate=_rate(drafts_hit, total), override_rate=_rate(o, n),
                         fixed_by_edit_rate=_rate(f, n)) for k, n, drafts_hit, o, f in rule_rows]

    c = commitments.c
    due_now = c.due_at <= now
    kept = and_(c.status == "done", c.done_at <= c.due_at)
    late = and_(c.status == "done", c.done_at > c.due_at)
    n_all, n_due, n_kept, n_late, n_overdue = (await conn.execute(select(
        func.count(), func.sum(case((or_due := (due_now | (c.status == "done")), 1), else_=0)),
        func.sum(case((kept, 1), else_=0)), func.sum(case((late, 1), else_=0)),
        func.sum(case((and_(c.status == "open", c.due_at < now), 1), else_=0)))
        .where(where(commitments, c.approved_at)))).one()
    del or_due
    return Analytics(
        decided=total, approved=n_approved or 0, rejected=total - (n_approved or 0),
        acceptance_rate=_rate(n_unchanged, total), edit_rate=_rate(n_edited, total),
        reject_rate=_rate(total - (n_approved or 0), total), mean_edit_chars=_mean(n_chars, n_edited),
        mean_seconds_to_decision=_mean(n_seconds, total),
        median_seconds_to_decision=float(median) if median is not None else None,
        by_stage=by_stage, by_technique=by_technique[:100], by_agent=await grouped(d.agent_key_id),
        by_project=await grouped(d.project), by_prompt=await grouped(d.prompt), rules=rules,
        commitments=CommitmentNumbers(total=n_all, due=n_due or 0, kept_on_time=n_kept or 0, late=n_late or 0,
                                      overdue_open=n_overdue or 0, kept_on_time_rate=_rate(n_kept, n_due)))
