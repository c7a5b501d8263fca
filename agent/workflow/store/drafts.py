"""Draft records: keyword-only async functions over an ``AsyncConnection`` (SQLAlchemy Core).

Every change of a draft is a conditional update on (id, version): the first writer wins, a second
one changes nothing and learns it from the row count. Reads take a ``Scope`` (who may see what).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, bindparam, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from agent.workflow.intake import Accepted
from agent.workflow.models import DraftSet
from agent.workflow.store.tables import drafts, idempotency, utcnow

# what list pages load: everything but the two JSON documents
SUMMARY = [c for c in drafts.c if c.name not in ("request", "data")]
# The hot-path statements are built once and given their values as parameters: building
# insert(t).values(col=value, …) per request costs more than the SQLite write itself.
_INSERT_DRAFT = insert(drafts)
_INSERT_IDEMPOTENCY = insert(idempotency)
_SAVE = update(drafts).where(drafts.c.id == bindparam("b_id"), drafts.c.version == bindparam("b_version"))


@dataclass(frozen=True)
class Scope:
    """What a caller may see: one agent's own drafts and/or a set of projects (None = all)."""

    agent_key_id: str | None = None
    projects: tuple[str, ...] | None = None

    def apply(self, stmt: Select) -> Select:
        if self.agent_key_id is not None:
            stmt = stmt.where(drafts.c.agent_key_id == self.agent_key_id)
        if self.projects is not None:
            stmt = stmt.where(drafts.c.project.in_(self.projects))
        return stmt


EVERYONE = Scope()


@dataclass(frozen=True)
class DraftFilter:
    status: str | tuple[str, ...] | None = None
    escalate: bool | None = None
    category: str | None = None
    severity: str | None = None
    rule: str | None = None
    violation: str | None = None
    agent: str | None = None
    project: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def apply(self, stmt: Select) -> Select:
        c = drafts.c
        if isinstance(self.status, tuple):
            stmt = stmt.where(c.status.in_(self.status))
        elif self.status:
            stmt = stmt.where(c.status == self.status)
        else:
            stmt = stmt.where(c.status.not_in(("drafting", "failed")))
        for column, value in ((c.escalate, self.escalate), (c.category, self.category), (c.severity, self.severity),
                              (c.agent_key_id, self.agent), (c.project, self.project)):
            if value is not None and value != "":
                stmt = stmt.where(column == value)
        if self.rule:
            stmt = stmt.where(c.rule_ids.contains(f",{self.rule},", autoescape=True))
        if self.violation:
            stmt = stmt.where(c.violation_categories.contains(f",{self.violation},", autoescape=True))
        if self.since:
            stmt = stmt.where(c.created_at >= self.since)
        if self.until:
            stmt = stmt.where(c.created_at < self.until)
        return stmt


def _joined(values: set[str]) -> str:
    return "," + "".join(f"{v}," for v in sorted(values))


def columns_of(draft: DraftSet) -> dict[str, Any]:
    """The filter columns and the stored document of a draft set."""
    hits = [v for stage in draft.stages for v in stage.guardrail.violations]
    c = draft.classification
    return {"status": draft.status, "version": draft.version, "data": draft.model_dump(mode="json"),
            "category": c.category.value, "severity": c.severity.value, "escalate": c.escalate,
            "escalate_reason": c.reason or None, "drafter": draft.drafter,
            "rule_ids": _joined({v.rule_id for v in hits}), "violation_categories": _joined({v.category.value for v in hits})}


# -- writes -------------------------------------------------------------------------------------
async def insert_request(conn: AsyncConnection, *, draft_id: str, key_id: str, accepted: Accepted,
                         idem: tuple[str, str] | None = None, owner: str | None = None,
                         lease_until: datetime | None = None, conversation_seq: int | None = None) -> None:
    """The accepted (masked) request, status ``drafting``, held by ``owner`` until ``lease_until``,
    and its Idempotency-Key (key, request hash) in one transaction. Raises IntegrityError when that
    Idempotency-Key is already taken."""
    now = utcnow()
    if idem is not None:
        await conn.execute(_INSERT_IDEMPOTENCY, {"key_id": key_id, "idem_key": idem[0], "request_hash": idem[1],
                                                 "draft_id": draft_id, "created_at": now})
    await conn.execute(_INSERT_DRAFT, {
        "id": draft_id, "version": 1, "status": "drafting", "agent_key_id": key_id, "project": accepted.project,
        "channel": accepted.channel, "owner_ref": accepted.owner_ref, "request": accepted.model_dump(mode="json"),
        "rule_ids": ",", "violation_categories": ",", "escalate": False, "created_at": now, "updated_at": now,
        "owner": owner, "lease_until": lease_until, "conversation_id": accepted.conversation,
        "conversation_seq": conversation_seq})


async def save(conn: AsyncConnection, *, draft: DraftSet, expected_version: int, first: bool = False) -> bool:
    """Store ``draft`` if the row is still at ``expected_version``; False when someone else changed it
    first. ``first``: the draft set was just drafted (records ``created_status``)."""
    values = {**columns_of(draft), "updated_at": utcnow(), "error": None,
              "b_id": draft.id, "b_version": expected_version}
    if first:
        values["created_status"] = draft.status
    return (await conn.execute(_SAVE, values)).rowcount == 1


