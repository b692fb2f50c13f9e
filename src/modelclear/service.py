"""The check service: the one path from a question to a :class:`~modelclear.report.Report`.

Every entry point — the command line (``check`` and ``scan``), the web UI, the Python API
(:mod:`modelclear.api`), the scan pipeline and the scenario tests — goes through here:

1. **validate** the question (id, jurisdictions, activity, purpose, date obtained, accepted terms,
   language); any bad value is one :class:`UsageError` (exit 3 on the command line, HTTP 400 on the
   web), carrying a message ``code`` and its parameters for translated error pages;
2. **load the knowledge** (bundled data plus ``--kb`` overlays, once per process) and the catalog;
3. **build the scenarios** (one per jurisdiction);
4. **build the lineage** of every artifact of the run once (:func:`modelclear.lineage.forest`: each
   distinct artifact resolved once through the catalog, within the depth and size bounds), then
   **assess** each artifact under each scenario on those DAGs, each artifact judged once per scenario
   across the whole run (:class:`modelclear.assess.Judgements`; the assessment never goes back to
   the catalog or the lineage stage);
5. **build the report**, which carries the scenarios asked about and the knowledge base used, so
   that every output format reads licences and translations from the same (overlaid) knowledge.

The CI gate (policy, waivers, baseline) is applied by the caller with :meth:`Report.with_gate`.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from modelclear import ids
from modelclear.catalog import ArtifactSource, Catalog, KnowledgeBase
from modelclear.i18n import LANGUAGES
from modelclear.knowledge.errors import OverlayError
from modelclear.model import Activity, Artifact, ArtifactRef, Assessment, Kind, Purpose, Scenario
from modelclear.report import Report, ScanEntry
from modelclear.safetext import printable

if TYPE_CHECKING:
    from modelclear.assess import Judgements
    from modelclear.catalog.localmodel import LocalSource
    from modelclear.catalog.lock import Lock, LockSource
    from modelclear.model import Status
    from modelclear.policy import Gate, Policy
    from modelclear.scan.base import ScanOptions, ScanResult


class UsageError(ValueError):
    """A bad input from the user (unknown jurisdiction, activity, malformed id…): exit 3, HTTP 400.

    ``str(error)`` is the English message of the command line; ``code`` names the translated message
    ``web.error.<code>`` and ``params`` fill it; ``detail`` adds the parser's own words, if any.
    """

    def __init__(self, message: str, code: str = "bad_request", detail: str = "", **params: str) -> None:
        """A usage error with its command-line ``message`` and translatable ``code`` and ``params``."""
        super().__init__(message)
        self.code = code
        self.detail = detail
        self.params = params if params or code != "bad_request" else {"reason": message}


# --- knowledge ---------------------------------------------------------------------------------------


def load_knowledge(overlays: Iterable[str | Path] = ()) -> KnowledgeBase:
    """The knowledge base (bundled data plus overlay directories), loaded once per process."""
    return _load_knowledge(tuple(str(p) for p in overlays))


@functools.lru_cache(maxsize=4)
def _load_knowledge(overlays: tuple[str, ...]) -> KnowledgeBase:
    try:
        kb = KnowledgeBase.load(overlays=[Path(p) for p in overlays])
    except OverlayError as exc:  # the user's data, not ours: one line naming the file and field, exit 3
        raise UsageError(printable(str(exc))) from None
    _settle_collector()
    return kb


#: Container allocations between two young collections of the cyclic garbage collector once the
#: knowledge is loaded (CPython's default is 700).
GC_YOUNG_THRESHOLD = 50_000


def _settle_collector() -> None:
    """Keep the cyclic garbage collector off the knowledge base and out of the judging loop (issue 14).

    The knowledge lives as long as the process, so it is moved out of the collector's generations
    (``gc.freeze``): a full collection no longer walks a million loaded entries again and again. A run
    allocates a few small containers per judgement and frees them by reference counting; with CPython's
    default of a young collection every 700 allocations, collections took about a third of the CPU of
    assessing a large lineage. Nothing here changes what is computed; garbage in cycles is still freed.
    """
    import gc

    gc.freeze()
    young, middle, old = gc.get_threshold()
    if 0 < young < GC_YOUNG_THRESHOLD:
        gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


def default_catalog(kb: KnowledgeBase | None = None, *, online: bool = False,
                    hf_cache: Path | None = None) -> Catalog:
    """A catalog over the knowledge base, the local HF cache and (when ``online``) the Hub."""
    kb = kb or load_knowledge()
    sources: list[ArtifactSource] = []
    try:
        from modelclear.catalog.sources import HFCacheSource, HFHubSource

        sources.append(HFCacheSource(kb, cache_dir=hf_cache))
        if online:
            sources.append(HFHubSource(kb))
    except ImportError:  # pragma: no cover - the HF reader is part of the package
        pass
    return Catalog(kb=kb, sources=sources)


# --- validation --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """One ``check`` question as the user gave it (validated by :meth:`Service.validate`).

    ``as_of`` is the date the answer is given for (default: today).
    """

    id: str
    jurisdictions: tuple[str, ...]
    activity: str = "deploy"
    purpose: str = "commercial"
    accepted: tuple[str, ...] = ()
    obtained_on: str | dt.date | None = None
    lang: str = "en"
    as_of: dt.date | None = None
    domicile: str | None = None


@dataclass(frozen=True)
class Limits:
    """Bounds on a question's size (the web UI sets them; the command line and the API do not)."""

    max_id: int | None = None
    max_jurisdictions: int | None = None


