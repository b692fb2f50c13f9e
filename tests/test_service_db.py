"""The team service's database: migrations shipped in the package, run on start, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from servicedb import db_url  # noqa: F401  (fixture)
from sqlalchemy import inspect

from modelclear.cli import main
from modelclear.web import db, projects
from modelclear.web.models import Base, Project


def _ours(name: str | None, kind: str, _parent: object) -> bool:
    """The service's own tables: procrastinate's (the scan queue on PostgreSQL, migration 0005) are its own."""
    return not (kind == "table" and (name or "").startswith("procrastinate_"))


def test_migrations_create_the_schema_and_match_the_models(db_url: str) -> None:  # noqa: F811
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    database = db.open_database(db_url)
    try:
        assert db.current_revision(database.engine) == db.head_revision()
        tables = set(inspect(database.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        with database.engine.connect() as c:
            context = MigrationContext.configure(c, opts={"include_name": _ours})
            diff = compare_metadata(context, Base.metadata)
        assert diff == [], diff
    finally:
        database.close()
    again = db.open_database(db_url)  # a second start is a no-op on a current database
    try:
        assert db.current_revision(again.engine) == db.head_revision()
    finally:
        again.close()


def test_data_is_kept_across_restarts(db_url: str) -> None:  # noqa: F811
    database = db.open_database(db_url)
    with database.session() as s:
        projects.create_project(s, "shop-backend")
    database.close()
    database = db.open_database(db_url)
    with database.session() as s:
        assert [p.name for p in s.query(Project)] == ["shop-backend"]
    database.close()


def test_default_database_is_a_file_in_the_users_data_folder(monkeypatch: pytest.MonkeyPatch,
                                                             tmp_path: Path) -> None:
    monkeypatch.delenv("MODELCLEAR_DATA", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr("sys.platform", "linux")
    assert db.default_url() == f"sqlite:///{tmp_path / 'xdg' / 'modelclear' / 'service.db'}"
    monkeypatch.setenv("MODELCLEAR_DATA", str(tmp_path / "own"))
    assert db.default_url() == f"sqlite:///{tmp_path / 'own' / 'service.db'}"
    database = db.open_database()
    database.close()
    assert (tmp_path / "own" / "service.db").is_file()


def test_urls() -> None:
    assert db.engine_url("postgresql://mc@db.example/service").startswith("postgresql+psycopg://mc@")
    assert db.engine_url("postgres://mc@db.example/service").startswith("postgresql+psycopg://")
    assert db.engine_url("sqlite:///x.db") == "sqlite:///x.db"
    for bad in ("mysql://root@localhost/x", "not a url", "oracle://x"):
        with pytest.raises(db.DatabaseError):
            db.engine_url(bad)


def test_cli_adds_a_project_and_prints_its_token_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    assert main(["web", "project", "add", "shop-backend", "--db", url]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("mct_") and len(token) > 40
    database = db.open_database(url)
    with database.session() as s:
        p = projects.project_by_name(s, "shop-backend")
        assert p is not None
        assert projects.authorised(s, p, f"Bearer {token}")
        assert not projects.authorised(s, p, "Bearer mct_wrong")
        assert token not in {t.token_sha256 for t in p.tokens}  # stored hashed
    database.close()
    assert main(["web", "project", "add", "shop-backend", "--db", url]) == 3
    assert "already exists" in capsys.readouterr().err
    assert main(["web", "project", "add", "../etc", "--db", url]) == 3
    assert main(["web", "--db", "mysql://root@localhost/x", "--port", "8123"]) == 3
    assert "unsupported database" in capsys.readouterr().err
