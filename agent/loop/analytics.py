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
from datetime import UTC, date, datetime

from pydantic import BaseModel
from sqlalchemy import String, and_, case, cast, func, literal_column, null, select, text, union_all
from sqlalchemy.ext.asyncio import AsyncConnection

from agent.workflow.store.loop import LoopScope
from agent.workflow.store.tables import (
    STAGE_NAMES,
    commitment_daily,
    commitments,
    decision_daily,
    decision_monthly,
    rule_daily,
    rule_monthly,
    technique_daily,
    technique_monthly,
)

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


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def spans(since: date | None, until: date | None) -> tuple[list[tuple[date | None, date | None]],
                                                            tuple[date | None, date | None] | None]:
    """Split the days [since, until) into whole calendar months (read from the monthly roll-ups) and
    the days before and after them (read from the daily ones). None = open-ended."""
    first = None if since is None else (since if since.day == 1 else _next_month(since))
    end = None if until is None else until.replace(day=1)
    if first is not None and end is not None and first >= end:
        return [(since, until)], None
    days = []
    if since is not None and first is not None and since < first:
        days.append((since, first))
    if until is not None and end is not None and end < until:
        days.append((end, until))
    return days, (first, end)


WIDTH_KEYS, WIDTH_MEASURES = 4, len(MEASURES)


def _padded(kind: str, keys: list, measures: list) -> list:  # type: ignore[type-arg]
    """One part of the single UNION ALL: a kind, 4 key columns and as many measures as decisions have."""
    return [literal_column(f"'{kind}'").label("kind"),
            *keys, *[cast(null(), String).label(f"k{i}") for i in range(len(keys), WIDTH_KEYS)],
            *measures, *[literal_column("0").label(f"m{i}") for i in range(len(measures), WIDTH_MEASURES)]]


