"""Helpers shared by every format (the Markdown and HTML view is in :mod:`modelclear.report.human`).

Which layer decided a verdict, the gate's treatment of each assessment, the SARIF-style finding
kind, licence ids made safe for SBOMs, and :func:`summary`: the one grouping of a report's artifacts
(what blocks, what needs review, what carries duties, what is fine) that the text, Markdown and HTML
summaries, the SARIF levels and the JSON ``gate.groups`` all show. Presentation logic only: no legal
knowledge lives here.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from modelclear.model import Assessment, Finding, Layer, Status, worst
from modelclear.report import Report
from modelclear.report.data import artifact_id, grouped

#: Finding kind (SARIF rule id) for a (status, layer) pair that decides a verdict.
_PROHIBITED = {
    Layer.LICENSE: "MC-PROHIBITED-LICENSE",
    Layer.CONTRACT: "MC-CONTRACT-TERMS",
    Layer.COPYRIGHT: "MC-PROHIBITED-COPYRIGHT",
    Layer.PROVENANCE: "MC-PROHIBITED-PROVENANCE",
}
_UNCERTAIN = {
    Layer.COPYRIGHT: "MC-UNCERTAIN-COPYRIGHT",
    Layer.CONTRACT: "MC-UNCERTAIN-CONTRACT",
    Layer.LICENSE: "MC-UNCERTAIN-LICENSE",
    Layer.PROVENANCE: "MC-PROVENANCE-WARNING",
}
_UNKNOWN = {layer: f"MC-UNKNOWN-{layer.value.upper()}" for layer in Layer}

#: Where each rule's page lives (``docs/rules/<RULE>.md`` in the repository): SARIF's ``helpUri``.
RULES_URI = "https://github.com/modelclear/modelclear/blob/main/docs/rules/{rule}.md"

#: Every finding kind, in the order SARIF lists its rules.
KINDS: tuple[str, ...] = (
    *_PROHIBITED.values(), "MC-POLICY-DENIED-LICENSE", "MC-POLICY-LICENSE-NOT-ALLOWED", *_UNCERTAIN.values(),
    "MC-UNKNOWN-ARTIFACT", *_UNKNOWN.values(), "MC-CONDITIONS", "MC-ALLOWED", "MC-UNRESOLVED-REFERENCE",
)

LEVELS = {
    Status.PROHIBITED: "error",
    Status.UNCERTAIN: "warning",
    Status.UNKNOWN: "warning",
    Status.CONDITIONAL: "note",
    Status.ALLOWED: "none",
    Status.NOT_APPLICABLE: "none",
}


def deciding(a: Assessment) -> list[Finding]:
    """The layers whose status is the verdict (the ones that decided it)."""
    return [f for f in a.layers if f.status is a.verdict]


def gate_item(report: Report, a: Assessment) -> Any:
    """The gate's item for an assessment, or ``None`` when the report has no gate."""
    g = report.gate
    return g.item(artifact_id(a), a.scenario.jurisdiction) if g is not None else None


def effective(report: Report, a: Assessment) -> Status:
    """The status the gate sees (the verdict after the policy's licence lists)."""
    it = gate_item(report, a)
    return it.status if it is not None else a.verdict


def kind(report: Report, a: Assessment) -> str:
    """The finding kind (SARIF rule id) of one assessment."""
    it = gate_item(report, a)
    if it is not None and it.status is not a.verdict:
        return "MC-POLICY-DENIED-LICENSE" if it.status is Status.PROHIBITED else "MC-POLICY-LICENSE-NOT-ALLOWED"
    if a.verdict is Status.UNKNOWN and a.artifact is None:
        return "MC-UNKNOWN-ARTIFACT"
    if a.verdict in (Status.CONDITIONAL,):
        return "MC-CONDITIONS"
    if a.verdict in (Status.ALLOWED, Status.NOT_APPLICABLE):
        return "MC-ALLOWED"
    table = {Status.PROHIBITED: _PROHIBITED, Status.UNCERTAIN: _UNCERTAIN, Status.UNKNOWN: _UNKNOWN}[a.verdict]
    decided = deciding(a)
    return table[decided[0].layer] if decided else table[Layer.LICENSE]


def worst_of(report: Report, group: Sequence[Assessment]) -> Assessment:
    """The assessment of a group (one per jurisdiction) that the gate sees as the worst."""
    return max(group, key=lambda a: effective(report, a).severity)


def groups(report: Report) -> list[list[Assessment]]:
    """Assessments grouped by artifact (one per jurisdiction), in report order."""
    return list(grouped(report).values())


def worst_status(report: Report, group: Sequence[Assessment]) -> Status:
    """The worst status the gate sees across a group."""
    return worst([effective(report, a) for a in group])


def spdx_id(license_id: str | None, kb: Any) -> str | None:
    """The SPDX licence id or expression for a knowledge-base licence id, or ``None`` if there is none.

    A bare id is returned only when it is on the SPDX licence list (checked with
    ``license-expression``); an expression only when every symbol is.
    """
    if not license_id:
        return None
    record = kb.license(license_id)
    candidate = record.spdx if record is not None and record.spdx else license_id
    return candidate if is_spdx(candidate) else None


