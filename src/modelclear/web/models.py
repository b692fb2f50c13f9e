"""The team service's tables, as typed SQLAlchemy 2 ORM classes.

Every schema change comes with a migration in :mod:`modelclear.web.migrations` (a test compares these
classes with the migrated schema). Timestamps are UTC without a time zone (:func:`modelclear.web.db.utcnow`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from modelclear.web.db import utcnow


class Base(DeclarativeBase):
    """The declarative base of the service's tables."""


class Project(Base):
    """A project whose CI sends its scan reports."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    tokens: Mapped[list[ProjectToken]] = relationship(back_populates="project", cascade="all, delete-orphan")
    reports: Mapped[list[Report]] = relationship(back_populates="project", cascade="all, delete-orphan",
                                                 order_by="Report.id")


class ProjectToken(Base):
    """A CI token of a project, stored as the SHA-256 of the token (the token itself is shown once)."""

    __tablename__ = "project_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    project: Mapped[Project] = relationship(back_populates="tokens")


class Report(Base):
    """One scan report a project's CI sent (the JSON document as received, and what it says in rows)."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    schema: Mapped[str] = mapped_column(String(40))
    tool: Mapped[str] = mapped_column(String(100), default="")
    knowledge_as_of: Mapped[str] = mapped_column(String(10), default="")
    scenario: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)

    project: Mapped[Project] = relationship(back_populates="reports")
    items: Mapped[list[ReportItem]] = relationship(back_populates="report", cascade="all, delete-orphan",
                                                   order_by="ReportItem.id")


class ReportItem(Base):
    """One artifact of a report in one jurisdiction: its verdict, and where the project references it."""

    __tablename__ = "report_items"
    __table_args__ = (Index("ix_report_items_artifact", "artifact_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    artifact_id: Mapped[str] = mapped_column(String(512))
    artifact_key: Mapped[str] = mapped_column(String(512))  # artifact_id lower-cased, for look-ups
    name: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[str] = mapped_column(String(20), default="")
    license: Mapped[str] = mapped_column(String(200), default="")
    jurisdiction: Mapped[str] = mapped_column(String(20))
    activity: Mapped[str] = mapped_column(String(20), default="")
    purpose: Mapped[str] = mapped_column(String(20), default="")
    verdict: Mapped[str] = mapped_column(String(20))
    risk: Mapped[str] = mapped_column(String(10), default="")
    locations: Mapped[str] = mapped_column(Text, default="")  # "path:line" of each reference, one a line
    accepted: Mapped[str] = mapped_column(String(2000), default="")  # the scenario's accepted terms, space-separated
    obtained_on: Mapped[str] = mapped_column(String(10), default="")
    domicile: Mapped[str] = mapped_column(String(20), default="")
    rejudged: Mapped[str | None] = mapped_column(String(20), nullable=True)  # the verdict with newer knowledge

    report: Mapped[Report] = relationship(back_populates="items")



class User(Base):
    """A person who signs in: a role (viewer, reviewer, admin) and an Argon2 password hash.

    Users known only through a trusted proxy header have no password hash.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class LoginSession(Base):
    """A signed-in browser: the SHA-256 of its cookie, its CSRF token and when it ends."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)

    user: Mapped[User] = relationship()


class AuditEvent(Base):
    """One recorded decision or change: who, when, what, on what."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(600), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


class Review(Base):
    """A reviewer's decision on an artifact for a scenario: approve (a waiver until ``expires``) or reject.

    ``project_id`` None: for every project. The newest decision for the same artifact, scope and scenario
    stands; a revoked one no longer counts.
    """

    __tablename__ = "reviews"
    __table_args__ = (Index("ix_reviews_artifact", "artifact_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    artifact_id: Mapped[str] = mapped_column(String(512))
    artifact_key: Mapped[str] = mapped_column(String(512))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), nullable=True)
    jurisdiction: Mapped[str] = mapped_column(String(20))
    activity: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(String(20))
    decision: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    expires: Mapped[dt.date] = mapped_column(Date)
    reviewer: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)

    project: Mapped[Project | None] = relationship()


class Reassessment(Base):
    """A project's newest report judged again with newer knowledge: when, with what, and what changed."""

    __tablename__ = "reassessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    knowledge: Mapped[str] = mapped_column(String(100))  # "<modelclear version> <knowledge date>"
    changes: Mapped[str] = mapped_column(Text, default="[]")  # JSON: [{id, jurisdiction, before, after}]


class ScanJob(Base):
    """A scan of an upload (``/scan``), as a job: what was sent, its state, and its result when done.

    ``state`` is ``queued``, ``running``, ``done`` or ``failed``. The page is a capability: its random
    token is in the URL only, the row keeps its SHA-256. ``upload`` holds the archive or pasted text until
    the scan ends (then it is emptied); ``view`` is the report's view model (JSON of
    :func:`modelclear.report.human.human`), ``held`` what the archive held, ``error`` why it failed
    (JSON: code, params, HTTP status). The rendered report in each format is in :class:`ScanOutput`.
    """

    __tablename__ = "scan_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(10), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # "archive", or the kind of pasted text
    lang: Mapped[str] = mapped_column(String(5))
    jurisdictions: Mapped[str] = mapped_column(String(200))  # comma-separated
    activity: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(String(20))
    upload: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    upload_bytes: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    worker: Mapped[str] = mapped_column(String(200), default="")  # "host:pid" of the process that ran it
    view: Mapped[str] = mapped_column(Text, default="")
    held: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")


class ScanOutput(Base):
    """A finished scan's report rendered in one format (``json``, ``html``, ``sarif``, ...)."""

    __tablename__ = "scan_outputs"
    __table_args__ = (UniqueConstraint("job_id", "format", name="uq_scan_outputs_job_format"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("scan_jobs.id", ondelete="CASCADE"), index=True)
    format: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
