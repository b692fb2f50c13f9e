"""The layer-interaction rules (legal-facts §6, R1–R7) of ``data/rules/interactions.yaml``: loaded, checked, applied.

Loading a rules file checks it against the declared fact vocabulary (:mod:`modelclear.assess.facts`):
a ``when:`` key that is not a declared fact, a value the fact cannot take, an unknown layer, mode or
status in ``then:``, or an unknown key in a rule fails the load with a :class:`RuleError` naming the
file, the rule and the key. ``rules/acts.yaml`` is checked in the same load (kinds, activities, acts,
effects, relations). The rules of a knowledge base (bundled plus ``--kb`` overlays) load once, on
first use (:func:`for_kb`).
"""

from __future__ import annotations

import weakref
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from modelclear.assess.context import msg
from modelclear.assess.facts import ACTS, EXCEPTION_EFFECTS, FACTS, JURISDICTIONS, RELATIONS
from modelclear.catalog import KnowledgeBase
from modelclear.catalog.records import RecordError, local_text, sources
from modelclear.model import Activity, Citation, Finding, FindingParts, Kind, Layer, LocalText, Message, Source, Status

MODES = ("set", "floor", "cap", "note")
_RULE_KEYS = {"id", "when", "then", "summary", "sources"}
_ACTION_KEYS = {"layer", "mode", "status"}
_ACTS_KEYS = {"acts", "default_effects", "derivative_relations", "flow_down_relations", "derived_facts",
              "dataset_activity_in_context", "product_activities", "declared_licence_conflict_categories",
              "declared_licence_conflict_status"}


class RuleError(RecordError):
    """A rules file that does not follow the rules format or names an undeclared fact.

    A :class:`RecordError`: the CLI reports it as a problem in the knowledge base, not as a bug.
    """


@dataclass(frozen=True)
class Action:
    """One adjustment of a layer: ``set`` (exactly), ``floor`` (at least), ``cap`` (at most), ``note`` (reason only)."""

    layer: Layer
    mode: str
    status: Status | None = None


@dataclass(frozen=True)
class Rule:
    """One interaction rule: when every ``when`` fact matches (a tuple means any of), do ``then``."""

    id: str
    when: Mapping[str, Any]
    then: tuple[Action, ...]
    summary: LocalText
    sources: tuple[Source, ...] = ()

    @cached_property
    def shown(self) -> tuple[Message, tuple[Citation, ...]]:
        """The reason a finding it adjusts gives, and the citation of its first source (made once)."""
        cites = tuple(Citation(label=self.id, url=s.url, confidence=s.confidence, checked=s.checked)
                      for s in self.sources[:1])
        return msg("rule.applied", rule=self.id, text=self.summary), cites

    def matches(self, facts: Mapping[str, Any]) -> bool:
        """Whether every ``when`` fact has the expected value (or one of the expected values)."""
        for name, expected in self.when.items():
            actual = facts.get(name)
            if isinstance(expected, tuple):
                if actual not in expected:
                    return False
            elif actual != expected:
                return False
        return True


