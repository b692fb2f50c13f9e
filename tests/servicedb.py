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


def sign_in(client: object, database: object, name: str, role: str, password: str = "correct horse battery") -> None:
    """Add user ``name`` with ``role`` and sign ``client`` in through the real form (CSRF and cookies)."""
    import re

    from modelclear.web import accounts

    with database.session() as s:  # type: ignore[attr-defined]
        accounts.add_user(s, name, role, password)
    page = client.get("/login")  # type: ignore[attr-defined]
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf, page.text[:300]
    r = client.post("/login", data={"name": name, "password": password, "csrf": csrf.group(1),  # type: ignore[attr-defined]
                                    "next": "/projects"}, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]


def csrf_of(client: object, path: str = "/projects") -> str:
    """The session's CSRF token, read from a page's form."""
    import re

    m = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)  # type: ignore[attr-defined]
    assert m
    return m.group(1)
