"""How much work the scanner may spend on one file, counted in work done, never in time.

A scan must give the same references on an idle laptop and on a saturated CI runner, and with any
number of worker processes. So nothing here looks at a clock: every limit counts something the
input determines (bytes, syntax-tree nodes, resolution steps, nesting levels, parser events,
candidate values). When a budget runs out, the scanner keeps what it found so far and reports a
:class:`~modelclear.scan.base.ScanWarning` with code :data:`BUDGET_CODE` naming the file.

All limits live in :data:`BUDGETS` (one frozen :class:`Budgets`); modules read them from there.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import accumulate

from modelclear.scan.base import ScanWarning

#: The ``code`` of the warning a file gets when one of its budgets ran out.
BUDGET_CODE = "budget"


@dataclass(frozen=True)
class Budgets:
    """Every deterministic work limit of the scanner (per file unless said otherwise)."""

    #: Characters of Python source parsed (a ``.py`` file, or a notebook's joined code cells).
    python_source_chars: int = 8_000_000
    #: Syntax-tree nodes indexed per Python file or notebook; later top-level statements are left out.
    ast_nodes: int = 2_000_000
    #: Resolution steps for one expression (one loader argument, one exported constant).
    resolve_steps_expr: int = 20_000
    #: Resolution steps for one file in the scan pass (all its expressions together).
    resolve_steps_file: int = 1_000_000
    #: Loader calls analysed per file (each one yields references); later calls are left out.
    loader_calls: int = 20_000
    #: Resolution steps for one module in the constant-index pass.
    index_steps_file: int = 500_000
    #: Deepest chain of name / attribute / call resolution followed.
    resolve_depth: int = 40
    #: Candidate values kept for one expression (f-string products and the like are cut here).
    candidates: int = 24
    #: Python stack frames the analysis of one file may use on top of where it starts
    #: (fixed, so that how deep the caller sits — worker process or not — changes nothing).
    recursion_headroom: int = 1_000
    #: Nesting levels of JSON / YAML / TOML followed (configs, notebooks, weight headers).
    nesting_depth: int = 100
    #: YAML parser events / JSON and TOML values turned into nodes per configuration document set.
    config_nodes: int = 2_000_000
    #: Characters the configuration locator may search to place reported keys on their lines.
    locate_chars: int = 200_000_000
    #: Values decoded or skipped in a GGUF header (array elements included).
    gguf_values: int = 2_000_000
    #: Pickle opcodes listed per weight file.
    pickle_ops: int = 2_000_000
    #: Bytes of pickle members read from one zip checkpoint (all members together).
    zip_member_bytes: int = 64 * 1024 * 1024
    #: Bytes read from the start of a weight file (its header; tensors are never read).
    weight_head_bytes: int = 8 * 1024 * 1024
    #: A zip member (torch ``data.pkl``) larger than this is not looked into.
    pickle_member_bytes: int = 16 * 1024 * 1024
    #: Entries of a zip checkpoint listed at most (checked on the announced count before listing).
    zip_members: int = 100_000
    #: Bytes of a Hydra primary config read to resolve an interpolation of another file.
    hydra_root_bytes: int = 1_000_000
    #: ``-r``/``-c`` includes followed from a requirements file, and bytes read from each.
    include_depth: int = 8
    include_bytes: int = 2_000_000


#: The budgets the scanner uses.
BUDGETS = Budgets()


class Meter:
    """Work spent against one limit. :meth:`spend` says whether there was budget left."""

    __slots__ = ("exhausted", "limit", "used", "what")

    def __init__(self, limit: int, what: str = "") -> None:
        self.limit = limit
        self.used = 0
        self.what = what
        self.exhausted = False

    def spend(self, n: int = 1) -> bool:
        """Count ``n`` units of work; False (and :attr:`exhausted` set) once the limit is passed."""
        self.used += n
        if self.used > self.limit:
            self.exhausted = True
        return not self.exhausted

    def left(self) -> int:
        """Units of work left (0 when exhausted)."""
        return max(0, self.limit - self.used)


class BudgetExceeded(Exception):
    """Raised inside a reader when a budget ran out; the caller keeps what was read and warns."""


def budget_warning(path: str, message: str, line: int = 0) -> ScanWarning:
    """The warning for a file whose budget ran out (what was found before is kept)."""
    return ScanWarning(path=path, message=message, code=BUDGET_CODE, line=line)


# --------------------------------------------------------------------------------------------------
# Nesting depth of JSON-like text, without parsing it

_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def json_depth(text: str) -> int:
    """Deepest ``[``/``{`` nesting of JSON text (brackets inside strings do not count).

    Linear in the text, no recursion: run it before a recursive parser so that a hostile
    ``[[[[...`` gives a budget warning instead of a ``RecursionError``.
    """
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    if not brackets:
        return 0
    if brackets.count("[") + brackets.count("{") <= 1:
        return 1
    return max(0, max(accumulate(_STEP[c] for c in brackets)))


_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


def prune_json(text: str, limit: int) -> tuple[str, bool]:
    """``text`` with every array or object nested deeper than ``limit`` replaced by ``null``.

    Keeps everything shallower (a notebook's cells survive a hostile 100,000-deep output), without
    recursion; returns the text and whether anything was cut. Unbalanced brackets are left as they
    are (the JSON parser then reports the text as malformed).
    """
    if json_depth(text) <= limit:
        return text, False
    parts: list[str] = []
    depth = 0
    kept_from = 0
    cut_start = -1
    for m in _JSON_TOKEN.finditer(text):
        token = m.group()
        if token[0] == '"':
            continue
        if token in "[{":
            depth += 1
            if depth == limit + 1 and cut_start < 0:
                cut_start = m.start()
        else:
            depth -= 1
            if depth == limit and cut_start >= 0:
                parts.append(text[kept_from:cut_start])
                parts.append("null")
                kept_from = m.end()
                cut_start = -1
    if cut_start >= 0:  # never closed: malformed anyway; cut to the end
        parts.append(text[kept_from:cut_start])
        parts.append("null")
        kept_from = len(text)
    parts.append(text[kept_from:])
    return "".join(parts), True


_TOML_STRING = re.compile(
    r'"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"|\'[^\'\n]*\'|#[^\n]*', re.DOTALL)


def toml_depth(text: str) -> int:
    """Deepest inline ``[``/``{`` nesting of TOML text, plus the longest dotted table header.

    Strings and comments are skipped; an over-estimate only makes a hostile file stop earlier.
    """
    stripped = _TOML_STRING.sub('""', text)
    depth = json_depth(stripped.replace('""', ""))
    for header in re.finditer(r"^[ \t]*\[\[?([^\]\n]*)\]", stripped, re.MULTILINE):
        depth = max(depth, header.group(1).count(".") + 1)
    return depth


# --------------------------------------------------------------------------------------------------
# Recursion: a limit relative to where the analysis of a file starts


def _stack_depth() -> int:
    frame = sys._getframe(1)
    depth = 0
    while frame is not None:
        depth += 1
        frame = frame.f_back  # type: ignore[assignment]
    return depth


@contextmanager
def recursion_headroom(frames: int | None = None) -> Iterator[None]:
    """Run the block with exactly ``frames`` Python frames of recursion available above the caller.

    Parsers of nested input (``ast``, ``json``, ``tomllib``) stop with ``RecursionError`` at a depth
    that depends on how deep the caller already is; pinning the limit relative to the caller makes
    that depth the same in the main process and in a worker, so results do not depend on ``--jobs``.
    The limit is interpreter-wide, so it is only pinned on the main thread (the CLI and the pool's
    workers); elsewhere (a web server's threads) the block runs under the limit as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(_stack_depth() + (BUDGETS.recursion_headroom if frames is None else frames))
    except RecursionError:  # pragma: no cover - only if the caller is already deeper than asked
        yield
        return
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)
