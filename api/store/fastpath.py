"""Sync, Core-only versions of the request hot path, run through ``Database.transaction`` /
``Database.read`` (one worker-thread hop per transaction instead of one per statement, none for
SQLite). The statements are built once and given their values as parameters when executed: building
``insert(t).values(col=value, …)`` per request costs more than the SQLite write itself."""

from __future__ import annotations

import hmac
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from .drafts import summarize
from .keys import TOKEN_PREFIX, KeyInfo, hash_token
from .models import ApiKey, AuditEvent, Draft, DraftRequest, Idempotency, utcnow

_keys = ApiKey.__table__
_requests = DraftRequest.__table__
_KEY_BY_HASH = select(_keys.c.id, _keys.c.name, _keys.c.role, _keys.c.projects, _keys.c.hash,
                      _keys.c.revoked_at).where(_keys.c.hash == bindparam("digest"))
_INSERT_IDEMPOTENCY = insert(Idempotency.__table__)
_INSERT_REQUEST = insert(_requests)
_INSERT_DRAFT = insert(Draft.__table__)
_REQUEST_DONE = (update(_requests).where(_requests.c.id == bindparam("draft_id"))
                 .values(state="done", error=None))
_INSERT_AUDIT = insert(AuditEvent.__table__)


def authenticate_sync(conn: Connection, *, token: str) -> KeyInfo | None:
    """Same as ``keys.authenticate``, on a sync connection."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    digest = hash_token(token)
    row = conn.execute(_KEY_BY_HASH, {"digest": digest}).first()
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
        conn.execute(_INSERT_IDEMPOTENCY, {"key_id": key_id, "idem_key": idempotency[0],
                                           "request_hash": idempotency[1], "draft_id": draft_id, "created_at": now})
    conn.execute(_INSERT_REQUEST, {
        "id": draft_id, "key_id": key_id, "project": project, "complaint_masked": complaint_masked,
        "history": history, "channel": channel, "owner_ref": owner_ref, "state": "received", "created_at": now})


def record_created(
    conn: Connection, *, draft_id: str, key_id: str, role: str, project: str, data: dict[str, Any],
    after: dict[str, Any], rule_hits: list[dict[str, Any]], note: str | None,
) -> None:
    """The new draft set, the request marked ``done`` and the ``created`` audit event, atomically."""
    now = utcnow()
    conn.execute(_INSERT_DRAFT, {"id": draft_id, "agent_key_id": key_id, "project": project, "data": data,
                                 "created_at": now, "updated_at": now, **summarize(data)})
    conn.execute(_REQUEST_DONE, {"draft_id": draft_id})
    conn.execute(_INSERT_AUDIT, {
        "draft_id": draft_id, "actor_key_id": key_id, "role": role, "action": "created", "at": now,
        "before": None, "after": after, "rule_hits": rule_hits, "note": note})
