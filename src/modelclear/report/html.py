"""``--format html``: one self-contained HTML page a reviewer can act on (English or Japanese).

The summary first (what blocks, what needs review, what carries duties, what is fine: the groups of
:func:`modelclear.report.view.summary`, the same as every format and the JSON gate), then one row per
artifact, worst first, with its verdict per jurisdiction, licence, deciding layer and where the code
loads it; the reasons, citations, lineage (inline SVG, :mod:`modelclear.graph`) and upstream table are
collapsed in a ``<details>`` under it. A filter narrows the rows; the page reads on a 390 px phone
without sideways scrolling and prints with every detail open.

Nothing is fetched: no external fonts, scripts, styles or images, and a Content-Security-Policy of
``default-src 'none'`` makes a browser refuse any request the page might make. The one inline script
(the filter, and opening the details before printing) is allowed by its SHA-256 hash alone. Rendered
with Jinja2 (``templates/report.html.j2``, autoescaped); inline code in backticks from the knowledge
base becomes ``<code>``, never raw backticks.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from modelclear.report import Report
from modelclear.report.escape import safe_url
from modelclear.report.human import human

TEMPLATES = Path(__file__).resolve().parent / "templates"

#: The page's only script: the filter box, an artifact's details opened when its link is followed, and
#: every ``<details>`` opened before printing.
SCRIPT = (
    "(function(){var f=document.getElementById('filter');"
    "var rows=document.querySelectorAll('article.artifact');"
    "if(f){f.hidden=false;f.addEventListener('input',function(){var q=f.value.trim().toLowerCase();"
    "rows.forEach(function(a){a.hidden=q!==''&&a.getAttribute('data-search').indexOf(q)<0;});});}"
    "function show(h){var e=h.length>1&&document.getElementById(h.slice(1));"
    "var d=e&&e.querySelector('details');if(d){d.open=true;}}"
    "window.addEventListener('hashchange',function(){show(location.hash);});show(location.hash);"
    "window.addEventListener('beforeprint',function(){"
    "document.querySelectorAll('details').forEach(function(d){d.open=true;});});})();"
)
SCRIPT_HASH = "sha256-" + base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")

_TICKS = re.compile(r"`([^`\n]+)`")


def ticks(text: object) -> object:
    """Free text escaped for HTML, with Markdown code spans (```x```) as ``<code>x</code>``."""
    from markupsafe import Markup, escape

    escaped = str(escape(str(text)))
    return Markup(_TICKS.sub(lambda m: f"<code>{m.group(1)}</code>", escaped))


def render_html(report: Report) -> str:
    """The report as one HTML document."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.tests["safe_href"] = lambda url: safe_url(str(url)) is not None
    env.filters["ticks"] = ticks
    return env.get_template("report.html.j2").render(v=human(report), script=SCRIPT, script_hash=SCRIPT_HASH)


class HtmlFormat:
    """HTML output."""

    name = "html"

    def render(self, report: Report) -> str:
        """The report as a self-contained HTML page."""
        return render_html(report)
