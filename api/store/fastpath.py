"""Sync, Core-only versions of the request hot path, run through ``Database.transaction`` /
``Database.read`` (one worker-thread hop per transaction instead of one per statement)."""

from __future__ import annotations

import hmac
from typing import Any

from sqlalchemy import Connection, insert, select, update

from .drafts import summarize
from .keys import TOKEN_PREFIX, KeyInfo, hash_token
from .models import ApiKey, AuditEvent, Draft, DraftRequest, Idempotency, utcnow


def authenticate_sync(conn: Connection, *, token: str) -> KeyInfo | None:
    """Same as ``keys.authenticate``, on a sync connection."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    digest = hash_token(token)
    t = ApiKey.__table__
    row = conn.execute(select(t.c.id, t.c.name, t.c.role, t.c.projects, t.c.hash, t.c.revoked_at)
                       .where(t.c.hash == digest)).first()
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.hash, digest):
        return None
    return KeyInfo(id=row.id, name=row.name, role=row.role, projects=tuple(row.projects))


def record_request(
    conn: Connection, *, draft_id: str, key_id: str, project: str, complaint_masked: str,
    history: list[dict[str, Any]], channel: str | None, owner_ref: str | None,
    idempotency: tuple[str, str] | None = None,
) -> None:
    """The accepted request (state ``received``) and its Idempotency-Key (key, request hash), if
    any, in one transaction. Raises IntegrityError when the Idempotency-Key is already taken."""
    now = utcnow()
    if idempotency is not None:
        conn.execute(insert(Idempotency.__table__).values(key_id=key_id, idem_key=idempotency[0],
                                                          request_hash=idempotency[1], draft_id=draft_id,
                                                          created_at=now))
    conn.execute(insert(DraftRequest.__table__).values(
        id=draft_id, key_id=key_id, project=project, complaint_masked=complaint_masked, history=history,
        channel=channel, owner_ref=owner_ref, state="received", created_at=now))


def record_created(
    conn: Connection, *, draft_id: str, key_id: str, role: str, project: str, data: dict[str, Any],
    after: dict[str, Any], rule_hits: list[dict[str, Any]], note: str | None,
) -> None:
    """The new draft set, the request marked ``done`` and the ``created`` audit event, atomically."""
    now = utcnow()
    conn.execute(insert(Draft.__table__).values(id=draft_id, agent_key_id=key_id, project=project, data=data,
                                                created_at=now, updated_at=now, **summarize(data)))
    requests = DraftRequest.__table__
    conn.execute(update(requests).where(requests.c.id == draft_id).values(state="done", error=None))
    conn.execute(insert(AuditEvent.__table__).values(
        draft_id=draft_id, actor_key_id=key_id, role=role, action="created", at=now, before=None, after=after,
        rule_hits=rule_hits, note=note))
