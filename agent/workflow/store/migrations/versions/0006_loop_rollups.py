"""Cheaper analytics (issue 17): monthly roll-ups beside the daily ones (``decision_monthly``,
``technique_monthly``, ``rule_monthly``: ``day`` holds 'YYYY-MM'), commitments rolled up by approval
and due day (``commitment_daily``) and a covering index on ``commitments.due_at`` (the few
commitments due from today on are still read one by one) in place of 0005's ``ix_commitments_approved``
(analytics no longer scans every commitment; the planner preferred that index and did). Backfilled
from 0005's tables.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from collections import defaultdict
from datetime import UTC

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

STAGES = ("listen", "empathize", "ask", "act", "negotiate", "thank")
ROLLUPS = {
    "decision": (("project", "agent_key_id", "prompt", "outcome"),
                 ("n", "unchanged", "edited", "edit_chars", "seconds", *(f"{s}_edited" for s in STAGES),
                  *(f"{s}_chars" for s in STAGES))),
    "technique": (("project", "stage", "technique"), ("n", "edited", "edit_chars")),
    "rule": (("project", "agent_key_id", "rule_id"), ("hits", "drafts", "overridden", "removed_by_edit")),
}
KEY_TYPES = {"project": sa.String(200), "agent_key_id": sa.String(32), "prompt": sa.String(80),
             "outcome": sa.String(20), "stage": sa.String(20), "technique": sa.String(80), "rule_id": sa.String(80)}


def upgrade() -> None:
    for name, (keys, measures) in ROLLUPS.items():
        op.create_table(
            f"{name}_monthly",
            sa.Column("day", sa.String(10), nullable=False),
            *[sa.Column(k, KEY_TYPES[k], nullable=False) for k in keys],
            *[sa.Column(m, sa.Integer, nullable=False) for m in measures],
            sa.UniqueConstraint("day", *keys, name=f"uq_{name}_monthly"),
        )
        columns = ", ".join(keys)
        sums = ", ".join(f"SUM({m})" for m in measures)
        op.execute(f"INSERT INTO {name}_monthly (day, {columns}, {', '.join(measures)}) "
                   f"SELECT SUBSTR(day, 1, 7), {columns}, {sums} FROM {name}_daily "
                   f"GROUP BY SUBSTR(day, 1, 7), {columns}")
    table = op.create_table(
        "commitment_daily",
        sa.Column("approved_day", sa.String(10), nullable=False),
        sa.Column("due_day", sa.String(10), nullable=False),
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("agent_key_id", sa.String(32), nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("kept", sa.Integer, nullable=False),
        sa.Column("late", sa.Integer, nullable=False),
        sa.UniqueConstraint("approved_day", "due_day", "project", "agent_key_id", name="uq_commitment_daily"),
    )
    op.create_index("ix_commitments_due", "commitments", ["due_at", "status", "approved_at", "project", "agent_key_id"])
    op.drop_index("ix_commitments_approved", table_name="commitments")
    rows = op.get_bind().execute(sa.text(
        "SELECT approved_at, due_at, project, agent_key_id, status, done_at FROM commitments")).all()
    counts: dict[tuple, dict[str, int]] = defaultdict(lambda: {"n": 0, "kept": 0, "late": 0})

    def day(value) -> str:  # noqa: ANN001 - SQLite gives naive UTC datetimes (or strings), PostgreSQL aware ones
        if isinstance(value, str):
            return value[:10]
        return (value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)).date().isoformat()

    for approved_at, due_at, project, agent, status, done_at in rows:
        c = counts[(day(approved_at), day(due_at), project, agent)]
        c["n"] += 1
        if status == "done" and done_at is not None:
            done, due = (str(done_at), str(due_at)) if isinstance(done_at, str) else (done_at, due_at)
            c["kept" if done <= due else "late"] += 1
    if counts:
        op.bulk_insert(table, [{"approved_day": k[0], "due_day": k[1], "project": k[2], "agent_key_id": k[3], **v}
                               for k, v in counts.items()])


def downgrade() -> None:
    op.drop_index("ix_commitments_due", table_name="commitments")
    op.create_index("ix_commitments_approved", "commitments",
                    ["approved_at", "project", "agent_key_id", "status", "due_at", "done_at"])
    for table in ("commitment_daily", "rule_monthly", "technique_monthly", "decision_monthly"):
        op.drop_table(table)
