"""Policy as code: the default scenario, the CI gate, licence lists and waivers.

A policy lives in ``[tool.modelclear]`` of a ``pyproject.toml``, at the top level of a
``modelclear.toml``, or in any ``.toml``/``.yaml`` file given with ``--policy``::

    [tool.modelclear]
    jurisdictions = ["JP", "EU", "US"]   # judged in each, side by side
    activity = "deploy"
    purpose = "commercial"
    accepted = ["dataset:imagenet-1k"]   # terms you or your employer accepted
    fail-on = "uncertain"                # prohibited | uncertain | unknown
    licenses = { allow = ["MIT", "Apache-2.0"], deny = ["AGPL-3.0"] }

    [[tool.modelclear.waivers]]
    id = "hf:meta-llama/Llama-2-7b-hf"
    reason = "Meta licence reviewed by legal on 2026-10-01"
    approved_by = "legal@example.com"
    expires = 2027-03-31

:func:`load` validates the file and raises :class:`PolicyError` naming the file, line and key of
the first problem. :func:`evaluate` turns assessments into a :class:`Gate`: which verdicts fail the
run, which a waiver or the baseline excuses, and the exit code. Nothing here is legal knowledge:
the gate only decides which verdicts a team accepts.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modelclear.model import Assessment, Message, Status

#: Verdicts ``fail-on`` accepts, and the documented exit code for a failing verdict.
FAIL_ON = ("prohibited", "uncertain", "unknown")
DEFAULT_FAIL_ON = "uncertain"
EXIT_OK, EXIT_PROHIBITED, EXIT_UNCERTAIN = 0, 1, 2

_TOP_KEYS = ("jurisdictions", "activity", "purpose", "accepted", "obtained-on", "fail-on", "licenses", "waivers")
_LICENSE_KEYS = ("allow", "deny")
_WAIVER_KEYS = ("id", "reason", "approved-by", "expires")
_ACTIVITIES = ("train", "finetune", "distill", "evaluate", "deploy", "serve", "distribute", "outputs")
_PURPOSES = ("commercial", "research")


#: A policy file is a few dozen lines; anything far larger is not one (and is auto-discovered in
#: repositories we did not write, so it must not cost us memory or time).
MAX_POLICY_BYTES = 1 << 20
#: Deepest nesting and most values a policy may hold (a YAML alias bomb or 100k nested lists is not a policy).
MAX_POLICY_DEPTH = 32
MAX_POLICY_NODES = 100_000


class PolicyError(ValueError):
    """A bad policy file: the message names the file, the line and the key."""

    def __init__(self, path: str, line: int, key: str, problem: str) -> None:
        """Record where the problem is."""
        self.path, self.line, self.key, self.problem = path, line, key, problem
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {key}: {problem}" if key else f"{where}: {problem}")


class BaselineError(ValueError):
    """A ``--baseline`` file that is not a modelclear JSON report."""


@dataclass(frozen=True)
class Waiver:
    """An accepted risk: a failing verdict for ``id`` passes the gate until ``expires`` (inclusive)."""

    id: str
    reason: str
    approved_by: str
    expires: dt.date
    line: int = 0

    def active(self, today: dt.date) -> bool:
        """Whether the waiver still applies on ``today`` (it applies through its ``expires`` day)."""
        return today <= self.expires


@dataclass(frozen=True)
class Policy:
    """A validated policy. The empty policy reproduces the default gate."""

    path: str = ""
    jurisdictions: tuple[str, ...] = ()
    activity: str | None = None
    purpose: str | None = None
    accepted: tuple[str, ...] = ()
    obtained_on: dt.date | None = None
    fail_on: str = DEFAULT_FAIL_ON
    allow_licenses: tuple[str, ...] = ()
    deny_licenses: tuple[str, ...] = ()
    waivers: tuple[Waiver, ...] = ()


# --- finding and reading the file ------------------------------------------------------------


def find(start: Path) -> Path | None:
    """The policy file for ``start``: the nearest ``modelclear.toml``, or ``pyproject.toml`` with a
    ``[tool.modelclear]`` table, looking in ``start`` (or its folder) and then upward. The search
    stops after the first folder holding ``.git`` (the repository root)."""
    here = Path(os.path.realpath(start))
    if not _probe(here.is_dir):
        here = here.parent
    for folder in (here, *here.parents):
        own = folder / "modelclear.toml"
        if _probe(own.is_file):
            return own
        pyproject = folder / "pyproject.toml"
        if _probe(pyproject.is_file) and _has_tool_table(pyproject):
            return pyproject
        if _probe((folder / ".git").exists):
            return None
    return None


def _probe(test: Callable[[], bool]) -> bool:
    """A file test that answers ``False`` for a folder we may not look into (``PermissionError``)."""
    try:
        return test()
    except OSError:
        return False


def _has_tool_table(path: Path) -> bool:
    import tomllib

    try:
        if path.stat().st_size > MAX_POLICY_BYTES:
            return False  # not a project file we could read as a policy
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if "modelclear" not in text:
        return False
    try:
        tool = tomllib.loads(text).get("tool", {})
    except (tomllib.TOMLDecodeError, RecursionError):
        return True  # let load() report the syntax error with its line
    return isinstance(tool, dict) and "modelclear" in tool


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load(path: Path, *, license_key: Callable[[str], str | None], law_code: Callable[[str], str | None],
         check_id: Callable[[str], None] | None = None) -> Policy:
    """Read and validate a policy file.

    ``license_key`` maps a licence id or alias to the knowledge base's id (``None`` if unknown);
    ``law_code`` does the same for jurisdictions; ``check_id`` raises ``ValueError`` on a malformed
    artifact id. Raises :class:`PolicyError` on the first problem.
    """
    shown = _display(path)
    try:
        if path.stat().st_size > MAX_POLICY_BYTES:
            raise PolicyError(shown, 0, "", f"the policy file is larger than {MAX_POLICY_BYTES // 1024} KiB")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(shown, 0, "", f"cannot read the policy file ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise PolicyError(shown, 0, "", "the policy file is not UTF-8 text") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        data, locate = _read_yaml(shown, text)
        prefix: tuple[str, ...] = ()
    else:
        data, locate = _read_toml(shown, text)
        prefix = ("tool", "modelclear") if path.name == "pyproject.toml" or _has_tool(data) else ()
    table: Any = data
    for part in prefix:
        table = table.get(part, {}) if isinstance(table, dict) else {}
    if not isinstance(table, dict):
        raise PolicyError(shown, locate(prefix), ".".join(prefix), "must be a table")
    return _validate(shown, table, lambda keys: locate((*prefix, *keys)), license_key, law_code, check_id)


def _check_depth(data: Any, limit: int = MAX_POLICY_DEPTH) -> None:
    """Raise ``RecursionError`` when ``data`` nests deeper than ``limit`` (or refers to itself)."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    seen = 0
    while stack:
        value, depth = stack.pop()
        seen += 1
        if depth > limit or seen > MAX_POLICY_NODES:
            raise RecursionError
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