NO_LIMITS = Limits()

_TERMS_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def parse_id(text: str, limits: Limits = NO_LIMITS) -> ArtifactRef:
    """An artifact id parsed, or :class:`UsageError` (``missing_id``, ``id_too_long``, ``malformed_id``)."""
    if not text:
        raise UsageError("an artifact id is required, e.g. dataset:imagenet-1k", "missing_id")
    if limits.max_id is not None and len(text) > limits.max_id:
        raise UsageError(f"the id is longer than {limits.max_id} characters", "id_too_long",
                         limit=str(limits.max_id))
    try:
        return ids.parse(text)
    except ids.IdError as exc:
        raise UsageError(str(exc), "malformed_id", str(exc), id=text) from None


def check_accepted(text: str, limits: Limits = NO_LIMITS) -> None:
    """An accepted-terms item is an artifact id (``dataset:imagenet-1k``) or a terms id (``imagenet-terms``)."""
    if limits.max_id is not None and len(text) > limits.max_id:
        raise UsageError(f"accepted terms longer than {limits.max_id} characters", "id_too_long",
                         limit=str(limits.max_id))
    if _TERMS_ID.fullmatch(text):
        return  # a terms id or a legacy model name; the knowledge base decides what it is
    try:
        ids.parse(text)
    except ids.IdError as exc:
        raise UsageError(f"accepted terms {printable(text)}: {exc}", "malformed_id", str(exc), id=text) from None


def check_jurisdiction(kb: KnowledgeBase, jurisdiction: str) -> str:
    """The jurisdiction code as the knowledge base knows it, or :class:`UsageError`."""
    code = kb.law_code(jurisdiction or "")
    if code is None:
        known = ", ".join(kb.jurisdictions())
        raise UsageError(f"unknown jurisdiction {jurisdiction!r}; known: {known} (and EU member states)",
                         "unknown_jurisdiction", jurisdiction=jurisdiction[:40], known=known)
    return code


def check_activity(activity: str) -> Activity:
    """The activity, or :class:`UsageError`."""
    return _member(Activity, activity, "activity")


def check_purpose(purpose: str) -> Purpose:
    """The purpose, or :class:`UsageError`."""
    return _member(Purpose, purpose, "purpose")


