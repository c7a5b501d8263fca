"""Console reads over the store (``agent.workflow.store``): filtering, scoping and audit writes stay
there; this module only groups the reads one page needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Row

from agent.workflow.models import WAITING
from agent.workflow.store import audit, keys
from agent.workflow.store import drafts as store
from agent.workflow.store.database import Database
from agent.workflow.store.drafts import DraftFilter, Scope

from ..auth import Principal

PAGE_SIZE = 20


@dataclass(frozen=True)
class QueueQuery:
    category: str | None = None
    violation: str | None = None
    rule: str | None = None
    severity: str | None = None
    agent: str | None = None
    project: str | None = None
    since: date | None = None
    until: date | None = None

    def draft_filter(self, status: str | tuple[str, ...] | None = "flagged", escalate: bool | None = None
                     ) -> DraftFilter:
        start = datetime.combine(self.since, time.min, tzinfo=UTC) if self.since else None
        end = (datetime.combine(self.until, time.min, tzinfo=UTC) + timedelta(days=1)
               if self.until and self.until < date.max else None)
        return DraftFilter(status=status, escalate=escalate, category=self.category, severity=self.severity, rule=self.rule,
                           violation=self.violation, agent=self.agent, project=self.project,
                           since=start, until=end)

    def params(self) -> dict[str, str]:
        """The query string that reproduces this filter (for pagination links)."""
        values = {"category": self.category, "violation": self.violation, "rule": self.rule,
                  "severity": self.severity, "agent": self.agent, "project": self.project,
                  "from": self.since.isoformat() if self.since else None,
                  "to": self.until.isoformat() if self.until else None}
        return {k: v for k, v in values.items() if v}


@dataclass
class QueuePage:
    rows: list[Row]
    next_cursor: int | None
    matching: int
    by_status: dict[str, int]


async def queue(db: Database, principal: Principal, query: QueueQuery, cursor: int | None,
                limit: int = PAGE_SIZE, escalated: bool = False) -> QueuePage:
    """One page of the flagged queue — or, with ``escalated``, of the waiting drafts whose
    classification says escalate — newest first, and the counts for the same filters."""
    flt = query.draft_filter(WAITING, escalate=True) if escalated else query.draft_filter()
    async with db.connect() as conn:
        rows, nxt = await store.page(conn, scope=principal.scope, flt=flt, cursor=cursor, limit=limit)
        by_status = await store.status_counts(
            conn, scope=principal.scope, flt=query.draft_filter(status=None, escalate=True if escalated else None))
    matching = sum(by_status.get(s, 0) for s in WAITING) if escalated else by_status.get("flagged", 0)
    return QueuePage(rows=rows, next_cursor=nxt, matching=matching, by_status=by_status)


async def filter_options(db: Database, principal: Principal) -> dict[str, Any]:
    """Projects and agent keys the principal can filter by."""
    async with db.connect() as conn:
        projects = await store.projects(conn, scope=principal.scope)
        agents = [(k.id, k.name) for k in await keys.list_api_keys(conn, role="agent")
                  if principal.all_projects or set(k.projects) & set(principal.projects) or "*" in k.projects]
    if not principal.all_projects:
        projects = sorted(set(projects) | set(principal.projects))
    return {"projects": projects, "agents": agents}


async def complaints(db: Database, ids: list[str]) -> dict[str, str]:
    async with db.connect() as conn:
        return await store.complaints(conn, ids=ids)


async def key_names(db: Database, ids: set[str]) -> dict[str, str]:
    async with db.connect() as conn:
        return await keys.key_names(conn, ids=ids)


async def draft_with_history(db: Database, principal: Principal, draft_id: str) -> tuple[Row | None, list[Row]]:
    async with db.connect() as conn:
        row = await store.get(conn, draft_id=draft_id, scope=principal.scope)
        if row is None or row.data is None:
            return None, []
        events, _ = await audit.page(conn, scope=principal.scope, draft_id=draft_id, limit=500)
    return row, events


async def recent_audit(db: Database, scope: Scope, before: int | None, draft_id: str | None = None,
                       limit: int = 50) -> tuple[list[Row], int | None]:
    async with db.connect() as conn:
        return await audit.recent(conn, scope=scope, before=before, draft_id=draft_id, limit=limit)
