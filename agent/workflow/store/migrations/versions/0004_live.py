"""Live channels (issue 16): webhook subscriptions and their delivery outbox, conversations, and
each draft's place in its conversation (``drafts.conversation_id`` / ``conversation_seq``).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webhooks",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("project", sa.String(200), nullable=False, index=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("events", sa.JSON, nullable=False),
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(40), nullable=False, unique=True),
        sa.Column("webhook_id", sa.String(32), nullable=False, index=True),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("draft_id", sa.String(40), nullable=True, index=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(80), nullable=True),
        sa.Column("claim_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.Integer, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_webhook_deliveries_due", "webhook_deliveries", ["status", "next_attempt_at"])
    op.create_table(
        "conversations",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("turns", sa.JSON, nullable=False),
        sa.Column("owner_messages", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(sa.Column("conversation_id", sa.String(40), nullable=True))
        batch.add_column(sa.Column("conversation_seq", sa.Integer, nullable=True))
    op.create_index("ix_drafts_conversation_id", "drafts", ["conversation_id"])


def downgrade() -> None:
    op.drop_index("ix_drafts_conversation_id", table_name="drafts")
    with op.batch_alter_table("drafts") as batch:
        batch.drop_column("conversation_seq")
        batch.drop_column("conversation_id")
    op.drop_table("conversations")
    op.drop_index("ix_webhook_deliveries_due", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhooks")
