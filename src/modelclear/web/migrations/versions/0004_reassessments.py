"""Re-assessment after a knowledge upgrade: each report item's scenario details and re-judged verdict,
and the record of each re-assessment.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the scenario details and re-judged verdict to report_items; create reassessments."""
    with op.batch_alter_table("report_items") as batch:
        batch.add_column(sa.Column("accepted", sa.String(2000), nullable=False, server_default=""))
        batch.add_column(sa.Column("obtained_on", sa.String(10), nullable=False, server_default=""))
        batch.add_column(sa.Column("domicile", sa.String(20), nullable=False, server_default=""))
        batch.add_column(sa.Column("rejudged", sa.String(20), nullable=True))
    op.create_table(
        "reassessments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("knowledge", sa.String(100), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
    )
    op.create_index("ix_reassessments_report_id", "reassessments", ["report_id"])


def downgrade() -> None:
    """Drop them again."""
    op.drop_table("reassessments")
    with op.batch_alter_table("report_items") as batch:
        for column in ("rejudged", "domicile", "obtained_on", "accepted"):
            batch.drop_column(column)
