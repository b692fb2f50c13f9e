"""The Python API: the same check service the CLI and the web UI drive (:mod:`modelclear.service`).

Documented with examples in ``docs/api.md`` (run as doctests by ``tests/test_api.py``):

>>> import modelclear
>>> a = modelclear.check("torchvision:ResNet50_Weights.IMAGENET1K_V2", jurisdiction="JP")
>>> a.verdict.value, a.risk.value
('allowed', 'low')

* :func:`check` — one artifact id in one jurisdiction: an :class:`~modelclear.model.Assessment`.
* :func:`check_report` — one id in several jurisdictions: a :class:`~modelclear.report.Report`.
* :func:`scan` — every model and dataset a codebase loads, judged and gated: a :class:`Result`.
* :func:`explain` — what the knowledge base holds for an id, licence, law or platform, as data.
* :func:`notice` — what a release must ship (``modelclear notice``): NOTICE, licence texts, model card section.

Bad input (an unknown jurisdiction or activity, a malformed id, a bad policy or lock file) raises
:class:`UsageError` (a ``ValueError``) with one readable line.

The knowledge lock (``modelclear.lock``, :mod:`modelclear.catalog.lock`) is honoured as the command line
honours it: ``check`` and ``check_report`` read the one beside the policy file found from the current
folder (else in it), ``scan`` the one beside its policy (else in the scanned folder); ``lock=PATH`` names
one (it must exist unless ``online``), ``lock=False`` ignores it. With ``online=True`` ids the knowledge
base does not know are read from the Hub and pinned in the lock, which is written after the run. Lock
entries that the reviewed knowledge overrides with another licence, and ids the Hub could not give, are
stated in the report's warnings (code ``lock``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modelclear.catalog import Catalog
from modelclear.model import Assessment
from modelclear.report import Report
from modelclear.service import (
    Question,
    Service,
    UsageError,
    default_catalog,
    load_knowledge,
    make_scenario,
)

if TYPE_CHECKING:
    from modelclear.catalog.lock import LockSource

#: ``lock=``: ``None`` finds ``modelclear.lock`` as the command line does, a path names it, ``False`` ignores it.
LockOption = str | Path | bool | None

__all__ = ["Question", "Result", "Service", "UsageError", "check", "check_report", "default_catalog", "explain",
           "load_knowledge", "make_scenario", "notice", "scan"]


@dataclass(frozen=True)
class Result:
    """What :func:`scan` found and what the CI gate made of it.

    ``report`` is the whole report (every reference, assessment and the gate), ready for any output
    format with :meth:`render`; the properties are the answers most callers want.
    """

    report: Report

    @property
    def assessments(self) -> tuple[Assessment, ...]:
        """One assessment per artifact and jurisdiction."""
        return self.report.assessments

    @property
    def groups(self) -> dict[str, list[str]]:
        """Artifact ids by summary group: ``block``, ``review``, ``duties``, ``fine`` (as every report shows)."""
        from modelclear.report.view import summary_data

        return summary_data(self.report)

    @property
    def exit_code(self) -> int:
        """The CLI's exit code for this run: 0 passes, 1 prohibited (or an expired waiver), 2 uncertain/unknown."""
        return int(self.report.gate.exit_code) if self.report.gate is not None else 0

    @property
    def passed(self) -> bool:
        """Whether the gate passes."""
        return self.exit_code == 0

    def render(self, fmt: str = "text") -> str:
        """The report in an output format (``text``, ``json``, ``markdown``, ``html``, ``sarif``, ...)."""
        from modelclear import report as report_mod

        return report_mod.get(fmt).render(self.report)


def _locked_service(catalog: Catalog | None, lock: LockOption, online: bool, start: Path,
                    policy_file: Path | None) -> tuple[Service, LockSource | None]:
    """The service of one run with its knowledge lock attached, as the command line attaches it
    (``--lock``, else ``modelclear.lock`` beside the policy file, else in ``start``'s folder)."""
    from modelclear import policy as policy_mod
    from modelclear.catalog import lock as lockmod

    if lock is False:
        return Service(catalog=catalog, online=online), None
    if catalog is not None:  # the lock goes into this run's sources, not into the caller's catalog
        catalog = Catalog(kb=catalog.kb, sources=list(catalog.sources))
    service = Service(catalog=catalog, online=online)
    named = isinstance(lock, (str, Path))
    if isinstance(lock, (str, Path)):
        path = Path(lock)
    else:
        path = lockmod.find_path(start, policy_file if policy_file is not None else policy_mod.find(start))
    try:
        opened = lockmod.open_lock(path, online=online, required=named)
    except lockmod.LockError as exc:
        raise UsageError(f"bad lock file {exc}") from None
    return service, (service.use_lock(opened, online=online) if opened is not None else None)


def _save_lock(source: LockSource | None, report: Report) -> Report:
    """Write what an ``online`` run added to its lock; a lock that cannot be written is a warning of the report."""
    if source is None or not source.lock.changed:
        return report
    from modelclear.scan.base import ScanWarning

    try:
        source.lock.save()
    except OSError as exc:
        problem = ScanWarning(path=source.lock.path.name, code="lock",
                              message=f"cannot write the lock: {exc.strerror or exc}")
        return dataclasses.replace(report, warnings=(*report.warnings, problem))
    return report