def _has_tool(data: Mapping[str, Any]) -> bool:
    """Whether a TOML document holds a ``[tool.modelclear]`` table (then only that table is read)."""
    return isinstance(data.get("tool"), dict) and "modelclear" in data["tool"]


def _read_toml(shown: str, text: str) -> tuple[dict[str, Any], Callable[[Sequence[str | int]], int]]:
    import tomllib

    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise PolicyError(shown, 0, "", "not a policy: nested too deeply") from None
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column \d+\)", msg)
        line = int(m.group(1)) if m else 0
        raise PolicyError(shown, line, "", f"not valid TOML: {re.sub(r' [(]at line .*[)]$', '', msg)}") from None
    return data, _TomlLines(text).line


def _read_yaml(shown: str, text: str) -> tuple[dict[str, Any], Callable[[Sequence[str | int]], int]]:
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
        _check_depth(data)
    except RecursionError:
        raise PolicyError(shown, 0, "", "not a policy: nested too deeply or too many values") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PolicyError(shown, (mark.line + 1) if mark else 0, "", f"not valid YAML: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PolicyError(shown, 1, "", "the policy must be a mapping of keys")

    def locate(keys: Sequence[str | int]) -> int:
        best = node.start_mark.line + 1 if node is not None else 0
        current = node
        for key in keys:
            nxt = None
            if isinstance(current, yaml.MappingNode):
                for k, v in current.value:
                    if k.value == key:
                        best, nxt = k.start_mark.line + 1, v
                        break
            elif isinstance(current, yaml.SequenceNode) and isinstance(key, int) and key < len(current.value):
                nxt = current.value[key]
                best = nxt.start_mark.line + 1
            if nxt is None:
                break
            current = nxt
        return best

    return data, locate


class _TomlLines:
    """Line numbers of keys in TOML text (tomllib keeps none): a small scanner of tables and keys.

    Knows ``[table]``, ``[[array.of.tables]]``, ``key = value``, dotted keys, and inline tables
    inside (possibly multi-line) arrays. A key it cannot place falls back to its parent's line.
    """

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
    _KEY = re.compile(r"""\s*([A-Za-z0-9_.\-"' ]+?)\s*=""")

    def __init__(self, text: str) -> None:
        """Index every key path of ``text``."""
        self.lines: dict[tuple[str | int, ...], int] = {}
        counters: dict[tuple[str, ...], int] = {}
        table: tuple[str | int, ...] = ()
        # inline structures being read: stack of (path, index-of-next-item or -1 for a table)
        stack: list[list[Any]] = []
        for number, raw in enumerate(text.splitlines(), start=1):
            line = _strip_comment(raw)
            if not stack:
                header = self._HEADER.match(line)
                if header:
                    names = tuple(_unquote(p) for p in header.group(2).split("."))
                    if header.group(1) == "[[":
                        counters[names] = counters.get(names, -1) + 1
                        table = (*names, counters[names])
                    else:
                        table = names
                    self.lines.setdefault(names, number)
                    self.lines.setdefault(table, number)
                    continue
            pos = 0
            while pos < len(line):
                ctx_path: tuple[str | int, ...] = tuple(stack[-1][0]) if stack else table
                in_array = bool(stack) and stack[-1][1] >= 0
                if not in_array:
                    m = self._KEY.match(line, pos)
                    if m and not line[pos:m.start(1)].strip(", {"):
                        keys = tuple(_unquote(p) for p in m.group(1).split("."))
                        path = (*ctx_path, *keys)
                        for i in range(1, len(keys) + 1):
                            self.lines.setdefault((*ctx_path, *keys[:i]), number)
                        pos = m.end()
                        rest = line[pos:].lstrip()
                        pos = len(line) - len(rest)
                        if rest.startswith("["):
                            stack.append([path, 0])
                            pos += 1
                        elif rest.startswith("{"):
                            stack.append([path, -1])
                            pos += 1
                        else:
                            pos = _skip_value(line, pos)
                        continue
                ch = line[pos]
                if ch in "\"'":
                    pos = _skip_string(line, pos)
                    continue
                if ch == "{":
                    idx = stack[-1][1] if in_array else 0
                    item_path = (*ctx_path, idx)
                    self.lines.setdefault(item_path, number)
                    stack.append([item_path, -1])
                elif ch == "[" and in_array:
                    stack.append([(*ctx_path, stack[-1][1]), 0])
                elif ch in "]}":
                    if stack:
                        stack.pop()
                elif ch == "," and in_array:
                    stack[-1][1] += 1
                pos += 1

    def line(self, keys: Sequence[str | int]) -> int:
        """The line of ``keys`` (or of its nearest known parent; 0 when nothing is known)."""
        path = tuple(keys)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return 0


def _strip_comment(line: str) -> str:
    out, quote = [], ""
    for ch in line:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            break
        out.append(ch)
    return "".join(out)


def _skip_string(line: str, pos: int) -> int:
    quote = line[pos]
    end = line.find(quote, pos + 1)
    while end > 0 and quote == '"' and line[end - 1] == "\\":
        end = line.find(quote, end + 1)
    return len(line) if end < 0 else end + 1


def _skip_value(line: str, pos: int) -> int:
    while pos < len(line) and line[pos] not in ",}]":
        pos = _skip_string(line, pos) if line[pos] in "\"'" else pos + 1
    return pos


def _unquote(text: str) -> str:
    return text.strip().strip("\"'")


# --- validation ------------------------------------------------------------------------------


def _norm(key: object) -> str:
    return str(key).replace("_", "-")


def _type_name(value: object) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
            dict: "a table", dt.date: "a date", dt.datetime: "a date-time"}.get(type(value), type(value).__name__)


