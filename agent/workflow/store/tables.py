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

# -- closing the loop (issue 17, migration 0005) ---------------------------------------------------
STAGE_NAMES = ("listen", "empathize", "ask", "act", "negotiate", "thank")

commitments = Table(
    "commitments", metadata,
    Column("id", String(40), primary_key=True),
    Column("draft_id", String(40), nullable=False, index=True),
    Column("draft_version", Integer, nullable=False),
    Column("project", String(200), nullable=False, index=True),
    Column("agent_key_id", String(32), nullable=False, index=True),  # the owner: who approved the promise
    Column("kind", String(30), nullable=False),
    Column("what", String(40), nullable=False),
    Column("party", String(30), nullable=False),
    Column("stage", String(20), nullable=False),
    Column("quote", Text, nullable=False),  # masked, as in the approved reply
    Column("span_start", Integer, nullable=False),
    Column("span_end", Integer, nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("due_text", String(80), nullable=True),
    Column("approved_at", UTCDateTime, nullable=False),
    Column("authorized_by", String(32), nullable=True),  # the supervisor, for a beyond-authority promise
    Column("status", String(10), nullable=False),  # open / done
    Column("done_at", UTCDateTime, nullable=True),
    Column("done_by", String(32), nullable=True),
    Column("overdue_at", UTCDateTime, nullable=True),  # when commitment.overdue was raised (once)
    Index("ix_commitments_status_due", "status", "due_at"),
)

follow_ups = Table(
    "follow_ups", metadata,
    Column("id", String(40), primary_key=True),
    Column("draft_id", String(40), nullable=False, index=True),
    Column("draft_version", Integer, nullable=False),
    Column("project", String(200), nullable=False, index=True),
    Column("agent_key_id", String(32), nullable=False, index=True),
    Column("due_at", UTCDateTime, nullable=False),
    Column("note", Text, nullable=False),
    Column("status", String(20), nullable=False),  # scheduled / satisfied / not_satisfied
    Column("outcome_note", Text, nullable=True),  # masked
    Column("recorded_by", String(32), nullable=True),
    Column("recorded_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_follow_ups_status_due", "status", "due_at"),
)

# one row per decision on a drafted set: what analytics group and sum (no JSON documents to read)
decision_facts = Table(
    "decision_facts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("draft_id", String(40), nullable=False, index=True),
    Column("project", String(200), nullable=False),
    Column("agent_key_id", String(32), nullable=False),
    Column("decider_key_id", String(32), nullable=False),
    Column("prompt", String(80), nullable=False),  # prompt id@version
    Column("action", String(30), nullable=False),  # approve / edit / reject / override_approve / return_to_agent
    Column("outcome", String(20), nullable=False),  # approved / rejected / pending_approval
    Column("unchanged", Boolean, nullable=False),  # approved exactly as drafted
    Column("edited_stages", Integer, nullable=False),
    Column("edit_chars", Integer, nullable=False),
    *[Column(f"e_{s}", Integer, nullable=False, default=0) for s in STAGE_NAMES],  # edit size per stage
    *[Column(f"t_{s}", String(80), nullable=True) for s in STAGE_NAMES],  # first technique cited per stage
    Column("created_at", UTCDateTime, nullable=False),
    Column("decided_at", UTCDateTime, nullable=False),
    Column("seconds", Integer, nullable=False),  # time to decision
    Index("ix_decision_facts_project_decided", "project", "decided_at"),
    Index("ix_decision_facts_decided", "decided_at"),
)

# one row per guard rule hit on a decided set: flagged, then overridden / removed by an edit / rejected
rule_facts = Table(
    "rule_facts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("draft_id", String(40), nullable=False, index=True),
    Column("project", String(200), nullable=False),
    Column("agent_key_id", String(32), nullable=False),
    Column("rule_id", String(80), nullable=False),
    Column("stage", String(20), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("outcome", String(20), nullable=False),  # overridden / removed_by_edit / kept / rejected / returned
    Column("decided_at", UTCDateTime, nullable=False),
    Index("ix_rule_facts_decided", "decided_at"),
)

# Daily roll-ups of the facts (what analytics reads: a few rows per day, not one per decision).
# ``day`` is the UTC date of the decision (YYYY-MM-DD); each decision adds to its rows (an upsert).
decision_daily = Table(
    "decision_daily", metadata,
    Column("day", String(10), nullable=False),
    Column("project", String(200), nullable=False),
    Column("agent_key_id", String(32), nullable=False),
    Column("prompt", String(80), nullable=False),
    Column("outcome", String(20), nullable=False),  # approved / rejected
    Column("n", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("edited", Integer, nullable=False),
    Column("edit_chars", Integer, nullable=False),
    Column("seconds", Integer, nullable=False),
    *[Column(f"{s}_edited", Integer, nullable=False) for s in STAGE_NAMES],
    *[Column(f"{s}_chars", Integer, nullable=False) for s in STAGE_NAMES],
    UniqueConstraint("day", "project", "agent_key_id", "prompt", "outcome", name="uq_decision_daily"),
)

technique_daily = Table(
    "technique_daily", metadata,
    Column("day", String(10), nullable=False),
    Column("project", String(200), nullable=False),
    Column("stage", String(20), nullable=False),
    Column("technique", String(80), nullable=False),
    Column("n", Integer, nullable=False),
    Column("edited", Integer, nullable=False),
    Column("edit_chars", Integer, nullable=False),
    UniqueConstraint("day", "project", "stage", "technique", name="uq_technique_daily"),
)

rule_daily = Table(
    "rule_daily", metadata,
    Column("day", String(10), nullable=False),
    Column("project", String(200), nullable=False),
    Column("agent_key_id", String(32), nullable=False),
    Column("rule_id", String(80), nullable=False),
    Column("hits", Integer, nullable=False),  # stage × rule hits
    Column("drafts", Integer, nullable=False),  # decided sets it fired on
    Column("overridden", Integer, nullable=False),
    Column("removed_by_edit", Integer, nullable=False),
    UniqueConstraint("day", "project", "agent_key_id", "rule_id", name="uq_rule_daily"),
)


# -- cheaper analytics (migration 0006) ------------------------------------------------------------
# The same roll-ups by calendar month (``day`` holds 'YYYY-MM'): a range of whole months reads a row
# per month instead of one per day; the partial months at its ends read the daily rows.
def _monthly(daily: Table, name: str, keys: tuple[str, ...]) -> Table:
    columns = [Column("day", String(10), nullable=False)]
    columns += [Column(c.name, c.type, nullable=c.nullable) for c in daily.columns if c.name != "day"]
    return Table(name, metadata, *columns, UniqueConstraint(*keys, name=f"uq_{name}"))


decision_monthly = _monthly(decision_daily, "decision_monthly", ("day", "project", "agent_key_id", "prompt", "outcome"))
technique_monthly = _monthly(technique_daily, "technique_monthly", ("day", "project", "stage", "technique"))
rule_monthly = _monthly(rule_daily, "rule_monthly", ("day", "project", "agent_key_id", "rule_id"))

# Commitments rolled up by the UTC day they were approved and the day they are due: analytics reads
# these instead of a row per commitment; only commitments due from today on are read one by one.
commitment_daily = Table(
    "commitment_daily", metadata,
    Column("approved_day", String(10), nullable=False),
    Column("due_day", String(10), nullable=False),
    Column("project", String(200), nullable=False),
    Column("agent_key_id", String(32), nullable=False),
    Column("n", Integer, nullable=False),
    Column("kept", Integer, nullable=False),  # done by the due time
    Column("late", Integer, nullable=False),  # done after it
    UniqueConstraint("approved_day", "due_day", "project", "agent_key_id", name="uq_commitment_daily"),
)
# the commitments due from today on, covering what analytics reads of them (0006 drops 0005's
# ix_commitments_approved: analytics no longer scans every commitment, and the planner preferred it)
Index("ix_commitments_due", commitments.c.due_at, commitments.c.status, commitments.c.approved_at,
      commitments.c.project, commitments.c.agent_key_id)
