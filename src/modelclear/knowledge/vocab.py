"""Every closed vocabulary of the knowledge base, declared once.

Values the engine also models as enums (activities, purposes, confidence tags, artifact kinds) are
taken from :mod:`modelclear.model`; the others are declared here. Modules that need a vocabulary
(record builders, the rule loader's fact table, the loader-file reader, the tests) import it from
here rather than spelling it again.
"""

from __future__ import annotations

from modelclear.model import Activity, Confidence, Kind, Purpose

#: What a user does with an artifact (licence ``activities``/``grants``, obligations).
ACTIVITIES: tuple[str, ...] = tuple(a.value for a in Activity)
#: Why (licence terms and law rules ``purposes``).
PURPOSES: tuple[str, ...] = tuple(p.value for p in Purpose)
#: Confidence tags of a source or fact: [V] primary text read, [S] secondary, [U] uncertain.
CONFIDENCES: tuple[str, ...] = tuple(c.value for c in Confidence)
#: What an artifact is.
KINDS: tuple[str, ...] = tuple(k.value for k in Kind)
#: What a loader call loads (a package is never loaded by a call).
LOADER_KINDS: tuple[str, ...] = (Kind.MODEL.value, Kind.DATASET.value)

#: Licence ``kind``: a copyright licence, or terms of access (a contract only).
LICENSE_KINDS = ("license", "terms")
#: Licence ``category``.
LICENSE_CATEGORIES = ("public-domain", "permissive", "weak-copyleft", "copyleft", "network-copyleft",
                      "share-alike", "non-commercial", "responsible-ai", "research-only", "proprietary",
                      "terms-of-access", "unknown")
#: How a user becomes bound by terms as a contract (licence ``acceptance``).
ACCEPTANCE = ("none", "by-use", "click-through", "registration", "notice")
#: The acceptance a platform's own terms may have (platform ``acceptance``).
PLATFORM_ACCEPTANCE = ("none", "click-through", "by-use")
#: Acceptance values under which obtaining or using the artifact is entering a contract.
CONTRACT_ACCEPTANCE = ("by-use", "click-through", "registration")
#: What a licence term does (term ``effect``).
TERM_EFFECTS = ("prohibited", "conditional", "uncertain", "allowed")

#: The legal acts an activity amounts to (``rules/acts.yaml``).
ACTS = ("analysis", "use_weights", "distribute_weights", "use_outputs", "distribute_data", "use_software")
#: The acts a law rule speaks of (software use is not a copyright-exception question).
LAW_ACTS = tuple(a for a in ACTS if a != "use_software")
#: What a law rule says of an act (law rule ``effect``).
LAW_EFFECTS = ("covers", "covers_unless_optout", "needs_licence", "uncertain", "conditional")
#: Conditions a law rule may require of the artifact (law rule ``requires[].fact``).
RULE_REQUIREMENTS = ("lawful_access",)
#: Values of a dataset's ``facts.lawful_access.value``.
LAWFUL_ACCESS = ("yes", "no", "unknown")
#: ``weights_work.likelihood`` of a law file.
WEIGHTS_LIKELIHOOD = ("unlikely", "unsettled", "likely")
#: ``model_copy.likelihood`` of a law file.
MODEL_COPY_LIKELIHOOD = ("unlikely", "only_if_memorised", "unsettled", "likely")
#: ``model_copy.generative_effect`` of a law file.
GENERATIVE_EFFECTS = ("allowed", "uncertain")
#: ``contract_override.scope`` of a law file.
OVERRIDE_SCOPES = ("research", "analysis")

#: Relations of a model to the models it is built on (``base_models[].relation``).
BASE_RELATIONS = ("finetune", "adapter", "merge", "quantized", "distill")
#: Every lineage relation: the base relations, ``trained_on`` (``datasets:``) and ``derived_from``.
RELATIONS = (*BASE_RELATIONS, "trained_on", "derived_from")
#: Who owns a dataset's content (``facts.content_owner``).
CONTENT_OWNERS = ("publisher", "third-party", "mixed")
#: ``facts.commercial`` of a dataset besides true/false/null.
PER_ITEM = "per-item"

#: What a loader call without its id argument means (loader ``if_missing``).
IF_MISSING = ("unresolved", "skip", "default")
#: What a loader gate does with a call (``gates[].missing|falsy|none|truthy``).
GATE_ACTIONS = ("ref", "skip")

#: What a licence asks of a release (licence ``release.ship[].kind``), and where ``modelclear notice`` puts it:
#: ``notice`` and ``modifications`` lines go in NOTICE; ``licence-copy`` in LICENSES/; the others (naming,
#: "Built with" statements, restrictions to pass on, conditions that stay) in the model card section.
RELEASE_KINDS = ("notice", "modifications", "licence-copy", "naming", "built-with", "pass-on", "non-commercial",
                 "share-alike", "source-offer", "revenue-threshold", "no-endorsement")
#: Whether a licence's text may be bundled with a release (``release.text.bundle``): ``verbatim`` (the text
#: may be copied as is), ``link`` (refer to it by its address; copying is not clearly allowed or not needed).
TEXT_BUNDLE = ("verbatim", "link")
#: Kinds of an artifact's recorded notice lines (``notices[].kind``), and of those a release item takes (``lines``).
NOTICE_LINE_KINDS = ("copyright", "notice", "attribution")

#: Languages of the message catalogues (``i18n/<lang>.yaml``) and of bilingual texts.
LANGUAGES = ("en", "ja")
