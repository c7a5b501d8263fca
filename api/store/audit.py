"""The append-only audit log. This module has ``append_audit_event`` and read functions only:
there is no update or delete path, and database triggers reject UPDATE/DELETE as well."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from .drafts import Scope
from .models import AuditEvent, Draft, utcnow


async def append_audit_event(
    session: AsyncSession, *, draft_id: str, actor_key_id: str, role: str, action: str,
    before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
    rule_hits: list[dict[str, Any]] | None = None, note: str | None = None,
) -> None:
    """Record who did what to which draft, with the text before/after and the rule hits."""
    await session.execute(insert(AuditEvent.__table__).values(
        draft_id=draft_id, actor_key_id=actor_key_id, role=role, action=action, at=utcnow(),
        before=before, after=after, rule_hits=list(rule_hits or []), note=note,
    ))


async def list_audit_events(
    session: AsyncSession, *, scope: Scope, draft_id: str | None = None,
    cursor: int | None = None, limit: int = 100,
) -> tuple[list[AuditEvent], int | None]:
    """Oldest first within the caller's scope; returns (events, next cursor or None)."""
    visible = scope.apply(select(Draft.id))
    stmt = select(AuditEvent).where(AuditEvent.draft_id.in_(visible))
    if draft_id is not None:
        stmt = stmt.where(AuditEvent.draft_id == draft_id)
    if cursor is not None:
        stmt = stmt.where(AuditEvent.id > cursor)
    rows = list((await session.execute(stmt.order_by(AuditEvent.id).limit(limit + 1))).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)


async def actions_by_draft(session: AsyncSession, *, draft_ids: list[str]) -> dict[str, set[str]]:
    """{draft id: set of audit actions}, for the stats endpoint."""
    out: dict[str, set[str]] = {}
    for start in range(0, len(draft_ids), 500):
        chunk = draft_ids[start:start + 500]
        stmt = select(AuditEvent.draft_id, AuditEvent.action).where(AuditEvent.draft_id.in_(chunk))
        for did, action in (await session.execute(stmt)).all():
            out.setdefault(did, set()).add(action)
    return out
