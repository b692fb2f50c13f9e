"""``--format html``: one self-contained HTML page a lawyer can read (English or Japanese).

Same content as the Markdown report, with the lineage drawn as inline SVG (:mod:`modelclear.graph`).
Nothing is fetched: no external fonts, scripts, styles or images, and a Content-Security-Policy of
``default-src 'none'`` makes a browser refuse any request the page might make. Links to the sources
are ordinary links. Rendered with Jinja2 (``templates/report.html.j2``, autoescaped).
"""

from __future__ import annotations

from pathlib import Path

from modelclear.report import Report
from modelclear.report.escape import safe_url
from modelclear.report.human import human

TEMPLATES = Path(__file__).resolve().parent / "templates"


def render_html(report: Report) -> str:
    """The report as one HTML document."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.tests["safe_href"] = lambda url: safe_url(str(url)) is not None
    return env.get_template("report.html.j2").render(v=human(report))


class HtmlFormat:
    """HTML output."""

    name = "html"

    def render(self, report: Report) -> str:
        """The report as a self-contained HTML page."""
        return render_html(report)
