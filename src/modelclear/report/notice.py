"""``--format notice``: what each artifact's release must ship (see :mod:`modelclear.notice`).

On standard output the files follow each other, each after a ``==> PATH <==`` header; for a scan, one
folder per artifact found (``modelclear scan --format notice --out DIR`` writes them as files).
"""

from __future__ import annotations

from modelclear.report import Report


class NoticeFormat:
    """The NOTICE, LICENSES/README.md and MODEL_CARD_LICENSE.md of every artifact in a report."""

    name = "notice"

    def render(self, report: Report) -> str:
        """The files as one text."""
        from modelclear import notice

        return notice.as_text(files_of(report))


def files_of(report: Report) -> dict[str, str]:
    """The notice files of a report: at the top level for a check, one folder per artifact for a scan."""
    from modelclear import notice

    kb = report.knowledge()
    notes = notice.notices(report.assessments, kb)
    return notice.bundle(notes, kb, report.lang, per_artifact=report.command == "scan")
