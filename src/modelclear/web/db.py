"""The team service's database: where it lives, how to open it, and its schema migrations.

``modelclear web`` keeps projects, reports, accounts, reviews and the audit log in one database
reached through SQLAlchemy 2. The default is a SQLite file in the user's data folder (see
:func:`default_url`), so ``modelclear web`` works with no set-up; ``--db postgresql://user@host/name``
uses PostgreSQL through the same code (the ``psycopg`` driver). The schema is created and upgraded by
the Alembic migrations shipped in :mod:`modelclear.web.migrations`, run by :func:`open_database` every
time the service starts (a no-op when the database is current).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class DatabaseError(Exception):
    """A database URL that cannot be used (bad syntax, unsupported backend, missing driver, unreachable)."""


def data_dir() -> Path:
    """The user's data folder for modelclear.

    ``$MODELCLEAR_DATA`` if set; else ``%LOCALAPPDATA%\\modelclear`` on Windows,
    ``~/Library/Application Support/modelclear`` on macOS, ``$XDG_DATA_HOME/modelclear`` or
    ``~/.local/share/modelclear`` elsewhere.
    """
    own = os.environ.get("MODELCLEAR_DATA")
    if own:
        return Path(own)
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "modelclear"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "modelclear"
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "share") / "modelclear"


def default_url() -> str:
    """``sqlite:///<data folder>/service.db`` (see :func:`data_dir`)."""
    return f"sqlite:///{data_dir() / 'service.db'}"


def engine_url(url: str) -> str:
    """``url`` with the driver modelclear uses: ``postgresql://`` and ``postgres://`` become ``postgresql+psycopg://``.

    Only SQLite and PostgreSQL are supported (:class:`DatabaseError` otherwise).
    """
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError("bad database URL (use sqlite:///FILE or postgresql://USER@HOST/NAME)") from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise DatabaseError(f"unsupported database {backend!r} (use sqlite:///FILE or postgresql://USER@HOST/NAME)")
    if backend == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def utcnow() -> dt.datetime:
    """Now in UTC, without a time zone (every timestamp in the database is UTC)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass
class Database:
    """An open, migrated database and its session factory."""

    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on an exception."""
        with self.sessions() as s:
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    """Foreign keys on, WAL, wait for the write lock; transactions are begun by :func:`_sqlite_begin`."""
    dbapi_connection.isolation_level = None  # type: ignore[attr-defined]  # no implicit BEGIN from sqlite3
    cur = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=60000")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.close()


def _sqlite_begin(connection: Any) -> None:
    """``BEGIN IMMEDIATE``: a transaction takes the write lock at its start (waiting for it up to the busy
    timeout), so one that reads and then writes cannot fail half-way when another writer got there first
    (SQLite refuses to upgrade a read transaction then, without waiting)."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def create(url: str) -> Engine:
    """An engine for ``url`` (a SQLite file's folder is created, private to the user)."""
    url = engine_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    try:
        import procrastinate  # noqa: F401  (the scan queue on PostgreSQL, see modelclear.web.jobs)

        return create_engine(url, pool_pre_ping=True)
    except ImportError as exc:
        raise DatabaseError(f"PostgreSQL needs the 'postgres' extra (pip install 'modelclear[web,postgres]': "
                            f"psycopg 3 and procrastinate): {exc}") from None


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema to ``revision`` with the migrations shipped in the package."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (``None`` before the first migration)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision shipped."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def open_database(url: str | None = None) -> Database:
    """Open the database at ``url`` (default: :func:`default_url`) and bring its schema up to date."""
    from sqlalchemy.exc import SQLAlchemyError

    engine = create(url or default_url())
    try:
        migrate(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise DatabaseError(f"cannot open the database: {str(exc).splitlines()[0][:300]}") from None
    return Database(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))


def is_postgresql(database: Database) -> bool:
    """True on PostgreSQL (scans go through the job queue), False on SQLite (they run in the web process)."""
    return database.engine.url.get_backend_name() == "postgresql"


def conninfo(database: Database) -> str:
    """The PostgreSQL database's URL as libpq reads it (no SQLAlchemy driver name), for the job queue."""
    return database.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def open_private() -> tuple[Database, Any]:
    """A new SQLite database in a private temporary folder, for an application given no database
    (:func:`modelclear.web.app.create_app` without one): the scan pages keep their jobs there. Returns
    the database and the :class:`tempfile.TemporaryDirectory` holding it (removed when it is closed or
    collected, and at exit)."""
    import tempfile

    folder = tempfile.TemporaryDirectory(prefix="modelclear-web-")
    return open_database(f"sqlite:///{Path(folder.name) / 'scans.db'}"), folder
