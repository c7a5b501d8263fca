"""The append-only audit log: ``append`` and reads only (database triggers refuse UPDATE/DELETE)."""

from __future__ import annotations

from sqlalchemy import Row, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from agent.workflow.models import AuditEvent
from agent.workflow.store.drafts import Scope
from agent.workflow.store.tables import audit_events, drafts

_APPEND = insert(audit_events)  # built once; values come as parameters


async def append(conn: AsyncConnection, event: AuditEvent) -> None:
    await conn.execute(_APPEND, {**event.model_dump(mode="json", exclude={"at"}), "at": event.at})


def _visible(scope: Scope):  # noqa: ANN202 - a Select of the draft ids the scope may see
    return scope.apply(select(drafts.c.id))


async def page(conn: AsyncConnection, *, scope: Scope, draft_id: str | None = None, cursor: int | None = None,
               limit: int = 100) -> tuple[list[Row], int | None]:
    """Oldest first within the scope. The next page starts AFTER the last event of this one."""
    stmt = select(audit_events).where(audit_events.c.draft_id.in_(_visible(scope)))
    if draft_id is not None:
        stmt = stmt.where(audit_events.c.draft_id == draft_id)
    if cursor is not None:
        stmt = stmt.where(audit_events.c.id > cursor)
    rows = list((await conn.execute(stmt.order_by(audit_events.c.id).limit(limit + 1))).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)


async def recent(conn: AsyncConnection, *, scope: Scope, before: int | None = None, draft_id: str | None = None,
                 limit: int = 50) -> tuple[list[Row], int | None]:
    """Newest first (the console); returns (events, cursor of the next page)."""
    stmt = select(audit_events).where(audit_events.c.draft_id.in_(_visible(scope)))
    if draft_id:
        stmt = stmt.where(audit_events.c.draft_id == draft_id)
    if before is not None:
        stmt = stmt.where(audit_events.c.id < before)
    rows = list((await conn.execute(stmt.order_by(audit_events.c.id.desc()).limit(limit + 1))).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)


async def actions_by_draft(conn: AsyncConnection, *, draft_ids: list[str]) -> dict[str, set[str]]:
    """{draft id: set of audit actions} (the stats' edit rate)."""
    out: dict[str, set[str]] = {}
    for start in range(0, len(draft_ids), 500):
        stmt = select(audit_events.c.draft_id, audit_events.c.action).where(
            audit_events.c.draft_id.in_(draft_ids[start:start + 500]))
        for did, action in (await conn.execute(stmt)).all():
            out.setdefault(did, set()).add(action)
    return out
