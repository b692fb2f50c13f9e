"""What a release carries: the licences along its lineage and each licence's release items for the scenario.

:func:`build` walks the assessment's lineage (the bases the release is a fine-tune, adapter, merge or
quantisation of, and bases it was distilled from when their licence passes to derivatives), groups the
parties by licence and picks each licence's reviewed ``release`` items for the scenario's act and purpose.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from modelclear.model import Artifact, Assessment, Layer, LineageNode, LocalText, Scenario, Status

if TYPE_CHECKING:
    from modelclear.catalog import KnowledgeBase
    from modelclear.catalog.records import License

@dataclass(frozen=True)
class Line:
    """A copyright or attribution line recorded for an artifact (its record's ``notices``), with its source."""

    text: str
    kind: str  # copyright | notice | attribution
    url: str
    checked: dt.date | None
    confidence: str


@dataclass(frozen=True)
class TextFile:
    """A licence text modelclear bundles (``release.text.files``), verbatim, with where it was copied from."""

    file: str
    title: str
    url: str
    checked: dt.date | None
    confidence: str
    part: LocalText  # which part of the published text the file is (empty: the whole text)
    content: str


@dataclass(frozen=True)
class Party:
    """An artifact whose licence a release carries: the release itself or something upstream of it."""

    id: str
    name: str
    publisher: str
    url: str
    relation: str  # self | finetune | adapter | merge | quantized | distill | trained_on
    child: str  # the name of the artifact it is reached from ("" for the release)
    licence_id: str | None
    known: bool  # the artifact is in the knowledge base (or read from your files)
    direct: bool = False  # a base of the release itself (what you modified), not one further up
    lines: tuple[Line, ...] = ()  # its recorded copyright and attribution lines


@dataclass(frozen=True)
class Item:
    """One thing a release must carry or say, with its source (a ``release.ship`` entry of one licence)."""

    id: str
    kind: str
    line: str
    credit: str
    summary: LocalText
    clause: str
    url: str
    confidence: str
    checked: dt.date | None
    lines: tuple[str, ...] = ()  # the kinds of a party's recorded lines that fill a notice item


@dataclass(frozen=True)
class Group:
    """One licence the release carries: who it comes from and what it asks for the scenario."""

    licence: License
    parties: tuple[Party, ...]
    items: tuple[Item, ...]
    text_bundle: str  # verbatim | link | "" (not recorded)
    text_item: Item | None
    recorded: bool  # the licence has a release block
    governs: bool
    texts: tuple[TextFile, ...] = ()  # the licence texts modelclear bundles (written when a copy must ship)

    @property
    def ships_text(self) -> bool:
        """Whether the scenario asks for a copy of the licence text."""
        return any(i.kind == "licence-copy" for i in self.items)


@dataclass(frozen=True)
class Notice:
    """What one release must ship, under one scenario."""

    release: Party
    scenario: Scenario
    verdict: Status
    groups: tuple[Group, ...]
    data: tuple[Party, ...] = ()  # training datasets (not shipped with the weights)
    unknown: tuple[str, ...] = ()  # unknown-key lines: (key, params) rendered later
    unknown_params: tuple[Mapping[str, str], ...] = ()
    declared: str = ""  # the licence your own model declares, and where
    declared_where: str = ""
    declared_conflict: bool = False
    knowledge_as_of: dt.date | None = None


#: Where an id's repository is, by its scheme (the Hub's addresses); other artifacts: their record's first source.
_HUB = {"hf": "https://huggingface.co/", "hf-dataset": "https://huggingface.co/datasets/"}
_HUB_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?")


def _address(art: Artifact) -> str:
    """The artifact's address: its Hub repository for ``hf:``/``hf-dataset:`` ids, else its record's first source."""
    scheme, _, name = art.id.partition(":")
    if scheme in _HUB and _HUB_NAME.fullmatch(name):
        return _HUB[scheme] + name
    return art.sources[0].url if art.sources else ""


def _day(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def recorded_lines(kb: KnowledgeBase, art: Artifact | None) -> tuple[Line, ...]:
    """The copyright and attribution lines of an artifact's knowledge record (its own, else its family's)."""
    if art is None or (art.origin not in ("bundled", "overlay") and not art.origin.startswith("imported")):
        return ()
    try:
        raw = kb.raw_artifact(art.id)
    except KeyError:
        return ()
    if raw is None:
        return ()
    _, entry, family = raw
    notices = entry.get("notices")
    if not notices and family:
        defaults = kb.family(family)
        notices = defaults[1].get("notices") if defaults else None
    out = []
    for n in notices or ():
        if not isinstance(n, Mapping) or not isinstance(n.get("line"), str) or not isinstance(n.get("source"), Mapping):
            continue
        src = n["source"]
        out.append(Line(text=n["line"], kind=str(n.get("kind", "copyright")), url=str(src.get("url", "")),
                        checked=_day(src.get("checked")), confidence=str(src.get("confidence", "U"))))
    return tuple(out)


_TEXT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*\.txt")


@cache
def _bundled_text(name: str) -> str | None:
    """A bundled licence text (``data/licenses/texts/NAME``), or ``None`` when there is none."""
    if not _TEXT_NAME.fullmatch(name):
        return None
    try:
        return resources.files("modelclear").joinpath("data", "licenses", "texts", name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def licence_texts(lic: License) -> tuple[TextFile, ...]:
    """The texts of a licence modelclear bundles: only where its record says the text itself may be copied."""
    text = (lic.release.get("text") or {}) if lic.release else {}
    copying = text.get("copying") or {}
    if text.get("bundle") != "verbatim" or copying.get("allowed") is not True:
        return ()
    out = []
    for f in text.get("files") or ():
        content = _bundled_text(str(f.get("file", "")))
        if content is None:
            continue
        src = f.get("copied_from") or {}
        out.append(TextFile(file=str(f["file"]), title=str(f.get("title", "")), url=str(src.get("url", "")),
                            checked=_day(src.get("checked")), confidence=str(src.get("confidence", "U")),
                            part=LocalText(str((f.get("part") or {}).get("en", "")),
                                           str((f.get("part") or {}).get("ja", ""))), content=content))
    return tuple(out)


def _party(node: LineageNode | None, artifact: Artifact | None, relation: str, child: str,
           licence: str | None, fallback_id: str = "", direct: bool = False,
           lines: tuple[Line, ...] = ()) -> Party:
    art = artifact
    return Party(id=art.id if art else (node.id if node else fallback_id),
                 name=(art.name or art.id) if art else (node.id if node else fallback_id),
                 publisher=art.publisher if art else "", url=_address(art) if art else "",
                 relation=relation, child=child, licence_id=licence, known=art is not None, direct=direct,
                 lines=lines)


def _items(lic: License, scenario: Scenario) -> tuple[tuple[Item, ...], Item | None]:
    """The licence's release items for the scenario's act and purpose, and its licence-text rule."""
    block = lic.release
    checked: dict[str, dt.date] = {}
    for s in block.get("sources") or ():
        url = str(s.get("url", "")).split("#", 1)[0]
        day = s.get("checked")
        if isinstance(day, str):
            try:
                day = dt.date.fromisoformat(day)
            except ValueError:
                day = None
        if isinstance(day, dt.date) and (url not in checked or day > checked[url]):
            checked[url] = day
    latest = max(checked.values(), default=None)

    def when(url: str) -> dt.date | None:
        return checked.get(url.split("#", 1)[0], latest)

    out: list[Item] = []
    for raw in block.get("ship") or ():
        acts = [str(a) for a in raw.get("activities") or ()]
        purposes = [str(p) for p in raw.get("purposes") or ()]
        if scenario.activity.value not in acts or (purposes and scenario.purpose.value not in purposes):
            continue
        summary = raw.get("summary") or {}
        out.append(Item(id=str(raw["id"]), kind=str(raw["kind"]), line=str(raw.get("line") or ""),
                        credit=str(raw.get("credit") or ""),
                        summary=LocalText(str(summary.get("en", "")), str(summary.get("ja", ""))),
                        clause=str(raw.get("clause", "")), url=str(raw.get("url", "")),
                        confidence=str(raw.get("confidence", "U")), checked=when(str(raw.get("url", ""))),
                        lines=tuple(str(k) for k in raw.get("lines") or ())))
    text = block.get("text")
    text_item = None
    if text:
        summary = text.get("summary") or {}
        text_item = Item(id="text", kind=str(text.get("bundle", "link")), line="", credit="",
                         summary=LocalText(str(summary.get("en", "")), str(summary.get("ja", ""))),
                         clause=str(text.get("clause", "")), url=str(text.get("url", "")),
                         confidence=str(text.get("confidence", "U")), checked=when(str(text.get("url", ""))))
    return tuple(out), text_item


def build(assessment: Assessment, kb: KnowledgeBase) -> Notice:
    """What the release of ``assessment``'s artifact must ship under its scenario."""
    rules = kb.rules.get("acts", {})
    derivative = set(rules.get("derivative_relations", ()))
    flow_down = set(rules.get("flow_down_relations", ()))
    restrictive = set(rules.get("declared_licence_conflict_categories", ()))
    art = assessment.artifact
    local = art is not None and art.origin == "local"
    in_force = {u.artifact.id.lower(): u.license_in_force for u in assessment.upstream if u.artifact is not None}
    release = _party(assessment.lineage, art, "self", "", None if local else assessment.license_in_force,
                     fallback_id=assessment.ref.id, lines=recorded_lines(kb, art))
    order: list[str] = []
    by_licence: dict[str, list[Party]] = {}
    unknown: list[tuple[str, dict[str, str]]] = []
    data: list[Party] = []
    licences: dict[str, License] = {}
    governing: set[str] = set()

    def add(party: Party, derived: bool) -> None:
        if party.licence_id is None:
            unknown.append(("unknown.licence" if party.known else "unknown.artifact", {"artifact": party.name}))
            return
        lic = kb.license(party.licence_id)
        if lic is None:
            unknown.append(("unknown.record", {"artifact": party.name, "licence": party.licence_id}))
            return
        if lic.id not in by_licence:
            order.append(lic.id)
            by_licence[lic.id] = []
            licences[lic.id] = lic
        by_licence[lic.id].append(party)
        if not derived or lic.passes_to_derivatives or lic.category in restrictive:
            governing.add(lic.id)

    if art is None:
        unknown.append(("unknown.artifact", {"artifact": assessment.ref.id}))
    elif not local:
        add(release, derived=False)
    seen = {release.id.lower()}
    frontier: list[tuple[LineageNode, str]] = [(assessment.lineage, release.name)] if assessment.lineage else []
    while frontier:
        node, child_name = frontier.pop(0)
        for child in node.children:
            key = child.id.lower()
            if key in seen:
                continue
            base = child.artifact
            licence = in_force.get(key, base.license if base else None) if base else None
            if child.relation == "trained_on":
                seen.add(key)
                data.append(_party(child, base, child.relation, child_name, licence))
                continue
            if child.relation not in derivative | flow_down:
                continue
            lic = kb.license(licence) if licence else None
            if child.relation in flow_down and not (lic is not None and lic.passes_to_derivatives):
                continue
            seen.add(key)
            party = _party(child, base, child.relation, child_name, licence, direct=node is assessment.lineage,
                           lines=recorded_lines(kb, base))
            add(party, derived=True)
            if child.truncated:
                unknown.append(("unknown.cut", {"artifact": party.name}))
            frontier.append((child, party.name))
    groups = []
    for lid in order:
        lic = licences[lid]
        items, text_item = _items(lic, assessment.scenario) if lic.release else ((), None)
        groups.append(Group(licence=lic, parties=tuple(by_licence[lid]), items=items,
                            text_bundle=text_item.kind if text_item else "", text_item=text_item,
                            recorded=bool(lic.release), governs=lid in governing, texts=licence_texts(lic)))
    # A third party's declaration is shown when the licence layer found it in conflict with its bases (item 3).
    licence_layer = next((f for f in assessment.layers if f.layer is Layer.LICENSE), None)
    found = licence_layer is not None and any(m.key == "license.local_conflict" for m in licence_layer.reasons)
    shown = art is not None and (local or found)
    declared = (str(art.facts.get("declared_license") or (art.sources[0].url if art.sources else ""))
                if art is not None and shown else "")
    declared_id = art.license if art is not None and shown else None
    declared_lic = kb.license(declared_id) if declared_id else None
    conflict = bool(declared_lic and any(g.governs and g.licence.id != declared_lic.id for g in groups)) if local \
        else found
    return Notice(release=release, scenario=assessment.scenario, verdict=assessment.verdict, groups=tuple(groups),
                  data=tuple(data), unknown=tuple(k for k, _ in unknown),
                  unknown_params=tuple(p for _, p in unknown),
                  declared=(declared_lic.name if declared_lic else (declared_id or "")) if declared else "",
                  declared_where=declared, declared_conflict=conflict, knowledge_as_of=kb.knowledge_as_of())
