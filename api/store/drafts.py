"""Draft requests, draft sets and idempotency keys. Keyword-only functions over a session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from .models import Draft, DraftRequest, Idempotency, utcnow


@dataclass(frozen=True)
class Scope:
    """What a caller may see: one agent's own drafts and/or a set of projects (None = all)."""

    agent_key_id: str | None = None
    projects: tuple[str, ...] | None = None

    def apply(self, stmt: Select, model: type = Draft) -> Select:
        if self.agent_key_id is not None:
            stmt = stmt.where(model.agent_key_id == self.agent_key_id)
        if self.projects is not None:
            stmt = stmt.where(model.project.in_(self.projects))
        return stmt


@dataclass(frozen=True)
class DraftFilter:
    status: str | None = None
    category: str | None = None
    severity: str | None = None
    rule: str | None = None
    violation: str | None = None
    agent: str | None = None
    project: str | None = None
    since: datetime | None = None
    until: datetime | None = None


# -- requests ---------------------------------------------------------------------------------
async def create_request(
    session: AsyncSession, *, draft_id: str, key_id: str, project: str, complaint_masked: str,
    history: list[dict[str, Any]], channel: str | None, owner_ref: str | None,
) -> None:
    """Record an accepted request (state ``received``), before any model is called."""
    await session.execute(insert(DraftRequest.__table__).values(
        id=draft_id, key_id=key_id, project=project, complaint_masked=complaint_masked,
        history=history, channel=channel, owner_ref=owner_ref, state="received", created_at=utcnow(),
    ))


async def get_request(session: AsyncSession, *, draft_id: str) -> DraftRequest | None:
    return await session.get(DraftRequest, draft_id)


async def pending_requests(session: AsyncSession, *, before: datetime) -> list[DraftRequest]:
    """Requests accepted before ``before`` (this process's start) but never answered: the process
    that took them died. Re-run on start-up; rows of requests in flight now are not returned."""
    stmt = (select(DraftRequest).where(DraftRequest.state == "received", DraftRequest.created_at < before)
            .order_by(DraftRequest.created_at))
    return list((await session.execute(stmt)).scalars())


async def reset_interrupted_recoveries(session: AsyncSession) -> int:
    """Requests left ``recovering`` by a process that died mid-recovery go back to ``received``.
    Call it once before workers start (``wuye serve`` does)."""
    table = DraftRequest.__table__
    stmt = update(table).where(table.c.state == "recovering").values(state="received")
    return (await session.execute(stmt)).rowcount or 0


async def mark_request(session: AsyncSession, *, draft_id: str, state: str, error: str | None = None,
                       only_from: str | None = None) -> bool:
    """Set a request's state; with ``only_from``, only when it is still in that state (a claim).
    Returns whether a row changed."""
    table = DraftRequest.__table__
    stmt = update(table).where(table.c.id == draft_id).values(state=state, error=error)
    if only_from is not None:
        stmt = stmt.where(table.c.state == only_from)
    return (await session.execute(stmt)).rowcount == 1


# -- idempotency ------------------------------------------------------------------------------
async def get_idempotency(session: AsyncSession, *, key_id: str, idem_key: str) -> Idempotency | None:
    stmt = select(Idempotency).where(Idempotency.key_id == key_id, Idempotency.idem_key == idem_key)
    return (await session.execute(stmt)).scalar_one_or_none()


async def add_idempotency(
    session: AsyncSession, *, key_id: str, idem_key: str, request_hash: str, draft_id: str
) -> None:
    """Raises sqlalchemy IntegrityError when the (key, Idempotency-Key) pair already exists."""
    await session.execute(insert(Idempotency.__table__).values(key_id=key_id, idem_key=idem_key, request_hash=request_hash,
                                                     draft_id=draft_id, created_at=utcnow()))


# -- draft sets -------------------------------------------------------------------------------
def _joined(values: set[str]) -> str:
    return "," + "".join(f"{v}," for v in sorted(values))


