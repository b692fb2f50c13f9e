"""Whether a Python file without a loader keyword imports a project module that loads something.

A script often loads its models and data sets only through the project's own helpers
(``util.download_and_unzip(url, ...)``, ``models.SentenceBERT("msmarco-distilbert-base-v3")``): it names
no loader library, so the keyword prefilter would skip it, and the wrapper's parameters would be
reported with no value. :class:`LoaderReach` tells the runner to parse such a file after all when one of
the project modules it imports holds a loader keyword, or imports one that does (a package ``__init__``
re-exporting it, a helper module calling another module's download helper), followed :data:`MAX_DEPTH`
levels. Modules are read as bytes (bounded, links not followed) and their answers memoised per process
(per module and depth, so the answer does not depend on the order files are asked about).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

#: How many levels of package re-exports are followed.
MAX_DEPTH = 3
#: Larger modules are not read for this test.
MAX_MODULE_BYTES = 2_000_000
#: Most modules whose text is kept for a later, deeper question (memory only).
MAX_KEPT = 4096
#: Imports looked at per file (a generated file may hold thousands).
MAX_IMPORTS = 200

_IMPORT_RE = re.compile(
    rb"^[ \t]*(?:from[ \t]+(?P<base>\.*[\w.]*)[ \t]+import[ \t]+\(?(?P<names>[^\n#;)]*)"
    rb"|import[ \t]+(?P<mods>[\w.]+(?:[ \t]+as[ \t]+\w+)?(?:[ \t]*,[ \t]*[\w.]+(?:[ \t]+as[ \t]+\w+)?)*))",
    re.MULTILINE)


def _imports(data: bytes) -> Iterator[tuple[int, str, list[str]]]:
    """(leading dots, module, imported names) of each import statement (names empty for ``import X``)."""
    for count, m in enumerate(_IMPORT_RE.finditer(data)):
        if count >= MAX_IMPORTS:
            return
        if m.group("base") is not None:
            base = m.group("base").decode("ascii", "replace")
            dots = len(base) - len(base.lstrip("."))
            names = [n.strip().split()[0] for n in m.group("names").decode("ascii", "replace").split(",")
                     if n.strip() and n.strip() != "*"]
            yield dots, base[dots:], names
        else:
            for part in m.group("mods").decode("ascii", "replace").split(","):
                words = part.split()
                if words:
                    yield 0, words[0], []


class LoaderReach:
    """Memoised answers to "does this project module (or what its package re-exports) hold a loader"."""

    def __init__(self, root: Path, has_keyword: Callable[[bytes], bool]) -> None:
        self.root = root
        self.has_keyword = has_keyword
        self._modules: dict[tuple[Path, int], bool] = {}
        #: Per module read: whether it holds a loader keyword, and its imports when it does not.
        self._read_memo: dict[Path, tuple[bool, list[tuple[int, str, list[str]]]]] = {}
        self._files: dict[str, Path | None] = {}
        tops = sorted(_top_names(root) | _top_names(root / "src"), key=lambda t: (-len(t), t))
        project = rb"|(?:" + b"|".join(re.escape(t) for t in tops) + rb")\b" if tops else b""
        #: A cheap first test (one search): ``from .`` or ``from``/``import`` of a top-level project module.
        self._first = re.compile(rb"(?:from|import)[ \t]+(?:\." + project + rb")")

    def file_reaches(self, path: Path, data: bytes) -> bool:
        """Whether a file importing as ``data`` does uses a project module that holds a loader."""
        if self._first.search(data) is None:
            return False
        return self._reaches(path, data, MAX_DEPTH)

    def _reaches(self, path: Path, data: bytes, depth: int) -> bool:
        return self._reaches_from(path, list(_imports(data)), depth)

    def _reaches_from(self, path: Path, imports: list[tuple[int, str, list[str]]], depth: int) -> bool:
        for dots, module, names in imports:
            for candidate in self._candidates(path, dots, module, names):
                if candidate != path and self._module(candidate, depth):
                    return True
        return False

    def _candidates(self, path: Path, dots: int, module: str, names: list[str]) -> Iterator[Path]:
        if dots:
            base = path.parent
            for _ in range(dots - 1):
                base = base.parent
            parts = [p for p in module.split(".") if p]
            for name in names:
                found = self._relative(base, [*parts, name])
                if found is not None:
                    yield found
            found = self._relative(base, parts)
            if found is not None:
                yield found
            return
        for name in names:
            found = self._absolute(f"{module}.{name}")
            if found is not None:
                yield found
        found = self._absolute(module)
        if found is not None:
            yield found

    def _relative(self, base: Path, parts: list[str]) -> Path | None:
        if not base.is_relative_to(self.root):  # ``from ...x`` above the scanned tree is not read
            return None
        rel = base.joinpath(*parts) if parts else base
        for candidate in ((rel.with_suffix(".py"),) if parts else ()) + (rel / "__init__.py",):
            if _is_file(candidate):
                return candidate
        return None

    def _absolute(self, module: str) -> Path | None:
        if module in self._files:
            return self._files[module]
        found: Path | None = None
        rel = Path(*module.split("."))
        for base in (self.root, self.root / "src"):
            for candidate in (base / rel.with_suffix(".py"), base / rel / "__init__.py"):
                if _is_file(candidate):
                    found = candidate
                    break
            if found is not None:
                break
        if len(self._files) < 100_000:
            self._files[module] = found
        return found

    def _module(self, path: Path, depth: int) -> bool:
        """Whether the module at ``path`` holds a loader keyword, or imports one that does (``depth`` levels)."""
        key = (path, depth)
        known = self._modules.get(key)
        if known is not None:
            return known
        self._modules[key] = False  # an import cycle answers no
        read = self._read(path)
        if read is None:
            return False
        keyword, imports = read
        answer = keyword or (depth > 0 and self._reaches_from(path, imports, depth - 1))
        self._modules[key] = answer
        return answer

    def _read(self, path: Path) -> tuple[bool, list[tuple[int, str, list[str]]]] | None:
        """Whether a module holds a loader keyword, and (when it does not) its imports; memoised."""
        done = self._read_memo.get(path)
        if done is not None:
            return done
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_MODULE_BYTES)
        except OSError:
            return None
        keyword = self.has_keyword(data)
        done = (keyword, [] if keyword else list(_imports(data)))
        if len(self._read_memo) < MAX_KEPT:
            self._read_memo[path] = done
        return done


def _top_names(base: Path) -> set[bytes]:
    """Names of the modules and packages directly under ``base`` (what an absolute import of the project names)."""
    out: set[bytes] = set()
    try:
        entries = list(base.iterdir())[:10_000]
    except OSError:
        return out
    for entry in entries:
        name = entry.name[:-3] if entry.name.endswith(".py") else entry.name
        if name.isidentifier() and (entry.name.endswith(".py") or _is_file(entry / "__init__.py")
                                    or _namespace_package(entry)):
            out.add(name.encode())
    return out


#: Entries of a folder without ``__init__.py`` looked at for a module (a namespace package: ``models/``).
MAX_NAMESPACE_ENTRIES = 256


def _namespace_package(path: Path) -> bool:
    """Whether ``path`` is a folder (not a link) without ``__init__.py`` that holds a ``.py`` module among its
    first :data:`MAX_NAMESPACE_ENTRIES` entries: ``from models.networks import X`` imports it all the same."""
    try:
        if path.is_symlink() or not path.is_dir():
            return False
        for count, child in enumerate(path.iterdir()):
            if count >= MAX_NAMESPACE_ENTRIES:
                break
            if child.name.endswith(".py") and _is_file(child):
                return True
    except OSError:
        return False
    return False


def _is_file(path: Path) -> bool:
    try:
        return path.is_file() and not path.is_symlink()
    except OSError:
        return False
