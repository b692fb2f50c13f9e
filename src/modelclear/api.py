"""The Python API: the same check service the CLI and the web UI drive (:mod:`modelclear.service`).

>>> from modelclear import api
>>> a = api.check("torchvision:ResNet50_Weights.IMAGENET1K_V2", jurisdiction="JP", activity="deploy",
...               purpose="commercial")
>>> a.verdict.value
'allowed'

:func:`check_report` gives the whole :class:`~modelclear.report.Report` (several jurisdictions at
once, ready for any output format).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

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

__all__ = ["Question", "Service", "UsageError", "check", "check_report", "default_catalog", "load_knowledge",
           "make_scenario"]


def check_report(artifact_id: str, jurisdictions: str | Sequence[str] = ("JP",), activity: str = "deploy",
                 purpose: str = "commercial", accepted: Iterable[str] = (),
                 obtained_on: str | dt.date | None = None, *, lang: str = "en",
                 catalog: Catalog | None = None) -> Report:
    """The report of one artifact id under a scenario in each jurisdiction (``modelclear check``)."""
    codes = (jurisdictions,) if isinstance(jurisdictions, str) else tuple(jurisdictions)
    question = Question(id=artifact_id, jurisdictions=codes, activity=activity, purpose=purpose,
                        accepted=tuple(accepted), obtained_on=obtained_on, lang=lang)
    return Service(catalog=catalog).check(question)


def check(artifact_id: str, jurisdiction: str = "JP", activity: str = "deploy", purpose: str = "commercial",
          accepted: Iterable[str] = (), obtained_on: str | dt.date | None = None, *,
          catalog: Catalog | None = None) -> Assessment:
    """Assess one artifact id under a scenario (the ``modelclear check`` command for one jurisdiction)."""
    return check_report(artifact_id, (jurisdiction,), activity, purpose, accepted, obtained_on,
                        catalog=catalog).assessments[0]