async def fail(conn: AsyncConnection, *, draft_id: str, expected_version: int, error: str) -> bool:
    stmt = (update(drafts).where(drafts.c.id == draft_id, drafts.c.version == expected_version)
            .values(status="failed", version=expected_version + 1, error=error[:2000], updated_at=utcnow()))
    return (await conn.execute(stmt)).rowcount == 1


async def claim(conn: AsyncConnection, *, draft_id: str, version: int, owner: str, lease_until: datetime) -> bool:
    """Take a ``drafting`` row whose lease ran out for re-drafting (version + 1, a new lease): a
    conditional update, so exactly one process wins, whichever instance it runs in."""
    stmt = (update(drafts).where(drafts.c.id == draft_id, drafts.c.version == version,
                                 drafts.c.status == "drafting")
            .values(version=version + 1, owner=owner, lease_until=lease_until, updated_at=utcnow()))
    return (await conn.execute(stmt)).rowcount == 1


async def extend_lease(conn: AsyncConnection, *, draft_id: str, owner: str, lease_until: datetime) -> bool:
    """Renew the lease of a request ``owner`` is still drafting; False when it lost it."""
    stmt = (update(drafts).where(drafts.c.id == draft_id, drafts.c.owner == owner, drafts.c.status == "drafting")
            .values(lease_until=lease_until))
    return (await conn.execute(stmt)).rowcount == 1


async def release(conn: AsyncConnection, *, owner: str, at: datetime) -> int:
    """A process shutting down gives up the requests it did not finish: their leases end ``at``."""
    stmt = (update(drafts).where(drafts.c.owner == owner, drafts.c.status == "drafting")
            .values(lease_until=at))
    return (await conn.execute(stmt)).rowcount


# -- reads --------------------------------------------------------------------------------------
async def get(conn: AsyncConnection, *, draft_id: str, scope: Scope = EVERYONE) -> Row | None:
    return (await conn.execute(scope.apply(select(drafts).where(drafts.c.id == draft_id)))).first()


async def unfinished(conn: AsyncConnection, *, at: datetime) -> list[Row]:
    """``drafting`` rows whose lease ran out by ``at`` (or never had one): their process died."""
    stmt = (select(drafts.c.id, drafts.c.version, drafts.c.agent_key_id, drafts.c.request, drafts.c.created_at)
            .where(drafts.c.status == "drafting", or_(drafts.c.lease_until.is_(None), drafts.c.lease_until < at))
            .order_by(drafts.c.seq))
    return list((await conn.execute(stmt)).all())


async def conversation_seq(conn: AsyncConnection, *, draft_id: str) -> int | None:
    """Which owner message of its conversation a request answers."""
    return (await conn.execute(select(drafts.c.conversation_seq).where(drafts.c.id == draft_id))).scalar()


async def idempotent(conn: AsyncConnection, *, key_id: str, idem_key: str) -> Row | None:
    stmt = select(idempotency).where(idempotency.c.key_id == key_id, idempotency.c.idem_key == idem_key)
    return (await conn.execute(stmt)).first()


async def page(conn: AsyncConnection, *, scope: Scope, flt: DraftFilter, cursor: int | None = None,
               limit: int = 50) -> tuple[list[Row], int | None]:
    """Newest first, without the JSON documents; returns (rows, next cursor or None)."""
    stmt = flt.apply(scope.apply(select(*SUMMARY)))
    if cursor is not None:
        stmt = stmt.where(drafts.c.seq < cursor)
    rows = list((await conn.execute(stmt.order_by(drafts.c.seq.desc()).limit(limit + 1))).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].seq if more and rows else None)


async def status_counts(conn: AsyncConnection, *, scope: Scope, flt: DraftFilter) -> dict[str, int]:
    stmt = flt.apply(scope.apply(select(drafts.c.status, func.count()))).group_by(drafts.c.status)
    return {status: count for status, count in (await conn.execute(stmt)).all()}


async def stats_rows(conn: AsyncConnection, *, scope: Scope, flt: DraftFilter) -> list[Row]:
    """(id, status, created_status, created_at, violation_categories) for the stats."""
    c = drafts.c
    stmt = flt.apply(scope.apply(select(c.id, c.status, c.created_status, c.created_at, c.violation_categories)))
    return list((await conn.execute(stmt)).all())


async def projects(conn: AsyncConnection, *, scope: Scope) -> list[str]:
    stmt = scope.apply(select(drafts.c.project).distinct()).order_by(drafts.c.project).limit(500)
    return [p for (p,) in (await conn.execute(stmt)).all()]


async def complaints(conn: AsyncConnection, *, ids: list[str]) -> dict[str, str]:
    """The masked complaint of each draft (list pages do not load the draft set)."""
    if not ids:
        return {}
    rows = (await conn.execute(select(drafts.c.id, drafts.c.request).where(drafts.c.id.in_(ids)))).all()
    return {i: (request or {}).get("complaint_masked", "") for i, request in rows}
