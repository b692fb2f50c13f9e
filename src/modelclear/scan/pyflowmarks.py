"""Marker values of wrapper summaries (:mod:`modelclear.scan.pyflow`): which parameters reach a load.

While the summary of a wrapper is worked out, each parameter of the functions around a load is bound to
a marker string (:func:`marked_params`); the markers found in the value the load's id argument takes say
which parameters reach it (:func:`marks_reached`), directly (``§0§``, ``§0§.pth``) or only through an attribute
or entry of the object passed (``§0§¶.dataset_name§``: :func:`carried`, :func:`carried_only`); a caller
adds such values only when it passes an object it built itself (:func:`built`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from modelclear.scan.pyindex import Scope
from modelclear.scan.pyvalues import Instance, Res

#: Marks a parameter's value while summaries are computed: a character without case that no id
#: holds and that string operations (``lower``, ``strip``, ``urljoin``) keep.
MARK = "\u00a7"
#: The number of each marker in a value (``§12§``), markers sharing a ``§`` included (``§1§2§``).
_MARK_RE = re.compile(MARK + "(?=([0-9]+)" + MARK + ")")
#: Follows a mark in a summary value that is an attribute or entry of the marked parameter (``§0§¶.name§``).
STEP = "\u00b6"
#: Most wrapper loads followed from one call of a wrapper.
MAX_SITES_PER_CALL = 16


def carried(values: Iterable[object], step: str) -> list[str]:
    """Marked values (a parameter, or a part of one) that an attribute, item or loop item of them carries
    on: ``§0§`` -> ``§0§¶.dataset_name§`` (still holding the parameter's mark); at most
    :data:`MAX_SITES_PER_CALL`, each at most 256 characters."""
    out: list[str] = []
    for value in values:
        if isinstance(value, str) and value.startswith(MARK) and value.endswith(MARK) and len(value) < 256:
            out.append(f"{value}{STEP}{step}{MARK}")
            if len(out) >= MAX_SITES_PER_CALL:
                break
    return out


def carried_only(values: Iterable[object], marks: dict[str, tuple[Scope, str]]) -> dict[int, frozenset[str]]:
    """The parameters (by function scope) whose mark the values carry only with an attribute or entry
    after it (``§0§¶.dataset_name§``), never alone or inside a string built from it (``§0§.pth``)."""
    carried: dict[int, set[str]] = {}
    direct: set[tuple[int, str]] = set()
    for value in values:
        if not isinstance(value, str) or MARK not in value:
            continue
        for mark, (fscope, name) in marks.items():
            start = value.find(mark)
            while start >= 0:
                after = value[start + len(mark):start + len(mark) + 1]
                if after == STEP:
                    carried.setdefault(id(fscope), set()).add(name)
                else:
                    direct.add((id(fscope), name))
                start = value.find(mark, start + 1)
    out = {key: frozenset(n for n in names if (key, n) not in direct) for key, names in carried.items()}
    return {key: names for key, names in out.items() if names}


def built(values: Iterable[object]) -> bool:
    """Whether a caller's argument is an object it built itself (a project class's instance with keyword
    arguments, a dict or a tuple), whose attributes or entries are the caller's own values."""
    return any(isinstance(v, (Instance, dict, tuple)) for v in values)


def marked_params(chain: list[Scope]) -> tuple[dict[int, Res], dict[str, tuple[Scope, str]]]:
    """Each parameter of the functions in ``chain`` seeded with its own marker value, and what each marker means."""
    seeds: dict[int, Res] = {}
    marks: dict[str, tuple[Scope, str]] = {}
    for fscope in chain:
        for name, param in fscope.params.items():
            mark = f"{MARK}{len(marks)}{MARK}"
            marks[mark] = (fscope, name)
            seeds[id(param)] = Res(values=[mark])
    return seeds, marks


def marks_reached(values: Iterable[object], marks: dict[str, tuple[Scope, str]]) -> dict[int, frozenset[str]]:
    """Which parameters (by function scope) a load's resolved values carry the markers of."""
    reached: dict[int, set[str]] = {}
    for value in values:
        if not isinstance(value, str) or MARK not in value:
            continue
        for number in _MARK_RE.findall(value):  # every marker the value holds, overlapping ones too
            found = marks.get(f"{MARK}{number}{MARK}")
            if found is not None:
                reached.setdefault(id(found[0]), set()).add(found[1])
    return {k: frozenset(v) for k, v in reached.items()}
