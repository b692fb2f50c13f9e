"""Core types shared by every stage of the pipeline.

scan -> :class:`Reference`; catalog -> :class:`Artifact`; lineage -> :class:`LineageNode`;
assess -> :class:`Finding` per :class:`Layer`, folded into an :class:`Assessment`.

All types are frozen dataclasses: stages hand each other values, never shared state.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any


class Kind(StrEnum):
    """What an artifact is."""

    MODEL = "model"
    DATASET = "dataset"
    PACKAGE = "package"


class Status(StrEnum):
    """The answer of one legal layer, or of the whole verdict."""

    ALLOWED = "allowed"
    CONDITIONAL = "conditional"
    PROHIBITED = "prohibited"
    UNCERTAIN = "uncertain"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not_applicable"

    @property
    def severity(self) -> int:
        """Rank used to take the worst layer: higher is worse."""
        return _SEVERITY[self]

    @property
    def exit_code(self) -> int:
        """The documented CLI exit code for a verdict with this status."""
        if self in (Status.ALLOWED, Status.CONDITIONAL, Status.NOT_APPLICABLE):
            return 0
        if self is Status.PROHIBITED:
            return 1
        return 2


_SEVERITY = {
    Status.NOT_APPLICABLE: 0,
    Status.ALLOWED: 1,
    Status.CONDITIONAL: 2,
    Status.UNCERTAIN: 3,
    Status.UNKNOWN: 4,
    Status.PROHIBITED: 5,
}


def worst(statuses: list[Status] | tuple[Status, ...]) -> Status:
    """The most severe status of a collection (``not_applicable`` when empty)."""
    return max(statuses, key=lambda s: s.severity, default=Status.NOT_APPLICABLE)


class Layer(StrEnum):
    """The legal layers that a verdict keeps apart."""

    COPYRIGHT = "copyright"
    CONTRACT = "contract"
    LICENSE = "license"
    PROVENANCE = "provenance"


class Activity(StrEnum):
    """What the user does with the artifact."""

    TRAIN = "train"
    FINETUNE = "finetune"
    DISTILL = "distill"
    EVALUATE = "evaluate"
    DEPLOY = "deploy"
    SERVE = "serve"
    DISTRIBUTE = "distribute"
    OUTPUTS = "outputs"


class Purpose(StrEnum):
    """Why the user does it."""

    COMMERCIAL = "commercial"
    RESEARCH = "research"


class Confidence(StrEnum):
    """How well a fact is sourced (see shared legal-facts: [V], [S], [U])."""

    VERIFIED = "V"
    SECONDARY = "S"
    UNCERTAIN = "U"

    @property
    def rank(self) -> int:
        """Higher is stronger."""
        return _CONFIDENCE_RANK[self]


_CONFIDENCE_RANK: dict[str, int] = {"V": 3, "S": 2, "U": 1}  # keyed by the value: a member hashes as its str


class Risk(StrEnum):
    """Overall risk level attached to a verdict."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True, slots=True)
class LocalText:
    """A text given in every supported language (``en`` and ``ja``)."""

    en: str
    ja: str

    def get(self, lang: str) -> str:
        """The text in ``lang``, falling back to English."""
        return self.ja if lang == "ja" and self.ja else self.en


@dataclass(frozen=True, slots=True)
class Source:
    """Where a fact comes from, when it was checked, and how sure we are."""

    url: str
    checked: _dt.date
    confidence: Confidence
    note: str = ""


@dataclass(frozen=True, slots=True)
class Citation:
    """A rule or clause behind a line of a finding."""

    label: str
    url: str
    confidence: Confidence
    checked: _dt.date | None = None
    quote: str = ""
    label_ja: str = ""  # the label in Japanese where the knowledge base gives one (statute names)


@dataclass(frozen=True, slots=True)
class Message:
    """A translatable message: an i18n key and its parameters.

    Parameters are strings or :class:`LocalText`; the report renders them in the chosen language.
    """

    key: str
    params: Mapping[str, str | LocalText] = field(default_factory=dict)

    def __hash__(self) -> int:  # Mapping is not hashable; hash on a stable view
        return hash((self.key, tuple(sorted((k, str(v)) for k, v in self.params.items()))))


@dataclass(frozen=True, slots=True)
class Reference:
    """Something a scan saw a codebase load (or a user typed), with its evidence."""

    raw: str
    kind: Kind | None
    id: str | None
    path: str = ""
    line: int = 0
    column: int = 0
    evidence: str = ""
    confidence: str = "high"
    loader: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class ArtifactRef:
    """A canonical artifact identity resolved from what a user typed."""

    kind: Kind | None
    id: str
    aliases: tuple[str, ...] = ()
    raw: str = ""
    scheme: str = ""
    known_scheme: bool = True


@dataclass(frozen=True, slots=True)
class Relation:
    """An edge to an upstream artifact: ``base`` model (with how) or training ``dataset``."""

    target: str
    relation: str  # finetune | adapter | merge | quantized | distill | trained_on | derived_from
    source: Source | None = None


