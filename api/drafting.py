"""The draft life cycle over HTTP: persist the request → run the workflow → store → audit.

The request row is committed (state ``received``) before the model is called, so nothing
accepted is lost: ``recover_pending`` re-runs such rows on start-up.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from agent.errors import WuyeError
from agent.settings import Settings

from .auth import Principal
from .errors import ApiError
from .metrics import Metrics
from .store import (
    Database,
    get_draft,
    get_idempotency,
    get_request,
    mark_request,
    pending_requests,
)
from .store.fastpath import record_created, record_request
from .store.models import utcnow

log = logging.getLogger("wuye.api")


@dataclass
class Runtime:
    """What the routes need: settings, database, the DraftingService and metrics."""

    settings: Settings
    db: Database
    service: Any
    metrics: Metrics
    started_at: datetime = field(default_factory=utcnow)
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    def lock(self, draft_id: str) -> asyncio.Lock:
        return self._locks.setdefault(draft_id, asyncio.Lock())


def rule_hits(data: dict[str, Any], stages: set[str] | None = None) -> list[dict[str, Any]]:
    hits = []
    for stage in data.get("stages") or []:
        if stages is not None and stage.get("stage") not in stages:
            continue
        for v in (stage.get("guardrail") or {}).get("violations") or []:
            hits.append({"stage": stage.get("stage"), "rule_id": v.get("rule_id"),
                         "category": v.get("category"), "severity": v.get("severity"),
                         "excerpt": v.get("excerpt")})
    return hits


def stage_texts(data: dict[str, Any]) -> dict[str, str]:
    return {s.get("stage"): s.get("text", "") for s in data.get("stages") or []}


def _dump(draft: Any) -> dict[str, Any]:
    return draft.model_dump(mode="json") if hasattr(draft, "model_dump") else dict(draft)


def _mask(text: str) -> str:
    from agent.understand.pii import mask_pii

    return mask_pii(text).text


def request_hash(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def check_complaint(settings: Settings, complaint: str) -> None:
    if len(complaint) > settings.max_complaint_chars:
        raise ApiError(422, "complaint_too_long",
                       f"投诉内容过长({len(complaint)} 字),上限为 {settings.max_complaint_chars} 字。",
                       f"The complaint is too long ({len(complaint)} characters; the limit is "
                       f"{settings.max_complaint_chars}).", limit=settings.max_complaint_chars)


async def _replay(rt: Runtime, principal: Principal, idem_key: str, digest: str) -> dict[str, Any] | None:
    async with rt.db.read_session() as s:
        row = await get_idempotency(s, key_id=principal.id, idem_key=idem_key)
        if row is None:
            return None
        if row.request_hash != digest:
            raise ApiError(409, "idempotency_mismatch",
                           "该 Idempotency-Key 已用于另一份不同的请求,请换一个新的键。",
                           "This Idempotency-Key was already used with a different request body.")
        draft = await get_draft(s, draft_id=row.draft_id)
        request = await get_request(s, draft_id=row.draft_id)
    if draft is not None:
        return draft.data
    if request is not None and request.state == "failed":
        raise ApiError(409, "idempotency_failed", "使用该 Idempotency-Key 的请求此前处理失败,请换一个新的键重试。",
                       "The request with this Idempotency-Key failed earlier; retry with a new key.")
    raise ApiError(409, "idempotency_in_progress", "相同的请求正在处理中,请稍后再查询。",
                   "The same request is still being processed; retry shortly.",
                   headers={"Retry-After": "2"}, draft_id=row.draft_id)


async def create_draft(
    rt: Runtime, principal: Principal, body: dict[str, Any], idem_key: str | None
) -> tuple[dict[str, Any], bool]:
    """Returns (draft set JSON, created). ``created`` is False for an idempotent replay."""
    check_complaint(rt.settings, body["complaint"])
    if not principal.may_use_project(body["project"]):
        raise ApiError(403, "project_forbidden", f"当前密钥未绑定项目「{body['project']}」。",
                       f"This key is not bound to project {body['project']!r}.")
    digest = request_hash(body)
    if idem_key:
        replay = await _replay(rt, principal, idem_key, digest)
        if replay is not None:
            return replay, False
    draft_id = "d_" + uuid.uuid4().hex
    masked = _mask(body["complaint"])  # regexes over ≤ max_complaint_chars: well under a millisecond
    try:
        await rt.db.transaction(record_request, draft_id=draft_id, key_id=principal.id, project=body["project"],
                                complaint_masked=masked, history=body.get("history") or [],
                                channel=body.get("channel"), owner_ref=body.get("owner_ref"),
                                idempotency=(idem_key, digest) if idem_key else None)
    except IntegrityError:  # a concurrent request with the same Idempotency-Key won the race
        replay = await _replay(rt, principal, idem_key or "", digest)
        if replay is not None:
            return replay, False
        raise
    data = await _run_workflow(rt, draft_id=draft_id, complaint=body["complaint"], key_id=principal.id,
                               role=principal.role, project=body["project"], history=body.get("history"),
                               channel=body.get("channel"), owner_ref=body.get("owner_ref"))
    return data, True


async def _run_workflow(
    rt: Runtime, *, draft_id: str, complaint: str, key_id: str, role: str, project: str,
    history: list[dict[str, Any]] | None, channel: str | None, owner_ref: str | None, note: str | None = None,
) -> dict[str, Any]:
    meta = {"project": project, "agent": key_id, "channel": channel, "owner_ref": owner_ref}
    try:
        draft = await rt.service.acreate(complaint, draft_id=draft_id, history=history or None, meta=meta)
    except WuyeError as exc:
        async with rt.db.session() as s:
            await mark_request(s, draft_id=draft_id, state="failed", error=exc.message)
        raise
    except Exception as exc:
        log.exception("drafting failed for %s", draft_id)
        async with rt.db.session() as s:
            await mark_request(s, draft_id=draft_id, state="failed", error=repr(exc)[:2000])
        raise
    data = _dump(draft)
    await _store_created(rt, draft_id=draft_id, key_id=key_id, role=role, project=project, data=data, note=note)
    return data


async def _store_created(rt: Runtime, *, draft_id: str, key_id: str, role: str, project: str,
                         data: dict[str, Any], note: str | None) -> None:
    await rt.db.transaction(record_created, draft_id=draft_id, key_id=key_id, role=role, project=project,
                            data=data, after=stage_texts(data), rule_hits=rule_hits(data), note=note)
    rt.metrics.record_draft(data)


async def recover_pending(rt: Runtime) -> int:
    """Finish requests that were accepted but never answered (the process died). Returns how many."""
    async with rt.db.read_session() as s:
        rows = await pending_requests(s, before=rt.started_at)
    done = 0
    for row in rows:
        async with rt.db.session() as s:  # claim it: with several workers, only one re-runs a row
            if not await mark_request(s, draft_id=row.id, state="recovering", only_from="received"):
                continue
        try:
            existing = await rt.service.aget(row.id)
            if existing is not None:  # the workflow finished; only our bookkeeping was lost
                await _store_created(rt, draft_id=row.id, key_id=row.key_id, role="agent", project=row.project,
                                     data=_dump(existing), note="recovered after restart")
            else:
                await _run_workflow(rt, draft_id=row.id, complaint=row.complaint_masked, key_id=row.key_id,
                                    role="agent", project=row.project, history=row.history,
                                    channel=row.channel, owner_ref=row.owner_ref,
                                    note="re-run after restart (masked complaint)")
            done += 1
        except Exception:  # keep going: one bad row must not stop the others or the start-up
            log.exception("could not recover draft request %s", row.id)
    return done
