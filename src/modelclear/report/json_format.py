"""``--format json``: the documented, versioned schema (see ``schema/check-1.json``)."""

from __future__ import annotations

import json

from modelclear.report import Report
from modelclear.report.data import check_document, scan_document


class JsonFormat:
    """JSON output."""

    name = "json"

    def render(self, report: Report) -> str:
        """The report as indented JSON."""
        doc = check_document(report) if report.command == "check" else scan_document(report)
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
