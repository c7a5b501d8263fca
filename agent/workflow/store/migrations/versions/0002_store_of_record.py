"""One store of record: ``drafts`` holds the masked request, status, version and draft set;
``draft_requests`` (which held raw history and owner references) is gone.

Existing drafts are carried over with their draft set; their raw history and owner reference are
not (they were never masked). Requests that never finished are dropped.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _columns() -> list[sa.Column]:
    return [
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(40), nullable=False, unique=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_status", sa.String(20), nullable=True),
        sa.Column("agent_key_id", sa.String(32), nullable=False),
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(20), nullable=True),
        sa.Column("owner_ref", sa.String(40), nullable=True),
        sa.Column("request", sa.JSON, nullable=False),
        sa.Column("data", sa.JSON, nullable=True),
        sa.Column("category", sa.String(40), nullable=True),
        sa.Column("severity", sa.String(20), nullable=True),
        sa.Column("escalate", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("escalate_reason", sa.Text, nullable=True),
        sa.Column("rule_ids", sa.Text, nullable=False),
        sa.Column("violation_categories", sa.Text, nullable=False),
        sa.Column("drafter", sa.String(30), nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    ]


def _when(value: object) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value:
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return datetime.now(UTC)


def _carried(row: sa.Row) -> dict:
    data = row.data if isinstance(row.data, dict) else json.loads(row.data)
    meta = dict(data.get("meta") or {})
    meta.pop("owner_ref", None)
    data = {**data, "meta": meta, "version": 1}
    cls = data.get("classification") or {}
    request = {"complaint_masked": data.get("complaint_masked", ""), "complaint_model": data.get("complaint_masked", ""),
               "script": data.get("script", "simplified"), "script_variant": "tw", "history": [], "pii_kinds": {},
               "project": row.project, "channel": None, "owner_ref": None}
    return {"id": row.id, "version": 1, "status": row.status, "created_status": None, "agent_key_id": row.agent_key_id,
            "project": row.project, "channel": None, "owner_ref": None, "request": request, "data": data,
            "category": row.category, "severity": row.severity, "escalate": bool(cls.get("escalate")),
            "escalate_reason": cls.get("reason") or None, "rule_ids": row.rule_ids,
            "violation_categories": row.violation_categories, "drafter": row.drafter, "error": None,
            "created_at": _when(row.created_at), "updated_at": _when(row.updated_at)}


def upgrade() -> None:
    new = op.create_table("drafts_v2", *_columns())
    old = sa.table("drafts", *(sa.column(n) for n in ("id", "agent_key_id", "project", "status", "category",
                                                     "severity", "rule_ids", "violation_categories", "drafter",
                                                     "data", "created_at", "updated_at")))
    rows = [_carried(row) for row in op.get_bind().execute(sa.select(old)).all()]
    if rows:
        op.bulk_insert(new, rows)
    op.drop_table("drafts")
    op.drop_table("draft_requests")
    op.rename_table("drafts_v2", "drafts")
    for column in ("status", "agent_key_id", "project", "escalate", "created_at"):
        op.create_index(f"ix_drafts_{column}", "drafts", [column])


def downgrade() -> None:  # pragma: no cover - the raw request columns cannot be restored
    raise NotImplementedError("0002 drops the raw request table; restore from a backup instead")
