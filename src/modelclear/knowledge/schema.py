"""The schema of every kind of knowledge file, declared once.

Each kind is a :class:`FileKind`: the folder it lives in, what one file holds, and the typed
:class:`~modelclear.knowledge.types.Record` its content must match. Dated values carry their source:
every ``sources`` entry has a URL, the date it was checked and a confidence tag (``V``/``S``/``U``);
rules and licences carry the dates they take effect (``effective``, ``until``, ``since``).

Three readers use this one declaration:

- the knowledge loader (:mod:`modelclear.catalog.bundled` for ``licenses``, ``datasets``, ``models``,
  ``law``, ``platforms``, ``rules``, ``i18n``; :mod:`modelclear.loaderdata` for ``loaders``), for the
  bundled data and every ``--kb`` overlay alike, through :func:`problems`;
- ``tools/gen_knowledge_doc.py``, which writes ``docs/knowledge-format.md`` from it;
- the tests, which load all bundled data strictly through it and show that it rejects bad records.

Problems read ``licenses/foo.yaml: terms[2].activities[0]: unknown value 'trian'; ...``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from modelclear.knowledge import checks, vocab
from modelclear.knowledge.errors import KnowledgeError as KnowledgeError
from modelclear.knowledge.errors import OverlayError as OverlayError
from modelclear.knowledge.types import (
    AllOr,
    AnyValue,
    Bool,
    Ctx,
    Date,
    Enum,
    Field,
    Int,
    ListOf,
    MapOf,
    OneOf,
    Record,
    Regex,
    Str,
    Text,
    Type,
    Url,
    Where,
)

F = Field

SOURCE = Record("Source", (
    F("url", Url(), True, "where the fact was read"),
    F("checked", Date(past=True), True, "the day it was read"),
    F("confidence", Enum(vocab.CONFIDENCES), True,
      "V: the primary text was read; S: a secondary account; U: uncertain or inferred"),
    F("note", Str(empty=True), doc="what the source says, or where in it"),
), doc="One source of a fact. A verdict resting on a fact graded U is never low risk.")
SOURCES = ListOf(SOURCE, nonempty=True)
TEXT = Text()
ACTIVITY = Enum(vocab.ACTIVITIES)
PURPOSES = ListOf(Enum(vocab.PURPOSES), nonempty=True)
NAMES = ListOf(Str(), unique=".")

TERM = Record("Term", (
    F("id", Str(), True, "unique within the licence"),
    F("effect", Enum(vocab.TERM_EFFECTS), True, "conditional: an obligation, stated in `summary`"),
    F("activities", AllOr(ACTIVITY), True, "the activities the clause speaks of"),
    F("purposes", PURPOSES, doc="default: every purpose"),
    F("jurisdictions", ListOf(Str()), doc="only where the user is in one of these (EU includes its members)"),
    F("requires_facts", MapOf(AnyValue()), doc="only for artifacts with these facts, e.g. {multimodal: true}"),
    F("domiciles", ListOf(Str()), doc="only for users domiciled (or with their principal place of business) in "
      "one of these, wherever the act happens (EU includes its members); without --domicile, where the act is"),
    F("summary", TEXT, True, "the clause in plain words"),
    F("clause", Str(), True, "where in the licence, e.g. §1(i)"),
    F("quote", Str(), doc="a short quote in the licence's own language"),
    F("url", Url(), True, "the clause's address"),
    F("confidence", Enum(vocab.CONFIDENCES), True, "how the clause was read"),
), doc="One clause of a licence, encoded by activity, purpose and jurisdiction.",
    checks=(checks.term_rules,), check_docs=("An uncertain (U) term may not have `effect: allowed`.",))

RELEASE_ITEM = Record("ReleaseItem", (
    F("id", Str(), True, "unique within the licence's release block"),
    F("kind", Enum(vocab.RELEASE_KINDS), True, "what it asks of a release (notice lines go in NOTICE; see vocab)"),
    F("activities", ListOf(ACTIVITY, nonempty=True), True, "the acts that trigger it (distribute, serve, deploy…)"),
    F("purposes", PURPOSES, doc="default: every purpose"),
    F("line", Str(), doc="the exact text to ship, in the licence's own words (a Notice line, a 'Built with' "
      "statement, a name prefix)"),
    F("credit", Str(), doc="an attribution built from the artifact's record: {artifact}, {publisher}, {source} "
      "are filled in; one not recorded is shown as unknown"),
    F("summary", TEXT, True, "what the release engineer must do, in plain words"),
    F("clause", Str(), True, "where in the licence, e.g. §1.b.iii"),
    F("quote", Str(), doc="a short quote in the licence's own language"),
    F("url", Url(), True, "the clause's address"),
    F("confidence", Enum(vocab.CONFIDENCES), True, "how the clause was read"),
    F("lines", ListOf(Enum(vocab.NOTICE_LINE_KINDS), nonempty=True, unique="."), doc="a `notice` item without "
      "`line` or `credit`: the kinds of an artifact's recorded `notices` lines that fill it"),
), doc="One thing a release must carry or say (issue 12 item 5).")
TEXT_FILE = Record("LicenceTextFile", (
    F("file", Str(pattern=r"[A-Za-z0-9][A-Za-z0-9._+-]*\.txt", what="a .txt file name"), True,
      "bundled as `licenses/texts/FILE`; `modelclear notice` writes it beside NOTICE as `LICENSES/FILE`"),
    F("title", Str(), True, "what the file holds (the licence, its acceptable use policy...)"),
    F("copied_from", SOURCE, True, "the file it was copied from, verbatim (a pinned address), the day and how"),
    F("part", TEXT, doc="when the file is one contiguous part of the published text: which part, and why"),
))
TEXT_COPYING = Record("TextCopying", (
    F("allowed", Bool(), True, "the licence text itself may be copied into a release"),
    F("basis", Str(), True, "what says so, in its own words where it has them"),
    F("url", Url(), True, "where that is said"),
    F("confidence", Enum(vocab.CONFIDENCES), True, "how it was read"),
))
RELEASE = Record("Release", (
    F("text", Record("LicenceText", (
        F("bundle", Enum(vocab.TEXT_BUNDLE), True, "verbatim: the text may be copied into LICENSES/; link: "
          "refer to it"),
        F("summary", TEXT, True, "why, in plain words"),
        F("clause", Str(), True, "the clause (or notice) that says so"),
        F("url", Url(), True, "the licence text"),
        F("confidence", Enum(vocab.CONFIDENCES), True, "how it was read"),
        F("files", ListOf(TEXT_FILE, nonempty=True, unique="file"), doc="the verbatim texts modelclear bundles; "
          "absent: none is bundled, and `notice` links the text"),
        F("copying", TEXT_COPYING, doc="whether the text itself may be copied (required with `files`)"),
    ), checks=(checks.licence_text_rules,), check_docs=(
        "`files` needs `copying` with `allowed: true` and `bundle: verbatim`.",)),
      True, "whether the licence text may be bundled with a release"),
    F("ship", ListOf(RELEASE_ITEM, unique="id"), True, "what a release engineer must ship or say"),
    F("sources", SOURCES, True, "where these obligations were read"),
), doc="What a release under (or derived from) this licence must ship: `modelclear notice` reads it.")

LICENSE = Record("Licence", (
    F("id", Str(), True, "the SPDX id where one exists, else a LicenseRef-style or project id; the file name"),
    F("spdx", Str(), True, "the SPDX id, or null", null=True),
    F("name", Str(), True, "the licence's full name"),
    F("aliases", NAMES, True, "other spellings (Hub card ids, DPC names), matched case-insensitively"),
    F("kind", Enum(vocab.LICENSE_KINDS), True, "a copyright licence, or terms of access (a contract only)"),
    F("category", Enum(vocab.LICENSE_CATEGORIES), True, "the licence's family"),
    F("acceptance", Enum(vocab.ACCEPTANCE), True, "how a user becomes bound as a contract"),
    F("yields_to_exceptions", Bool(), True, "it does not restrict acts a statutory exception permits (R1)"),
    F("passes_to_derivatives", Bool(), True, "its use restrictions bind derived models"),
    F("effective", Date(), doc="the day this version took effect", null=True),
    F("url", Url(), True, "the licence text"),
    F("summary", TEXT, True, "what it allows and forbids, in plain words"),
    F("grants", AllOr(ACTIVITY, empty=True), True, "activities permitted unless a term says otherwise"),
    F("terms", ListOf(TERM, unique="id"), True, "the clauses that decide"),
    F("sources", SOURCES, True, "where the licence was read"),
    F("release", RELEASE, doc="what a release must ship (attribution lines, licence text, naming, restrictions "
      "to pass on); absent: not recorded, and `notice` says so"),
), doc="A licence, or the terms of access of a dataset or service.",
    checks=(checks.id_is_file_name, checks.licence_rules),
    check_docs=("`id` is the file name.", "`spdx` is a real SPDX licence id (not a LicenseRef).",
                "A licence without terms grants nothing (`grants: []`)."))

RELATION = Record("Relation", (
    F("target", Str(), True, "the id of the artifact it is built on"),
    F("relation", Enum(vocab.RELATIONS), doc="default: finetune for base_models, derived_from for upstream"),
), doc="A lineage edge.")
BASE = OneOf((Str(what="an artifact id"), Record("BaseModel", (
    F("target", Str(), True, "the base model's id"),
    F("relation", Enum(vocab.BASE_RELATIONS), doc="default finetune"))),))
DATASET_REF = OneOf((Str(what="a dataset id"), Record("DatasetRef", (F("target", Str(), True, "the dataset's id"),))))
CHANGE = Record("LicenceChange", (
    F("since", Date(), True, "the day the licence changed"),
    F("license", Str(), doc="the licence from that day (null: none)", null=True),
    F("source", SOURCE, doc="where the change is recorded"),
), doc="A dated licence change.")
NOTE = OneOf((TEXT, Str(what="an English note")))
NOTICE_LINE = Record("NoticeLine", (
    F("line", Str(), True, "the exact line, as the work's own files give it (never made up)"),
    F("kind", Enum(vocab.NOTICE_LINE_KINDS), True, "copyright: a copyright line; notice: a line of its NOTICE "
      "file or licence notice; attribution: a credit its licence asks for"),
    F("source", SOURCE, True, "the file the line was read in, the day and how"),
), doc="A copyright or attribution line a release of the artifact carries (`modelclear notice`).")
DOWNLOAD = Record("Download", (
    F("prefix", Str(pattern=r"url:(https?|s3|gs|ftp)://[^\s/]+/\S*", what="a url: address"), True,
      "a `url:` reference that starts with this (case-insensitively) means this artifact"),
    F("exact", Bool(), doc="only this address itself, not every address under it (default false)"),
    F("source", SOURCE, True, "where the address was read (the loader library's code that holds it, or the "
      "artifact's own page), the day and how"),
), doc="An address the artifact is downloaded from: a `url:` reference to it resolves to this record.")


def _artifact_fields(dataset: bool) -> tuple[Field, ...]:
    """The fields of an artifact record; a hand-reviewed dataset requires most of them."""
    req = dataset
    return (
        F("id", Str(), True, "SCHEME:NAME (see the loader files' schemes)"),
        F("kind", Enum(("dataset",)) if dataset else Enum(vocab.KINDS), req,
          "default: the kind of the id's scheme"),
        F("name", Str(), req, "a readable name"),
        F("aliases", NAMES, req, "other ids and names that mean this artifact"),
        F("publisher", Str(empty=not dataset), req, "who publishes it"),
        F("license", Str(), req, "the licence (id of licenses/*.yaml) of what is published; null: none granted",
          null=True),
        F("license_note", NOTE, doc="why the licence is what it is", null=True),
        F("terms", ListOf(Str()), req, "contract records a user accepts to obtain it (licence ids)"),
        F("distributed_via", Str(empty=True), req, "a platform id (platforms/*.yaml) or a host name",
          null=True),
        F("gated", Bool(), req, "access needs an accepted request"),
        F("facts", DATASET_FACTS if dataset else MapOf(AnyValue()), req, "facts the layers read"),
        F("datasets", ListOf(DATASET_REF), doc="training datasets (relation trained_on)"),
        F("base_models", ListOf(BASE), doc="models it is built on"),
        F("upstream", ListOf(Record("DerivedFrom", (
            F("target", Str(), True, "the artifact it is derived from"),
            F("relation", Enum(("derived_from",)), True, "derived_from"))) if dataset else RELATION),
          doc="artifacts it is derived from"),
        F("history", ListOf(CHANGE), doc="dated licence changes"),
        F("notices", ListOf(NOTICE_LINE), doc="its copyright and attribution lines, with where each was read"),
        F("notes", ListOf(TEXT, nonempty=True) if dataset else ListOf(NOTE), req, "remarks for the reader"),
        F("url", Str(), doc="where it is downloaded from", null=True),
        F("downloads", ListOf(DOWNLOAD, nonempty=True, unique="prefix"), doc="download addresses (prefixes) whose "
          "`url:` references resolve to this record"),
        F("sources", SOURCES, req, "required unless the family's defaults carry sources"),
    )


DATASET_FACTS = Record("DatasetFacts", (
    F("content_owner", Enum(vocab.CONTENT_OWNERS), True, "who owns the content"),
    F("content_license", Str(), True, "licence id of the content, none, per-item or unknown", null=True),
    F("commercial", OneOf((Bool(null=True), Enum((vocab.PER_ITEM,)))), True, "what the dataset's own terms say"),
    F("commercial_ml_license_available", Bool(null=True), True, "R7: a commercial ML licence is on offer"),
    F("technical_measures", Bool(null=True), True, "R7: technical measures block AI collection"),
    F("withdrawn", Record("Withdrawn", (F("date", Date(), doc="when"),
                                        F("summary", TEXT, True, "what happened"))), doc="withdrawn by its publisher"),
    F("pirated_content", Bool(null=True), doc="it contains pirated material"),
    F("lawful_access", Record("LawfulAccess", (
        F("value", Enum(vocab.LAWFUL_ACCESS), True,
          "no: pirated copies, a paywall or database terms circumvented; unknown: reviewed, cannot tell"),
        F("summary", TEXT, True, "why, in plain words"),
        F("sources", SOURCES, True, "where it is stated"),
    )), doc="whether the content was obtained from a lawfully accessible source (legal-facts R8)"),
), doc="Facts of a dataset (others may be added).")

DATASET = Record("Dataset", _artifact_fields(True), doc="A hand-reviewed dataset, one per file.",
                 checks=(checks.dataset_rules,),
                 check_docs=("`id` is a canonical `dataset:` id and equals `dataset:` + the file name.",
                             "An alias written `SCHEME:NAME` in a known scheme is a canonical dataset id."))
ARTIFACT = Record("Artifact", _artifact_fields(False), doc="A model, dataset or package record.",
                  checks=(checks.artifact_id_rules,), check_docs=("`id` parses in a known scheme.",))
FAMILY = Record("Family", (
    F("family", Str(), True, "the family's name (model records inherit its defaults)"),
    F("publisher", Str(empty=True), doc="default publisher"),
    F("distributed_via", Str(empty=True), doc="default platform or host", null=True),
    F("license", Str(), doc="default licence of the weights (null: none granted)", null=True),
    F("license_note", NOTE, doc="why", null=True),
    F("terms", ListOf(Str()), doc="default contract records"),
    F("kind", Enum(vocab.KINDS), doc="default kind"),
    F("gated", Bool(), doc="default gated"),
    F("facts", MapOf(AnyValue()), doc="default facts of every model in the file"),
    F("match_prefix", Str(), doc="the family vouches for every id with this prefix"),
    F("notices", ListOf(NOTICE_LINE), doc="default copyright and attribution lines of every model in the file"),
    F("sources", SOURCES, doc="where the family's defaults were read"),
    F("models", ListOf(ARTIFACT), True, "the models"),
), doc="A model family: defaults, then `models:`. Generated files (`_generated/`) add `generator`, "
       "`package`, `version`, `count`.")

POSITION = Record("Position", (
    F("likelihood", Str(), doc="see each block"),
    F("summary", TEXT, True, "the position in plain words"),
    F("sources", SOURCES, True, "where it is stated"),
))
OVERRIDE = Record("ContractOverride", (
    F("value", Bool(), True, "the law makes terms that exclude the exception unenforceable"),
    F("scope", Enum(vocab.OVERRIDE_SCOPES), doc="only for these acts"),
    F("summary", TEXT, True, "the rule in plain words"),
    F("sources", SOURCES, True, "where it is stated"),
))
CITATION = OneOf((Str(what="the provision's name"), TEXT))
LAW_RULE = Record("LawRule", (
    F("id", Str(), True, "unique across all law files"),
    F("act", Enum(vocab.LAW_ACTS), True, "the act the rule is about"),
    F("purposes", PURPOSES, True, "the purposes it covers"),
    F("effect", Enum(vocab.LAW_EFFECTS), True, "what the law says of the act"),
    F("citation", CITATION, True, "the provision"),
    F("url", Url(), True, "the provision's text"),
    F("effective", Date(), True, "the day it took effect"),
    F("until", Date(), doc="the day it stopped applying"),
    F("confidence", Enum(vocab.CONFIDENCES), doc="default: the weakest of the sources"),
    F("summary", TEXT, True, "the rule in plain words"),
    F("conditions", ListOf(TEXT), True, "limits the user must stay within"),
    F("requires", ListOf(Record("Requirement", (
        F("fact", Enum(vocab.RULE_REQUIREMENTS), True, "the artifact fact the exception needs (value yes)"),
        F("citation", CITATION, True, "the provision that sets the condition"),
        F("summary", TEXT, True, "the condition in plain words"),
        F("sources", SOURCES, True, "where it is stated"),
    )), unique="fact"), doc="conditions of the exception: a recorded `no` makes it unavailable, `unknown` uncertain"),
    F("sources", SOURCES, True, "where it is stated"),
), checks=(checks.law_rule_rules,),
    check_docs=("`until`, when given, is after `effective`.", "A `covers` rule does not rest only on U sources."))
CASE = Record("Case", (
    F("id", Str(), True, "unique across all law files"),
    F("name", Str(), True, "the case name"),
    F("court", OneOf((Str(what="the court's name"), TEXT)), True, "the court"),
    F("date", Date(past=True), True, "the decision's date"),
    F("summary", TEXT, True, "what it decided"),
    F("sources", SOURCES, True, "where it is reported"),
))
OBLIGATION = Record("Obligation", (
    F("id", Str(), True, "unique across all law files"),
    F("applies_to", Record("AppliesTo", (
        F("activities", ListOf(ACTIVITY, nonempty=True), True, "the activities it binds"),
        F("facts", MapOf(AnyValue(), nonempty=True), True, "the artifact facts it needs, e.g. {gpai: true}"))),
      True, "when it applies"),
    F("citation", CITATION, True, "the provision"),
    F("url", Url(), doc="the provision's text"),
    F("effective", Date(), True, "the day it applies from"),
    F("summary", TEXT, True, "the duty in plain words"),
    F("sources", SOURCES, True, "where it is stated"),
))
LAW = Record("Law", (
    F("id", Str(), True, "law:CODE"),
    F("jurisdiction", Str(), True, "the two-letter code; the file name"),
    F("parent", Str(), True, "the jurisdiction whose rules apply unless overridden (DE: EU)", null=True),
    F("name", TEXT, True, "the jurisdiction's name"),
    F("summary", TEXT, True, "the law as it bears on ML, in plain words"),
    F("members", ListOf(Str(pattern="[A-Z]{2}", what="a two-letter code"), unique="."),
      doc="member states that use this file"),
    F("contract_override", OVERRIDE, True, "whether contract terms can exclude the exceptions"),
    F("weights_work", Record("WeightsWork", (
        F("likelihood", Enum(vocab.WEIGHTS_LIKELIHOOD), True, "are weights a protected work"),
        *POSITION.fields[1:])), True, "whether weights are a copyrighted work"),
    F("model_copy", Record("ModelCopy", (
        F("likelihood", Enum(vocab.MODEL_COPY_LIKELIHOOD), True, "is a model a copy of its training data"),
        F("generative_effect", Enum(vocab.GENERATIVE_EFFECTS), True, "what that means for generative models"),
        *POSITION.fields[1:])), True, "whether a model is a copy of its training data"),
    F("licence_defence", POSITION, doc="an express licence from the rightholder that covers the act is a complete "
      "defence, so a licensed act needs no exception (legal-facts R10); `likelihood` unused"),
    F("rules", ListOf(LAW_RULE, nonempty=True, unique="id"), True, "statutory rules and case-law positions"),
    F("cases", ListOf(CASE, unique="id"), True, "court decisions and pending cases"),
    F("obligations", ListOf(OBLIGATION, unique="id"), doc="duties such as AI Act Art. 53"),
    F("sources", SOURCES, True, "where the overview was read"),
), doc="The law of one jurisdiction as it bears on ML training and use.", checks=(checks.law_rules,),
    check_docs=("`jurisdiction` is the file name (two capitals) and `id` is `law:` + it.",
                "Two rules for one act and purpose are never in force on the same day."))

PLATFORM = Record("Platform", (
    F("id", Str(), True, "the file name"),
    F("name", Str(), True, "the platform's name"),
    F("acceptance", Enum(vocab.PLATFORM_ACCEPTANCE), True, "how its own terms are accepted"),
    F("restricts_commercial", Bool(null=True), True, "its own terms restrict commercial use (null: unknown)"),
    F("summary", TEXT, True, "its terms in plain words"),
    F("notes", ListOf(TEXT), True, "remarks"),
    F("sources", SOURCES, True, "where its terms were read"),
), doc="A place artifacts are downloaded from.", checks=(checks.id_is_file_name,),
    check_docs=("`id` is the file name.",))

REUPLOAD_ORG = Record("ReuploadOrganisation", (
    F("name", Str(), True, "the Hub organisation (matched case-insensitively)"),
    F("sources", SOURCES, True, "where it was seen to publish copies named after their originals"),
), open=False, doc="An organisation whose repositories are quantised or converted copies of others' models.")
REUPLOAD_SUFFIX = Record("ReuploadSuffix", (
    F("pattern", Regex(), True, "a regular expression matched at the end of the name, case-insensitively"),
    F("format", Str(), doc="the format it names (gguf, awq ...), shown in the reason"),
    F("sources", SOURCES, True, "where the naming convention was read"),
), open=False, doc="A quantisation or conversion suffix of a repository name.")
RULES = Record("RulesFile", (
    F("rules", ListOf(AnyValue("rule {id, when, then, summary, sources}")), doc="interactions.yaml: the rules"),
    F("organisations", ListOf(REUPLOAD_ORG, unique="name"), doc="reuploads.yaml: the re-upload organisations"),
    F("suffixes", ListOf(REUPLOAD_SUFFIX), doc="reuploads.yaml: quantisation and conversion suffixes"),
    F("base_suffixes", ListOf(REUPLOAD_SUFFIX), doc="reuploads.yaml: suffixes a base's own name may carry (-hf)"),
    F("note", TEXT, doc="reuploads.yaml: the reason shown, with {base} and {format}"),
), doc="`interactions.yaml`: `{rules: [{id, when: {fact: value}, then: [{layer, mode, status}], summary, "
       "sources}]}`; `acts.yaml`: `acts` (kind → activity → act), `default_effects`, relation lists, "
       "`derived_facts`. `when:` keys are the facts declared in `modelclear.assess.facts`. `reuploads.yaml`: "
       "re-uploads inferred by name (`modelclear.catalog.reupload`).",
    checks=(checks.interaction_rules,),
    check_docs=("Every `when:` key is a declared fact and every value one it can take; layers, modes, "
                "statuses, kinds, activities, acts and relations are known.",))
MESSAGES = Record("Messages", (), doc="`key: template` pairs; `{name}` placeholders are filled at render time.",
                  checks=(checks.messages_rules,), check_docs=("The file is named after a language: en, ja.",))
MESSAGE_VALUES = MapOf(Str(), nonempty=True)

ARG = Record("Arg", (F("pos", Int(), doc="positional index"),
                     F("kw", OneOf((Str(), ListOf(Str()))), doc="keyword name(s)")), open=False)
GATE = Record("Gate", (
    F("arg", ARG, True, "the argument the gate reads"),
    *(F(k, Enum(vocab.GATE_ACTIONS), doc=f"when the argument is {k}") for k in ("missing", "falsy", "none", "truthy")),
), open=False)
LOADER = Record("Loader", (
    F("call", OneOf((Str(), ListOf(Str()))), doc="fnmatch patterns over the callee's qualified name"),
    F("call_regex", Regex(), doc="or a regular expression; named groups feed `template`"),
    F("priority", Int(minimum=-1000), doc="higher wins when several entries match"),
    F("bare", Str(), doc="also match this bare name when the code never binds it"),
    F("kind", Enum(vocab.LOADER_KINDS), True, "what the call loads"),
    F("arg", ARG, doc="where the id is"),
    F("if_missing", Enum(vocab.IF_MISSING), doc="when the call has no such argument (default unresolved)"),
    F("default", OneOf((Str(), MapOf(Str()))), doc="with if_missing: default, the library's default"),
    F("default_key", Str(), doc="template selecting a mapping default's entry"),
    F("default_note", Str(), doc="note of references found through the default"),
    F("id", Str(), True, "the id builder (modelclear.scan.pybuilders.BUILDERS)"),
    F("template", Str(), doc="for builder `template`: {value} and call_regex groups"),
    F("gates", ListOf(GATE), doc="arguments under which the call loads nothing"),
    F("options", MapOf(AnyValue()), doc="builder-specific settings"),
), open=False, checks=(checks.loader_rules,),
    check_docs=("`call` or `call_regex` is given.", "`default` goes with `if_missing: default`, and only with it.",
                "A mapping `default` needs `default_key`."))
SCHEME = Record("Scheme", (
    F("name", Str(pattern=r"[a-z][a-z0-9_\-]*", what="a scheme name"), True, "the SCHEME part of ids"),
    F("kind", Enum(vocab.KINDS), True, "what its ids name"),
    F("pattern", Regex(), True, "the NAME must fully match it (after normalising)"),
    F("example", Str(), True, "shown in error messages"),
    F("case_sensitive", Bool(), doc="false: names are lower-cased (default true)"),
    F("normalise", ListOf(Record("Rewrite", (F("pattern", Regex(), True, "regular expression"),
                                              F("replace", Str(empty=True), doc="replacement")), open=False)),
      doc="rewrites of the name, applied in order"),
    F("untyped", Regex(), doc="a text without SCHEME: that fully matches this is read in this scheme"),
), open=False)
LOADER_FILE = Record("LoaderFile", (
    F("library", Str(), doc="the library (default: the file name)"),
    F("sources", SOURCES, doc="where the signatures were read (a pinned commit in the url)"),
    F("schemes", ListOf(SCHEME, unique="name"), doc="id schemes this library's artifacts are named in"),
    F("keywords", ListOf(Str()), doc="a Python file holding none of these is not parsed"),
    F("loaders", ListOf(LOADER), doc="the calls that load a model or dataset"),
), doc="Loader signatures of one library (see `modelclear.scan.pyloaders`); other top-level keys are "
       "tables its id builders read.")


@dataclass(frozen=True)
class FileKind:
    """One kind of knowledge file: its folder, what one file holds, and its record type."""

    folder: str
    title: str
    holds: str
    record: Record


KINDS: tuple[FileKind, ...] = (
    FileKind("licenses", "`licenses/<ID>.yaml` — a licence, or the terms of access of a dataset/service",
             "one Licence", LICENSE),
    FileKind("datasets", "`datasets/<name>.yaml` — a dataset", "one Dataset (hand-reviewed). Generated files "
             "(under a folder whose name starts with `_`, such as `_imported/dpc.json`) and JSON lists hold a "
             "list of Artifact records", DATASET),
    FileKind("models", "`models/<family>.yaml` — a model family (or one model)",
             "one Family, or one Artifact at top level; generated families live in `models/_generated/*.json`",
             FAMILY),
    FileKind("law", "`law/<JURISDICTION>.yaml` — the law of one jurisdiction", "one Law", LAW),
    FileKind("platforms", "`platforms/<id>.yaml` — where artifacts are downloaded from", "one Platform", PLATFORM),
    FileKind("rules", "`rules/*.yaml` — how the layers interact (legal-facts §6, R1–R7) and act mapping",
             "`interactions.yaml` or `acts.yaml`", RULES),
    FileKind("i18n", "`i18n/<lang>.yaml` — message catalogues", "Messages", MESSAGES),
    FileKind("loaders", "`loaders/<library>.yaml` — loader signatures and id schemes", "one LoaderFile",
             LOADER_FILE),
)
BY_FOLDER: Mapping[str, FileKind] = {k.folder: k for k in KINDS}


def record_for(rel: str, content: Any) -> Type:
    """The type ``content`` of the file at ``rel`` (``folder/.../name.ext``) must match."""
    folder = rel.split("/", 1)[0]
    generated = "/_" in rel
    if folder == "datasets":
        return ListOf(ARTIFACT) if isinstance(content, list) or generated else DATASET
    if folder == "models":
        return FAMILY if isinstance(content, Mapping) and "models" in content else ARTIFACT
    if folder == "i18n":
        return _MessagesType()
    return BY_FOLDER[folder].record


class _MessagesType(Type):
    """A message catalogue: its file-name rule, then every value a non-empty text."""

    def check(self, value: Any, path: Where, ctx: Ctx) -> None:
        """The catalogue's rules, then its values."""
        MESSAGES.check(value, path, ctx)
        MESSAGE_VALUES.check(value, path, ctx)

    def describe(self) -> str:
        """``Messages``."""
        return "Messages"


def problems(rel: str, content: Any, schemes: Mapping[str, str] | None = None,
             today: dt.date | Literal["today"] | None = "today") -> list[str]:
    """Every problem of one file's parsed ``content``, as ``rel: path: message`` lines.

    ``rel`` is the file's path inside its knowledge folder (``licenses/MIT.yaml``); ``schemes`` maps
    id schemes to kinds (``None``: ids are not checked); ``today`` is the day no ``checked`` date may
    be after (``None``: not compared). Generated files (a folder starting with ``_``) are matched
    against the Artifact record, not the hand-reviewed Dataset record.
    """
    name = rel.rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "/_" not in rel else ""
    ctx = Ctx(stem=stem, schemes=schemes, today=dt.date.today() if today == "today" else today)
    if content is None:
        return []
    record_for(rel, content).check(content, "", ctx)
    return [f"{rel}: {path or '(top level)'}: {message}" for path, message in ctx.problems]
