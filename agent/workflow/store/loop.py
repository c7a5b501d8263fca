"""The loop's records (issue 17): commitments, 回访 follow-ups and the analytics facts. Keyword-only
async functions over an ``AsyncConnection``; ``recorded`` is called in the transaction of every
decision, so the ledger and the facts change exactly when the draft does."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, Select, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from agent.loop import edits
from agent.workflow.models import DraftSet
from agent.workflow.store.tables import (
    STAGE_NAMES,
    commitment_daily,
    commitments,
    decision_daily,
    decision_facts,
    decision_monthly,
    drafts,
    follow_ups,
    rule_daily,
    rule_facts,
    rule_monthly,
    technique_daily,
    technique_monthly,
)

DueStatus = str  # "open" | "due" | "overdue" | "done" | "all"


@dataclass(frozen=True)
class LoopScope:
    """What a caller may see of the ledger: one agent's own and/or a set of projects (None = all)."""

    agent_key_id: str | None = None
    projects: tuple[str, ...] | None = None

    def apply(self, stmt: Select, table) -> Select:  # type: ignore[no-untyped-def]
        if self.agent_key_id is not None:
            stmt = stmt.where(table.c.agent_key_id == self.agent_key_id)
        if self.projects is not None:
            stmt = stmt.where(table.c.project.in_(self.projects))
        return stmt


async def recorded(conn: AsyncConnection, *, before: DraftSet, after: DraftSet, action: str, actor: str,
                   at: datetime) -> None:
    """One decision (or a reopen) happened: its facts, and when it approved, its commitments and 回访."""
    if action != "reopen":
        fact = edits.facts(before, after, action, actor, at)
        await conn.execute(insert(decision_facts), [fact])
        outcomes = edits.rule_outcomes(before, after, action)
        common = {"draft_id": before.id, "project": before.meta.get("project") or "",
                  "agent_key_id": before.meta.get("agent") or "", "decided_at": at}
        hits = [{**common, **o} for o in outcomes]
        if hits:
            await conn.execute(insert(rule_facts), hits)
        await roll_up(conn, [fact], hits)
    if after.status != "approved":
        return
    project, agent = after.meta.get("project") or "", before.meta.get("agent") or ""
    if after.commitments:
        rows = [{
            "id": "c_" + uuid.uuid4().hex, "draft_id": after.id, "draft_version": after.version, "project": project,
            "agent_key_id": agent, "kind": c.kind, "what": c.what, "party": c.party, "stage": c.stage.value,
            "quote": c.quote, "span_start": c.start, "span_end": c.end, "due_at": c.due_at, "due_text": c.due_text,
            "approved_at": at, "authorized_by": c.authorized_by, "status": "open"} for c in after.commitments]
        await conn.execute(insert(commitments), rows)
        await roll_up_commitments(conn, rows)
    if after.follow_up is not None:
        await conn.execute(insert(follow_ups), [{
            "id": "f_" + uuid.uuid4().hex, "draft_id": after.id, "draft_version": after.version, "project": project,
            "agent_key_id": agent, "due_at": after.follow_up.due_at, "note": after.follow_up.note,
            "status": "scheduled", "created_at": at}])


# -- commitments ----------------------------------------------------------------------------------
def _commitment_filter(stmt: Select, *, status: DueStatus, now: datetime, horizon: datetime | None,
                       project: str | None, agent: str | None) -> Select:
    c = commitments.c
    if status == "due":  # open and due by the horizon (default: by the end of today's window), not yet overdue
        stmt = stmt.where(c.status == "open", c.due_at >= now, c.due_at <= (horizon or now))
    elif status == "overdue":
        stmt = stmt.where(c.status == "open", c.due_at < now)
    elif status in ("open", "done"):
        stmt = stmt.where(c.status == status)
    if project:
        stmt = stmt.where(c.project == project)
    if agent:
        stmt = stmt.where(c.agent_key_id == agent)
    return stmt


async def list_commitments(conn: AsyncConnection, *, scope: LoopScope, status: DueStatus, now: datetime,
                           horizon: datetime | None = None, project: str | None = None, agent: str | None = None,
                           limit: int = 200) -> list[Row]:
    stmt = _commitment_filter(scope.apply(select(commitments), commitments), status=status, now=now,
                              horizon=horizon, project=project, agent=agent)
    return list((await conn.execute(stmt.order_by(commitments.c.due_at, commitments.c.id).limit(limit))).all())


async def get_commitment(conn: AsyncConnection, *, commitment_id: str, scope: LoopScope) -> Row | None:
    stmt = scope.apply(select(commitments).where(commitments.c.id == commitment_id), commitments)
    return (await conn.execute(stmt)).first()


