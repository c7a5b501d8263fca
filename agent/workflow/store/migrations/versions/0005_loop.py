"""Closing the loop (issue 17): the commitment ledger (``commitments``), 回访 follow-ups
(``follow_ups``), the facts of each decision (``decision_facts``: one row per decision; ``rule_facts``:
one row per guard rule hit on a decided set) and their daily roll-ups that analytics reads
(``decision_daily``, ``technique_daily``, ``rule_daily``). Self-contained: it only adds tables.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"  # after 0004_live (issue 16)
branch_labels = None
depends_on = None

STAGES = ("listen", "empathize", "ask", "act", "negotiate", "thank")


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "commitments",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("draft_id", sa.String(40), nullable=False),
        sa.Column("draft_version", sa.Integer, nullable=False),
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("agent_key_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("what", sa.String(40), nullable=False),
        sa.Column("party", sa.String(30), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("quote", sa.Text, nullable=False),
        sa.Column("span_start", sa.Integer, nullable=False),
        sa.Column("span_end", sa.Integer, nullable=False),
        _ts("due_at"),
        sa.Column("due_text", sa.String(80), nullable=True),
        _ts("approved_at"),
        sa.Column("authorized_by", sa.String(32), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        _ts("done_at", True),
        sa.Column("done_by", sa.String(32), nullable=True),
        _ts("overdue_at", True),
    )
    op.create_index("ix_commitments_draft_id", "commitments", ["draft_id"])
    op.create_index("ix_commitments_project", "commitments", ["project"])
    op.create_index("ix_commitments_agent_key_id", "commitments", ["agent_key_id"])
    op.create_index("ix_commitments_status_due", "commitments", ["status", "due_at"])

    op.create_table(
        "follow_ups",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("draft_id", sa.String(40), nullable=False),
        sa.Column("draft_version", sa.Integer, nullable=False),
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("agent_key_id", sa.String(32), nullable=False),
        _ts("due_at"),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("outcome_note", sa.Text, nullable=True),
        sa.Column("recorded_by", sa.String(32), nullable=True),
        _ts("recorded_at", True),
        _ts("created_at"),
    )
    op.create_index("ix_follow_ups_draft_id", "follow_ups", ["draft_id"])
    op.create_index("ix_follow_ups_project", "follow_ups", ["project"])
    op.create_index("ix_follow_ups_agent_key_id", "follow_ups", ["agent_key_id"])
    op.create_index("ix_follow_ups_status_due", "follow_ups", ["status", "due_at"])

    op.create_table(
        "decision_facts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("draft_id", sa.String(40), nullable=False),
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("agent_key_id", sa.String(32), nullable=False),
        sa.Column("decider_key_id", sa.String(32), nullable=False),
        sa.Column("prompt", sa.String(80), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("unchanged", sa.Boolean, nullable=False),
        sa.Column("edited_stages", sa.Integer, nullable=False),
        sa.Column("edit_chars", sa.Integer, nullable=False),
        *[sa.Column(f"e_{s}", sa.Integer, nullable=False, server_default="0") for s in STAGES],
        *[sa.Column(f"t_{s}", sa.String(80), nullable=True) for s in STAGES],
        _ts("created_at"),
        _ts("decided_at"),
        sa.Column("seconds", sa.Integer, nullable=False),
    )
    op.create_index("ix_decision_facts_draft_id", "decision_facts", ["draft_id"])
    op.create_index("ix_decision_facts_project_decided", "decision_facts", ["project", "decided_at"])
    op.create_index("ix_decision_facts_decided", "decision_facts", ["decided_at"])

    op.create_table(
        "rule_facts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("draft_id", sa.String(40), nullable=False),
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("agent_key_id", sa.String(32), nullable=False),
        sa.Column("rule_id", sa.String(80), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        _ts("decided_at"),
    )
    op.create_index("ix_rule_facts_draft_id", "rule_facts", ["draft_id"])
    op.create_index("ix_rule_facts_decided", "rule_facts", ["decided_at"])
    op.create_index("ix_commitments_approved", "commitments",
                    ["approved_at", "project", "agent_key_id", "status", "due_at", "done_at"])

    op.create_table(
        "decision_daily",
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("agent_key_id", sa.String(32), nullable=False),
        sa.Column("prompt", sa.String(80), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        *[sa.Column(name, sa.Integer, nullable=False) for name in ("n", "unchanged", "edited", "edit_chars", "seconds")],
        *[sa.Column(f"{s}_edited", sa.Integer, nullable=False) for s in STAGES],
        *[sa.Column(f"{s}_chars", sa.Integer, nullable=False) for s in STAGES],
        sa.UniqueConstraint("day", "project", "agent_key_id", "prompt", "outcome", name="uq_decision_daily"),
    )
    op.create_table(
        "technique_daily",
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("technique", sa.String(80), nullable=False),
        *[sa.Column(name, sa.Integer, nullable=False) for name in ("n", "edited", "edit_chars")],
        sa.UniqueConstraint("day", "project", "stage", "technique", name="uq_technique_daily"),
    )
    op.create_table(
        "rule_daily",
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("agent_key_id", sa.String(32), nullable=False),
        sa.Column("rule_id", sa.String(80), nullable=False),
        *[sa.Column(name, sa.Integer, nullable=False) for name in ("hits", "drafts", "overridden", "removed_by_edit")],
        sa.UniqueConstraint("day", "project", "agent_key_id", "rule_id", name="uq_rule_daily"),
    )


def downgrade() -> None:
    for table in ("rule_daily", "technique_daily", "decision_daily", "rule_facts", "decision_facts", "follow_ups",
                  "commitments"):
        op.drop_table(table)
