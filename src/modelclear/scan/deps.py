"""Dependencies whose own licence matters to a model user, from dependency files.

Only packages listed in ``data/loaders/packages.yaml`` are reported (``ultralytics`` is AGPL-3.0, and
its licence reaches the models trained with it); a project's other dependencies are none of our
business here. Read: ``requirements*.txt`` (following ``-r``/``-c`` includes inside the scanned
tree), ``pyproject.toml`` (PEP 621, dependency groups, Poetry, PDM), ``uv.lock``, ``poetry.lock``,
``Pipfile``, ``setup.cfg``, ``setup.py`` (literal ``install_requires``), conda ``environment.yml``,
and ``pip install`` commands in shell scripts and Dockerfiles. Each reference carries the line of
the requirement.
"""

from __future__ import annotations

import ast
import configparser
import os
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from modelclear.model import Kind, Reference
from modelclear.scan.base import ScanContext, ScanWarning
from modelclear.scan.budget import BUDGETS, budget_warning, toml_depth
from modelclear.scan.walk import decode_text, inside_root, line_of, read_head

#: Include depth and size limits for ``-r`` files.
MAX_INCLUDE_DEPTH = BUDGETS.include_depth
MAX_INCLUDE_BYTES = BUDGETS.include_bytes

_NAME_RE = re.compile(r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")
_EGG_RE = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_PIP_INSTALL_RE = re.compile(r"\b(?:pip3?(?:\.\d+)?|conda|mamba|micromamba)\s+install\b(?P<args>[^;&|\n]*)")
_SHELL_SUFFIXES = (".sh", ".bash", ".zsh")


@dataclass(frozen=True)
class Package:
    """A package whose licence matters: its PyPI name, licence and why."""

    name: str
    license: str
    why: str


def normalize(name: str) -> str:
    """PEP 503 normalised package name."""
    return re.sub(r"[-_.]+", "-", name).lower()


@cache
def packages() -> dict[str, Package]:
    """Watched packages by normalised name (aliases included)."""
    text = resources.files("modelclear.data").joinpath("loaders").joinpath("packages.yaml").read_text(encoding="utf-8")
    out: dict[str, Package] = {}
    for entry in yaml.safe_load(text)["packages"]:
        pkg = Package(entry["name"], entry.get("license") or "", entry.get("why", {}).get("en", ""))
        for name in (entry["name"], *entry.get("aliases", ())):
            out[normalize(name)] = pkg
    return out


def _prefilter() -> frozenset[bytes]:
    tokens: set[bytes] = {b"-r ", b"-r\t", b"--requirement", b"-c ", b"--constraint"}  # includes
    for name in packages():
        for variant in (name, name.replace("-", "_"), name.capitalize(), name.upper()):
            tokens.add(variant.encode())
    return frozenset(tokens)


def requirement_name(spec: str) -> str | None:
    """The distribution name of a PEP 508 requirement, a VCS/URL requirement or a conda spec."""
    spec = spec.strip().strip("'\"")
    if not spec or spec.startswith("#"):
        return None
    egg = _EGG_RE.search(spec)
    if egg:
        return egg.group(1)
    if " @ " in spec or re.match(r"^[A-Za-z0-9._-]+\s*@", spec):
        return spec.split("@", 1)[0].strip().split("[", 1)[0] or None
    if re.match(r"^(git\+|hg\+|svn\+|bzr\+)?(https?|ssh|git|file)://", spec):
        path = re.sub(r"[?#].*$", "", spec).rstrip("/")
        last = path.rsplit("/", 1)[-1].split("@", 1)[0]
        last = re.sub(r"\.git$", "", last)
        wheel = re.match(r"^([A-Za-z0-9_.]+?)-\d", last)
        return wheel.group(1) if wheel else (last or None)
    if "::" in spec:  # conda channel::name
        spec = spec.split("::", 1)[1]
    m = _NAME_RE.match(spec)
    return m.group(1) if m else None


def _name_pattern(name: str) -> re.Pattern[str]:
    parts = re.split(r"[-_.]+", name)
    body = r"[-_.]+".join(re.escape(p) for p in parts)
    return re.compile(rf"(?<![\w.\-/]){body}(?![\w\-/])", re.IGNORECASE)


def find_line(text: str, name: str, start: int = 0) -> int:
    """Line of the first non-comment mention of package ``name`` at or after ``start`` (0 if none)."""
    line_start, line_end, hash_at = -1, -1, -1
    for m in _name_pattern(name).finditer(text, start):
        if m.start() > line_end:  # a new line: its bounds and first "#", found once per line (linear)
            line_start = text.rfind("\n", 0, m.start()) + 1
            line_end = text.find("\n", m.start())
            line_end = len(text) if line_end < 0 else line_end
            hash_at = text.find("#", line_start, line_end)
        if 0 <= hash_at < m.start() and not text.endswith(("#egg=", "&egg="), line_start, m.start()):
            continue
        return line_of(text, m.start())
    return 0


class _Emitter:
    def __init__(self, path: Path, text: str, loader: str) -> None:
        self.path = path
        self.text = text
        self.lines = text.splitlines()
        self.loader = loader
        self.out: list[Reference | ScanWarning] = []

    def add(self, name: str | None, line: int, raw: str | None = None, path: Path | None = None,
            lines: list[str] | None = None) -> None:
        if not name:
            return
        pkg = packages().get(normalize(name))
        if pkg is None:
            return
        if line <= 0:
            line = find_line(self.text, name)
        src = lines if lines is not None else self.lines
        evidence = src[line - 1].strip()[:300] if 0 < line <= len(src) else name
        where = str(path) if path is not None else self.path.name
        self.out.append(Reference(raw=raw or evidence, kind=Kind.PACKAGE, id=f"pypi:{normalize(pkg.name)}",
                                  path=where, line=line, evidence=evidence, confidence="high",
                                  loader=self.loader, note=f"package licence: {pkg.license}. {pkg.why}".strip()))


# --------------------------------------------------------------------------------------------------
# requirements.txt


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    buf, first = "", 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not buf:
            first = number
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        yield first, buf + line
        buf = ""
    if buf:
        yield first, buf


def _requirements(path: Path, text: str, ctx: ScanContext, em: _Emitter, depth: int, seen: set[str]) -> None:
    lines = text.splitlines()
    for number, line in _logical_lines(text):
        content = re.sub(r"(^|\s)#.*$", "", line).strip()
        if not content:
            continue
        include = re.match(r"^(?:-r|--requirement|-c|--constraint)(?:\s+|=)(\S+)", content)
        if include:
            _include(path, include.group(1), ctx, em, depth, seen)
            continue
        editable = re.match(r"^(?:-e|--editable)(?:\s+|=)(\S+)", content)
        if editable:
            content = editable.group(1)
        elif content.startswith("-"):
            continue
        name = requirement_name(content)
        abs_path = path if path.is_absolute() else None
        em.add(name, number, raw=content, path=abs_path if depth else None, lines=lines)


def _include(path: Path, target: str, ctx: ScanContext, em: _Emitter, depth: int, seen: set[str]) -> None:
    if depth >= MAX_INCLUDE_DEPTH or re.match(r"^[a-z+]+://", target):
        return
    child = Path(os.path.normpath(path.parent / target))
    root = Path(os.path.abspath(ctx.root))
    try:
        child.relative_to(root)
    except ValueError:
        return  # never read outside the scanned tree
    if child.exists() and not inside_root(child, root):
        em.out.append(ScanWarning(path=em.path.name, message=f"included requirements file {target!r} is a "
                                  "symbolic link out of the scanned folder; not read", code="symlink-outside"))
        return
    key = str(child)
    if key in seen:
        return
    seen.add(key)
    try:
        data = read_head(child, MAX_INCLUDE_BYTES)
    except OSError:
        em.out.append(ScanWarning(path=em.path.name, message=f"included requirements file {target!r} "
                                  "cannot be read", code="unreadable"))
        return
    text = decode_text(data)
    if text is None:
        return
    _requirements(child, text, ctx, em, depth + 1, seen)


# --------------------------------------------------------------------------------------------------
# Other formats


def _pep508_list(values: Any) -> Iterator[str]:
    if isinstance(values, list):
        for v in values:
            if isinstance(v, str):
                yield v
    elif isinstance(values, dict):
        for v in values.values():
            yield from _pep508_list(v)


def _pyproject(data: dict[str, Any], em: _Emitter) -> None:
    project = data["project"] if isinstance(data.get("project"), dict) else {}
    specs = [*_pep508_list(project.get("dependencies")), *_pep508_list(project.get("optional-dependencies")),
             *_pep508_list(data.get("dependency-groups"))]
    tool = data["tool"] if isinstance(data.get("tool"), dict) else {}
    pdm = tool["pdm"] if isinstance(tool.get("pdm"), dict) else {}
    specs.extend(_pep508_list(pdm.get("dev-dependencies")))
    names = [requirement_name(s) for s in specs]
    poetry = tool["poetry"] if isinstance(tool.get("poetry"), dict) else {}
    tables = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
    groups = poetry.get("group")
    if isinstance(groups, dict):
        tables.extend(g.get("dependencies") for g in groups.values() if isinstance(g, dict))
    for table in tables:
        if isinstance(table, dict):
            names.extend(k for k in table if k.lower() != "python")
    for name in dict.fromkeys(n for n in names if n):
        em.add(name, 0)


def _lockfile(data: dict[str, Any], em: _Emitter) -> None:
    for pkg in data.get("package", []) if isinstance(data.get("package"), list) else []:
        if isinstance(pkg, dict) and isinstance(pkg.get("name"), str):
            name = pkg["name"]
            if normalize(name) not in packages():  # only watched packages are placed on a line
                continue
            m = re.search(rf"(?m)^name\s*=\s*[\"']{re.escape(name)}[\"']", em.text)
            em.add(name, line_of(em.text, m.start()) if m else 0)


def _pipfile(data: dict[str, Any], em: _Emitter) -> None:
    for table in ("packages", "dev-packages"):
        if isinstance(data.get(table), dict):
            for name in data[table]:
                if not isinstance(name, str) or normalize(name) not in packages():
                    continue
                m = re.search(rf"(?m)^[ \t]*[\"']?{re.escape(name)}[\"']?\s*=", em.text)
                em.add(name, line_of(em.text, m.start()) if m else 0)


def _setup_cfg(text: str, em: _Emitter) -> None:
    parser = configparser.RawConfigParser(strict=False)
    parser.read_string(text)
    values: list[str] = []
    if parser.has_option("options", "install_requires"):
        values.append(parser.get("options", "install_requires"))
    if parser.has_section("options.extras_require"):
        values.extend(v for _, v in parser.items("options.extras_require"))
    start = max(text.find("[options"), 0)
    for block in values:
        for spec in re.split(r"[\n;]", block):
            name = requirement_name(spec)
            if name:
                em.add(name, find_line(text, name, start))


def _setup_py(text: str, em: _Emitter) -> None:
    tree = ast.parse(text)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for kw in node.keywords:
            if kw.arg not in ("install_requires", "extras_require", "setup_requires"):
                continue
            for sub in ast.walk(kw.value):
                if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                    em.add(requirement_name(sub.value), sub.lineno)


def _environment_yml(text: str, em: _Emitter) -> None:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    root = yaml.compose(text, Loader=loader)
    if not isinstance(root, yaml.MappingNode):
        return
    for key, value in root.value:
        if getattr(key, "value", None) != "dependencies" or not isinstance(value, yaml.SequenceNode):
            continue
        for item in value.value:
            if isinstance(item, yaml.ScalarNode):
                spec = item.value.split("=", 1)[0] if "::" in item.value or "=" in item.value else item.value
                em.add(requirement_name(spec), item.start_mark.line + 1)
            elif isinstance(item, yaml.MappingNode):
                for k, v in item.value:
                    if getattr(k, "value", None) == "pip" and isinstance(v, yaml.SequenceNode):
                        for pip_item in v.value:
                            if isinstance(pip_item, yaml.ScalarNode):
                                em.add(requirement_name(pip_item.value), pip_item.start_mark.line + 1)


def pip_install_names(command: str) -> list[str]:
    """Package names of a ``pip install ...`` command line (options and files skipped)."""
    names: list[str] = []
    for m in _PIP_INSTALL_RE.finditer(command):
        skip_next = False
        for arg in m.group("args").split():
            if skip_next:
                skip_next = False
                continue
            if arg in ("-r", "--requirement", "-c", "--constraint", "-i", "--index-url", "--extra-index-url",
                       "-f", "--find-links", "-t", "--target", "--prefix", "--root"):
                skip_next = True
                continue
            if arg.startswith("-") or arg.startswith("$"):
                continue
            name = requirement_name(arg)
            if name and not name.endswith((".txt", ".whl", ".tar.gz", ".zip")) and name not in (".", ".."):
                names.append(name)
    return names


def _shell(text: str, em: _Emitter) -> None:
    for number, line in _logical_lines(text):
        if line.lstrip().startswith("#") or "install" not in line:
            continue
        for name in pip_install_names(line):
            em.add(name, number)


def is_requirements(path: Path) -> bool:
    """``requirements*.txt``/``*requirements.txt``/``*.in`` and any ``.txt`` in a ``requirements`` folder."""
    name = path.name.lower()
    if name.endswith((".txt", ".in")) and ("requirement" in name or "constraint" in name):
        return True
    return path.parent.name.lower() in ("requirements", "reqs") and name.endswith((".txt", ".in"))


_EXACT = {"pyproject.toml": "pyproject.toml", "uv.lock": "uv.lock", "poetry.lock": "poetry.lock",
          "pdm.lock": "pdm.lock", "pipfile": "Pipfile", "setup.cfg": "setup.cfg", "setup.py": "setup.py",
          "environment.yml": "environment.yml", "environment.yaml": "environment.yml",
          "conda.yml": "environment.yml", "conda.yaml": "environment.yml"}


class DepsScanner:
    """Watched packages in dependency files."""

    name = "deps"

    @property
    def prefilter(self) -> frozenset[bytes]:
        """Byte strings one of which a file must contain (the watched package names)."""
        return _prefilter()

    def accepts(self, path: Path) -> bool:
        """Dependency files by name, shell scripts and Dockerfiles."""
        name = path.name.lower()
        return (name in _EXACT or is_requirements(path) or name.endswith(_SHELL_SUFFIXES)
                or name.startswith("dockerfile") or name.endswith(".dockerfile"))

    def scan(self, path: Path, data: bytes, ctx: ScanContext) -> Iterable[Reference | ScanWarning]:
        """References to watched packages in one dependency file."""
        name = path.name.lower()
        text = decode_text(data, python=name == "setup.py")
        if text is None:
            return [ScanWarning(path=path.name, message="not UTF-8 text; skipped", code="encoding")]
        kind = _EXACT.get(name) or ("requirements" if is_requirements(path) else "pip install")
        em = _Emitter(path, text, kind)
        if kind in ("pyproject.toml", "uv.lock", "poetry.lock", "pdm.lock", "Pipfile"):
            depth = toml_depth(text)
            if depth > BUDGETS.nesting_depth:  # refused before the recursive TOML parser sees it
                return [budget_warning(path.name, f"{kind} nested {depth} levels deep "
                                                  f"(budget {BUDGETS.nesting_depth}); not read")]
        try:
            if kind == "requirements":
                _requirements(path, text, ctx, em, 0, {str(path)})
            elif kind == "pyproject.toml":
                _pyproject(tomllib.loads(text), em)
            elif kind in ("uv.lock", "poetry.lock", "pdm.lock"):
                _lockfile(tomllib.loads(text), em)
            elif kind == "Pipfile":
                _pipfile(tomllib.loads(text), em)
            elif kind == "setup.cfg":
                _setup_cfg(text, em)
            elif kind == "setup.py":
                _setup_py(text, em)
            elif kind == "environment.yml":
                _environment_yml(text, em)
            else:
                _shell(text, em)
        except (tomllib.TOMLDecodeError, yaml.YAMLError, configparser.Error, SyntaxError, ValueError,
                RecursionError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            if kind == "setup.py":  # the Python scanner reports syntax errors
                return em.out
            em.out.append(ScanWarning(path=path.name, message=f"malformed {kind}: {first[:200]}",
                                      code="malformed"))
        return em.out