async def mark_done(conn: AsyncConnection, *, commitment_id: str, actor: str, at: datetime) -> bool:
    """Open → done, once (a conditional update)."""
    stmt = (update(commitments).where(commitments.c.id == commitment_id, commitments.c.status == "open")
            .values(status="done", done_at=at, done_by=actor))
    if (await conn.execute(stmt)).rowcount != 1:
        return False
    row = (await conn.execute(select(commitments).where(commitments.c.id == commitment_id))).one()
    await roll_up_commitments(conn, [row._asdict()], counted=True)
    return True


async def claim_overdue(conn: AsyncConnection, *, now: datetime, limit: int = 500) -> list[Row]:
    """Open commitments past due whose ``commitment.overdue`` was not raised yet; each is claimed with
    a conditional update, so with many instances it is raised once."""
    c = commitments.c
    rows = (await conn.execute(select(commitments).where(c.status == "open", c.due_at < now, c.overdue_at.is_(None))
                               .order_by(c.due_at).limit(limit))).all()
    claimed = []
    for row in rows:
        done = await conn.execute(update(commitments).where(c.id == row.id, c.overdue_at.is_(None))
                                  .values(overdue_at=now))
        if done.rowcount == 1:
            claimed.append(row)
    return claimed


# -- follow-ups -----------------------------------------------------------------------------------
async def list_follow_ups(conn: AsyncConnection, *, scope: LoopScope, status: str, now: datetime,
                          project: str | None = None, limit: int = 200) -> list[Row]:
    f = follow_ups.c
    stmt = scope.apply(select(follow_ups), follow_ups)
    if status == "overdue":
        stmt = stmt.where(f.status == "scheduled", f.due_at < now)
    elif status != "all":
        stmt = stmt.where(f.status == status)
    if project:
        stmt = stmt.where(f.project == project)
    return list((await conn.execute(stmt.order_by(f.due_at, f.id).limit(limit))).all())


async def get_follow_up(conn: AsyncConnection, *, follow_up_id: str, scope: LoopScope) -> Row | None:
    return (await conn.execute(scope.apply(select(follow_ups).where(follow_ups.c.id == follow_up_id),
                                           follow_ups))).first()


async def record_outcome(conn: AsyncConnection, *, follow_up_id: str, outcome: str, note: str | None, actor: str,
                         at: datetime) -> bool:
    stmt = (update(follow_ups).where(follow_ups.c.id == follow_up_id, follow_ups.c.status == "scheduled")
            .values(status=outcome, outcome_note=note, recorded_by=actor, recorded_at=at))
    return (await conn.execute(stmt)).rowcount == 1


async def history(conn: AsyncConnection, *, draft_id: str) -> tuple[list[Row], list[Row]]:
    """Every commitment and follow-up of one draft (the history a reopened case carries)."""
    cs = (await conn.execute(select(commitments).where(commitments.c.draft_id == draft_id)
                             .order_by(commitments.c.approved_at))).all()
    fs = (await conn.execute(select(follow_ups).where(follow_ups.c.draft_id == draft_id)
                             .order_by(follow_ups.c.created_at))).all()
    return list(cs), list(fs)


# -- knowledge gaps (what the gaps report reads) --------------------------------------------------
DRAFTED = ("pending_approval", "flagged", "approved", "rejected")


async def gap_rows(conn: AsyncConnection, *, scope: LoopScope, since: datetime | None, until: datetime | None,
                   project: str | None, limit: int) -> tuple[list[Row], dict[str, Row]]:
    """The drafted complaints of a window (newest first, at most ``limit``: id, project, category,
    the masked request) and the latest approve / reject decision fact of each that has one."""
    d = drafts.c
    stmt = scope.apply(select(d.id, d.project, d.category, d.request, d.created_at).where(d.status.in_(DRAFTED)),
                       drafts)
    if since is not None:
        stmt = stmt.where(d.created_at >= since)
    if until is not None:
        stmt = stmt.where(d.created_at < until)
    if project:
        stmt = stmt.where(d.project == project)
    rows = list((await conn.execute(stmt.order_by(d.created_at.desc(), d.id).limit(limit))).all())
    f = decision_facts.c
    facts: dict[str, Row] = {}
    ids = [r.id for r in rows]
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for fact in (await conn.execute(select(decision_facts).where(
                f.draft_id.in_(chunk), f.outcome.in_(("approved", "rejected"))).order_by(f.id))).all():
            facts[fact.draft_id] = fact  # the latest decision wins
    return rows, facts