def _validate(shown: str, table: Mapping[str, Any], locate: Callable[[Sequence[str | int]], int],
              license_key: Callable[[str], str | None], law_code: Callable[[str], str | None],
              check_id: Callable[[str], None] | None) -> Policy:
    def fail(keys: Sequence[str | int], problem: str) -> PolicyError:
        label = "".join(f"[{k}]" if isinstance(k, int) else (f".{k}" if i else str(k)) for i, k in enumerate(keys))
        return PolicyError(shown, locate(keys), label, problem)

    def unknown(keys: Sequence[str | int], raw: str, known: Sequence[str]) -> PolicyError:
        close = difflib.get_close_matches(_norm(raw), known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(known)}"
        return fail(keys, f"unknown key{hint}")

    def text(keys: Sequence[str | int], value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise fail(keys, f"must be a non-empty string, got {_type_name(value)}")
        return value.strip()

    def strings(keys: Sequence[str | int], value: object, comma: bool = False) -> list[str]:
        if comma and isinstance(value, str):
            return [p.strip() for p in value.split(",") if p.strip()]
        if not isinstance(value, list):
            raise fail(keys, f"must be a list of strings, got {_type_name(value)}")
        return [text((*keys, i), v) for i, v in enumerate(value)]

    def date(keys: Sequence[str | int], value: object) -> dt.date:
        if isinstance(value, dt.datetime):
            raise fail(keys, f"must be a date (YYYY-MM-DD), got a date-time {value.isoformat()}")
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                raise fail(keys, f"bad date {value!r}; use YYYY-MM-DD") from None
        raise fail(keys, f"must be a date (YYYY-MM-DD), got {_type_name(value)}")

    def choice(keys: Sequence[str | int], value: object, options: Sequence[str]) -> str:
        got = text(keys, value)
        if got not in options:
            raise fail(keys, f"{got!r} is not one of: {', '.join(options)}")
        return got

    values: dict[str, Any] = {}
    for raw_key, value in table.items():
        key = _norm(raw_key)
        if key not in _TOP_KEYS:
            raise unknown((raw_key,), raw_key, _TOP_KEYS)
        values[key] = (raw_key, value)

    out: dict[str, Any] = {}
    if "jurisdictions" in values:
        raw_key, value = values["jurisdictions"]
        codes = strings((raw_key,), value, comma=True)
        for i, code in enumerate(codes):
            if law_code(code) is None:
                raise fail((raw_key, i) if isinstance(value, list) else (raw_key,),
                           f"unknown jurisdiction {code!r}")
        out["jurisdictions"] = tuple(c.upper() for c in codes)
    if "activity" in values:
        raw_key, value = values["activity"]
        out["activity"] = choice((raw_key,), value, _ACTIVITIES)
    if "purpose" in values:
        raw_key, value = values["purpose"]
        out["purpose"] = choice((raw_key,), value, _PURPOSES)
    if "accepted" in values:
        raw_key, value = values["accepted"]
        out["accepted"] = tuple(strings((raw_key,), value))
    if "obtained-on" in values:
        raw_key, value = values["obtained-on"]
        out["obtained_on"] = date((raw_key,), value)
    if "fail-on" in values:
        raw_key, value = values["fail-on"]
        out["fail_on"] = choice((raw_key,), value, FAIL_ON)
    if "licenses" in values:
        raw_key, value = values["licenses"]
        if not isinstance(value, dict):
            raise fail((raw_key,), f"must be a table with 'allow' and/or 'deny', got {_type_name(value)}")
        for sub_raw, ids in value.items():
            sub = _norm(sub_raw)
            if sub not in _LICENSE_KEYS:
                raise unknown((raw_key, sub_raw), sub_raw, _LICENSE_KEYS)
            canon = []
            for i, lid in enumerate(strings((raw_key, sub_raw), ids)):
                known = license_key(lid)
                if known is None:
                    raise fail((raw_key, sub_raw, i), f"unknown licence id {lid!r}: not in the knowledge base "
                               "(try `modelclear kb search` or `modelclear explain license:ID`)")
                canon.append(known)
            out[f"{sub}_licenses"] = tuple(canon)
    if "waivers" in values:
        raw_key, value = values["waivers"]
        if not isinstance(value, list):
            raise fail((raw_key,), f"must be a list of tables (id, reason, approved-by, expires), "
                                   f"got {_type_name(value)}")
        waivers = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                raise fail((raw_key, i), f"must be a table (id, reason, approved-by, expires), got {_type_name(item)}")
            fields: dict[str, tuple[str, Any]] = {}
            for k, v in item.items():
                nk = _norm(k)
                if nk not in _WAIVER_KEYS:
                    raise unknown((raw_key, i, k), k, _WAIVER_KEYS)
                fields[nk] = (k, v)
            for required in _WAIVER_KEYS:
                if required not in fields:
                    raise fail((raw_key, i), f"missing {required!r} (a waiver needs id, reason, approved-by, expires)")
            wid = text((raw_key, i, fields["id"][0]), fields["id"][1])
            if check_id is not None:
                try:
                    check_id(wid)
                except ValueError as exc:
                    raise fail((raw_key, i, fields["id"][0]), str(exc)) from None
            waivers.append(Waiver(
                id=wid,
                reason=text((raw_key, i, fields["reason"][0]), fields["reason"][1]),
                approved_by=text((raw_key, i, fields["approved-by"][0]), fields["approved-by"][1]),
                expires=date((raw_key, i, fields["expires"][0]), fields["expires"][1]),
                line=locate((raw_key, i)),
            ))
        out["waivers"] = tuple(waivers)
    return Policy(path=shown, **out)


# --- baseline --------------------------------------------------------------------------------


def load_baseline(path: Path) -> dict[tuple[str, str], Status]:
    """The failing-or-not status of every (artifact id, jurisdiction) in a previous JSON report.

    Accepts a ``modelclear/check/1`` document, a list of them (several jurisdictions) or a
    ``modelclear/scan/1`` document. Uses the gate's status when the report has one (licence lists
    applied), else the verdict. Keys are lower-case ids.
    """
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"baseline {path} is not JSON: {exc}") from None
    docs = doc if isinstance(doc, list) else [doc]
    out: dict[tuple[str, str], Status] = {}
    for d in docs:
        if not isinstance(d, dict) or d.get("schema") not in ("modelclear/check/1", "modelclear/scan/1"):
            raise BaselineError(f"baseline {path} is not a modelclear JSON report (--format json)")
        items = d.get("assessments", []) if d["schema"] == "modelclear/scan/1" else [d]
        try:
            for a in items:
                out[(str(a["artifact"]["id"]).lower(), str(a["scenario"]["jurisdiction"]).upper())] = \
                    Status(a["verdict"])
            for g in (d.get("gate") or {}).get("items", []):
                out[(str(g["artifact"]).lower(), str(g["jurisdiction"]).upper())] = Status(g["status"])
        except (KeyError, TypeError, ValueError) as exc:
            raise BaselineError(f"baseline {path} is malformed: {exc}") from None
    return out


