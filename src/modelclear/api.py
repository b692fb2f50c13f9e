"""The Python API: the same pipeline the CLI and the web UI drive.

>>> from modelclear import api
>>> a = api.check("torchvision:ResNet50_Weights.IMAGENET1K_V2", jurisdiction="JP", activity="deploy",
...               purpose="commercial")
>>> a.verdict.value
'allowed'
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from pathlib import Path

from modelclear import ids
from modelclear.catalog import Catalog, KnowledgeBase
from modelclear.model import Activity, Assessment, Purpose, Scenario


class UsageError(ValueError):
    """A bad input from the user (unknown jurisdiction, activity, malformed id): exit code 3."""


def load_knowledge(overlays: tuple[str, ...] = ()) -> KnowledgeBase:
    """The knowledge base (bundled data plus overlay directories), loaded once per process."""
    return _load_knowledge(tuple(str(p) for p in overlays))


@functools.lru_cache(maxsize=4)
def _load_knowledge(overlays: tuple[str, ...]) -> KnowledgeBase:
    return KnowledgeBase.load(overlays=[Path(p) for p in overlays])


def default_catalog(kb: KnowledgeBase | None = None, *, online: bool = False,
                    hf_cache: Path | None = None) -> Catalog:
    """A catalog over the knowledge base, the local HF cache and (when ``online``) the Hub."""
    kb = kb or load_knowledge()
    sources = []
    try:
        from modelclear.catalog.sources import HFCacheSource, HFHubSource

        sources.append(HFCacheSource(kb, cache_dir=hf_cache))
        if online:
            sources.append(HFHubSource(kb))
    except ImportError:  # pragma: no cover - the HF reader is part of the package
        pass
    return Catalog(kb=kb, sources=sources)


def make_scenario(jurisdiction: str, activity: str, purpose: str, accepted: Iterable[str] = (),
                  obtained_on: str | dt.date | None = None, as_of: dt.date | None = None,
                  kb: KnowledgeBase | None = None) -> Scenario:
    """Validate user input into a :class:`Scenario`; raise :class:`UsageError` on bad values."""
    kb = kb or load_knowledge()
    code = kb.law_code(jurisdiction or "")
    if code is None:
        known = ", ".join(kb.jurisdictions())
        raise UsageError(f"unknown jurisdiction {jurisdiction!r}; known: {known} (and EU member states)")
    try:
        act = Activity(activity)
    except ValueError:
        raise UsageError(f"unknown activity {activity!r}; choose one of: {', '.join(a.value for a in Activity)}") \
            from None
    try:
        purp = Purpose(purpose)
    except ValueError:
        raise UsageError(f"unknown purpose {purpose!r}; choose one of: {', '.join(p.value for p in Purpose)}") \
            from None
    obtained: dt.date | None
    if isinstance(obtained_on, str):
        try:
            obtained = dt.date.fromisoformat(obtained_on)
        except ValueError:
            raise UsageError(f"bad date {obtained_on!r} for --obtained-on; use YYYY-MM-DD") from None
    else:
        obtained = obtained_on
    canon_accepted = []
    for item in accepted:
        terms_id = kb.license_key(item)
        if terms_id is not None and ":" not in item:  # a terms-of-access record, e.g. imagenet-terms
            canon_accepted.append(terms_id)
            continue
        try:
            ref = ids.parse(item)
            canon_accepted.append(kb.canonical(ref.id) or ref.id)
        except ids.IdError:
            canon_accepted.append(item)  # a terms id such as imagenet-terms
    return Scenario(
        jurisdiction=jurisdiction.strip().upper(),
        activity=act,
        purpose=purp,
        accepted=frozenset(canon_accepted),
        obtained_on=obtained,
        as_of=as_of or dt.date.today(),
    )


def check(artifact_id: str, jurisdiction: str = "JP", activity: str = "deploy", purpose: str = "commercial",
          accepted: Iterable[str] = (), obtained_on: str | dt.date | None = None, *,
          catalog: Catalog | None = None) -> Assessment:
    """Assess one artifact id under a scenario (the ``modelclear check`` command)."""
    from modelclear.assess import assess_artifact

    catalog = catalog or default_catalog()
    scenario = make_scenario(jurisdiction, activity, purpose, accepted, obtained_on, kb=catalog.kb)
    try:
        ref = ids.parse(artifact_id)
    except ids.IdError as exc:
        raise UsageError(str(exc)) from None
    return assess_artifact(catalog.resolve(ref), catalog, scenario)