# -- daily roll-ups (what analytics reads) ----------------------------------------------------------
def _upsert(conn: AsyncConnection, table, keys: list[str], rows: list[dict]):  # type: ignore[no-untyped-def]
    """INSERT … ON CONFLICT (keys) DO UPDATE SET every measure = measure + the new value."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    stmt = dialect_insert(table)
    measures = [c.name for c in table.c if c.name not in keys]
    stmt = stmt.on_conflict_do_update(index_elements=keys,
                                      set_={m: table.c[m] + getattr(stmt.excluded, m) for m in measures})
    return conn.execute(stmt, rows)


def _day(at: datetime) -> str:
    from datetime import UTC

    return at.astimezone(UTC).date().isoformat()


async def roll_up(conn: AsyncConnection, facts: list[dict], hits: list[dict]) -> None:
    """Add decisions (``decision_facts`` rows) and their rule hits (``rule_facts`` rows) to the daily
    roll-ups. Only decisions that approved or rejected a set count (a return is no outcome)."""
    decided = [f for f in facts if f["outcome"] in ("approved", "rejected")]
    days: dict[tuple, dict] = {}
    techniques: dict[tuple, dict] = {}
    for f in decided:
        day, approved = _day(f["decided_at"]), f["outcome"] == "approved"
        key = (day, f["project"], f["agent_key_id"], f["prompt"], f["outcome"])
        row = days.setdefault(key, {"day": key[0], "project": key[1], "agent_key_id": key[2], "prompt": key[3],
                                    "outcome": key[4], "n": 0, "unchanged": 0, "edited": 0, "edit_chars": 0,
                                    "seconds": 0, **{f"{s}_edited": 0 for s in STAGE_NAMES},
                                    **{f"{s}_chars": 0 for s in STAGE_NAMES}})
        edited = approved and f["edited_stages"] > 0
        row["n"] += 1
        row["unchanged"] += int(bool(f["unchanged"]))
        row["edited"] += int(edited)
        row["edit_chars"] += f["edit_chars"] if edited else 0
        row["seconds"] += f["seconds"]
        for s in STAGE_NAMES:
            size = f[f"e_{s}"] if approved else 0
            row[f"{s}_edited"] += int(size > 0)
            row[f"{s}_chars"] += size
            if f[f"t_{s}"]:
                tkey = (day, f["project"], s, f[f"t_{s}"])
                t = techniques.setdefault(tkey, {"day": day, "project": f["project"], "stage": s,
                                                 "technique": f[f"t_{s}"], "n": 0, "edited": 0, "edit_chars": 0})
                t["n"] += 1
                t["edited"] += int(size > 0)
                t["edit_chars"] += size
    rules: dict[tuple, dict] = {}
    seen: set[tuple] = set()
    for h in hits:
        if h["outcome"] == "returned":
            continue
        key = (_day(h["decided_at"]), h["project"], h["agent_key_id"], h["rule_id"])
        row = rules.setdefault(key, {"day": key[0], "project": key[1], "agent_key_id": key[2], "rule_id": key[3],
                                     "hits": 0, "drafts": 0, "overridden": 0, "removed_by_edit": 0})
        row["hits"] += 1
        row["drafts"] += int((key, h["draft_id"]) not in seen)
        seen.add((key, h["draft_id"]))
        row["overridden"] += int(h["outcome"] == "overridden")
        row["removed_by_edit"] += int(h["outcome"] == "removed_by_edit")
    for rows, daily, monthly, keys in (
            (days, decision_daily, decision_monthly, ["day", "project", "agent_key_id", "prompt", "outcome"]),
            (techniques, technique_daily, technique_monthly, ["day", "project", "stage", "technique"]),
            (rules, rule_daily, rule_monthly, ["day", "project", "agent_key_id", "rule_id"])):
        if rows:
            await _upsert(conn, daily, keys, list(rows.values()))
            await _upsert(conn, monthly, keys, _by_month(rows.values(), keys))


def _by_month(rows, keys: list[str]) -> list[dict]:  # type: ignore[no-untyped-def]
    """Daily roll-up rows summed by month (``day`` 'YYYY-MM'), one row per key."""
    months: dict[tuple, dict] = {}
    for row in rows:
        month = {**row, "day": row["day"][:7]}
        key = tuple(month[k] for k in keys)
        if key in months:
            target = months[key]
            for name, value in row.items():
                if name not in keys:
                    target[name] += value
        else:
            months[key] = month
    return list(months.values())


async def roll_up_commitments(conn: AsyncConnection, rows: list[dict], *, counted: bool = False) -> None:
    """Add commitments (``commitments`` rows) to ``commitment_daily``: each counts once in ``n`` and,
    when done, in ``kept`` or ``late``. ``counted``: the rows are already in ``n`` (marking done)."""
    days: dict[tuple, dict] = {}
    for c in rows:
        key = (_day(c["approved_at"]), _day(c["due_at"]), c["project"], c["agent_key_id"])
        row = days.setdefault(key, {"approved_day": key[0], "due_day": key[1], "project": key[2],
                                    "agent_key_id": key[3], "n": 0, "kept": 0, "late": 0})
        row["n"] += 0 if counted else 1
        if c.get("status") == "done" and c.get("done_at") is not None:
            row["kept" if c["done_at"] <= c["due_at"] else "late"] += 1
    if days:
        await _upsert(conn, commitment_daily, ["approved_day", "due_day", "project", "agent_key_id"],
                      list(days.values()))
