"""The SQLAlchemy store: keyword-only async functions over an ``AsyncSession``.

```python
from api.store import Database, run_migrations
db = Database.from_settings(settings)           # after run_migrations(settings)
async with db.session() as s:                   # commits on success
    row, token = await create_api_key(s, name="前台小王", role="agent", projects=["翠湖苑"])
    await append_audit_event(s, draft_id=..., actor_key_id=row.id, role="agent", action="approve")
```
The audit log is append-only: only ``append_audit_event`` (and ``fastpath.record_created``)
write it; triggers reject UPDATE/DELETE. Sessions must not be nested (SQLite write lock).
The request hot path uses ``api.store.fastpath`` through ``Database.read`` / ``Database.transaction``.
"""

from .audit import actions_by_draft, append_audit_event, list_audit_events
from .db import Database, database_urls, run_migrations
from .drafts import (
    DraftFilter,
    Scope,
    add_idempotency,
    create_request,
    draft_rows_for_stats,
    get_draft,
    get_idempotency,
    get_request,
    insert_draft,
    list_drafts,
    mark_request,
    pending_requests,
    reset_interrupted_recoveries,
    save_draft,
    status_counts,
)
from .keys import (
    ALL_PROJECTS,
    ROLES,
    KeyInfo,
    authenticate,
    create_api_key,
    get_api_key,
    hash_token,
    list_api_keys,
    revoke_api_key,
)
from .models import ApiKey, AuditEvent, Draft, DraftRequest, Idempotency

__all__ = [
    "ALL_PROJECTS", "KeyInfo", "ROLES", "ApiKey", "AuditEvent", "Database", "Draft", "DraftFilter", "DraftRequest",
    "Idempotency", "Scope", "actions_by_draft", "add_idempotency", "append_audit_event", "authenticate",
    "create_api_key", "create_request", "database_urls", "draft_rows_for_stats", "get_api_key", "get_draft",
    "get_idempotency", "get_request", "hash_token", "insert_draft", "list_api_keys", "list_audit_events", "list_drafts",
    "mark_request", "pending_requests", "reset_interrupted_recoveries", "revoke_api_key", "run_migrations", "save_draft", "status_counts",
]