@dataclass(frozen=True, slots=True)
class Artifact:
    """What the knowledge base knows about one model, dataset or package."""

    id: str
    kind: Kind
    name: str
    publisher: str = ""
    license: str | None = None  # licence id (or SPDX expression) of the artifact itself
    license_note: LocalText | None = None
    terms: tuple[str, ...] = ()  # ids of terms-of-access / contract records that come with it
    upstream: tuple[Relation, ...] = ()
    distributed_via: str = ""  # platform id: huggingface, pytorch, kaggle, github, ...
    gated: bool = False
    facts: Mapping[str, object] = field(default_factory=dict)
    history: tuple[LicenseChange, ...] = ()
    aliases: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    origin: str = "bundled"  # bundled | imported:<name> | hf-card | hf-cache | overlay

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def base_models(self) -> tuple[Relation, ...]:
        """Upstream models."""
        return tuple(r for r in self.upstream if r.relation != "trained_on")

    @property
    def datasets(self) -> tuple[Relation, ...]:
        """Training datasets."""
        return tuple(r for r in self.upstream if r.relation == "trained_on")


@dataclass(frozen=True, slots=True)
class LicenseChange:
    """A dated licence of an artifact: in force from ``since`` (inclusive)."""

    since: _dt.date
    license: str | None
    source: Source | None = None


@dataclass(frozen=True, slots=True)
class Scenario:
    """The situation a verdict answers for."""

    jurisdiction: str
    activity: Activity
    purpose: Purpose
    accepted: frozenset[str] = frozenset()
    obtained_on: _dt.date | None = None
    as_of: _dt.date = field(default_factory=_dt.date.today)
    #: Where the user (individual or company) is domiciled or has its principal place of business, as a
    #: jurisdiction code (``EU`` or a member state, ``JP``…); ``None``: assumed where the act happens.
    domicile: str | None = None


#: What a deferred finding's ``make`` gives: its reasons, obligations and citations.
FindingParts = tuple[tuple[Message, ...], tuple[Message, ...], tuple[Citation, ...]]
_DEFERRED = ("reasons", "obligations", "citations")


@dataclass(frozen=True, slots=True)
class Finding:
    """One legal layer's answer for one artifact.

    A finding made with :meth:`deferred` holds, instead of its reasons, obligations and citations, the
    function that makes them (typically a part naming the artifact's bases put before a body shared by
    many findings): they are made on first read and kept, and the finding is then the same value as one
    made with them (equality, hash, ``repr`` and :func:`dataclasses.replace` read them).
    """

    layer: Layer
    status: Status
    reasons: tuple[Message, ...] = ()
    obligations: tuple[Message, ...] = ()
    citations: tuple[Citation, ...] = ()
    caveats: tuple[Message, ...] = ()
    weakest: Confidence = Confidence.VERIFIED
    _make: Callable[[], FindingParts] | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def deferred(cls, layer: Layer, status: Status, make: Callable[[], FindingParts],
                 caveats: tuple[Message, ...] = (), weakest: Confidence = Confidence.VERIFIED) -> Finding:
        """A finding whose reasons, obligations and citations ``make()`` gives when first read."""
        made = object.__new__(cls)
        put = object.__setattr__
        put(made, "layer", layer)
        put(made, "status", status)
        put(made, "caveats", caveats)
        put(made, "weakest", weakest)
        put(made, "_make", make)
        return made

    def parts(self) -> FindingParts:
        """The reasons, obligations and citations, made without keeping them when the finding is deferred."""
        make = self._make
        if make is not None:
            return make()
        return self.reasons, self.obligations, self.citations

    @property
    def pending(self) -> bool:
        """Whether the reasons, obligations and citations are still to be made (:meth:`deferred`)."""
        return self._make is not None

    if not TYPE_CHECKING:  # (mypy would otherwise accept any attribute name on a finding)
        def __getattr__(self, name: str) -> Any:
            """A deferred part, made (all three at once) on first read."""
            make = object.__getattribute__(self, "_make")
            if name not in _DEFERRED or make is None:
                raise AttributeError(name)
            made = make()
            for part, value in zip(_DEFERRED, made, strict=True):
                object.__setattr__(self, part, value)
            object.__setattr__(self, "_make", None)  # made: no longer pending
            return made[_DEFERRED.index(name)]


@dataclass(frozen=True, slots=True)
class LineageNode:
    """A node of the provenance graph: an artifact id, how it is reached, and its children.

    The graph is a DAG: an artifact reached along several paths has one children tuple shared by all
    of them. ``cycle`` marks an edge back to an artifact on the path (not expanded); ``truncated`` an
    artifact whose upstream was not followed because a depth or size bound was reached.
    """

    id: str
    relation: str
    artifact: Artifact | None
    children: tuple[LineageNode, ...] = ()
    cycle: bool = False
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class Assessment:
    """The verdict for one artifact under one scenario, layer by layer, with its lineage."""

    ref: ArtifactRef
    artifact: Artifact | None
    scenario: Scenario
    verdict: Status
    risk: Risk
    layers: tuple[Finding, ...]
    lineage: LineageNode | None = None
    upstream: tuple[Assessment, ...] = ()
    license_in_force: str | None = None
    notes: tuple[Message, ...] = ()

    def layer(self, layer: Layer) -> Finding:
        """The finding for ``layer``."""
        for finding in self.layers:
            if finding.layer is layer:
                return finding
        raise KeyError(layer)
