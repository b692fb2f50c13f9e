"""The databases the team service's tests run on: a SQLite file always, and PostgreSQL when
``MODELCLEAR_TEST_DATABASE_URL`` names one (``.ci/run`` starts a throw-away cluster and sets it).

No parameter is generated for a database that is not there, so nothing is ever skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PG_URL = os.environ.get("MODELCLEAR_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]


def fresh_url(backend: str, tmp_path: Path) -> str:
    """An empty database of ``backend``: a new SQLite file, or the PostgreSQL test database emptied."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'service.db'}"
    from sqlalchemy import text

    from modelclear.web import db

    engine = db.create(PG_URL)
    with engine.begin() as c:
        c.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        c.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return PG_URL


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database, once per available backend."""
    return fresh_url(str(request.param), tmp_path)