_E = TypeVar("_E", Activity, Purpose)


def _member(enum: type[_E], value: str, what: str) -> _E:
    try:
        return enum(value)
    except ValueError:
        choices = ", ".join(m.value for m in enum)
        raise UsageError(f"unknown {what} {value!r}; choose one of: {choices}", f"unknown_{what}",
                         **{what: value[:40]}, choices=choices) from None


def check_date(value: str | dt.date | None) -> dt.date | None:
    """The date obtained (``YYYY-MM-DD``), ``None`` when not given, or :class:`UsageError`."""
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"bad date {value!r} for --obtained-on; use YYYY-MM-DD", "bad_date",
                         date=value[:40]) from None


def check_lang(lang: str) -> str:
    """The report language, or :class:`UsageError`."""
    if lang not in LANGUAGES:
        raise UsageError(f"unknown language {lang!r}; choose one of: {', '.join(LANGUAGES)}", "bad_lang",
                         lang=lang[:40])
    return lang


_DOMICILE = re.compile(r"[A-Za-z]{2}")


def check_domicile(domicile: str | None) -> str | None:
    """The user's domicile as a jurisdiction code (``EU``, ``FR``, ``JP``; ``GB`` is ``UK``), or :class:`UsageError`."""
    if domicile is None or not domicile.strip():
        return None
    code = domicile.strip().upper()
    if not _DOMICILE.fullmatch(code):
        raise UsageError(f"domicile {printable(domicile[:40])!r} is not a two-letter country code or EU",
                         "bad_domicile", domicile=domicile[:40])
    return "UK" if code == "GB" else code


def make_scenario(jurisdiction: str, activity: str, purpose: str, accepted: Iterable[str] = (),
                  obtained_on: str | dt.date | None = None, as_of: dt.date | None = None,
                  kb: KnowledgeBase | None = None, domicile: str | None = None) -> Scenario:
    """Validate one jurisdiction's input into a :class:`Scenario`; raise :class:`UsageError` on bad values."""
    kb = kb or load_knowledge()
    check_jurisdiction(kb, jurisdiction)
    act = check_activity(activity)
    purp = check_purpose(purpose)
    obtained = check_date(obtained_on)
    items = list(accepted)
    for item in items:
        check_accepted(item)
    return Scenario(
        jurisdiction=jurisdiction.strip().upper(),
        activity=act,
        purpose=purp,
        accepted=frozenset(_canonical_accepted(kb, items)),
        obtained_on=obtained,
        as_of=as_of or dt.date.today(),
        domicile=check_domicile(domicile),
    )


def _canonical_accepted(kb: KnowledgeBase, items: Iterable[str]) -> list[str]:
    out = []
    for item in items:
        terms_id = kb.license_key(item)
        if terms_id is not None and ":" not in item:  # a terms-of-access record, e.g. imagenet-terms
            out.append(terms_id)
            continue
        try:
            ref = ids.parse(item)
            out.append(kb.canonical(ref.id) or ref.id)
        except ids.IdError:
            out.append(item)  # a terms id such as imagenet-terms
    return out


# --- the service -------------------------------------------------------------------------------------