# --- the gate --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GateItem:
    """How the gate treats one assessment (one artifact in one jurisdiction)."""

    artifact: str
    jurisdiction: str
    verdict: Status
    status: Status  # the verdict after the licence lists
    license: str | None = None
    policy_reasons: tuple[Message, ...] = ()
    failing: bool = False  # status at or above fail-on
    waiver: Waiver | None = None  # the waiver matching this artifact (active or expired)
    waived: bool = False  # failing, excused by an active waiver
    in_baseline: bool = False  # failing, already failing as badly in the baseline
    counted: bool = False  # failing and neither waived nor in the baseline: it fails the run


@dataclass(frozen=True)
class Gate:
    """The CI gate's decision for a run."""

    fail_on: Status
    items: tuple[GateItem, ...]
    today: dt.date
    expired: tuple[Waiver, ...] = ()
    unused: tuple[Waiver, ...] = ()
    policy_path: str = ""
    baseline_path: str = ""
    exit_code: int = 0
    waivers: tuple[Waiver, ...] = field(default=())

    def item(self, artifact: str, jurisdiction: str) -> GateItem | None:
        """The gate item of an artifact id in a jurisdiction."""
        return self._index.get((artifact.lower(), jurisdiction))

    @functools.cached_property
    def _index(self) -> dict[tuple[str, str], GateItem]:
        """Items by (artifact id, jurisdiction), the first of each (a scan asks once per artifact)."""
        index: dict[tuple[str, str], GateItem] = {}
        for it in self.items:
            index.setdefault((it.artifact.lower(), it.jurisdiction), it)
        return index

    @property
    def passed(self) -> bool:
        """Whether the run passes."""
        return self.exit_code == EXIT_OK


