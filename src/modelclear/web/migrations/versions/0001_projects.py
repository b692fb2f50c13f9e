"""Projects, their CI tokens, and the reports they send.

Revision ID: 0001
Revises:
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create projects, project_tokens, reports and report_items."""
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "project_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_project_tokens_project_id", "project_tokens", ["project_id"])
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("schema", sa.String(40), nullable=False),
        sa.Column("tool", sa.String(100), nullable=False),
        sa.Column("knowledge_as_of", sa.String(10), nullable=False),
        sa.Column("scenario", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
    )
    op.create_index("ix_reports_project_id", "reports", ["project_id"])
    op.create_table(
        "report_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
        sa.Column("artifact_id", sa.String(512), nullable=False),
        sa.Column("artifact_key", sa.String(512), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("license", sa.String(200), nullable=False),
        sa.Column("jurisdiction", sa.String(20), nullable=False),
        sa.Column("activity", sa.String(20), nullable=False),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("risk", sa.String(10), nullable=False),
        sa.Column("locations", sa.Text(), nullable=False),
    )
    op.create_index("ix_report_items_report_id", "report_items", ["report_id"])
    op.create_index("ix_report_items_artifact", "report_items", ["artifact_key"])


def downgrade() -> None:
    """Drop the tables."""
    for table in ("report_items", "reports", "project_tokens", "projects"):
        op.drop_table(table)