class Service:
    """Questions answered over one knowledge base and catalog (one per process or per run)."""

    def __init__(self, kb: KnowledgeBase | None = None, *, catalog: Catalog | None = None,
                 online: bool = False, hf_cache: Path | None = None) -> None:
        """Over ``catalog`` (or a default catalog over ``kb``; the bundled knowledge when neither is given)."""
        if catalog is None:
            catalog = default_catalog(kb or load_knowledge(), online=online, hf_cache=hf_cache)
        self.catalog = catalog
        self.kb = catalog.kb
        self.lock: LockSource | None = None  # the knowledge lock of the run (:meth:`use_lock`)

    @classmethod
    def open(cls, overlays: Iterable[str | Path] = (), *, online: bool = False,
             hf_cache: Path | None = None) -> Service:
        """A service over the bundled knowledge plus ``overlays`` (``--kb`` directories)."""
        return cls(load_knowledge(overlays), online=online, hf_cache=hf_cache)

    def use_lock(self, lock: Lock, *, online: bool = False) -> LockSource:
        """Answer ids the reviewed knowledge does not know from ``lock`` (``modelclear.lock``) first; with
        ``online``, read new ids from the Hub into it. Every report of this service then states the lock
        entries the reviewed knowledge overrides and the ids the Hub could not give (warnings, code ``lock``)."""
        from modelclear.catalog.lock import attach

        self.lock = attach(self.catalog, lock, online=online)
        return self.lock

    # validation

    def scenarios(self, jurisdictions: Sequence[str], activity: str = "deploy", purpose: str = "commercial",
                  accepted: Iterable[str] = (), obtained_on: str | dt.date | None = None, *,
                  as_of: dt.date | None = None, limits: Limits = NO_LIMITS,
                  domicile: str | None = None) -> tuple[Scenario, ...]:
        """One validated scenario per jurisdiction, in the order given; :class:`UsageError` on bad input.

        ``domicile`` is where the user is domiciled (some licences key on it, not on where the act happens).
        """
        if not jurisdictions:
            raise UsageError("--jurisdiction is required (e.g. --jurisdiction JP), or set jurisdictions in the "
                             "policy", "missing_jurisdiction")
        if limits.max_jurisdictions is not None and len(jurisdictions) > limits.max_jurisdictions:
            raise UsageError(f"at most {limits.max_jurisdictions} jurisdictions at once", "too_many_jurisdictions",
                             limit=str(limits.max_jurisdictions))
        for code in jurisdictions:
            check_jurisdiction(self.kb, code)
        check_activity(activity)
        check_purpose(purpose)
        obtained = check_date(obtained_on)
        items = tuple(accepted)
        for item in items:
            check_accepted(item, limits)
        as_of = as_of or dt.date.today()
        home = check_domicile(domicile)
        return tuple(make_scenario(code, activity, purpose, items, obtained, as_of, kb=self.kb, domicile=home)
                     for code in jurisdictions)

    def validate(self, question: Question, limits: Limits = NO_LIMITS) -> tuple[ArtifactRef, tuple[Scenario, ...]]:
        """The parsed id and the scenarios of ``question``; :class:`UsageError` names the first bad value."""
        check_lang(question.lang)
        ref = parse_id(question.id, limits)
        scenarios = self.scenarios(question.jurisdictions, question.activity, question.purpose, question.accepted,
                                   question.obtained_on, as_of=question.as_of, limits=limits,
                                   domicile=question.domicile)
        return ref, scenarios

    # assessment

    def judgements(self, artifacts: Iterable[Artifact | None], catalog: Catalog | None = None) -> Judgements:
        """The lineage of ``artifacts`` asked for once, ready to be judged (:class:`modelclear.assess.Judgements`).

        Every artifact of the run and everything upstream of it is resolved once through the catalog
        (``catalog``: a run's own, default this service's) and its DAG built once
        (:func:`modelclear.lineage.forest`, within its depth and size bounds); the assessment then reads
        those DAGs and never goes back to the catalog.
        """
        from modelclear import lineage
        from modelclear.assess import Judgements

        forest = lineage.forest(catalog or self.catalog, [a.id for a in artifacts if a is not None])
        return Judgements(self.kb, forest)

    def local_catalog(self, root: Path) -> tuple[Catalog, LocalSource]:
        """A catalog for one run over files under ``root``: ``local:`` ids read from there, then this catalog's sources.

        Each run gets its own (two scans of different trees never share a ``local:`` record).
        """
        from modelclear.catalog.localmodel import LocalSource

        source = LocalSource(self.kb.license_key, root=root)
        return Catalog(kb=self.kb, sources=[source, *self.catalog.sources]), source

    def assess(self, ref: ArtifactRef, scenarios: Iterable[Scenario]) -> tuple[Assessment, ...]:
        """``ref`` resolved once, its lineage built once, and assessed under each scenario."""
        resolved = self.catalog.resolve(ref)
        artifact = self.catalog.lookup(resolved)
        memo = self.judgements([artifact])
        return tuple(memo.assess(resolved, artifact, sc) for sc in scenarios)

    def check(self, question: Question, limits: Limits = NO_LIMITS) -> Report:
        """Validate ``question`` and assess its artifact in each jurisdiction asked about.

        An id that names a file or folder on disk (``./models/support-bot``, ``model.gguf``) is your own
        model: :meth:`check_path`.
        """
        from modelclear.catalog.localpath import looks_like_path

        if limits is NO_LIMITS and looks_like_path(question.id):
            return self.check_path(question)
        ref, scenarios = self.validate(question, limits)
        return self.report("check", self.assess(ref, scenarios), scenarios, lang=question.lang)

    def check_path(self, question: Question) -> Report:
        """Assess the model folder or file ``question.id`` names (a local artifact, ``local:PATH``).

        Its id is its path relative to the current folder when it lies inside it, else relative to its
        parent folder; files are read only inside that root. :class:`UsageError` when the path does not
        exist or holds nothing this tool reads as a model.
        """
        from modelclear.catalog.localmodel import SCHEME
        from modelclear.scan.base import ScanWarning

        check_lang(question.lang)
        path = Path(os.path.abspath(os.path.expanduser(question.id)))
        if not os.path.lexists(path):
            raise UsageError(f"no such file or directory: {printable(question.id[:200])}")
        cwd = Path(os.path.abspath(Path.cwd()))
        root = cwd if cwd in path.parents else path.parent
        rel = path.relative_to(root).as_posix()
        scenarios = self.scenarios(question.jurisdictions, question.activity, question.purpose, question.accepted,
                                   question.obtained_on, as_of=question.as_of, domicile=question.domicile)
        catalog, source = self.local_catalog(root)
        ref = ArtifactRef(kind=Kind.MODEL, id=f"{SCHEME}:{rel}", raw=question.id, scheme=SCHEME)
        artifact = catalog.lookup(ref)
        record = source.records.get(ref.id.lower())
        if artifact is None:
            why = "; ".join(printable(w[:200]) for w in (record.warnings[:2] if record else ()))
            raise UsageError(f"{printable(question.id[:200])}: no model card, config, adapter, merge config or "
                             "weight header that this tool reads" + (f" ({why})" if why else ""))
        memo = self.judgements([artifact], catalog)
        found = tuple(memo.assess(ref, artifact, sc) for sc in scenarios)
        warnings = [ScanWarning(path=rel, message=w, code="local") for w in (record.warnings if record else ())]
        return self.report("check", found, scenarios, lang=question.lang, warnings=warnings, root=str(root))

    def report(self, command: str, assessments: Sequence[Assessment], scenarios: Sequence[Scenario], *,
               lang: str = "en", entries: Sequence[ScanEntry] = (), warnings: Sequence[object] = (),
               root: str = "", files_scanned: int = 0) -> Report:
        """The :class:`Report` of a run over this service's knowledge base."""
        if self.lock is not None:
            from modelclear.catalog.lock import report_warnings

            warnings = (*warnings, *report_warnings(self.lock))
        return Report(command=command, assessments=tuple(assessments), knowledge_as_of=self.kb.knowledge_as_of(),
                      lang=lang, entries=tuple(entries), warnings=tuple(warnings), root=root,
                      files_scanned=files_scanned, scenarios=tuple(scenarios), kb=self.kb)

    def scan(self, root: Path, scenarios: Sequence[Scenario], options: ScanOptions | None = None, *,
             lang: str = "en", on_progress: Callable[[int, int], None] | None = None) -> Report:
        """Scan ``root`` and assess every distinct artifact it references under each scenario."""
        if not scenarios:
            raise ValueError("a scan needs at least one scenario")
        from modelclear.scan import scan_path
        from modelclear.scan.base import ScanOptions

        options = replace(options or ScanOptions(), loader_documents=self.kb.loader_documents)  # --kb loaders
        result = scan_path(root, options, on_progress=on_progress)
        return self.assess_scan(root, result, scenarios, lang=lang)

    def assess_scan(self, root: Path, result: ScanResult, scenarios: Sequence[Scenario], *,
                    lang: str = "en") -> Report:
        """The report of a finished scan: every distinct artifact referenced, assessed under each scenario.

        Each artifact is resolved once, the lineage of them all is built once, and each artifact is
        judged once per scenario across the whole scan (datasets met in code are judged as used for
        training, :func:`modelclear.assess.scenario_in_context`).
        The report holds the assessments artifact by artifact, in scenario order; a reference's
        :class:`ScanEntry` carries the assessment under the first scenario.
        """
        from modelclear.assess import scenario_in_context

        if not scenarios:
            raise ValueError("a scan needs at least one scenario")
        from modelclear.catalog.localmodel import attach_local

        top = Path(os.path.abspath(root))
        catalog, source = self.local_catalog(top if top.is_dir() else top.parent)
        references = attach_local(source, result.references)  # your own models get local: ids
        targets: dict[str, tuple[ArtifactRef, Artifact | None]] = {}  # distinct artifacts, in order met
        keys: list[str | None] = []
        for ref in references:
            parsed = ids.try_parse(ref.id) if ref.id else None
            if parsed is None:
                keys.append(None)
                continue
            canonical = catalog.resolve(parsed)
            key = canonical.id.lower()
            if key not in targets:
                target = ArtifactRef(kind=canonical.kind, id=canonical.id, aliases=canonical.aliases,
                                     raw=ref.raw, scheme=canonical.scheme)
                targets[key] = (target, catalog.lookup(target))
            keys.append(key)
        memo = self.judgements((artifact for _, artifact in targets.values()), catalog)  # one lineage for the scan
        assessed = {key: [memo.assess(target, artifact, scenario_in_context(self.kb, sc, artifact))
                          for sc in scenarios]
                    for key, (target, artifact) in targets.items()}
        entries = [ScanEntry(reference=ref, assessment=assessed[key][0] if key is not None else None)
                   for ref, key in zip(references, keys, strict=True)]
        return self.report("scan", [a for group in assessed.values() for a in group], scenarios, lang=lang,
                           entries=entries, warnings=(*result.warnings, *_local_warnings(source)), root=str(root),
                           files_scanned=result.files_scanned)

    def canonical_id(self, text: str) -> str:
        """The canonical id of ``text`` when it parses as an id, else ``text`` (for policies and baselines)."""
        parsed = ids.try_parse(text)
        return self.catalog.resolve(parsed).id if parsed is not None else text

    def gate(self, assessments: Iterable[Assessment], policy: Policy | None = None, *, today: dt.date | None = None,
             baseline: dict[tuple[str, str], Status] | None = None, baseline_path: str = "") -> Gate:
        """The CI gate over ``assessments``: ``policy`` (default: the defaults), licence ids and artifact ids
        compared in this knowledge base's canonical spelling; ``today`` defaults to the clock's date."""
        from modelclear import policy as policies

        return policies.evaluate(assessments, policy or policies.Policy(), today=today or dt.date.today(),
                                 baseline=baseline, baseline_path=baseline_path,
                                 license_key=self.kb.license_key, canonical=self.canonical_id)


def _local_warnings(source: LocalSource) -> list[object]:
    """What reading your own models' files ran into (hostile or broken files), as scan warnings."""
    from modelclear.scan.base import ScanWarning

    return [ScanWarning(path=record.path, message=w, code="local")
            for record in source.records.values() for w in record.warnings]
