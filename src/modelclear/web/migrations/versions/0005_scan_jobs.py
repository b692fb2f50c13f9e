"""Scans of uploads as jobs in the database (scan_jobs, scan_outputs); on PostgreSQL, the job queue's
own tables (procrastinate's schema, as the installed procrastinate ships it).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create scan_jobs and scan_outputs; on PostgreSQL, procrastinate's schema unless it is there."""
    op.create_table(
        "scan_jobs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("lang", sa.String(5), nullable=False),
        sa.Column("jurisdictions", sa.String(200), nullable=False),
        sa.Column("activity", sa.String(20), nullable=False),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("upload", sa.LargeBinary(), nullable=True),
        sa.Column("upload_bytes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("worker", sa.String(200), nullable=False),
        sa.Column("view", sa.Text(), nullable=False),
        sa.Column("held", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
    )
    op.create_index("ix_scan_jobs_state", "scan_jobs", ["state"])
    op.create_table(
        "scan_outputs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("job_id", sa.Integer(), sa.ForeignKey("scan_jobs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.UniqueConstraint("job_id", "format", name="uq_scan_outputs_job_format"),
    )
    op.create_index("ix_scan_outputs_job_id", "scan_outputs", ["job_id"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql" and not sa.inspect(bind).has_table("procrastinate_jobs"):
        from procrastinate.schema import SchemaManager

        bind.exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))  # the driver reads % as placeholders


def downgrade() -> None:
    """Drop the scan tables (procrastinate's schema is left: other applications may share it)."""
    op.drop_table("scan_outputs")
    op.drop_table("scan_jobs")
