"""The database schema, as SQLAlchemy Core tables (one ``metadata``; Alembic migrations in
``migrations/`` create and change it).

``drafts`` is the store of record of a draft: the masked request (``request``), its status and
``version`` (every change is a conditional update on id + version), the draft set (``data``) and the
columns the queues filter on. ``audit_events`` is append-only (database triggers refuse UPDATE and
DELETE). ``api_keys`` hold only a SHA-256 of each key.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

metadata = MetaData()


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every database (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return (value.replace(tzinfo=UTC) if value.tzinfo is None else value).astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


api_keys = Table(
    "api_keys", metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("projects", JSON, nullable=False),
    Column("hash", String(64), nullable=False, unique=True, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
)

drafts = Table(
    "drafts", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("version", Integer, nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("created_status", String(20), nullable=True),  # status right after drafting (flag rate)
    Column("agent_key_id", String(32), nullable=False, index=True),
    Column("project", String(200), nullable=False, index=True),
    Column("channel", String(20), nullable=True),
    Column("owner_ref", String(40), nullable=True),  # keyed hash, never the caller's value
    Column("request", JSON, nullable=False),  # agent.workflow.intake.Accepted (masked)
    Column("data", JSON, nullable=True),  # agent.workflow.models.DraftSet, once drafted
    Column("category", String(40), nullable=True),
    Column("severity", String(20), nullable=True),
    Column("escalate", Boolean, nullable=False, default=False, index=True),
    Column("escalate_reason", Text, nullable=True),
    # ",rule.a,rule.b," / ",arguing,vague," so a portable LIKE finds one value
    Column("rule_ids", Text, nullable=False, default=","),
    Column("violation_categories", Text, nullable=False, default=","),
    Column("drafter", String(30), nullable=True),
    Column("error", Text, nullable=True),
    Column("owner", String(80), nullable=True),  # the process drafting it (while status is drafting)
    Column("lease_until", UTCDateTime, nullable=True),  # its claim; past it, any instance may re-draft
    Column("conversation_id", String(40), nullable=True, index=True),  # conversations.id (0004)
    Column("conversation_seq", Integer, nullable=True),  # the owner message it answers (1, 2, …)
    Column("created_at", UTCDateTime, nullable=False, index=True),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_drafts_drafting_lease", "status", "lease_until"),
)

idempotency = Table(
    "idempotency", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key_id", String(32), nullable=False),
    Column("idem_key", String(200), nullable=False),
    Column("request_hash", String(64), nullable=False),  # keyed hash of the request body
    Column("draft_id", String(40), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("key_id", "idem_key", name="uq_idempotency_key"),
)

audit_events = Table(
    "audit_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("draft_id", String(40), nullable=False, index=True),
    Column("actor_key_id", String(32), nullable=False),
    Column("role", String(20), nullable=False),
    Column("action", String(40), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("before", JSON, nullable=True),
    Column("after", JSON, nullable=True),
    Column("rule_hits", JSON, nullable=False),
    Column("note", Text, nullable=True),
)

# -- live channels (issue 16, migration 0004) ------------------------------------------------------
webhooks = Table(
    "webhooks", metadata,
    Column("id", String(32), primary_key=True),
    Column("project", String(200), nullable=False, index=True),  # "*" = every project
    Column("url", Text, nullable=False),
    Column("events", JSON, nullable=False),  # ["draft.ready", …]
    Column("secret", Text, nullable=False),  # the HMAC key, sealed with WUYE_SECRET_KEY (never returned)
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
)

# The outbox: a delivery is inserted in the transaction that changes the draft, so none is lost
# across a restart; a dispatcher claims each due row with a conditional update (one instance wins).
webhook_deliveries = Table(
    "webhook_deliveries", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),  # the delivery id (X-Wuye-Delivery)
    Column("webhook_id", String(32), nullable=False, index=True),
    Column("event", String(40), nullable=False),
    Column("draft_id", String(40), nullable=True, index=True),
    Column("body", Text, nullable=False),  # the exact JSON bytes that are signed and sent
    Column("status", String(20), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("claimed_by", String(80), nullable=True),
    Column("claim_until", UTCDateTime, nullable=True),
    Column("last_status", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("delivered_at", UTCDateTime, nullable=True),
    Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
)

# A conversation's masked history, kept by the service (its id is a keyed hash of project + the
# caller's conversation_id); ``owner_messages`` counts the owner's messages (stale detection).
conversations = Table(
    "conversations", metadata,
    Column("id", String(40), primary_key=True),
    Column("project", String(200), nullable=False),
    Column("turns", JSON, nullable=False),  # [{"role": "业主"|"客服", "text" (masked, Simplified), "draft_id"}]
    Column("owner_messages", Integer, nullable=False, default=0),
    Column("version", Integer, nullable=False, default=1),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
