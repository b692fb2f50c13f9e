"""Alembic migrations of the team service's database, run by :func:`modelclear.web.db.migrate` on start."""