def summarize(data: dict[str, Any]) -> dict[str, Any]:
    """Filter columns derived from a DraftSet JSON."""
    rules: set[str] = set()
    cats: set[str] = set()
    for stage in data.get("stages") or []:
        for v in ((stage or {}).get("guardrail") or {}).get("violations") or []:
            if v.get("rule_id"):
                rules.add(str(v["rule_id"]))
            if v.get("category"):
                cats.add(str(v["category"]))
    cls = data.get("classification") or {}
    return {
        "status": str(data.get("status") or "pending_approval"),
        "category": cls.get("category"), "severity": cls.get("severity"),
        "rule_ids": _joined(rules), "violation_categories": _joined(cats),
        "drafter": data.get("drafter"),
    }


async def insert_draft(
    session: AsyncSession, *, draft_id: str, agent_key_id: str, project: str, data: dict[str, Any]
) -> None:
    """Store a newly created draft set (one INSERT; ``save_draft`` updates an existing one)."""
    now = utcnow()
    await session.execute(insert(Draft.__table__).values(id=draft_id, agent_key_id=agent_key_id, project=project, data=data,
                                               created_at=now, updated_at=now, **summarize(data)))


async def save_draft(
    session: AsyncSession, *, draft_id: str, agent_key_id: str, project: str, data: dict[str, Any]
) -> Draft:
    """Insert or update the stored copy of a draft set."""
    row = (await session.execute(select(Draft).where(Draft.id == draft_id))).scalar_one_or_none()
    now = utcnow()
    if row is None:
        row = Draft(id=draft_id, agent_key_id=agent_key_id, project=project, created_at=now)
        session.add(row)
    for name, value in summarize(data).items():
        setattr(row, name, value)
    row.data = data
    row.updated_at = now
    await session.flush()
    return row


async def get_draft(session: AsyncSession, *, draft_id: str, scope: Scope | None = None) -> Draft | None:
    stmt = select(Draft).where(Draft.id == draft_id)
    if scope is not None:
        stmt = scope.apply(stmt)
    return (await session.execute(stmt)).scalar_one_or_none()


def _filtered(stmt: Select, flt: DraftFilter) -> Select:
    if flt.status:
        stmt = stmt.where(Draft.status == flt.status)
    if flt.category:
        stmt = stmt.where(Draft.category == flt.category)
    if flt.severity:
        stmt = stmt.where(Draft.severity == flt.severity)
    if flt.rule:
        stmt = stmt.where(Draft.rule_ids.contains(f",{flt.rule},", autoescape=True))
    if flt.violation:
        stmt = stmt.where(Draft.violation_categories.contains(f",{flt.violation},", autoescape=True))
    if flt.agent:
        stmt = stmt.where(Draft.agent_key_id == flt.agent)
    if flt.project:
        stmt = stmt.where(Draft.project == flt.project)
    if flt.since:
        stmt = stmt.where(Draft.created_at >= flt.since)
    if flt.until:
        stmt = stmt.where(Draft.created_at < flt.until)
    return stmt


async def list_drafts(
    session: AsyncSession, *, scope: Scope, flt: DraftFilter, cursor: int | None = None, limit: int = 50
) -> tuple[list[Draft], int | None]:
    """Newest first; returns (rows, next cursor or None). The cursor is the last row's seq.
    ``data`` (the full draft set JSON) is not loaded: use ``get_draft`` for one draft."""
    stmt = _filtered(scope.apply(select(Draft)), flt).options(defer(Draft.data))
    if cursor is not None:
        stmt = stmt.where(Draft.seq < cursor)
    rows = list((await session.execute(stmt.order_by(Draft.seq.desc()).limit(limit + 1))).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].seq if more and rows else None)


async def status_counts(session: AsyncSession, *, scope: Scope, flt: DraftFilter) -> dict[str, int]:
    stmt = _filtered(scope.apply(select(Draft.status, func.count())), flt).group_by(Draft.status)
    return {status: count for status, count in (await session.execute(stmt)).all()}


async def draft_rows_for_stats(
    session: AsyncSession, *, scope: Scope, flt: DraftFilter
) -> list[tuple[str, str, datetime, str]]:
    """(id, status, created_at, violation_categories) for the stats endpoint."""
    stmt = _filtered(
        scope.apply(select(Draft.id, Draft.status, Draft.created_at, Draft.violation_categories)), flt
    )
    return [tuple(r) for r in (await session.execute(stmt)).all()]  # type: ignore[misc]
