"""Initial schema: api_keys, draft_requests, drafts, idempotency, append-only audit_events.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION wuye_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only (审计日志只允许追加)';
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("projects", sa.JSON, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
    )
    op.create_index("ix_api_keys_hash", "api_keys", ["hash"], unique=True)

    op.create_table(
        "draft_requests",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("complaint_masked", sa.Text, nullable=False),
        sa.Column("history", sa.JSON, nullable=False),
        sa.Column("channel", sa.String(40), nullable=True),
        sa.Column("owner_ref", sa.String(200), nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_draft_requests_key_id", "draft_requests", ["key_id"])
    op.create_index("ix_draft_requests_state", "draft_requests", ["state"])

    op.create_table(
        "drafts",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(40), sa.ForeignKey("draft_requests.id"), nullable=False, unique=True),
        sa.Column("agent_key_id", sa.String(32), nullable=False),
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("category", sa.String(40), nullable=True),
        sa.Column("severity", sa.String(20), nullable=True),
        sa.Column("rule_ids", sa.Text, nullable=False),
        sa.Column("violation_categories", sa.Text, nullable=False),
        sa.Column("drafter", sa.String(30), nullable=True),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_drafts_agent_key_id", "drafts", ["agent_key_id"])
    op.create_index("ix_drafts_project", "drafts", ["project"])
    op.create_index("ix_drafts_status", "drafts", ["status"])
    op.create_index("ix_drafts_created_at", "drafts", ["created_at"])

    op.create_table(
        "idempotency",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("idem_key", sa.String(200), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("draft_id", sa.String(40), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("key_id", "idem_key", name="uq_idempotency_key"),
    )

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("draft_id", sa.String(40), nullable=False),
        sa.Column("actor_key_id", sa.String(32), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("before", sa.JSON, nullable=True),
        sa.Column("after", sa.JSON, nullable=True),
        sa.Column("rule_hits", sa.JSON, nullable=False),
        sa.Column("note", sa.Text, nullable=True),
    )
    op.create_index("ix_audit_events_draft_id", "audit_events", ["draft_id"])

    # The audit log has no update or delete path, in code or in SQL.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION wuye_audit_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
                "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only (审计日志只允许追加)'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS wuye_audit_append_only()")
    for name in ("audit_events", "idempotency", "drafts", "draft_requests", "api_keys"):
        op.drop_table(name)
