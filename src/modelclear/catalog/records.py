"""Typed records of the knowledge base, built from the raw YAML/JSON mappings of ``data/``.

Raw mappings come from :mod:`modelclear.catalog.bundled`, which has already checked them against the
schema (:mod:`modelclear.knowledge.schema`); dates arrive as ISO strings. Building a record still
refuses what it cannot build (:class:`RecordError` naming the file and field), for mappings built
elsewhere (tests, the Hub card reader). The vocabularies are :mod:`modelclear.knowledge.vocab`'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from sys import intern
from typing import Any

from modelclear import ids
from modelclear.knowledge import vocab
from modelclear.model import (
    Activity,
    Artifact,
    Confidence,
    Kind,
    LicenseChange,
    LocalText,
    Purpose,
    Relation,
    Source,
    Status,
)

ALL_ACTIVITIES = frozenset(Activity)
ALL_PURPOSES = frozenset(Purpose)


class RecordError(ValueError):
    """A knowledge-base entry that does not follow docs/knowledge-format.md."""


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise RecordError(f"{where}: bad date {value!r}") from exc


def _opt_date(value: Any, where: str) -> dt.date | None:
    return None if value in (None, "") else _date(value, where)


def local_text(value: Any, where: str, required: bool = True) -> LocalText | None:
    """A bilingual text from ``{en, ja}``; a plain string is accepted as English only when not required."""
    if value is None:
        if required:
            raise RecordError(f"{where}: missing text")
        return None
    if isinstance(value, str):
        return LocalText(en=value, ja="")
    if isinstance(value, Mapping) and "en" in value:
        return LocalText(en=str(value["en"]).strip(), ja=str(value.get("ja", "") or "").strip())
    raise RecordError(f"{where}: expected {{en, ja}} text, got {value!r}")


def confidence(value: Any, where: str) -> Confidence:
    """Parse a confidence tag (V, S, U; brackets allowed)."""
    text = str(value).strip("[] ").upper()
    try:
        return Confidence(text)
    except ValueError as exc:
        raise RecordError(f"{where}: confidence must be V, S or U, got {value!r}") from exc


def sources(value: Any, where: str, required: bool = True) -> tuple[Source, ...]:
    """Parse a ``sources`` list."""
    if not value:
        if required:
            raise RecordError(f"{where}: no sources")
        return ()
    out = []
    for i, item in enumerate(value):
        w = f"{where}.sources[{i}]"
        if not isinstance(item, Mapping) or not item.get("url"):
            raise RecordError(f"{w}: a source needs a url")
        if "checked" not in item:
            raise RecordError(f"{w}: a source needs the date it was checked")
        out.append(
            Source(
                url=str(item["url"]),
                checked=_date(item["checked"], w),
                confidence=confidence(item.get("confidence"), w),
                note=str(item.get("note", "") or ""),
            )
        )
    return tuple(out)


def weakest(srcs: tuple[Source, ...]) -> Confidence:
    """The weakest confidence among sources (a rule is as strong as its best source; a fact as its best)."""
    if not srcs:
        return Confidence.UNCERTAIN
    return max(srcs, key=lambda s: s.confidence.rank).confidence


def _activities(value: Any, where: str) -> frozenset[Activity]:
    if value in (None, "all"):
        return ALL_ACTIVITIES
    try:
        return frozenset(Activity(v) for v in value)
    except ValueError as exc:
        raise RecordError(f"{where}: unknown activity in {value!r}") from exc


def _purposes(value: Any, where: str) -> frozenset[Purpose]:
    if value in (None, "all"):
        return ALL_PURPOSES
    try:
        return frozenset(Purpose(v) for v in value)
    except ValueError as exc:
        raise RecordError(f"{where}: unknown purpose in {value!r}") from exc


@dataclass(frozen=True)
class Term:
    """One clause of a licence or terms, encoded by activity, purpose and (optionally) jurisdiction."""

    id: str
    effect: Status
    activities: frozenset[Activity]
    purposes: frozenset[Purpose]
    summary: LocalText
    clause: str
    url: str
    confidence: Confidence
    quote: str = ""
    jurisdictions: frozenset[str] = frozenset()
    requires_facts: Mapping[str, Any] = field(default_factory=dict)
    domiciles: frozenset[str] = frozenset()

    def __hash__(self) -> int:
        return hash((self.id, self.clause))


@dataclass(frozen=True)
class License:
    """A licence or terms-of-access record."""

    id: str
    spdx: str | None
    name: str
    aliases: tuple[str, ...]
    kind: str  # license | terms
    category: str
    acceptance: str  # none | by-use | click-through | registration | notice
    yields_to_exceptions: bool
    passes_to_derivatives: bool
    effective: dt.date | None
    url: str
    summary: LocalText | None
    grants: frozenset[Activity]
    terms: tuple[Term, ...]
    sources: tuple[Source, ...]
    #: What a release must ship, as the schema's ``release`` block (read by :mod:`modelclear.notice`); empty:
    #: not recorded.
    release: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def is_contract(self) -> bool:
        """Whether using or obtaining it means accepting it as a contract."""
        return self.kind == "terms" or self.acceptance in vocab.CONTRACT_ACCEPTANCE


_ACCEPTANCE = frozenset(vocab.ACCEPTANCE)
_EFFECTS = frozenset(vocab.TERM_EFFECTS)


def build_license(raw: Mapping[str, Any], where: str) -> License:
    """Build a :class:`License` from a raw mapping."""
    for key in ("id", "name", "kind", "category", "acceptance"):
        if key not in raw:
            raise RecordError(f"{where}: missing {key!r}")
    acceptance = str(raw["acceptance"])
    if acceptance not in _ACCEPTANCE:
        raise RecordError(f"{where}: acceptance {acceptance!r} not one of {sorted(_ACCEPTANCE)}")
    terms = []
    for i, t in enumerate(raw.get("terms") or ()):
        w = f"{where}.terms[{i}]"
        effect = str(t.get("effect", ""))
        if effect not in _EFFECTS:
            raise RecordError(f"{w}: effect {effect!r} not one of {sorted(_EFFECTS)}")
        terms.append(
            Term(
                id=str(t.get("id", f"term-{i}")),
                effect=Status(effect),
                activities=_activities(t.get("activities"), w),
                purposes=_purposes(t.get("purposes"), w),
                summary=local_text(t.get("summary"), w + ".summary"),  # type: ignore[arg-type]
                clause=str(t.get("clause", "") or ""),
                url=str(t.get("url", "") or raw.get("url", "") or ""),
                confidence=confidence(t.get("confidence", "S"), w),
                quote=str(t.get("quote", "") or ""),
                jurisdictions=frozenset(str(j).upper() for j in t.get("jurisdictions") or ()),
                requires_facts=dict(t.get("requires_facts") or {}),
                domiciles=frozenset(str(j).upper() for j in t.get("domiciles") or ()),
            )
        )
    grants = raw.get("grants", "all")
    return License(
        id=str(raw["id"]),
        spdx=raw.get("spdx") or None,
        name=str(raw["name"]),
        aliases=tuple(str(a) for a in raw.get("aliases") or ()),
        kind=str(raw["kind"]),
        category=str(raw["category"]),
        acceptance=acceptance,
        yields_to_exceptions=bool(raw.get("yields_to_exceptions", False)),
        passes_to_derivatives=bool(raw.get("passes_to_derivatives", False)),
        effective=_opt_date(raw.get("effective"), where),
        url=str(raw.get("url", "") or ""),
        summary=local_text(raw.get("summary"), where + ".summary", required=False),
        grants=frozenset() if grants in ([], None) else _activities(grants, where + ".grants"),
        terms=tuple(terms),
        sources=sources(raw.get("sources"), where),
        release=dict(raw.get("release") or {}),
    )


@dataclass(frozen=True)
class Requirement:
    """A condition of a statutory exception that an artifact fact must meet (e.g. lawful access)."""

    fact: str
    citation: str
    summary: LocalText
    sources: tuple[Source, ...]
    citation_ja: str = ""

    @property
    def cited(self) -> LocalText:
        """The citation in both languages (English where no Japanese is recorded)."""
        return LocalText(self.citation, self.citation_ja or self.citation)


@dataclass(frozen=True)
class LawRule:
    """A statutory rule (or case-law position) for one act and purpose, in force between two dates."""

    id: str
    act: str
    purposes: frozenset[Purpose]
    effect: str  # covers | covers_unless_optout | needs_licence | uncertain | conditional
    citation: str
    url: str
    effective: dt.date | None
    until: dt.date | None
    summary: LocalText
    conditions: tuple[LocalText, ...]
    sources: tuple[Source, ...]
    confidence: Confidence
    requires: tuple[Requirement, ...] = ()
    citation_ja: str = ""

    @property
    def cited(self) -> LocalText:
        """The citation in both languages (English where no Japanese is recorded)."""
        return LocalText(self.citation, self.citation_ja or self.citation)

    def in_force(self, on: dt.date) -> bool:
        """Whether the rule applies on ``on``."""
        return (self.effective is None or self.effective <= on) and (self.until is None or on < self.until)


@dataclass(frozen=True)
class Position:
    """A stated legal position: e.g. whether weights are a work; with what a layer should answer."""

    likelihood: str
    summary: LocalText
    sources: tuple[Source, ...]
    generative_effect: str = ""
    value: bool | None = None
    scope: str = ""

    @property
    def confidence(self) -> Confidence:
        """Strongest source behind the position."""
        return weakest(self.sources)


@dataclass(frozen=True)
class Case:
    """A court decision or pending case."""

    id: str
    name: str
    court: str
    date: dt.date | None
    summary: LocalText
    sources: tuple[Source, ...]
    court_ja: str = ""


@dataclass(frozen=True)
class Law:
    """The law of one jurisdiction, as it bears on ML training and use."""

    id: str
    jurisdiction: str
    parent: str | None
    name: LocalText
    summary: LocalText | None
    members: tuple[str, ...]
    contract_override: Position | None
    weights_work: Position | None
    model_copy: Position | None
    rules: tuple[LawRule, ...]
    cases: tuple[Case, ...]
    obligations: tuple[Mapping[str, Any], ...]
    sources: tuple[Source, ...]
    licence_defence: Position | None = None


_ACTS = frozenset(vocab.LAW_ACTS)
_LAW_EFFECTS = frozenset(vocab.LAW_EFFECTS)


def _position(raw: Any, where: str) -> Position | None:
    if not raw:
        return None
    value = raw.get("value")
    return Position(
        likelihood=str(raw.get("likelihood", "") or ("yes" if value else "no")),
        summary=local_text(raw.get("summary"), where + ".summary"),  # type: ignore[arg-type]
        sources=sources(raw.get("sources"), where),
        generative_effect=str(raw.get("generative_effect", "") or ""),
        value=None if value is None else bool(value),
        scope=str(raw.get("scope", "") or ""),
    )


def cited_text(value: Any) -> LocalText:
    """A citation given as a string (English only: ``ja`` empty) or as ``{en, ja}``."""
    if isinstance(value, Mapping):
        return LocalText(str(value.get("en", "")).strip(), str(value.get("ja", "") or "").strip())
    return LocalText(str(value or ""), "")


def build_law(raw: Mapping[str, Any], where: str) -> Law:
    """Build a :class:`Law` from a raw mapping."""
    for key in ("id", "jurisdiction", "name", "rules"):
        if key not in raw:
            raise RecordError(f"{where}: missing {key!r}")
    rules = []
    for i, r in enumerate(raw.get("rules") or ()):
        w = f"{where}.rules[{i}]"
        act, effect = str(r.get("act")), str(r.get("effect"))
        if act not in _ACTS:
            raise RecordError(f"{w}: act {act!r} not one of {sorted(_ACTS)}")
        if effect not in _LAW_EFFECTS:
            raise RecordError(f"{w}: effect {effect!r} not one of {sorted(_LAW_EFFECTS)}")
        srcs = sources(r.get("sources"), w)
        rules.append(
            LawRule(
                id=str(r.get("id", f"rule-{i}")),
                act=act,
                purposes=_purposes(r.get("purposes"), w),
                effect=effect,
                citation=cited_text(r.get("citation")).en,
                citation_ja=cited_text(r.get("citation")).ja,
                url=str(r.get("url", "") or (srcs[0].url if srcs else "")),
                effective=_opt_date(r.get("effective"), w),
                until=_opt_date(r.get("until"), w),
                summary=local_text(r.get("summary"), w + ".summary"),  # type: ignore[arg-type]
                conditions=tuple(
                    local_text(c, f"{w}.conditions[{j}]")  # type: ignore[misc]
                    for j, c in enumerate(r.get("conditions") or ())
                ),
                sources=srcs,
                confidence=confidence(r["confidence"], w) if r.get("confidence") else weakest(srcs),
                requires=tuple(
                    Requirement(fact=str(q.get("fact", "")), citation=cited_text(q.get("citation")).en,
                                summary=local_text(q.get("summary"), f"{w}.requires[{j}].summary"),  # type: ignore[arg-type]
                                sources=sources(q.get("sources"), f"{w}.requires[{j}]"),
                                citation_ja=cited_text(q.get("citation")).ja)
                    for j, q in enumerate(r.get("requires") or ())
                ),
            )
        )
    cases = []
    for i, c in enumerate(raw.get("cases") or ()):
        w = f"{where}.cases[{i}]"
        cases.append(
            Case(
                id=str(c.get("id", f"case-{i}")),
                name=str(c.get("name", "")),
                court=cited_text(c.get("court")).en,
                court_ja=cited_text(c.get("court")).ja,
                date=_opt_date(c.get("date"), w),
                summary=local_text(c.get("summary"), w + ".summary"),  # type: ignore[arg-type]
                sources=sources(c.get("sources"), w),
            )
        )
    return Law(
        id=str(raw["id"]),
        jurisdiction=str(raw["jurisdiction"]).upper(),
        parent=(str(raw["parent"]).upper() if raw.get("parent") else None),
        name=local_text(raw["name"], where + ".name"),  # type: ignore[arg-type]
        summary=local_text(raw.get("summary"), where + ".summary", required=False),
        members=tuple(str(m).upper() for m in raw.get("members") or ()),
        contract_override=_position(raw.get("contract_override"), where + ".contract_override"),
        weights_work=_position(raw.get("weights_work"), where + ".weights_work"),
        model_copy=_position(raw.get("model_copy"), where + ".model_copy"),
        rules=tuple(rules),
        cases=tuple(cases),
        obligations=tuple(raw.get("obligations") or ()),
        sources=sources(raw.get("sources"), where, required=False),
        licence_defence=_position(raw.get("licence_defence"), where + ".licence_defence"),
    )


@dataclass(frozen=True)
class Platform:
    """A place artifacts are downloaded from, and whether its terms bind the downloader."""

    id: str
    name: str
    acceptance: str
    restricts_commercial: bool | None
    summary: LocalText
    notes: tuple[LocalText, ...]
    sources: tuple[Source, ...]


def build_platform(raw: Mapping[str, Any], where: str) -> Platform:
    """Build a :class:`Platform` from a raw mapping."""
    for key in ("id", "name", "acceptance", "summary"):
        if key not in raw:
            raise RecordError(f"{where}: missing {key!r}")
    rc = raw.get("restricts_commercial")
    return Platform(
        id=str(raw["id"]),
        name=str(raw["name"]),
        acceptance=str(raw["acceptance"]),
        restricts_commercial=None if rc is None else bool(rc),
        summary=local_text(raw["summary"], where + ".summary"),  # type: ignore[arg-type]
        notes=tuple(local_text(n, f"{where}.notes[{i}]") for i, n in enumerate(raw.get("notes") or ())),  # type: ignore[misc]
        sources=sources(raw.get("sources"), where),
    )


def _relations(raw: Mapping[str, Any], where: str) -> tuple[Relation, ...]:
    out: list[Relation] = []
    for item in raw.get("base_models") or ():
        if isinstance(item, str):
            out.append(Relation(target=item, relation="finetune"))
        else:
            out.append(Relation(target=str(item["target"]), relation=intern(str(item.get("relation", "finetune")))))
    for item in raw.get("upstream") or ():
        out.append(Relation(target=str(item["target"]), relation=intern(str(item.get("relation", "derived_from")))))
    for item in raw.get("datasets") or ():
        target = item if isinstance(item, str) else str(item["target"])
        out.append(Relation(target=target, relation="trained_on"))
    return tuple(out)


#: The kinds by their value (an enum call per artifact is measurable over a million).
_KINDS = {kind.value: kind for kind in Kind}
#: The facts of every artifact that records none, and whose family records none: one empty mapping (read-only
#: by convention: nothing changes an artifact's facts), not one per artifact.
_NO_FACTS: dict[str, object] = {}


def build_artifact(raw: Mapping[str, Any], where: str, defaults: Mapping[str, Any] | None = None, *,
                   default_sources: tuple[Source, ...] | None = None) -> Artifact:
    """Build an :class:`Artifact` (model, dataset or package) from a raw mapping and family defaults.

    ``default_sources``: the family defaults' ``sources`` already built (a knowledge base builds them
    once per family, and the artifacts of a family share them). The short strings many records repeat
    (licence, publisher, terms, platform, origin, relation names) are interned: one object each.
    """
    d = defaults or {}
    if "id" not in raw:
        raise RecordError(f"{where}: missing 'id'")
    art_id = str(raw["id"])
    kind_text = raw.get("kind") or d.get("kind") or ids.kind_of(art_id).value
    own_facts, family_facts = raw.get("facts"), d.get("facts")
    facts = {**(family_facts or {}), **(own_facts or {})} if own_facts or family_facts else _NO_FACTS
    srcs = sources(raw.get("sources"), where, required=False) or (
        default_sources if default_sources else sources(d.get("sources"), where))
    history = tuple(
        LicenseChange(
            since=_date(h["since"], f"{where}.history[{i}]"),
            license=h.get("license") or None,
            source=(sources([h["source"]], f"{where}.history[{i}]")[0] if h.get("source") else None),
        )
        for i, h in enumerate(raw.get("history") or ())
    ) if raw.get("history") else ()
    note = raw.get("license_note", d.get("license_note"))
    license_id = raw["license"] if "license" in raw else d.get("license")
    terms = raw.get("terms") if "terms" in raw else d.get("terms")
    aliases = raw.get("aliases")
    return Artifact(
        id=art_id,
        kind=(_KINDS.get(kind_text) if isinstance(kind_text, str) else None) or Kind(kind_text),
        name=str(raw.get("name") or art_id.split(":", 1)[-1]),
        publisher=intern(str(raw.get("publisher") or d.get("publisher") or "")),
        license=(intern(str(license_id)) if license_id else None),
        license_note=local_text(note, where + ".license_note", required=False) if note is not None else None,
        terms=tuple(intern(str(t)) for t in terms) if terms else (),
        upstream=_relations(raw, where),
        distributed_via=intern(str(raw.get("distributed_via") or d.get("distributed_via") or "")),
        gated=bool(raw.get("gated", d.get("gated", False))),
        facts=facts,
        history=tuple(sorted(history, key=lambda h: h.since)) if history else (),
        aliases=tuple(str(a) for a in aliases) if aliases else (),
        sources=srcs,
        origin=intern(str(raw.get("origin") or d.get("origin") or "bundled")),
    )
