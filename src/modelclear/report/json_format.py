"""``--format json``: the documented, versioned schemas (``schema/check-1.json``, ``schema/scan-2.json``).

A ``check`` about one jurisdiction is one ``modelclear/check/1`` document; about several, a list of
them, one per jurisdiction in the order asked (each with the gate items of its own jurisdiction). A
``scan`` is one ``modelclear/scan/2`` document whatever the number of jurisdictions; it holds each
upstream assessment once (``nodes``). ``schema/scan-1.json`` stays for reading earlier documents
(``--baseline``).
"""

from __future__ import annotations

import json
from typing import Any

from modelclear.report import Report
from modelclear.report.data import check_document, scan_document


def document(report: Report) -> dict[str, Any] | list[dict[str, Any]]:
    """The JSON value of a report: a document, or a list of check documents for several jurisdictions."""
    if report.command != "check":
        return scan_document(report)
    if len(report.assessments) > 1:
        return [check_document(report.only((a,))) for a in report.assessments]
    return check_document(report)


class JsonFormat:
    """JSON output."""

    name = "json"

    def render(self, report: Report) -> str:
        """The report as indented JSON."""
        return json.dumps(document(report), ensure_ascii=False, indent=2) + "\n"