@functools.cache
def _spdx_licensing() -> Any:
    """``license-expression``'s SPDX licensing, built once (it reads a large index: about 0.2 s each time)."""
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


@functools.lru_cache(maxsize=4096)
def is_spdx(expression: str) -> bool:
    """Whether ``expression`` is a valid SPDX expression made only of SPDX-listed ids."""
    try:
        info = _spdx_licensing().validate(expression, strict=True)
    except Exception:
        return False
    return not info.errors and not info.invalid_symbols


#: The summary's groups, worst first: what blocks, what needs review, what carries duties, what is fine.
GROUPS: tuple[str, ...] = ("block", "review", "duties", "fine")

_GROUP_OF = {
    Status.PROHIBITED: "block",
    Status.UNCERTAIN: "review",
    Status.UNKNOWN: "review",
    Status.CONDITIONAL: "duties",
    Status.ALLOWED: "fine",
    Status.NOT_APPLICABLE: "fine",
}

#: The SARIF level of each group (the same story as the summary).
GROUP_LEVELS = {"block": "error", "review": "warning", "duties": "note", "fine": "none"}


def group_of(status: Status) -> str:
    """The summary group of a status the gate sees."""
    return _GROUP_OF[status]


@dataclass(frozen=True)
class SummaryItem:
    """One artifact in the summary: its group, the worst status the gate sees, and what the gate did."""

    id: str
    group: str
    status: Status
    fails: bool  # counted by the gate: this artifact fails the run
    excused: str  # "waived" or "baseline" when it would fail but is excused, else ""
    assessments: tuple[Assessment, ...]

    def duties(self, t: Any) -> list[str]:
        """The obligations of every jurisdiction's layers, translated and de-duplicated (for ``duties``)."""
        return list(dict.fromkeys(t.render(m) for a in self.assessments for f in a.layers for m in f.obligations))


def summary(report: Report) -> dict[str, list[SummaryItem]]:
    """The report's artifacts by group (:data:`GROUPS`, each in report order): the one grouping every format shows.

    The group comes from the status the gate sees (the verdict after the policy's licence lists) when
    the report has a gate, else from the verdict: the worst across jurisdictions. ``fails`` says
    whether the gate counts the artifact against the run.
    """
    out: dict[str, list[SummaryItem]] = {g: [] for g in GROUPS}
    for group in groups(report):
        status = worst_status(report, group)
        items = [it for it in (gate_item(report, a) for a in group) if it is not None]
        fails = any(it.counted for it in items)
        excused = "" if fails else next(("waived" if it.waived else "baseline" for it in items
                                         if it.waived or it.in_baseline), "")
        item = SummaryItem(id=artifact_id(group[0]), group=group_of(status), status=status, fails=fails,
                           excused=excused, assessments=tuple(group))
        out[item.group].append(item)
    return out


def summary_data(report: Report) -> dict[str, list[str]]:
    """:func:`summary` as ids by group (the JSON ``gate.groups``)."""
    return {g: [item.id for item in items] for g, items in summary(report).items()}


def failing_ids(report: Report) -> list[str]:
    """The artifacts that fail the run (counted by the gate), worst group first, each group in report order."""
    return [item.id for items in summary(report).values() for item in items if item.fails]


def sbom_timestamp() -> Any:
    """When an SBOM was made: ``SOURCE_DATE_EPOCH`` (seconds since 1970, UTC) when set, else now.

    A value that is not a whole number of seconds is a usage error (exit 3), as reproducible-builds.org
    asks: a build that was meant to be reproducible must not silently use the clock.
    """
    import datetime as dt
    import os

    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        return dt.datetime.fromtimestamp(int(raw), dt.UTC)
    except (ValueError, OverflowError, OSError):
        from modelclear.service import UsageError

        raise UsageError(f"SOURCE_DATE_EPOCH={raw[:40]!r} is not a number of seconds since 1970-01-01") from None


def content_uuid(content: str) -> str:
    """A UUID derived from an SBOM's content (the same content, the same id): version 5 over its SHA-256."""
    import hashlib
    import uuid

    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:modelclear:sbom:{digest}"))


def finding_label(t: Any, a: Assessment, f: Finding) -> str:
    """A layer's status as shown: a licence layer that allows the act with no licence granted says so.

    "Allowed" would read as if a licence granted the act; what permits it there is that no licence is
    needed (the reasons say why, e.g. weights that are most likely not a work).
    """
    if f.layer is Layer.LICENSE and f.status is Status.ALLOWED and a.artifact is not None and not a.license_in_force:
        return str(t("ui.status.no_licence_needed"))
    return str(t(f"ui.status.{f.status.value}"))


def lock_note(a: Assessment, lang: str) -> str:
    """For an artifact judged on Hub facts pinned in the knowledge lock (``origin`` ``lock``): where the
    facts come from, the revision and the date they were read, and how long ago; ``""`` otherwise."""
    art = a.artifact
    if art is None or art.origin != "lock" or art.license_note is None:
        return ""
    return art.license_note.get(lang)