def _suggest(word: str, choices: Collection[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _when(raw: Any, where: str, known: Mapping[str, Collection[str]] | None) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise RuleError(f"{where}.when: expected a mapping of facts, got {raw!r}")
    out: dict[str, Any] = {}
    for key, value in raw.items():
        fact = FACTS.get(str(key))
        if fact is None:
            raise RuleError(f"{where}.when: key {key!r} is not a declared fact{_suggest(str(key), FACTS)}; "
                            f"declared: {', '.join(sorted(FACTS))}")
        values = value if isinstance(value, list) else [value]
        if not values:
            raise RuleError(f"{where}.when.{key}: empty list of values")
        for item in values:
            problem = fact.check(item, known)
            if problem:
                raise RuleError(f"{where}.when.{key}: {problem}")
        out[fact.name] = tuple(value) if isinstance(value, list) else value
    return out


def _action(raw: Any, where: str) -> Action:
    if not isinstance(raw, Mapping):
        raise RuleError(f"{where}: expected {{layer, mode, status}}, got {raw!r}")
    extra = set(map(str, raw)) - _ACTION_KEYS
    if extra:
        raise RuleError(f"{where}: unknown key {sorted(extra)[0]!r}{_suggest(sorted(extra)[0], _ACTION_KEYS)}")
    try:
        which = Layer(str(raw.get("layer")))
    except ValueError:
        raise RuleError(f"{where}.layer: {raw.get('layer')!r} is not one of {[x.value for x in Layer]}") from None
    mode = raw.get("mode", "set")
    if mode not in MODES:
        raise RuleError(f"{where}.mode: {mode!r} is not one of {list(MODES)}")
    status = None
    if "status" in raw:
        try:
            status = Status(raw["status"])
        except ValueError:
            raise RuleError(f"{where}.status: {raw['status']!r} is not one of {[s.value for s in Status]}") from None
    elif mode != "note":
        raise RuleError(f"{where}: mode {mode!r} needs a status")
    return Action(which, str(mode), status)


def parse_rule(raw: Any, where: str, known: Mapping[str, Collection[str]] | None = None) -> Rule:
    """One rule from its YAML mapping; ``where`` names it in errors (``rules/interactions.yaml: rule 'R1'``)."""
    if not isinstance(raw, Mapping) or not raw.get("id"):
        raise RuleError(f"{where}: a rule must be a mapping with an id")
    extra = set(map(str, raw)) - _RULE_KEYS
    if extra:
        key = sorted(extra)[0]
        raise RuleError(f"{where}: unknown key {key!r}{_suggest(key, _RULE_KEYS)}")
    when = _when(raw.get("when"), where, known)
    then_raw = raw.get("then") or []
    if not isinstance(then_raw, list):
        raise RuleError(f"{where}.then: expected a list of actions")
    then = tuple(_action(a, f"{where}.then[{i}]") for i, a in enumerate(then_raw))
    if bool(when) != bool(then):
        # A rule with no condition or no action never fires: only a citation-only rule (both empty) may.
        raise RuleError(f"{where}: 'when' and 'then' must both be given (or both empty for a rule only cited)")
    try:
        summary = local_text(raw.get("summary"), where)
        srcs = sources(raw.get("sources"), where, required=False)
    except RecordError as exc:
        raise RuleError(str(exc)) from None
    assert summary is not None
    return Rule(str(raw["id"]), when, then, summary, srcs)


def parse(raw: Any, where: str, known: Mapping[str, Collection[str]] | None = None) -> tuple[Rule, ...]:
    """The rules of one ``interactions`` file (``{rules: [...]}``); ``where`` is the file's name.

    ``known`` gives the members of open value sets (``{"jurisdictions": [...]}``) to check values against.
    """
    if raw is None:
        return ()
    if not isinstance(raw, Mapping) or not isinstance(raw.get("rules", []), list):
        raise RuleError(f"{where}: expected a mapping with a list 'rules'")
    extra = set(map(str, raw)) - {"rules"}
    if extra:
        raise RuleError(f"{where}: unknown key {sorted(extra)[0]!r}")
    out: list[Rule] = []
    seen: set[str] = set()
    for i, item in enumerate(raw.get("rules") or ()):
        rid = item.get("id") if isinstance(item, Mapping) else None
        rule = parse_rule(item, f"{where}: rule {rid!r}" if rid else f"{where}: rules[{i}]", known)
        if rule.id in seen:
            raise RuleError(f"{where}: rule {rule.id!r} is defined twice")
        seen.add(rule.id)
        out.append(rule)
    return tuple(out)


def _names(value: Any, allowed: Collection[str], where: str) -> None:
    items = value if isinstance(value, list) else [value]
    for item in items:
        if item not in allowed:
            raise RuleError(f"{where}: {item!r} is not one of {sorted(allowed)}{_suggest(str(item), allowed)}")


def check_acts(raw: Any, where: str) -> None:
    """Check a ``rules/acts.yaml`` mapping: kinds, activities, acts, effects and relations it names."""
    if raw is None:
        return
    if not isinstance(raw, Mapping):
        raise RuleError(f"{where}: expected a mapping")
    extra = set(map(str, raw)) - _ACTS_KEYS
    if extra:
        key = sorted(extra)[0]
        raise RuleError(f"{where}: unknown key {key!r}{_suggest(key, _ACTS_KEYS)}")
    kinds, activities = [k.value for k in Kind], [a.value for a in Activity]
    for kind, table in (raw.get("acts") or {}).items():
        _names(kind, kinds, f"{where}: acts")
        if not isinstance(table, Mapping):
            raise RuleError(f"{where}: acts.{kind}: expected a mapping of activity to act")
        for activity, act in table.items():
            _names(activity, activities, f"{where}: acts.{kind}")
            _names(act, ACTS, f"{where}: acts.{kind}.{activity}")
    for act, effect in (raw.get("default_effects") or {}).items():
        _names(act, ACTS, f"{where}: default_effects")
        _names(effect, EXCEPTION_EFFECTS, f"{where}: default_effects.{act}")
    for key in ("derivative_relations", "flow_down_relations"):
        _names(list(raw.get(key) or ()), RELATIONS, f"{where}: {key}")
    if raw.get("dataset_activity_in_context") is not None:
        _names(raw["dataset_activity_in_context"], activities, f"{where}: dataset_activity_in_context")
    _names(list(raw.get("product_activities") or ()), activities, f"{where}: product_activities")
    conflict = raw.get("declared_licence_conflict_status") or {}
    if not isinstance(conflict, Mapping):
        raise RuleError(f"{where}: declared_licence_conflict_status: expected {{own: STATUS, third_party: STATUS}}")
    for whose, status in conflict.items():
        _names(whose, ("own", "third_party"), f"{where}: declared_licence_conflict_status")
        _names(status, [s.value for s in Status], f"{where}: declared_licence_conflict_status.{whose}")
    for name, spec in (raw.get("derived_facts") or {}).items():
        # ``when`` here matches the artifact's own facts (records' ``facts:``), an open vocabulary.
        if not isinstance(spec, Mapping) or not isinstance(spec.get("when"), Mapping) or not spec["when"]:
            raise RuleError(f"{where}: derived_facts.{name}: expected {{when: {{fact: value}}}}")


def load_file(path: Path, known: Mapping[str, Collection[str]] | None = None) -> tuple[Rule, ...]:
    """Load and check one rules file (``interactions`` rules; an ``acts`` or ``reuploads`` file is checked,
    returns ``()``)."""
    import yaml  # only for a rules file read directly: a check reads the rules from the compiled knowledge

    where = f"rules/{path.name}"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RuleError(f"{where}: not valid YAML: {exc}") from None
    if path.stem == "acts":
        check_acts(raw, where)
        return ()
    if path.stem == "reuploads":  # no interaction rules: re-uploads inferred by name (catalog.reupload)
        from modelclear.knowledge import schema

        problems = schema.problems(where, raw, today=None)
        if problems:
            raise RuleError(problems[0])
        return ()
    return parse(raw, where, known)


_LOADED: weakref.WeakKeyDictionary[KnowledgeBase, tuple[Rule, ...]] = weakref.WeakKeyDictionary()


def for_kb(kb: KnowledgeBase) -> tuple[Rule, ...]:
    """The interaction rules of a knowledge base (bundled plus overlays), checked on first use."""
    found = _LOADED.get(kb)
    if found is None:
        check_acts(kb.rules.get("acts"), "rules/acts.yaml")
        known = {JURISDICTIONS: frozenset(kb.jurisdictions())}
        found = _LOADED[kb] = parse(kb.rules.get("interactions"), "rules/interactions.yaml", known)
    return found


def find(kb: KnowledgeBase, rule_id: str) -> Rule | None:
    """The rule ``rule_id`` of a knowledge base (e.g. R6, cited by the contract layer)."""
    return next((r for r in for_kb(kb) if r.id == rule_id), None)


def apply(rules: Sequence[Rule], facts: Mapping[str, Any], findings: dict[Layer, Finding]) -> list[str]:
    """Adjust ``findings`` in place by every rule whose ``when`` matches ``facts``; return the ids applied."""
    applied: list[str] = []
    for rule in rules:
        if not rule.when or not rule.then or not rule.matches(facts):
            continue
        reason, cites = rule.shown
        for action in rule.then:
            finding = findings[action.layer]
            status = finding.status
            target = action.status if action.status is not None else status
            tighten = action.mode == "floor" and status.severity < target.severity
            loosen = action.mode == "cap" and status.severity > target.severity
            if action.mode == "set" or tighten or loosen:
                status = target
            findings[action.layer] = amended(finding, status, (reason,), cites)
        applied.append(rule.id)
    return applied


def amended(finding: Finding, status: Status, reasons: tuple[Message, ...], cites: tuple[Citation, ...]) -> Finding:
    """``finding`` with ``status`` and the rules' ``reasons`` and ``cites`` after its own; a deferred finding
    stays deferred (:class:`Then`)."""
    if finding.pending:
        return Finding.deferred(finding.layer, status, Then(finding, reasons, cites), finding.caveats, finding.weakest)
    return Finding(finding.layer, status, (*finding.reasons, *reasons), finding.obligations,
                   (*finding.citations, *cites), finding.caveats, finding.weakest)


class Then:
    """The parts of a deferred finding after rules: the finding's, with the rules' reasons and citations added."""

    __slots__ = ("cites", "finding", "reasons")

    def __init__(self, finding: Finding, reasons: tuple[Message, ...], cites: tuple[Citation, ...]) -> None:
        """``finding`` (deferred) with ``reasons`` and ``cites`` after its own."""
        self.finding = finding
        self.reasons = reasons
        self.cites = cites

    def __call__(self) -> FindingParts:
        """The three tuples, made (without keeping the first finding's)."""
        reasons, obligations, citations = self.finding.parts()
        return (*reasons, *self.reasons), obligations, (*citations, *self.cites)
