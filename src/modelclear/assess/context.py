"""What every layer of the assessment needs to know about one artifact under one scenario."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload
from urllib.parse import urlsplit

from modelclear.assess.facts import check_published
from modelclear.catalog.records import Law, LawRule, License, Requirement, Term
from modelclear.model import (
    Artifact,
    Citation,
    Confidence,
    LineageNode,
    LocalText,
    Message,
    Scenario,
    Source,
    Status,
    worst,
)

if TYPE_CHECKING:
    from modelclear.catalog import KnowledgeBase


def cite_source(label: str, src: Source, quote: str = "") -> Citation:
    """A citation from a :class:`Source`, labelled with what it is (its note, else its site).

    A pure function of immutable values, so the same citation is one object however many findings
    hold it (a scan of many artifacts cites the same law, licence and platform sources again and again).
    """
    try:
        return _cite_source(label, src, quote)
    except TypeError:  # a value that cannot be hashed: made anew
        return _cite_source.__wrapped__(label, src, quote)


@functools.lru_cache(maxsize=8192)
def _cite_source(label: str, src: Source, quote: str) -> Citation:
    detail = src.note or urlsplit(src.url).netloc.removeprefix("www.")
    full = f"{label} — {detail}" if detail and detail not in label else label
    return Citation(label=full, url=src.url, confidence=src.confidence, checked=src.checked, quote=quote)


def cite_term(lic: License, term: Term) -> Citation:
    """A citation of one clause of a licence."""
    label = f"{lic.name}, {term.clause}" if term.clause else lic.name
    checked = lic.sources[0].checked if lic.sources else None
    return Citation(label=label, url=term.url or lic.url, confidence=term.confidence, checked=checked, quote=term.quote)


def cite_rule(rule: LawRule) -> Citation:
    """A citation of a statutory rule."""
    best = max(rule.sources, key=lambda s: s.confidence.rank) if rule.sources else None
    return Citation(
        label=rule.citation,
        url=rule.url,
        confidence=rule.confidence,
        checked=best.checked if best else None,
        label_ja=rule.citation_ja,
    )


@dataclass(frozen=True)
class TermsResult:
    """A licence or terms evaluated for one scenario."""

    status: Status
    restrictive: tuple[Term, ...]
    obligations: tuple[Term, ...]
    grounds: tuple[Term, ...]

    @property
    def confidence(self) -> Confidence:
        """The weakest confidence among the deciding clauses."""
        deciding = self.restrictive or self.grounds
        if not deciding:
            return Confidence.SECONDARY
        return min((t.confidence for t in deciding), key=lambda c: c.rank)


_T = TypeVar("_T")
_K = TypeVar("_K")
_V = TypeVar("_V")


class HeldById(Generic[_K, _V]):
    """Values memoised by the identity of their key object, which the memo holds (so its ``id`` cannot name
    another object meanwhile): cheaper than hashing a scenario of many fields or a tuple of lineage nodes."""

    __slots__ = ("_by_id",)

    def __init__(self) -> None:
        self._by_id: dict[int, tuple[_K, _V]] = {}

    def get(self, key: _K) -> _V | None:
        """The value put for this very object, or ``None``."""
        held = self._by_id.get(id(key))
        return held[1] if held is not None and held[0] is key else None

    def put(self, key: _K, value: _V) -> _V:
        """Remember ``value`` for this object (held until the memo goes) and return it."""
        self._by_id[id(key)] = (key, value)
        return value

_MISSING: Any = object()


class _Once(Generic[_T]):
    """A value computed on first access and kept in the instance, without :func:`functools.cached_property`'s
    lock (Python 3.11 takes one on every first access: a measurable share of judging a million artifacts)."""

    def __init__(self, fn: Callable[[Any], _T]) -> None:
        """Wrap ``fn``, the method that computes the value."""
        self.fn = fn
        self.name = fn.__name__
        self.__doc__ = fn.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        """Remember the attribute name (the instance's ``__dict__`` key)."""
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> _Once[_T]: ...

    @overload
    def __get__(self, obj: object, owner: type | None = None) -> _T: ...

    def __get__(self, obj: object | None, owner: type | None = None) -> _T | _Once[_T]:
        """The value, computed and kept in ``obj`` the first time."""
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.fn(obj)
        return value


class NodeMemo:
    """What the walks of one run found below one node, under one scenario: one record per children tuple.

    The lineage DAGs of a run share their nodes' children, so each walk (the licences inherited, the
    bases a declared licence could conflict with, what provenance observes, whether some upstream
    artifact passes a test) is found once per children tuple. One record holds every walk's answer
    (``None`` until found), keyed by the tuple's ``id`` in :meth:`Context.node_memo` and holding the
    tuple, so the ``id`` names it meanwhile: cheaper in memory than an entry per walk in a memo per walk.
    The records of a scenario are kept in its :class:`Tables`.
    """

    __slots__ = ("below", "candidates", "children", "inherited", "upstream", "walked")

    def __init__(self, children: tuple[LineageNode, ...]) -> None:
        """An empty record for ``children``."""
        self.children = children
        self.inherited: Any = None  # license._Inherited
        self.candidates: Any = None  # license._candidates' frozenset
        self.walked: Any = None  # provenance._Walked
        self.below: Any = None  # upstream_has: (what, answer), or {what: answer} for more than one
        self.upstream: Any = None  # Judgements._below: the assessments listed below


class Tables:
    """The tables of the run's memo under one scenario that every judgement reads: one attribute each,
    instead of a look-up of :meth:`Context.shared` by a constant key per use (:meth:`Context.tables`).

    ``records``: the :class:`NodeMemo` of each children tuple, by its ``id``; ``laws``: the law chain of
    :attr:`Context.laws` (it depends on the jurisdiction alone), once found; the licence layer's bodies,
    walks, base steps, licence records by artifact and candidate sets; provenance's findings, walks and
    observations; the judged combinations (:func:`modelclear.assess._judge`); and, from the knowledge's
    ``rules/acts.yaml``, the relations whose base licences are followed (derivative or flow-down ones),
    the flow-down ones, the derivative ones and the licence categories a declared licence conflicts with.
    """

    __slots__ = ("candidate_sets", "conflicting", "derivative", "findings", "flow_down", "followed", "judged",
                 "laws", "licence_bodies", "licence_of", "licence_steps", "licence_walks", "observations", "parts",
                 "records")

    def __init__(self, kb: KnowledgeBase) -> None:
        """Empty tables, and the relation sets of ``kb``'s rules."""
        self.records: dict[int, NodeMemo] = {}
        self.licence_bodies: dict[Any, Any] = {}
        self.licence_walks: dict[Any, Any] = {}
        self.licence_steps: dict[Any, Any] = {}
        self.licence_of: dict[Any, Any] = {}
        self.candidate_sets: dict[Any, Any] = {}
        self.findings: dict[Any, Any] = {}  # provenance
        self.parts: dict[Any, Any] = {}  # provenance
        self.observations: dict[Any, Any] = {}  # provenance
        self.judged: dict[Any, Any] = {}
        self.laws: list[Law] | None = None  # Context.laws: the scenario's jurisdiction's law and its parents
        acts = kb.rules.get("acts", {})
        self.flow_down: frozenset[str] = frozenset(acts.get("flow_down_relations", ()))
        self.derivative: frozenset[str] = frozenset(acts.get("derivative_relations", ()))
        self.followed: frozenset[str] = self.derivative | self.flow_down
        self.conflicting: frozenset[str] = frozenset(acts.get("declared_licence_conflict_categories", ()))


#: The key of a scenario's :class:`Tables` in its part of the run's memo (:meth:`Context.shared`).
TABLES = ("tables",)


def tables(kb: KnowledgeBase, memo: dict[Hashable, Any]) -> Tables:
    """The :class:`Tables` of a scenario's part of the run's memo, made the first time."""
    found: Tables | None = memo.get(TABLES)
    if found is None:
        found = memo[TABLES] = Tables(kb)
    return found


def node_record(records: dict[int, NodeMemo], children: tuple[LineageNode, ...]) -> NodeMemo:
    """The record of ``children`` among ``records`` (a scenario's :attr:`Tables.records`), made when missing."""
    found = records.get(id(children))
    if found is None or found.children is not children:
        found = records[id(children)] = NodeMemo(children)
    return found


_ANSWERS: dict[tuple[str, bool], tuple[str, bool]] = {}  # one (what, answer) pair object per distinct pair


def _below(records: dict[int, NodeMemo], what: str, test: Callable[[Artifact], bool],
           children: tuple[LineageNode, ...]) -> bool:
    """Whether an artifact at or below ``children`` passes ``test`` (memoised per children tuple in ``records``)."""
    if not children:
        return False
    record = node_record(records, children)
    held = record.below
    if held is not None:
        if type(held) is tuple:
            if held[0] == what:
                return bool(held[1])
        elif what in held:
            return bool(held[what])
    answer = False
    for child in children:
        if (child.artifact is not None and test(child.artifact)) or _below(records, what, test, child.children):
            answer = True
            break
    pair = _ANSWERS.setdefault((what, answer), (what, answer))
    if held is None:
        record.below = pair
    elif type(held) is tuple:
        record.below = {held[0]: held[1], what: answer}
    else:
        held[what] = answer
    return answer


@dataclass
class Context:
    """One artifact, one scenario, and the knowledge to judge it."""

    kb: KnowledgeBase
    scenario: Scenario
    artifact: Artifact
    lineage: LineageNode | None
    root: bool = True
    _law_chain: list[Law] | None = field(default=None, repr=False)
    #: Work shared by every context of one run (:class:`modelclear.assess.Judgements` passes one dict):
    #: what a layer finds about an *upstream* artifact depends on that artifact, how it is reached and
    #: the scenario, not on the artifact being judged, so it is found once per run (:meth:`shared`).
    run_memo: dict[Hashable, Any] = field(default_factory=dict, repr=False)

    #: This scenario's part of :attr:`run_memo`, when the caller has it at hand (``None``: looked up there).
    scenario_memo: dict[Hashable, Any] | None = field(default=None, repr=False)
    #: Set by a layer whose finding was made for this judgement alone (not a shared one): what is made of
    #: the findings together is then not kept for the run either.
    unshared: bool = field(default=False, repr=False)
    #: Set by a layer whose finding for this judgement was made now (not found made earlier in the run):
    #: no combination of findings holding it can have been judged before, so none is looked up (and the
    #: combination is kept only when a later judgement meets it again: most such findings name the
    #: artifact's bases and are met once).
    fresh: bool = field(default=False, repr=False)

    def shared(self, key: Hashable, make: Callable[[], _T]) -> _T:
        """``make()``, found once per run for ``key`` (the key must name everything the value depends on).

        The scenario is part of every key: ``key`` need only name the rest.
        """
        memo = self._scenario_memo
        value = memo.get(key, _MISSING)
        if value is _MISSING:
            value = memo[key] = make()
        return value

    @_Once
    def _scenario_memo(self) -> dict[Hashable, Any]:
        """This scenario's part of :attr:`run_memo` (the scenario is hashed once per context, not per lookup)."""
        if self.scenario_memo is not None:
            return self.scenario_memo
        memo: dict[Hashable, Any] = self.run_memo.setdefault(("scenario", self.scenario), {})
        return memo

    # --- what a layer's finding depends on, as keys of :meth:`shared` ------------------------------

    @_Once
    def facts_key(self) -> tuple[tuple[str, Any], ...] | None:
        """The artifact's facts as a key (sorted items), ``None`` when a value cannot be hashed."""
        facts = self.artifact.facts
        if not facts:
            return ()
        items = tuple(sorted(facts.items()))
        try:
            hash(items)
        except TypeError:
            return None
        return items

    def upstream_has(self, what: str, test: Callable[[Artifact], bool]) -> bool:
        """Whether some artifact of the lineage below the root passes ``test`` (cycle markers included).

        Found once per children tuple for the run and ``what`` (the name of ``test``): the nodes of the
        lineage DAGs of one run share their children, so this costs one step per node of the run, not per
        judgement.
        """
        if self.lineage is None:
            return False
        return _below(self.tables.records, what, test, self.lineage.children)

    def node_memo(self, children: tuple[LineageNode, ...]) -> NodeMemo:
        """The record of what the walks found below ``children`` (the children of one node) in this run."""
        return node_record(self.tables.records, children)

    @_Once
    def tables(self) -> Tables:
        """The run's :class:`Tables` under this scenario."""
        return tables(self.kb, self._scenario_memo)

    # --- law --------------------------------------------------------------------------------

    @property
    def laws(self) -> list[Law]:
        """The jurisdiction's law followed by its parents (DE → EU)."""
        if self._law_chain is None:
            chain: list[Law] = []
            law = self.kb.law(self.scenario.jurisdiction)
            seen: set[str] = set()
            while law is not None and law.jurisdiction not in seen:
                chain.append(law)
                seen.add(law.jurisdiction)
                law = self.kb.law(law.parent) if law.parent else None
            self._law_chain = chain
        return self._law_chain

    @property
    def law(self) -> Law:
        """The jurisdiction's own law record."""
        return self.laws[0]

    @property
    def jurisdiction_family(self) -> str:
        """The outermost parent (EU for DE and EU members)."""
        return self.laws[-1].jurisdiction if self.laws else self.scenario.jurisdiction

    @_Once
    def domicile_places(self) -> frozenset[str]:
        """The user's domicile and the jurisdictions it belongs to (FR → FR, EU); the act's place if not given."""
        sc = self.scenario
        if sc.domicile is None:
            return frozenset({sc.jurisdiction.upper(), self.jurisdiction_family})
        places = {sc.domicile.upper()}
        law, seen = self.kb.law(sc.domicile), set()
        while law is not None and law.jurisdiction not in seen:
            places.add(law.jurisdiction)
            seen.add(law.jurisdiction)
            law = self.kb.law(law.parent) if law.parent else None
        return frozenset(places)

    @property
    def on(self) -> dt.date:
        """The date the acts are judged at."""
        return self.scenario.as_of

    def rule_for(self, act: str) -> LawRule | None:
        """The rule in force for ``act`` and the scenario's purpose, own law first, then parents."""
        for law in self.laws:
            for rule in law.rules:
                if rule.act == act and self.scenario.purpose in rule.purposes and rule.in_force(self.on):
                    return rule
        return None

    def weights_unprotected(self) -> bool:
        """Whether this law holds learned weights most likely not a work, on better than an [U] source."""
        work = self.position("weights_work")
        return work is not None and work.likelihood == "unlikely" and work.confidence is not Confidence.UNCERTAIN

    def position(self, name: str) -> Any:
        """A legal position (weights_work, model_copy, contract_override), own law first."""
        for law in self.laws:
            value = getattr(law, name)
            if value is not None:
                return value
        return None

    # --- the act ----------------------------------------------------------------------------

    @property
    def act(self) -> str:
        """The legal act the activity amounts to for this kind of artifact."""
        acts = self.kb.rules.get("acts", {}).get("acts", {})
        return str(acts.get(self.artifact.kind.value, {}).get(self.scenario.activity.value, "analysis"))

    @property
    def generative(self) -> bool:
        """Whether the model generates content (text, images, audio) rather than labels or vectors."""
        return bool(self.artifact.facts.get("generative", False))

    @_Once
    def exception(self) -> str:
        """What the law says of the act: covers | covers_unless_optout | needs_licence | uncertain | ... | none."""
        act = self.act
        if act in ("use_weights", "distribute_weights", "use_software"):
            return "none"
        rule = self.rule_for(act)
        if rule is not None:
            return "needs_licence" if self.unmet(rule) else rule.effect
        defaults = self.kb.rules.get("acts", {}).get("default_effects", {})
        return str(defaults.get(act, "unknown"))

    def lawful_access(self) -> str:
        """The artifact's recorded ``lawful_access``: yes | no | unknown, or ``unrecorded``."""
        rec = self.artifact.facts.get("lawful_access")
        value = rec.get("value") if isinstance(rec, Mapping) else rec
        return str(value) if value in ("yes", "no", "unknown") else "unrecorded"

    def unmet(self, rule: LawRule) -> tuple[Requirement, ...]:
        """The conditions of ``rule`` the artifact is recorded not to meet (fact value ``no``)."""
        return tuple(q for q in rule.requires if q.fact == "lawful_access" and self.lawful_access() == "no")

    @_Once
    def training_covered(self) -> bool:
        """Whether the jurisdiction's law covers commercial training (so upstream NC terms matter less).

        It depends on the scenario alone: found once per run (:meth:`shared`).
        """
        return self.shared(("context.training_covered",), self._training_covered)

    def _training_covered(self) -> bool:
        for law in self.laws:
            for rule in law.rules:
                if rule.act == "analysis" and rule.effect in ("covers", "covers_unless_optout") \
                        and rule.in_force(self.on) and any(p.value == "commercial" for p in rule.purposes):
                    return True
        return False

    # --- facts for the interaction rules ----------------------------------------------------

    @_Once
    def facts(self) -> dict[str, Any]:
        """The facts the interaction rules match on (declared in :mod:`modelclear.assess.facts`).

        Holds the context's own facts from the start; each layer adds its own with :meth:`publish`.
        """
        key = self.facts_key
        if key is None:
            return self._own_facts()
        # The same for every artifact of a kind with the same facts (under the context's scenario).
        return dict(self.shared(("context.facts", self.artifact.kind, key), self._own_facts))

    def _own_facts(self) -> dict[str, Any]:
        art, sc = self.artifact, self.scenario
        co = self.position("contract_override")
        own: dict[str, Any] = {
            "kind": art.kind.value,
            "activity": sc.activity.value,
            "purpose": sc.purpose.value,
            "act": self.act,
            "jurisdiction": self.law.jurisdiction,
            "jurisdiction_family": self.jurisdiction_family,
            "exception": self.exception,
            "contract_override": bool(co and co.value),
            "proviso_risk": bool(art.facts.get("commercial_ml_license_available")
                                 or art.facts.get("technical_measures")),
            "generative": self.generative,
            "pirated_content": bool(art.facts.get("pirated_content")),
            "lawful_access": self.lawful_access(),
        }
        for name, value in own.items():
            check_published(name, value)
        return own

    def publish(self, **facts: Any) -> None:
        """Add facts a layer found (e.g. ``contract_status``); each must be declared, with its type."""
        for name, value in facts.items():
            check_published(name, value)
        self.facts.update(facts)

    def republish(self, facts: Mapping[str, Any]) -> None:
        """Add facts a layer found for an earlier context of the run (checked by :meth:`publish` then)."""
        self.facts.update(facts)

    def facts_with_derived(self) -> dict[str, Any]:
        """The artifact's facts plus those derived by ``rules/acts.yaml`` ``derived_facts``."""
        facts = dict(self.artifact.facts)
        derived = self.kb.rules.get("acts", {}).get("derived_facts", {}) or {}
        for name, spec in derived.items():
            if name in facts:
                continue
            when = spec.get("when", {})
            if all((facts.get(k) in v) if isinstance(v, list) else facts.get(k) == v for k, v in when.items()):
                facts[name] = True
        return facts

    # --- licences ---------------------------------------------------------------------------

    def licence(self, text: str) -> License | None:
        """``kb.license(text)``: the licence record for an id, SPDX id or alias, found once per run for ``text``."""
        memo = self._licences
        found = memo.get(text, _MISSING)
        if found is _MISSING:
            found = memo[text] = self.kb.license(text)
        return found

    @_Once
    def _licences(self) -> dict[str, License | None]:
        """The run's licence records by the text looked up (:meth:`licence`)."""
        memo: dict[str, License | None] = self.run_memo.setdefault(("context.licences",), {})
        return memo

    def license_in_force(self, artifact: Artifact | None = None) -> str | None:
        """The artifact's licence on the day the user obtained it (default: today)."""
        art = artifact or self.artifact
        when = self.scenario.obtained_on or self.scenario.as_of
        if not art.history:
            return art.license
        in_force = [c for c in art.history if c.since <= when]
        # Obtained before the first recorded change: the earliest licence known is the best answer.
        return (in_force[-1] if in_force else art.history[0]).license

    def evaluate(self, lic: License, facts: Mapping[str, Any] | None = None) -> TermsResult:
        """Evaluate a licence's clauses for the scenario's activity, purpose and jurisdiction.

        The result depends on the licence, the scenario and the facts its clauses require, so it is
        found once per run for each combination of those (:meth:`shared`).
        """
        facts = facts if facts is not None else self.artifact.facts
        needed = self.shared(("terms.facts", lic.id), partial(_required_facts, lic))
        relevant = tuple((name, facts.get(name)) for name in needed)
        try:
            hash(relevant)
        except TypeError:  # a fact value that cannot be a key: evaluated for this context alone
            return self._evaluate(lic, facts)
        return self.shared(("terms", lic.id, relevant), partial(self._evaluate, lic, facts))

    def _evaluate(self, lic: License, facts: Mapping[str, Any]) -> TermsResult:
        sc = self.scenario
        places = {sc.jurisdiction.upper(), self.jurisdiction_family}
        restrictive: list[Term] = []
        obligations: list[Term] = []
        grounds: list[Term] = []
        for term in lic.terms:
            if sc.activity not in term.activities or sc.purpose not in term.purposes:
                continue
            if term.jurisdictions and not (term.jurisdictions & places):
                continue
            if any(facts.get(k) != v for k, v in term.requires_facts.items()):
                continue
            if term.domiciles and not (term.domiciles & self.domicile_places):
                if sc.domicile is None and term.effect is Status.PROHIBITED:
                    # Domicile not given, assumed where the act is: the clause still binds who you are.
                    obligations.append(term)
                continue
            if term.effect is Status.CONDITIONAL:
                obligations.append(term)
            elif term.effect is Status.ALLOWED:
                grounds.append(term)
            else:
                restrictive.append(term)
        statuses = [t.effect for t in restrictive]
        if not lic.grants:
            statuses.append(Status.UNKNOWN)
        elif sc.activity not in lic.grants:
            statuses.append(Status.PROHIBITED)
        if obligations:
            statuses.append(Status.CONDITIONAL)
        status = worst(statuses) if statuses else Status.ALLOWED
        return TermsResult(status, tuple(restrictive), tuple(obligations), tuple(grounds))

    def is_accepted(self, artifact_id: str, terms: tuple[str, ...] = ()) -> bool:
        """Whether the user declared (``--accepted``) the terms of an artifact or a terms record."""
        accepted = {a.lower() for a in self.scenario.accepted}
        canon = {a.lower() for a in (self.kb.canonical(x) or x for x in self.scenario.accepted)}
        names = {artifact_id.lower(), *(t.lower() for t in terms)}
        return bool(names & (accepted | canon))


def _required_facts(lic: License) -> tuple[str, ...]:
    """The artifact facts any clause of ``lic`` depends on (``requires_facts``), sorted."""
    return tuple(sorted({name for term in lic.terms for name in term.requires_facts}))


def msg(key: str, **params: LocalText | str) -> Message:
    """A message with parameters."""
    return Message(key, params)