async def compute(conn: AsyncConnection, *, scope: LoopScope, since: datetime | None, until: datetime | None,
                  project: str | None, agent: str | None, now: datetime) -> Analytics:
    """Every figure in ONE statement (a UNION ALL of the grouped roll-ups, whole months from the
    monthly tables, the other days from the daily ones; commitments from their roll-up plus the few
    due from today on) — one round trip to the database."""
    since_day = date.fromisoformat(_day(since)) if since is not None else None
    until_day = date.fromisoformat(_day(until)) if until is not None else None
    day_spans, month_span = spans(since_day, until_day)

    def scoped(table, *, by_agent: bool = True) -> list:  # type: ignore[no-untyped-def]
        parts = []
        if by_agent and scope.agent_key_id is not None:
            parts.append(table.c.agent_key_id == scope.agent_key_id)
        if scope.projects is not None:
            parts.append(table.c.project.in_(scope.projects))
        if project:
            parts.append(table.c.project == project)
        if by_agent and agent:
            parts.append(table.c.agent_key_id == agent)
        return parts

    def window(column, start: date | None, end: date | None, month: bool):  # type: ignore[no-untyped-def]
        cut = (lambda d: d.isoformat()[:7]) if month else (lambda d: d.isoformat())
        return and_(True, *([column >= cut(start)] if start else []), *([column < cut(end)] if end else []))

    def rows_of(daily, monthly, columns: list[str], *, by_agent: bool = True):  # type: ignore[no-untyped-def]
        """The roll-up rows of the window: daily rows of the partial months, monthly rows of the others."""
        parts = [select(*[daily.c[c] for c in columns]).where(window(daily.c.day, a, b, False),
                                                              *scoped(daily, by_agent=by_agent))
                 for a, b in day_spans]  # one part per range: each a range scan of the (day, …) index
        if month_span is not None:
            parts.append(select(*[monthly.c[c] for c in columns]).where(
                window(monthly.c.day, *month_span, True), *scoped(monthly, by_agent=by_agent)))
        return union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()

    keys = ["project", "agent_key_id", "prompt", "outcome"]
    d = rows_of(decision_daily, decision_monthly, keys + list(MEASURES))
    decisions = select(*_padded("d", [d.c[k] for k in keys], [func.sum(d.c[m]) for m in MEASURES])).group_by(
        *[d.c[k] for k in keys])
    t = rows_of(technique_daily, technique_monthly, ["stage", "technique", "n", "edited", "edit_chars"],
                by_agent=False)
    top = (select(t.c.stage, t.c.technique, func.sum(t.c.n).label("n"), func.sum(t.c.edited).label("edited"),
                  func.sum(t.c.edit_chars).label("chars")).group_by(t.c.stage, t.c.technique)
           .order_by(func.sum(t.c.n).desc(), t.c.stage, t.c.technique).limit(100).subquery())
    techniques = select(*_padded("t", [top.c.stage, top.c.technique], [top.c.n, top.c.edited, top.c.chars]))
    r = rows_of(rule_daily, rule_monthly, ["rule_id", "hits", "drafts", "overridden", "removed_by_edit"])
    rules_q = select(*_padded("r", [r.c.rule_id], [func.sum(r.c.hits), func.sum(r.c.drafts), func.sum(r.c.overridden),
                                                   func.sum(r.c.removed_by_edit)])).group_by(r.c.rule_id)
    # commitments: due days before today from the roll-up (all due by now), the rest one by one
    today = now.astimezone(UTC).date().isoformat()
    start_of_today = datetime.combine(now.astimezone(UTC).date(), datetime.min.time(), tzinfo=UTC)
    cd = commitment_daily.c
    past = cd.due_day < today
    rolled = select(*_padded("c", [], [
        func.sum(cd.n), func.sum(cd.kept), func.sum(cd.late), func.sum(case((past, cd.n), else_=0)),
        func.sum(case((past, cd.n - cd.kept - cd.late), else_=0))])).where(
        window(cd.approved_day, since_day, until_day, False), *scoped(commitment_daily))
    c = commitments.c
    recent = select(*_padded("u", [], [
        func.sum(case(((c.due_at <= now) | (c.status == "done"), 1), else_=0)),
        func.sum(case((and_(c.status == "open", c.due_at < now), 1), else_=0))])).where(
        c.due_at >= start_of_today, *scoped(commitments),
        *([c.approved_at >= since] if since is not None else []), *([c.approved_at < until] if until is not None else []))
    if conn.dialect.name == "postgresql":
        # a few thousand roll-up rows: starting parallel workers costs more than it saves (measured:
        # the Gather alone took 18 ms of 58 on a busy 2-core machine); for this transaction only
        await conn.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    result = (await conn.execute(union_all(decisions, techniques, rules_q, rolled, recent))).all()

    total: dict[str, int] = dict.fromkeys(MEASURES, 0)
    groups: dict[str, dict[str, dict[str, int]]] = {name: defaultdict(lambda: dict.fromkeys(MEASURES, 0))
                                                    for name in ("agent", "project", "prompt")}
    approved = 0
    trows, rrows = [], []
    n_all = n_kept = n_late = n_due = n_overdue = 0
    for row in result:
        kind, k, m = row[0], row[1:1 + WIDTH_KEYS], [int(v or 0) for v in row[1 + WIDTH_KEYS:]]
        if kind == "d":
            sums = dict(zip(MEASURES, m, strict=True))
            approved += sums["n"] if k[3] == "approved" else 0
            for name, key in (("project", k[0]), ("agent", k[1]), ("prompt", k[2])):
                target = groups[name][key]
                for name_m in MEASURES:
                    target[name_m] += sums[name_m]
            for name_m in MEASURES:
                total[name_m] += sums[name_m]
        elif kind == "t":
            trows.append((k[0], k[1], m[0], m[1], m[2]))
        elif kind == "r":
            rrows.append((k[0], m[0], m[1], m[2], m[3]))
        elif kind == "c":
            n_all, n_kept, n_late, n_due, n_overdue = n_all + m[0], n_kept + m[1], n_late + m[2], n_due + m[3], \
                n_overdue + m[4]
        else:  # "u": the commitments due from today on
            n_due, n_overdue = n_due + m[0], n_overdue + m[1]
    n = total["n"]

    def ordered(name: str) -> list[Group]:
        items = sorted(groups[name].items(), key=lambda kv: (-kv[1]["n"], kv[0]))[:100]
        return [_group(k, v) for k, v in items]

    by_stage = [Group(key=s, decided=n, acceptance_rate=None, edit_rate=_rate(total[f"{s}_edited"], n),
                      mean_edit_chars=_mean(total[f"{s}_chars"], total[f"{s}_edited"])) for s in STAGE_NAMES]
    by_technique = sorted((Group(key=f"{stage}:{tech}", decided=tn, acceptance_rate=None, edit_rate=_rate(te, tn),
                                 mean_edit_chars=_mean(tc, te)) for stage, tech, tn, te, tc in trows),
                          key=lambda g: (-g.decided, g.key))
    rules = sorted((RuleNumbers(rule_id=k, hits=h, flag_rate=_rate(dr, n), override_rate=_rate(o, h),
                                fixed_by_edit_rate=_rate(f, h)) for k, h, dr, o, f in rrows),
                   key=lambda x: (-x.hits, x.rule_id))
    return Analytics(
        decided=n, approved=approved, rejected=n - approved,
        acceptance_rate=_rate(total["unchanged"], n), edit_rate=_rate(total["edited"], n),
        reject_rate=_rate(n - approved, n), mean_edit_chars=_mean(total["edit_chars"], total["edited"]),
        mean_seconds_to_decision=_mean(total["seconds"], n),
        by_stage=by_stage, by_technique=by_technique, by_agent=ordered("agent"), by_project=ordered("project"),
        by_prompt=ordered("prompt"), rules=rules,
        commitments=CommitmentNumbers(total=n_all, due=n_due, kept_on_time=n_kept, late=n_late,
                                      overdue_open=n_overdue, kept_on_time_rate=_rate(n_kept, n_due)))
