"""Finding and reading a policy file: TOML or YAML, with the line of every key for error messages."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from modelclear.policy.model import Policy, PolicyError
from modelclear.policy.toml_lines import _TomlLines
from modelclear.policy.validate import _validate

#: A policy file is a few dozen lines; anything far larger is not one (and is auto-discovered in
#: repositories we did not write, so it must not cost us memory or time).
MAX_POLICY_BYTES = 1 << 20
#: Deepest nesting and most values a policy may hold (a YAML alias bomb or 100k nested lists is not a policy).
MAX_POLICY_DEPTH = 32
MAX_POLICY_NODES = 100_000


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
