"""New knowledge, re-judged (issue 13, item 4): each project's newest report judged again after an upgrade.

A report was judged with some modelclear version and knowledge date (its ``tool`` and
``knowledge_as_of``). When the running service's differ (:func:`knowledge_stamp`), every artifact of
the report is checked again through the check service with the report's own scenario (jurisdiction,
activity, purpose, accepted terms, date obtained, domicile), as of today; the new verdict is kept
beside the reported one (``ReportItem.rejudged``) and each run is recorded (:class:`Reassessment`) with
what changed. Your own models (``local:`` ids) are not re-judged: their files are not on the server.
Work is bounded by :data:`MAX_CHECKS` checks per run, taken in a fixed order.

Run by ``modelclear web`` on every start and by ``modelclear web reassess``; both list the projects
whose verdicts changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select

from modelclear import __version__
from modelclear.service import Question, Service, UsageError
from modelclear.web.db import Database
from modelclear.web.models import Project, Reassessment, Report, ReportItem
from modelclear.web.projects import Change, latest_report_ids

#: Most checks one run makes.
MAX_CHECKS = 20_000


def knowledge_stamp(service: Service) -> str:
    """What a judgement depends on: ``"<modelclear version> <knowledge date>"``."""
    return f"{__version__} {service.kb.knowledge_as_of().isoformat()}"


def judged_with(report: Report) -> str:
    """The stamp a report was judged with by the CI that sent it."""
    return f"{report.tool} {report.knowledge_as_of}"


@dataclass
class Outcome:
    """What one run did: the projects whose verdicts changed, and what was left out."""

    changed: dict[str, list[Change]] = field(default_factory=dict)
    reports: int = 0
    checks: int = 0
    skipped_local: int = 0
    budget_hit: bool = False


def judge(service: Service, item: ReportItem) -> str | None:
    """The item's verdict with the running knowledge (``None`` if its stored scenario is not valid any more)."""
    question = Question(id=item.artifact_id, jurisdictions=(item.jurisdiction,), activity=item.activity or "deploy",
                        purpose=item.purpose or "commercial", accepted=tuple(item.accepted.split()),
                        obtained_on=item.obtained_on or None, domicile=item.domicile or None)
    try:
        report = service.check(question)
    except UsageError:
        return None
    return report.assessments[0].verdict.value if report.assessments else None


def reassess(database: Database, service: Service, max_checks: int = MAX_CHECKS) -> Outcome:
    """Judge again every project's newest report not yet judged with the running knowledge."""
    stamp = knowledge_stamp(service)
    out = Outcome()
    with database.session() as s:
        for report_id in sorted(latest_report_ids(s)):
            report = s.get(Report, report_id)
            if report is None:
                continue
            last = s.scalar(select(Reassessment).where(Reassessment.report_id == report.id)
                            .order_by(Reassessment.id.desc()).limit(1))
            if (last.knowledge if last is not None else judged_with(report)) == stamp:
                continue
            if out.checks and out.checks + len(report.items) > max_checks:
                out.budget_hit = True
                break
            changes: list[Change] = []
            for item in report.items:
                if item.artifact_id.startswith("local:"):
                    out.skipped_local += 1
                    continue
                out.checks += 1
                verdict = judge(service, item)
                if verdict is None:
                    continue
                before = item.rejudged or item.verdict
                if verdict != before:
                    changes.append(Change(item.artifact_id, item.jurisdiction, before, verdict))
                item.rejudged = verdict if verdict != item.verdict else None
            s.add(Reassessment(report_id=report.id, knowledge=stamp, changes=json.dumps(
                [{"id": c.artifact_id, "jurisdiction": c.jurisdiction, "before": c.before, "after": c.after}
                 for c in changes])))
            out.reports += 1
            if changes:
                project = s.get(Project, report.project_id)
                out.changed[project.name if project else str(report.project_id)] = changes
    return out


def summary(outcome: Outcome, stamp: str) -> list[str]:
    """Lines for a terminal: the projects whose verdicts changed, and each change."""
    lines = [f"re-judged {outcome.reports} report(s) with modelclear {stamp} ({outcome.checks} check(s)); "
             f"verdicts changed in {len(outcome.changed)} project(s)"]
    for name, changes in sorted(outcome.changed.items()):
        lines.append(f"  {name}:")
        lines += [f"    {c.artifact_id} {c.jurisdiction}: {c.before} -> {c.after}" for c in changes]
    if outcome.skipped_local:
        lines.append(f"  ({outcome.skipped_local} of your own models not re-judged: their files are not here)")
    if outcome.budget_hit:
        lines.append(f"  (stopped at {MAX_CHECKS} checks: run `modelclear web reassess` again for the rest)")
    return lines