def _symbols_denied(expression: str, denied: Callable[[str], bool]) -> bool:
    """Whether a licence expression is denied: an AND is denied if any part is, an OR if every choice is."""
    try:
        from license_expression import AND, OR, LicenseSymbol, Licensing

        parsed = Licensing().parse(expression)
    except Exception:  # a non-SPDX id such as "llama2" or a free-text licence
        return denied(expression)

    def walk(node: Any) -> bool:
        if isinstance(node, LicenseSymbol):
            return denied(str(node.key))
        if isinstance(node, OR):
            return all(walk(a) for a in node.args)
        if isinstance(node, AND):
            return any(walk(a) for a in node.args)
        return denied(str(node))

    return walk(parsed) if parsed is not None else False


def evaluate(assessments: Iterable[Assessment], policy: Policy | None = None, *, today: dt.date,
             baseline: Mapping[tuple[str, str], Status] | None = None, baseline_path: str = "",
             license_key: Callable[[str], str | None] = lambda s: s,
             canonical: Callable[[str], str] = lambda s: s) -> Gate:
    """Apply the policy to assessments.

    ``license_key`` canonicalises licence ids (to compare with the lists); ``canonical`` maps a
    waiver id to the canonical artifact id (e.g. ``torchvision:resnet50`` to its weights id).
    ``today`` decides which waivers are active: a waiver applies through its ``expires`` day.
    """
    policy = policy or Policy()
    fail_on = Status(policy.fail_on)
    deny = {d.lower() for d in policy.deny_licenses}
    allow = {a.lower() for a in policy.allow_licenses}
    waivers = {canonical(w.id).lower(): w for w in policy.waivers}
    used: set[str] = set()
    items: list[GateItem] = []
    for a in assessments:
        art_id = a.artifact.id if a.artifact else a.ref.id
        names = {art_id.lower(), a.ref.id.lower(), *(x.lower() for x in a.ref.aliases)}
        if a.artifact is not None:
            names |= {x.lower() for x in a.artifact.aliases}
        lic = a.license_in_force if a.artifact is not None else None
        status = a.verdict
        reasons: list[Message] = []

        def key_of(symbol: str) -> str:
            return (license_key(symbol) or symbol).lower()

        if lic and deny and _symbols_denied(lic, lambda s: key_of(s) in deny):
            status = Status.PROHIBITED
            reasons.append(Message("ui.gate.denied", {"license": lic}))
        elif lic and allow and _symbols_denied(lic, lambda s: key_of(s) not in allow):
            if status.severity < Status.UNCERTAIN.severity:
                status = Status.UNCERTAIN
            reasons.append(Message("ui.gate.not_allowed", {"license": lic}))
        failing = status.severity >= fail_on.severity
        waiver = next((waivers[n] for n in names if n in waivers), None)
        in_baseline = False
        if failing and baseline is not None:
            before = baseline.get((art_id.lower(), a.scenario.jurisdiction.upper()))
            in_baseline = before is not None and before.severity >= status.severity
        waived = failing and not in_baseline and waiver is not None and waiver.active(today)
        if waived and waiver is not None:
            used.add(canonical(waiver.id).lower())
        items.append(GateItem(
            artifact=art_id, jurisdiction=a.scenario.jurisdiction, verdict=a.verdict, status=status, license=lic,
            policy_reasons=tuple(reasons), failing=failing, waiver=waiver, waived=waived, in_baseline=in_baseline,
            counted=failing and not waived and not in_baseline,
        ))
    expired = tuple(w for w in policy.waivers if not w.active(today))
    unused = tuple(w for w in policy.waivers if w.active(today) and canonical(w.id).lower() not in used)
    code = EXIT_OK
    for it in items:
        if it.counted:
            code = EXIT_PROHIBITED if it.status is Status.PROHIBITED else max(code, EXIT_UNCERTAIN)
            if code == EXIT_PROHIBITED:
                break
    if expired:
        code = EXIT_PROHIBITED
    return Gate(fail_on=fail_on, items=tuple(items), today=today, expired=expired, unused=unused,
                policy_path=policy.path, baseline_path=baseline_path, exit_code=code, waivers=policy.waivers)


def waiver_data(w: Waiver, today: dt.date) -> dict[str, Any]:
    """A waiver as plain data."""
    return {"id": w.id, "reason": w.reason, "approved_by": w.approved_by, "expires": w.expires.isoformat(),
            "active": w.active(today)}


def messages(gate: Gate, t: Callable[..., str]) -> list[str]:
    """The run-level messages of a gate (expired and unused waivers), rendered with translator ``t``."""
    out = []
    for w in gate.expired:
        out.append(t("ui.gate.waiver_expired", id=w.id, date=w.expires.isoformat(), approved_by=w.approved_by,
                     reason=w.reason))
    for w in gate.unused:
        out.append(t("ui.gate.waiver_unused", id=w.id, date=w.expires.isoformat()))
    return out