def check_report(artifact_id: str, jurisdictions: str | Sequence[str] = ("JP",), activity: str = "deploy",
                 purpose: str = "commercial", accepted: Iterable[str] = (),
                 obtained_on: str | dt.date | None = None, *, lang: str = "en",
                 catalog: Catalog | None = None, domicile: str | None = None,
                 lock: LockOption = None, online: bool = False) -> Report:
    """The report of one artifact id under a scenario in each jurisdiction (``modelclear check``).

    ``domicile`` is where the user is domiciled (``EU``, ``JP``…), for licences that key on it.
    ``lock`` and ``online``: the knowledge lock, as the module documentation says.
    """
    codes = (jurisdictions,) if isinstance(jurisdictions, str) else tuple(jurisdictions)
    question = Question(id=artifact_id, jurisdictions=codes, activity=activity, purpose=purpose,
                        accepted=tuple(accepted), obtained_on=obtained_on, lang=lang, domicile=domicile)
    service, source = _locked_service(catalog, lock, online, Path.cwd(), None)
    return _save_lock(source, service.check(question))


def check(artifact_id: str, jurisdiction: str = "JP", activity: str = "deploy", purpose: str = "commercial",
          accepted: Iterable[str] = (), obtained_on: str | dt.date | None = None, *,
          catalog: Catalog | None = None, domicile: str | None = None,
          lock: LockOption = None, online: bool = False) -> Assessment:
    """Assess one artifact id under a scenario (the ``modelclear check`` command for one jurisdiction)."""
    return check_report(artifact_id, (jurisdiction,), activity, purpose, accepted, obtained_on,
                        catalog=catalog, domicile=domicile, lock=lock, online=online).assessments[0]


def notice(artifact_id: str, jurisdiction: str = "JP", activity: str = "distribute", purpose: str = "commercial", *,
           lang: str = "en", catalog: Catalog | None = None, domicile: str | None = None) -> dict[str, str]:
    """What a release of ``artifact_id`` must ship (``modelclear notice``): file path → text.

    ``artifact_id`` is an id or a path to your own model folder or file; ``activity`` is ``distribute``,
    ``serve`` or ``deploy``. The files are ``NOTICE``, ``LICENSES/README.md`` and ``MODEL_CARD_LICENSE.md``.
    """
    from modelclear.notice import RELEASE_ACTIVITIES
    from modelclear.report.notice import files_of

    if activity not in RELEASE_ACTIVITIES:
        raise UsageError(f"a notice is for a release: activity is one of {', '.join(RELEASE_ACTIVITIES)}, "
                         f"not {activity!r}", "bad_activity")
    return files_of(check_report(artifact_id, (jurisdiction,), activity, purpose, lang=lang, catalog=catalog,
                                 domicile=domicile))


def scan(path: str | Path = ".", jurisdictions: str | Sequence[str] = ("JP",), activity: str = "deploy",
         purpose: str = "commercial", accepted: Iterable[str] = (), obtained_on: str | dt.date | None = None, *,
         policy: str | Path | None = None, fail_on: str | None = None, today: dt.date | None = None,
         exclude: Sequence[str] = (), lang: str = "en", catalog: Catalog | None = None,
         domicile: str | None = None, lock: LockOption = None, online: bool = False) -> Result:
    """Scan a codebase (``modelclear scan``): every model and dataset it loads, judged, then gated.

    ``policy`` is a policy file (``modelclear.toml``, a ``pyproject.toml`` with ``[tool.modelclear]``,
    or a ``.yaml``); its licence lists, ``fail-on`` and waivers apply (the scenario is the one given
    here, not the policy's). ``fail_on`` overrides the policy's; ``today`` is the date waivers are
    checked against (default: today). ``lock`` and ``online``: the knowledge lock, as the module
    documentation says (found beside the policy file, else in ``path``).
    """
    from modelclear import ids
    from modelclear import policy as policy_mod
    from modelclear.scan import scan_path
    from modelclear.scan.base import ScanOptions

    root = Path(path)
    if not root.exists():
        raise UsageError(f"no such file or directory: {root}")
    service, source = _locked_service(catalog, lock, online, root, Path(policy) if policy is not None else None)
    codes = (jurisdictions,) if isinstance(jurisdictions, str) else tuple(jurisdictions)
    scenarios = service.scenarios(codes, activity, purpose, accepted, obtained_on, domicile=domicile)
    pol = policy_mod.Policy()
    if policy is not None:
        try:
            pol = policy_mod.load(Path(policy), license_key=service.kb.license_key, law_code=service.kb.law_code,
                                  check_id=ids.check)
        except policy_mod.PolicyError as exc:
            raise UsageError(f"bad policy file {exc}") from None
    if fail_on is not None:
        pol = dataclasses.replace(pol, fail_on=fail_on)
    result = scan_path(root, ScanOptions(exclude=tuple(exclude), loader_documents=service.kb.loader_documents))
    report = _save_lock(source, service.assess_scan(root, result, scenarios, lang=lang))
    gate = service.gate(report.assessments, pol, today=today)
    return Result(report.with_gate(gate))


def explain(item: str, *, lang: str = "en") -> dict[str, Any] | None:
    """What the knowledge base holds for an artifact id, ``license:ID``, ``law:XX`` or ``platform:ID``
    (the ``modelclear explain`` JSON), or ``None`` when it holds nothing."""
    import json

    from modelclear.explain import explain as explain_text

    text, found = explain_text(item, lang=lang, fmt="json")
    return dict(json.loads(text)) if found else None
