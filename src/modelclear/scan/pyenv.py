"""Environment variables read by Python code: their defaults and the values the project's deployment sets.

``os.getenv("EMBED_MODEL", "BAAI/bge-small-en-v1.5")``, ``os.environ.get(...)``, ``os.environ["X"]``
and ``or``-chains of several variables ending in a default (``os.getenv("A") or os.getenv("B") or
"org/model"``) are evaluated by :mod:`modelclear.scan.pyeval` (issue 10, cause 3). This module adds
what the project itself sets: the runner's pre-pass indexes ``.env`` files, compose
``environment:`` and ``${VAR:-default}``, Dockerfile ``ENV``/``ARG``
(``ScanContext.project_env``, see :func:`modelclear.scan.deploy.with_project_env`). Each value the
deployment gives the variable is a candidate as well as the code's default (a deployment value
overrides the default at run time; without one, the default is used), noted with the file and line
that set it. A variable that neither the code nor the deployment gives a value stays unknown (a
dynamic load).

Values are at most ``BUDGETS.candidates`` per variable (the pre-pass's own bound); nothing is read
here.
"""

from __future__ import annotations

from collections.abc import Mapping

from modelclear.scan.pyvalues import Res

#: Most deployment files named in the note of one variable's values.
MAX_NOTED = 2


def deployment_values(name: str, env: Mapping[str, tuple[object, ...]]) -> Res | None:
    """The values the project's deployment files give variable ``name``, or None when none does."""
    found = env.get(name, ()) if name else ()
    values: list[str] = []
    places: list[str] = []
    for item in found:
        value = getattr(item, "value", None)
        if not isinstance(value, str) or not value.strip():
            continue
        if value not in values:
            values.append(value)
        place = f"{getattr(item, 'path', '?')}:{getattr(item, 'line', 0)}"
        if place not in places:
            places.append(place)
    if not values:
        return None
    shown = ", ".join(places[:MAX_NOTED]) + (" ..." if len(places) > MAX_NOTED else "")
    return Res(values=list(values), indirect=True, notes=[f"environment variable {name} set in {shown}"])
