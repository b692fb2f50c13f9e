"""Alembic's entry point: runs the migrations on the connection :func:`modelclear.web.db.migrate` passes."""

from __future__ import annotations

from alembic import context

from modelclear.web.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - migrations run only through modelclear.web.db.migrate
    raise RuntimeError("run migrations through modelclear.web.db.migrate")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
