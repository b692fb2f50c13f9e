"""The fact vocabulary: every fact the interaction rules (``data/rules/interactions.yaml``) may match on.

A rule's ``when:`` names facts about the artifact, the scenario and the layers' findings. They are
declared here, once, with their type and allowed values; :mod:`modelclear.assess.rules` checks every
``when:`` key and value against this table when the rules load (a misspelt key fails the load), and
:class:`modelclear.assess.context.Context` refuses to publish a fact that is not declared here.

``set_by`` says who computes a fact: ``context`` (from the artifact, the scenario and the law, before any
layer runs) or the layer that publishes it while it assesses (see :mod:`modelclear.assess.layers`).
The closed vocabularies the facts take their values from are :mod:`modelclear.knowledge.vocab`'s.
Adding a fact: declare it here, compute it in ``context.py`` or publish it from its layer, and list it
in ``docs/knowledge-format.md``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from modelclear.knowledge import vocab
from modelclear.model import Activity, Kind, Purpose, Status

#: The legal acts an activity amounts to (``rules/acts.yaml`` ``acts``).
ACTS = frozenset(vocab.ACTS)
#: What a law says of an act (law rule ``effect``, ``acts.yaml`` ``default_effects``), plus ``none``
#: (no copyright question: weights or software) and ``unknown`` (nothing recorded).
EXCEPTION_EFFECTS = frozenset({*vocab.LAW_EFFECTS, "none", "unknown"})
#: How terms are accepted (licence ``acceptance``; ``none`` also when no terms decide).
ACCEPTANCE = frozenset(vocab.ACCEPTANCE)
#: Licence categories (licence ``category``), ``none`` when no licence decides.
LICENSE_CATEGORIES = frozenset({*vocab.LICENSE_CATEGORIES, "none"})
#: Provenance severities, from nothing seen to withdrawn, pirated or litigated material used directly.
SEVERITIES = ("none", "info", "warning", "serious")
#: Lineage relations (``Relation.relation``).
RELATIONS = frozenset(vocab.RELATIONS)

#: ``values`` of a fact whose allowed values are the jurisdictions with a law file.
JURISDICTIONS = "jurisdictions"


@dataclass(frozen=True)
class Fact:
    """One declared fact: its name, its type, the values a rule may compare it with, who sets it."""

    name: str
    type: type  # bool or str
    values: frozenset[str] | str | None  # allowed str values; JURISDICTIONS: the recorded ones; None: any
    set_by: str  # context | copyright | contract | license | provenance
    doc: str

    def check(self, value: object, known: Mapping[str, Collection[str]] | None = None) -> str | None:
        """Why ``value`` cannot be a value of this fact (``None`` when it can).

        ``known`` maps the name of an open set (:data:`JURISDICTIONS`) to its members; without it a
        jurisdiction need only look like a code (two or three capital letters).
        """
        if self.type is bool:
            return None if isinstance(value, bool) else f"expects true or false, got {value!r}"
        if not isinstance(value, str):
            return f"expects a string, got {value!r}"
        if isinstance(self.values, frozenset):
            if value not in self.values:
                return f"value {value!r} is not one of {sorted(self.values)}"
        elif self.values == JURISDICTIONS:
            members = (known or {}).get(JURISDICTIONS)
            if members is not None and value not in members:
                return f"value {value!r} is not a jurisdiction with a law file ({', '.join(sorted(members))})"
            if members is None and not (value.isascii() and value.isalpha() and value.isupper()
                                        and 2 <= len(value) <= 3):
                return f"value {value!r} is not a jurisdiction code"
        return None


def _fact(name: str, kind: type, values: Collection[str] | str | None, set_by: str, doc: str) -> Fact:
    vals = values if values is None or isinstance(values, str) else frozenset(values)
    return Fact(name, kind, vals, set_by, doc)


_STATUSES = [s.value for s in Status]

#: Every fact a rule may match on, by name.
FACTS: Mapping[str, Fact] = {f.name: f for f in (
    _fact("kind", str, [k.value for k in Kind], "context", "what the artifact is"),
    _fact("activity", str, [a.value for a in Activity], "context", "the scenario's activity"),
    _fact("purpose", str, [p.value for p in Purpose], "context", "the scenario's purpose"),
    _fact("act", str, ACTS, "context", "the legal act the activity amounts to (rules/acts.yaml)"),
    _fact("jurisdiction", str, JURISDICTIONS, "context", "the jurisdiction of the law applied (DE, not EU)"),
    _fact("jurisdiction_family", str, JURISDICTIONS, "context", "the outermost parent jurisdiction (EU for DE)"),
    _fact("exception", str, EXCEPTION_EFFECTS, "context", "what the law says of the act"),
    _fact("contract_override", bool, None, "context",
          "the law makes contract terms that exclude the exception unenforceable"),
    _fact("proviso_risk", bool, None, "context",
          "a commercial ML licence is on offer, or technical measures block AI collection"),
    _fact("generative", bool, None, "context", "the model generates content"),
    _fact("pirated_content", bool, None, "context", "the artifact contains pirated material"),
    _fact("lawful_access", str, [*vocab.LAWFUL_ACCESS, "unrecorded"], "context",
          "the artifact's content was obtained from a lawfully accessible source (dataset facts.lawful_access)"),
    _fact("contract_status", str, _STATUSES, "contract", "the contract layer's status"),
    _fact("contract_acceptance", str, ACCEPTANCE, "contract", "how the deciding terms were accepted"),
    _fact("license_category", str, LICENSE_CATEGORIES, "license", "category of the deciding licence"),
    _fact("license_yields", bool, None, "license", "the deciding licence yields to statutory exceptions"),
    _fact("license_acceptance", str, ACCEPTANCE, "license", "how the deciding licence is accepted"),
    _fact("license_status", str, _STATUSES, "license", "the licence layer's status"),
    _fact("provenance_severity", str, SEVERITIES, "provenance", "the highest provenance severity seen"),
)}


def check_published(name: str, value: object) -> None:
    """Raise ``KeyError``/``TypeError`` unless ``name`` is a declared fact and ``value`` has its type.

    Used when the context or a layer publishes a fact. Values from the knowledge base are not held to
    the declared sets here (an overlay may add a licence category); rules are, when they load.
    """
    fact = FACTS.get(name)
    if fact is None:
        raise KeyError(f"fact {name!r} is not declared in modelclear.assess.facts.FACTS")
    if not isinstance(value, fact.type):
        raise TypeError(f"fact {name!r} must be a {fact.type.__name__}, got {value!r}")
