"""``Loop``: the loop's operations over the store of record, for the API, the console and the CLI —
list and close commitments, raise ``commitment.overdue``, record a 回访 outcome (reopening the case
when the owner is not satisfied), analytics, the masked audit export.

The clock is injectable (``Loop(core, clock=...)``): due / overdue lists move with it."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from agent.errors import Conflict, InvalidInput, NotFound
from agent.loop import analytics, events
from agent.loop import gaps as knowledge
from agent.loop.models import FollowUpOutcomeIn
from agent.workflow.core import DraftCore
from agent.workflow.decisions import reopen
from agent.workflow.models import Actor
from agent.workflow.store import audit
from agent.workflow.store import drafts as store
from agent.workflow.store import loop as loop_store
from agent.workflow.store.drafts import Scope
from agent.workflow.store.loop import LoopScope
from agent.workflow.store.tables import audit_events, drafts

DUE_WINDOW = timedelta(hours=24)  # "due": open and due within the next 24 hours
EXPORT_COLUMNS = ["event_id", "at", "draft_id", "project", "agent_key_id", "actor_key_id", "role", "action",
                  "rules", "note", "before", "after"]


def loop_scope(scope: Scope) -> LoopScope:
    return LoopScope(agent_key_id=scope.agent_key_id, projects=scope.projects)


class Loop:
    def __init__(self, core: DraftCore, clock: Callable[[], datetime] | None = None) -> None:
        self.core, self.db = core, core.db
        self.clock = clock or (lambda: datetime.now(UTC))

    # -- commitments -----------------------------------------------------------------------------
    async def commitments(self, scope: Scope, status: str, *, project: str | None = None, agent: str | None = None,
                          within: timedelta = DUE_WINDOW, limit: int = 200) -> list:
        if status not in ("due", "overdue", "open", "done", "all"):
            raise InvalidInput("status 只能是 due、overdue、open、done 或 all。",
                               "status must be due, overdue, open, done or all.", code="bad_status")
        now = self.clock()
        async with self.db.connect() as conn:
            return await loop_store.list_commitments(conn, scope=loop_scope(scope), status=status, now=now,
                                                     horizon=now + within, project=project, agent=agent, limit=limit)

    async def done(self, commitment_id: str, actor: Actor, scope: Scope):  # noqa: ANN201 - the row
        async with self.db.begin() as conn:
            row = await loop_store.get_commitment(conn, commitment_id=commitment_id, scope=loop_scope(scope))
            if row is None:
                raise NotFound(f"找不到承诺 {commitment_id}。", f"No commitment {commitment_id}.",
                               code="commitment_not_found")
            if not await loop_store.mark_done(conn, commitment_id=commitment_id, actor=actor.id, at=self.clock()):
                raise Conflict("该承诺已标记为完成。", "this commitment is already done.", code="already_done")
            return await loop_store.get_commitment(conn, commitment_id=commitment_id, scope=loop_scope(scope))

    async def sweep_overdue(self) -> int:
        """Raise ``commitment.overdue`` once for each open commitment past its due time."""
        async with self.db.begin() as conn:
            rows = await loop_store.claim_overdue(conn, now=self.clock())
        for row in rows:
            await events.emit(events.COMMITMENT_OVERDUE, events.overdue_payload(row))
        return len(rows)

    # -- follow-ups ------------------------------------------------------------------------------
    async def follow_ups(self, scope: Scope, status: str = "scheduled", *, project: str | None = None,
                         limit: int = 200) -> list:
        if status not in ("scheduled", "overdue", "satisfied", "not_satisfied", "all"):
            raise InvalidInput("status 只能是 scheduled、overdue、satisfied、not_satisfied 或 all。",
                               "status must be scheduled, overdue, satisfied, not_satisfied or all.", code="bad_status")
        async with self.db.connect() as conn:
            return await loop_store.list_follow_ups(conn, scope=loop_scope(scope), status=status, now=self.clock(),
                                                    project=project, limit=limit)

    async def record_outcome(self, follow_up_id: str, outcome: FollowUpOutcomeIn, actor: Actor, scope: Scope
                             ) -> dict:
        """Record a 回访 outcome; "not satisfied" reopens the draft set for its agent (pure rule
        ``decisions.reopen``), in one transaction with the audit event."""
        mask = self.core.checks.mask
        note = mask(outcome.note.strip()) if outcome.note and outcome.note.strip() else None
        outcome = outcome.model_copy(update={"note": note})
        now = self.clock()
        async with self.db.begin() as conn:
            row = await loop_store.get_follow_up(conn, follow_up_id=follow_up_id, scope=loop_scope(scope))
            if row is None:
                raise NotFound(f"找不到回访 {follow_up_id}。", f"No follow-up {follow_up_id}.", code="follow_up_not_found")
            if row.status != "scheduled":
                raise Conflict("该回访已记录结果。", "this follow-up already has an outcome.", code="already_recorded",
                               status=row.status)
            reopened = None
            if outcome.outcome == "not_satisfied":
                draft = await self.core.get(row.draft_id)
                new, entry = reopen(draft, outcome, actor, now)
                if not await store.save(conn, draft=new, expected_version=draft.version):
                    raise Conflict("草稿已被他人修改,请刷新后再试。", "the draft changed meanwhile; reload and retry.",
                                   code="already_decided")
                await audit.append(conn, entry)
                await loop_store.recorded(conn, before=draft, after=new, action="reopen", actor=actor.id, at=now)
                reopened = new.id
            if not await loop_store.record_outcome(conn, follow_up_id=follow_up_id, outcome=outcome.outcome,
                                                   note=note, actor=actor.id, at=now):
                raise Conflict("该回访已记录结果。", "this follow-up already has an outcome.", code="already_recorded")
            saved = await loop_store.get_follow_up(conn, follow_up_id=follow_up_id, scope=loop_scope(scope))
        return {**follow_up_json(saved), "reopened_draft_id": reopened}

    # -- numbers ---------------------------------------------------------------------------------
    async def analytics(self, scope: Scope, *, since: datetime | None = None, until: datetime | None = None,
                        project: str | None = None, agent: str | None = None) -> analytics.Analytics:
        async with self.db.connect() as conn:
            return await analytics.compute(conn, scope=loop_scope(scope), since=since, until=until, project=project,
                                           agent=agent, now=self.clock())

    async def gaps(self, scope: Scope, *, since: datetime | None = None, until: datetime | None = None,
                   project: str | None = None, limit: int = knowledge.DEFAULT_LIMIT,
                   low_confidence: float = knowledge.LOW_CONFIDENCE, heavy_edit_chars: int = knowledge.HEAVY_EDIT_CHARS,
                   min_gaps: int = 1) -> knowledge.GapsReport:
        """The "missing playbook topics" report over the complaints drafted in a window (newest
        ``limit``); the retrieval scoring runs in a worker thread, off the event loop."""
        async with self.db.connect() as conn:
            inputs, truncated = await knowledge.load(conn, scope=loop_scope(scope), since=since, until=until,
                                                project=project, limit=limit)
        confidence = knowledge.retriever_confidence(self.core.context.retriever)
        return await asyncio.to_thread(knowledge.report, inputs, confidence, since=since, until=until, truncated=truncated,
                                       low_confidence=low_confidence, heavy_edit_chars=heavy_edit_chars,
                                       min_gaps=min_gaps)

    async def export_csv(self, scope: Scope, *, project: str | None = None, since: datetime | None = None,
                         until: datetime | None = None, page: int = 500) -> AsyncIterator[str]:
        """The audit log as CSV, a page at a time, every text field masked again (notes are free text)."""
        mask = self.core.checks.mask
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(EXPORT_COLUMNS)
        yield "\ufeff" + buffer.getvalue()
        cursor = 0
        while True:
            stmt = (select(audit_events, drafts.c.project, drafts.c.agent_key_id.label("draft_agent"))
                    .join(drafts, drafts.c.id == audit_events.c.draft_id).where(audit_events.c.id > cursor))
            stmt = scope.apply(stmt)
            if project:
                stmt = stmt.where(drafts.c.project == project)
            if since is not None:
                stmt = stmt.where(audit_events.c.at >= since)
            if until is not None:
                stmt = stmt.where(audit_events.c.at < until)
            async with self.db.connect() as conn:
                rows = (await conn.execute(stmt.order_by(audit_events.c.id).limit(page))).all()
            if not rows:
                return
            buffer.seek(0)
            buffer.truncate()
            for r in rows:
                texts = {k: mask(v) for k, v in (r.before or {}).items()}, {k: mask(v) for k, v in (r.after or {}).items()}
                writer.writerow([r.id, r.at.isoformat(), r.draft_id, mask(r.project), r.draft_agent, r.actor_key_id,
                                 r.role, r.action, ";".join(sorted({h.get("rule_id", "") for h in r.rule_hits or []})),
                                 mask(r.note or ""), json.dumps(texts[0], ensure_ascii=False) if r.before else "",
                                 json.dumps(texts[1], ensure_ascii=False) if r.after else ""])
            yield buffer.getvalue()
            cursor = rows[-1].id


def commitment_json(row) -> dict:  # type: ignore[no-untyped-def]
    return {"id": row.id, "draft_id": row.draft_id, "project": row.project, "agent_key_id": row.agent_key_id,
            "kind": row.kind, "what": row.what, "party": row.party, "stage": row.stage, "quote": row.quote,
            "span": [row.span_start, row.span_end], "due_at": row.due_at.isoformat(), "due_text": row.due_text,
            "approved_at": row.approved_at.isoformat(), "authorized_by": row.authorized_by, "status": row.status,
            "done_at": row.done_at.isoformat() if row.done_at else None, "done_by": row.done_by}


def follow_up_json(row) -> dict:  # type: ignore[no-untyped-def]
    return {"id": row.id, "draft_id": row.draft_id, "project": row.project, "agent_key_id": row.agent_key_id,
            "due_at": row.due_at.isoformat(), "note": row.note, "status": row.status, "outcome_note": row.outcome_note,
            "recorded_by": row.recorded_by, "recorded_at": row.recorded_at.isoformat() if row.recorded_at else None}
