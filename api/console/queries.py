"""Console reads over the API's store. Filtering, scoping and audit writes stay in ``api.store``;
this module only adds the two read queries the JSON API has no use for (newest-first audit page,
projects and agents to offer in the filter menus)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from ..auth import Principal
from ..store import (
    ApiKey,
    AuditEvent,
    Draft,
    DraftFilter,
    DraftRequest,
    get_draft,
    list_audit_events,
    list_drafts,
    status_counts,
)
from ..store.drafts import Scope

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

    def draft_filter(self, status: str | None = "flagged") -> DraftFilter:
        start = datetime.combine(self.since, time.min, tzinfo=UTC) if self.since else None
        end = (datetime.combine(self.until, time.min, tzinfo=UTC) + timedelta(days=1)
               if self.until and self.until < date.max else None)
        return DraftFilter(status=status, category=self.category, severity=self.severity, rule=self.rule,
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
    rows: list[Draft]
    next_cursor: int | None
    matching: int
    by_status: dict[str, int]


async def queue(db: Any, principal: Principal, query: QueueQuery, cursor: int | None,
                limit: int = PAGE_SIZE) -> QueuePage:
    """One page of the flagged queue (newest first) and the counts for the same filters."""
    async with db.session() as s:
        rows, nxt = await list_drafts(s, scope=principal.scope, flt=query.draft_filter(), cursor=cursor,
                                      limit=limit)
        by_status = await status_counts(s, scope=principal.scope, flt=query.draft_filter(status=None))
    return QueuePage(rows=rows, next_cursor=nxt, matching=by_status.get("flagged", 0), by_status=by_status)


async def filter_options(db: Any, principal: Principal) -> dict[str, Any]:
    """Projects and agent keys the principal can filter by."""
    async with db.session() as s:
        stmt = principal.scope.apply(select(Draft.project).distinct()).order_by(Draft.project).limit(500)
        projects = [p for (p,) in (await s.execute(stmt)).all()]
        keys = (await s.execute(select(ApiKey).where(ApiKey.role == "agent").order_by(ApiKey.name))).scalars()
        agents = [(k.id, k.name) for k in keys if principal.all_projects
                  or set(k.projects) & set(principal.projects) or "*" in k.projects]
    if not principal.all_projects:
        projects = sorted(set(projects) | set(principal.projects))
    return {"projects": projects, "agents": agents}


async def complaints(db: Any, ids: list[str]) -> dict[str, str]:
    """The masked complaint of each draft (from its request row; list pages do not load draft JSON)."""
    if not ids:
        return {}
    async with db.session() as s:
        stmt = select(DraftRequest.id, DraftRequest.complaint_masked).where(DraftRequest.id.in_(ids))
        return {i: text for i, text in (await s.execute(stmt)).all()}


async def key_names(db: Any, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    async with db.session() as s:
        rows = (await s.execute(select(ApiKey.id, ApiKey.name).where(ApiKey.id.in_(sorted(ids))))).all()
    return {i: n for i, n in rows}


async def draft_with_history(db: Any, principal: Principal, draft_id: str) -> tuple[Draft | None, list[AuditEvent]]:
    async with db.session() as s:
        row = await get_draft(s, draft_id=draft_id, scope=principal.scope)
        if row is None:
            return None, []
        events, _ = await list_audit_events(s, scope=principal.scope, draft_id=draft_id, limit=500)
    return row, events


async def recent_audit(db: Any, scope: Scope, before: int | None, draft_id: str | None = None,
                       limit: int = 50) -> tuple[list[AuditEvent], int | None]:
    """Audit events newest first within ``scope``; returns (events, cursor for the next page)."""
    async with db.session() as s:
        stmt = select(AuditEvent).where(AuditEvent.draft_id.in_(scope.apply(select(Draft.id))))
        if draft_id:
            stmt = stmt.where(AuditEvent.draft_id == draft_id)
        if before is not None:
            stmt = stmt.where(AuditEvent.id < before)
        rows = list((await s.execute(stmt.order_by(AuditEvent.id.desc()).limit(limit + 1))).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)
