"""The report stage: one module per output format behind one interface.

A :class:`Report` is what ``check`` or ``scan`` produced; a format turns it into text. Formats are
imported only when used, so heavy libraries (CycloneDX, SPDX) cost nothing to other commands.
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from modelclear.model import Assessment, Reference, Scenario
from modelclear.safetext import sanitize

if TYPE_CHECKING:
    from modelclear.catalog import KnowledgeBase
    from modelclear.policy import Gate

SCHEMA_VERSION = "modelclear/check/1"
SCAN_SCHEMA_VERSION = "modelclear/scan/2"


@dataclass(frozen=True)
class ScanEntry:
    """One reference found by a scan with the assessment of the artifact it resolves to."""

    reference: Reference
    assessment: Assessment | None


@dataclass(frozen=True)
class Report:
    """The result of a ``check`` (one assessment per jurisdiction) or a ``scan`` (references with assessments).

    ``scenarios`` are the scenarios asked about (one per jurisdiction, in the order asked): what a
    report shows when nothing was found to assess. ``gate`` is the CI gate's decision, when a policy
    was applied. ``kb`` is the knowledge base the assessments were made with (bundled data plus any
    ``--kb`` overlays): formats read licence records and translations from it (:meth:`knowledge`).
    """

    command: str  # check | scan
    assessments: tuple[Assessment, ...]
    knowledge_as_of: dt.date
    lang: str = "en"
    entries: tuple[ScanEntry, ...] = ()
    warnings: tuple[Any, ...] = ()
    root: str = ""
    files_scanned: int = 0
    scenarios: tuple[Scenario, ...] = ()
    gate: Gate | None = None
    kb: KnowledgeBase | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Everything a report shows may come from files someone else wrote (file names, ids in code,
        # card YAML, an auto-discovered policy): make every string printable once, here, so that no
        # format can emit an undecodable byte or a terminal control sequence. The knowledge base is
        # reviewed data, read through the records the assessments already carry: it is not walked.
        memo: dict[int, Any] = {}
        for name in ("assessments", "entries", "warnings", "root", "scenarios", "gate"):
            object.__setattr__(self, name, sanitize(getattr(self, name), field=name, memo=memo))

    def knowledge(self) -> KnowledgeBase:
        """The knowledge base of this report (the bundled one when the report was built without one)."""
        if self.kb is not None:
            return self.kb
        from modelclear.service import load_knowledge

        return load_knowledge()

    def with_gate(self, gate: Gate | None) -> Report:
        """This report with the CI gate's decision, without re-checking what it already holds."""
        return self._unchecked(gate=sanitize(gate, field="gate"))

    def only(self, assessments: tuple[Assessment, ...]) -> Report:
        """This report restricted to some of its own ``assessments`` (e.g. one jurisdiction), not re-checked."""
        return self._unchecked(assessments=tuple(assessments))

    def _unchecked(self, **fields: Any) -> Report:
        """A copy with ``fields`` replaced, skipping ``__post_init__``: the rest is printable already."""
        new = copy.copy(self)
        for name, value in fields.items():
            object.__setattr__(new, name, value)
        return new


class Format(Protocol):
    """An output format."""

    name: str

    def render(self, report: Report) -> str:
        """The report as text (for binary-free formats, the exact file content)."""
        ...


_FORMATS = {
    "text": "modelclear.report.text:TextFormat",
    "json": "modelclear.report.json_format:JsonFormat",
    "sarif": "modelclear.report.sarif:SarifFormat",
    "cyclonedx": "modelclear.report.cyclonedx:CycloneDXFormat",
    "spdx": "modelclear.report.spdx:SpdxFormat",
    "markdown": "modelclear.report.markdown:MarkdownFormat",
    "html": "modelclear.report.html:HtmlFormat",
    "notice": "modelclear.report.notice:NoticeFormat",
}


#: Formats that need an optional extra: format → (extra, the modules it must provide).
_REQUIRES: dict[str, tuple[str, tuple[str, ...]]] = {
    "cyclonedx": ("sbom", ("cyclonedx", "packageurl")),
    "spdx": ("sbom", ("spdx_python_model",)),
}


def missing_extra(name: str) -> tuple[str, str] | None:
    """``(extra, module)`` when format ``name`` needs an optional extra that is not installed, else ``None``."""
    extra, modules = _REQUIRES.get(name, ("", ()))
    if not modules:
        return None
    import importlib.util

    for module in modules:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):  # blocked (``sys.modules[name] = None``) or broken
            found = False
        if not found:
            return extra, module
    return None


def register(name: str, target: str) -> None:
    """Register a format as ``module:Class`` (imported lazily)."""
    _FORMATS[name] = target


def names() -> list[str]:
    """Names of the available formats."""
    return sorted(_FORMATS)


def get(name: str) -> Format:
    """The format called ``name``."""
    try:
        module_name, cls_name = _FORMATS[name].split(":")
    except KeyError:
        raise ValueError(f"unknown format {name!r}; choose one of: {', '.join(names())}") from None
    return getattr(importlib.import_module(module_name), cls_name)()
