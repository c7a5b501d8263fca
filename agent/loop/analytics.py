"""The numbers managers ask for (``GET /v1/analytics``), from the daily roll-ups each decision adds
to (``decision_daily``, ``technique_daily``, ``rule_daily``; the store's ``roll_up``) and the
commitment ledger — four queries, never the JSON documents nor a row per decision, so 50,000
decided drafts answer within the 300 ms budget (bench/bench_console.py --analytics).
Date filters are whole UTC days (the roll-ups' grain); the per-technique numbers are per project
and day, not per agent.

Definitions (docs/closing-the-loop.md):
- decided: decisions that approved or rejected a set (a return to the agent is not an outcome);
- acceptance rate: approved exactly as drafted / decided; edit rate: approved after an edit / decided;
  edit size: mean characters changed (difflib) per edited set, per edited stage for a stage;
- per technique: the first technique a stage cites; edit rate of that stage when it was cited;
- time to decision: seconds from drafting to the decision (mean);
- per rule: hits on decided sets; flag rate = decided sets it fired on / decided sets; override rate =
  hits a supervisor let through / hits; fixed by edit = hits an agent's edit removed / hits;
- commitments kept on time: done by their due time / commitments due by now (or done).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from agent.workflow.store.loop import LoopScope
from agent.workflow.store.tables import STAGE_NAMES, commitments, decision_daily, rule_daily, technique_daily

MEASURES = ("n", "unchanged", "edited", "edit_chars", "seconds",
            *(f"{s}_edited" for s in STAGE_NAMES), *(f"{s}_chars" for s in STAGE_NAMES))

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


def _group(key: str, sums: dict[str, int]) -> Group:
    n = sums["n"]
    return Group(key=key, decided=n, acceptance_rate=_rate(sums["unchanged"], n), edit_rate=_rate(sums["edited"], n),
                 mean_edit_chars=_mean(sums["edit_chars"], sums["edited"]), mean_seconds=_mean(sums["seconds"], n))


def _day(at: datetime) -> str:
    return at.astimezone(UTC).date().isoformat()


async def compute(conn: AsyncConnection, *, scope: LoopScope, since: datetime | None, until: datetime | None,
                  project: str | None, agent: str | None, now: datetime) -> Analytics:
    def where(table, *, by_agent: bool = True, day=None):  # type: ignore[no-untyped-def]
        parts = []
        if by_agent and scope.agent_key_id is not None:
            parts.append(table.c.agent_key_id == scope.agent_key_id)
        if scope.projects is not None:
            parts.append(table.c.project.in_(scope.projects))
        if project:
            parts.append(table.c.project == project)
        if by_agent and agent:
            parts.append(table.c.agent_key_id == agent)
        column = table.c.day if day is None else day
        if since is not None:
            parts.append(column >= (_day(since) if day is None else since))
        if until is not None:
            parts.append(column < (_day(until) if day is None else until))
        return and_(True, *parts)

    d = decision_daily.c
    keys = (d.project, d.agent_key_id, d.prompt, d.outcome)
    rows = (await conn.execute(select(*keys, *[func.sum(d[m]) for m in MEASURES]).where(where(decision_daily))
                               .group_by(*keys))).all()
    total: dict[str, int] = dict.fromkeys(MEASURES, 0)
    groups: dict[str, dict[str, dict[str, int]]] = {name: defaultdict(lambda: dict.fromkeys(MEASURES, 0))
                                                    for name in ("agent", "project", "prompt")}
    approved = 0
    for row in rows:
        sums = {m: int(v or 0) for m, v in zip(MEASURES, row[4:], strict=True)}
        approved += sums["n"] if row.outcome == "approved" else 0
        for name, key in (("agent", row.agent_key_id), ("project", row.project), ("prompt", row.prompt)):
            target = groups[name][key]
            for m in MEASURES:
                target[m] += sums[m]
        for m in MEASURES:
            total[m] += sums[m]
    n = total["n"]

    def ordered(name: str) -> list[Group]:
        items = sorted(groups[name].items(), key=lambda kv: (-kv[1]["n"], kv[0]))[:100]
        return [_group(k, v) for k, v in items]

    by_stage = [Group(key=s, decided=n, acceptance_rate=None, edit_rate=_rate(total[f"{s}_edited"], n),
                      mean_edit_chars=_mean(total[f"{s}_chars"], total[f"{s}_edited"])) for s in STAGE_NAMES]

    t = technique_daily.c
    trows = (await conn.execute(select(t.stage, t.technique, func.sum(t.n), func.sum(t.edited), func.sum(t.edit_chars))
                                .where(where(technique_daily, by_agent=False)).group_by(t.stage, t.technique)
                                .order_by(func.sum(t.n).desc()).limit(100))).all()
    by_technique = sorted((Group(key=f"{stage}:{tech}", decided=int(tn), acceptance_rate=None, edit_rate=_rate(te, tn),
                                 mean_edit_chars=_mean(tc, te)) for stage, tech, tn, te, tc in trows),
                          key=lambda g: (-g.decided, g.key))

    r = rule_daily.c
    rrows = (await conn.execute(select(r.rule_id, func.sum(r.hits), func.sum(r.drafts), func.sum(r.overridden),
                                       func.sum(r.removed_by_edit)).where(where(rule_daily)).group_by(r.rule_id)
                                .order_by(func.sum(r.hits).desc()))).all()
    rules = [RuleNumbers(rule_id=k, hits=int(h), flag_rate=_rate(dr, n), override_rate=_rate(o, h),
                         fixed_by_edit_rate=_rate(f, h)) for k, h, dr, o, f in rrows]

    c = commitments.c
    kept = and_(c.status == "done", c.done_at <= c.due_at)
    late = and_(c.status == "done", c.done_at > c.due_at)
    n_all, n_due, n_kept, n_late, n_overdue = (await conn.execute(select(
        func.count(), func.sum(case(((c.due_at <= now) | (c.status == "done"), 1), else_=0)),
        func.sum(case((kept, 1), else_=0)), func.sum(case((late, 1), else_=0)),
        func.sum(case((and_(c.status == "open", c.due_at < now), 1), else_=0)))
        .where(where(commitments, day=c.approved_at)))).one()
    return Analytics(
        decided=n, approved=approved, rejected=n - approved,
        acceptance_rate=_rate(total["unchanged"], n), edit_rate=_rate(total["edited"], n),
        reject_rate=_rate(n - approved, n), mean_edit_chars=_mean(total["edit_chars"], total["edited"]),
        mean_seconds_to_decision=_mean(total["seconds"], n),
        by_stage=by_stage, by_technique=by_technique, by_agent=ordered("agent"), by_project=ordered("project"),
        by_prompt=ordered("prompt"), rules=rules,
        commitments=CommitmentNumbers(total=n_all, due=n_due or 0, kept_on_time=n_kept or 0, late=n_late or 0,
                                      overdue_open=n_overdue or 0, kept_on_time_rate=_rate(n_kept, n_due)))
