"""Leases on requests being drafted: ``drafts.owner`` (the process drafting it) and
``drafts.lease_until`` (renewed while it works). Any instance re-drafts a ``drafting`` row whose
lease ran out, so a request accepted by a process that died is finished by another one, and a
request a live process is still drafting is left alone.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(sa.Column("owner", sa.String(80), nullable=True))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_drafts_drafting_lease", "drafts", ["status", "lease_until"])


def downgrade() -> None:
    op.drop_index("ix_drafts_drafting_lease", table_name="drafts")
    with op.batch_alter_table("drafts") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("owner")
