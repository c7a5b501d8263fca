"""Webhook subscriptions and their delivery outbox (SQLAlchemy Core, keyword-only async functions).

``enqueue`` is called inside the transaction that changes a draft, so a delivery exists exactly when
the change does (nothing is lost across a restart). ``claim`` takes one due delivery with a
conditional update on (id, status, claim): with several instances on one database each delivery is
claimed by one of them at a time; a claim that is not settled before ``claim_until`` (its process
died) may be taken again.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, and_, bindparam, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from agent.workflow.store.tables import utcnow, webhook_deliveries, webhooks

EVENTS = ("draft.ready", "draft.flagged", "draft.escalated", "draft.approved")
DELIVERY_STATUSES = ("pending", "delivered", "failed")


async def add(conn: AsyncConnection, *, project: str, url: str, events: list[str], secret: str) -> str:
    webhook_id = "wh_" + uuid.uuid4().hex[:16]
    await conn.execute(insert(webhooks).values(id=webhook_id, project=project, url=url, events=list(events),
                                               secret=secret, created_at=utcnow()))
    return webhook_id


async def remove(conn: AsyncConnection, *, webhook_id: str) -> bool:
    stmt = (update(webhooks).where(webhooks.c.id == webhook_id, webhooks.c.revoked_at.is_(None))
            .values(revoked_at=utcnow()))
    return (await conn.execute(stmt)).rowcount == 1


async def listing(conn: AsyncConnection, *, project: str | None = None) -> list[Row]:
    stmt = select(webhooks.c.id, webhooks.c.project, webhooks.c.url, webhooks.c.events, webhooks.c.created_at,
                  webhooks.c.revoked_at).order_by(webhooks.c.created_at)
    if project is not None:
        stmt = stmt.where(webhooks.c.project == project)
    return list((await conn.execute(stmt)).all())


async def get(conn: AsyncConnection, *, webhook_id: str) -> Row | None:
    return (await conn.execute(select(webhooks).where(webhooks.c.id == webhook_id))).first()


# asked in every change's transaction: built once (SQLAlchemy then reuses its compiled form)
# (plain bind parameters: an expanding IN would be re-rendered on every execution)
_ACTIVE_FOR_PROJECTS = select(webhooks.c.id, webhooks.c.events).where(
    webhooks.c.revoked_at.is_(None), or_(webhooks.c.project == bindparam("project"), webhooks.c.project == "*"))


async def enqueue(conn: AsyncConnection, *, project: str, events: list[str], draft_id: str | None,
                  payload: Callable[[], dict[str, Any]], at: datetime) -> list[str]:
    """One pending delivery per active subscription of ``project`` (or "*") and each of ``events`` it
    wants. Returns the delivery ids. The body is fixed here: every attempt sends (and signs) the same
    bytes. One query for the subscriptions; ``payload`` is built only when one of them wants an event
    (most changes have no subscriber)."""
    rows = (await conn.execute(_ACTIVE_FOR_PROJECTS, {"project": project})).all()
    wanted = [(webhook_id, event) for webhook_id, subscribed in rows
              for event in events if event in (subscribed or [])]
    if not wanted:
        return []
    shared = payload()
    ids = []
    for webhook_id, event in wanted:
        delivery_id = "dl_" + uuid.uuid4().hex
        body = json.dumps({"id": delivery_id, "event": event, "created_at": at.isoformat(), "project": project,
                           **shared}, ensure_ascii=False, separators=(",", ":"))
        await conn.execute(insert(webhook_deliveries).values(
            id=delivery_id, webhook_id=webhook_id, event=event, draft_id=draft_id, body=body, status="pending",
            attempts=0, next_attempt_at=at, created_at=at))
        ids.append(delivery_id)
    return ids


async def due(conn: AsyncConnection, *, at: datetime, limit: int = 20) -> list[Row]:
    """Pending deliveries whose next attempt is due and that nobody holds (or whose holder died)."""
    c = webhook_deliveries.c
    stmt = (select(c.id, c.attempts).where(c.status == "pending", c.next_attempt_at <= at,
                                            or_(c.claim_until.is_(None), c.claim_until < at))
            .order_by(c.next_attempt_at, c.seq).limit(limit))
    return list((await conn.execute(stmt)).all())


async def claim(conn: AsyncConnection, *, delivery_id: str, attempts: int, owner: str, at: datetime,
                hold: timedelta) -> Row | None:
    """Take one due delivery for ``hold``; None when another process took it first. The condition
    includes ``attempts``, so a delivery settled and re-queued meanwhile is not taken twice."""
    c = webhook_deliveries.c
    stmt = (update(webhook_deliveries)
            .where(c.id == delivery_id, c.status == "pending", c.attempts == attempts,
                   or_(c.claim_until.is_(None), c.claim_until < at))
            .values(claimed_by=owner, claim_until=at + hold))
    if (await conn.execute(stmt)).rowcount != 1:
        return None
    joined = webhook_deliveries.join(webhooks, webhooks.c.id == c.webhook_id)
    return (await conn.execute(select(c.id, c.event, c.body, c.attempts, webhooks.c.url, webhooks.c.secret,
                                      webhooks.c.revoked_at).select_from(joined).where(c.id == delivery_id))).first()


async def settle(conn: AsyncConnection, *, delivery_id: str, owner: str, ok: bool, status_code: int | None,
                 error: str | None, at: datetime, retry_at: datetime | None) -> bool:
    """Record one attempt by its holder: delivered, or pending again at ``retry_at``, or failed for good
    (``retry_at`` None). False when the claim was lost (the row is left to its new holder)."""
    c = webhook_deliveries.c
    values: dict[str, Any] = {"attempts": c.attempts + 1, "last_status": status_code,
                              "last_error": (error or None) and error[:500], "claimed_by": None, "claim_until": None}
    if ok:
        values.update(status="delivered", delivered_at=at)
    elif retry_at is None:
        values.update(status="failed")
    else:
        values.update(next_attempt_at=retry_at)
    stmt = (update(webhook_deliveries).where(and_(c.id == delivery_id, c.claimed_by == owner,
                                                  c.status == "pending")).values(**values))
    return (await conn.execute(stmt)).rowcount == 1


async def log(conn: AsyncConnection, *, webhook_id: str | None = None, draft_id: str | None = None,
              status: str | None = None, projects: tuple[str, ...] | None = None, cursor: int | None = None,
              limit: int = 50) -> tuple[list[Row], int | None]:
    """The delivery log, newest first (without the bodies); returns (rows, next cursor)."""
    c = webhook_deliveries.c
    joined = webhook_deliveries.join(webhooks, webhooks.c.id == c.webhook_id)
    stmt = select(c.seq, c.id, c.webhook_id, webhooks.c.project, webhooks.c.url, c.event, c.draft_id, c.status,
                  c.attempts, c.next_attempt_at, c.last_status, c.last_error, c.created_at,
                  c.delivered_at).select_from(joined)
    for column, value in ((c.webhook_id, webhook_id), (c.draft_id, draft_id), (c.status, status)):
        if value:
            stmt = stmt.where(column == value)
    if projects is not None:
        stmt = stmt.where(webhooks.c.project.in_(projects))
    if cursor is not None:
        stmt = stmt.where(c.seq < cursor)
    rows = list((await conn.execute(stmt.order_by(c.seq.desc()).limit(limit + 1))).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].seq if more and rows else None)
