"""Walking a source tree the way a good tool does, and reading its files safely.

The walk honours ``.gitignore`` files (every level, with negations) and ``.git/info/exclude`` — but, as
git does, never for a file the root's git index tracks (:mod:`modelclear.scan.gitindex`) — the
user's ``--exclude`` globs (gitignore syntax, matched against the path relative to the root), and
skips version-control folders, virtual environments (any folder holding ``pyvenv.cfg`` or
``conda-meta``), ``node_modules``, ``site-packages``, caches and notebook checkpoints.

Symbolic links are never followed out of the scanned root: a link whose target lies outside (``rootfs
-> /``, a link to a sibling checkout) is reported as a ``symlink-outside`` warning and not read, so
neither the host's files nor another project's model ids end up in the report. A link inside the
root is not followed either: its target is walked under its own name; a link back to a folder being
walked is a loop and becomes a ``symlink-loop`` warning. Only regular files are ever opened: FIFOs,
sockets and devices are skipped with a warning, so a scan can never block on a pipe. Nothing is written anywhere.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tokenize
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from modelclear.scan.base import ScanOptions, ScanWarning
from modelclear.scan.gitindex import GitIndexError, Tracked, read_tracked

#: Folder names never descended into.
SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", ".bzr", "node_modules", "site-packages", "dist-packages", "__pycache__",
    ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints", ".eggs",
})
#: A folder holding one of these files is a Python environment, not project code.
ENV_MARKERS = ("pyvenv.cfg", "conda-meta")
#: Bytes looked at to decide whether a file is binary.
BINARY_PROBE = 8192


@dataclass(frozen=True)
class FileEntry:
    """One regular file the walk found: where it is (an absolute path string), its path relative to the
    root (POSIX form), its size."""

    path: str
    rel: str
    size: int


def rel_path(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` in POSIX form (the path itself when it lies elsewhere)."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _compile(lines: list[str]) -> object | None:
    import pathspec

    patterns = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    if not patterns:
        return None
    try:
        return pathspec.GitIgnoreSpec.from_lines(lines)
    except Exception:  # a malformed pattern file must not stop the scan
        return None


def _read_patterns(path: Path, limit: int = 1_000_000) -> list[str] | None:
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        with path.open("rb") as fh:
            return fh.read(limit).decode("utf-8", errors="replace").splitlines()
    except OSError:
        return None


class _Ignore:
    """The stack of ``.gitignore`` specs in force at one folder of the walk."""

    def __init__(self, specs: tuple[tuple[str, object, re.Pattern[str] | None], ...] = (),
                 tracked: Tracked | None = None) -> None:
        self.specs = specs
        self.tracked = tracked

    def child(self, base: str, spec: object | None) -> _Ignore:
        """The stack for a sub-folder ``base`` that has its own ``spec``."""
        if spec is None:
            return self
        return _Ignore((*self.specs, (base, spec, _any_pattern(spec))), self.tracked)

    def ignored(self, rel: str, is_dir: bool) -> bool:
        """Whether the deepest matching pattern ignores ``rel`` (never a tracked file, nor a folder that
        holds one: git ignores only untracked files)."""
        if not self._matched(rel, is_dir):
            return False
        if self.tracked is None:
            return True
        return not (self.tracked.has_dir(rel) if is_dir else self.tracked.has_file(rel))

    def _matched(self, rel: str, is_dir: bool) -> bool:
        result = False
        for base, spec, any_pattern in self.specs:
            if base:
                if not rel.startswith(base + "/"):
                    continue
                sub = rel[len(base) + 1:]
            else:
                sub = rel
            name = sub + "/" if is_dir else sub
            if any_pattern is not None and any_pattern.search(name) is None:
                continue  # no pattern of this file matches: it neither ignores nor keeps ``rel``
            check = spec.check_file(name)  # type: ignore[attr-defined]
            if check.include is not None:
                result = bool(check.include)
        return result


def _any_pattern(spec: object) -> re.Pattern[str] | None:
    """One expression found in a path when any pattern of a pathspec spec is (each pattern's own
    expression, searched as pathspec does, groups unnamed), so that most paths are settled by one search
    instead of the spec's loop over its patterns; None (ask the spec every time) when the patterns are not
    plain expressions. The spec itself still decides every path this expression finds."""
    try:
        parts: list[str] = []
        flags: set[int] = set()
        for pattern in spec.patterns:  # type: ignore[attr-defined]
            if pattern.include is None:  # a comment or blank line
                continue
            regex = pattern.regex
            if not isinstance(regex, re.Pattern) or not isinstance(regex.pattern, str):
                return None
            parts.append("(?:" + re.sub(r"\(\?P<\w+>", "(?:", regex.pattern) + ")")
            flags.add(regex.flags)
        if len(flags) > 1:
            return None
        with warnings.catch_warnings():  # pathspec warned about its own pattern already ("nested set")
            warnings.simplefilter("ignore", FutureWarning)
            return re.compile("|".join(parts) or "(?!)", flags.pop() if flags else 0)
    except (AttributeError, TypeError, re.error):
        return None


def _is_env_dir(path: str) -> bool:
    return any(os.path.exists(os.path.join(path, marker)) for marker in ENV_MARKERS)


def walk(root: Path, options: ScanOptions) -> Iterator[FileEntry | ScanWarning]:
    """Yield every regular file under ``root`` that is not ignored, and a warning for each problem.

    Order is deterministic (sorted names, depth first). ``root`` may also be a single file.
    """
    root = Path(os.path.abspath(root))
    try:
        st = root.stat()
    except OSError as exc:
        yield ScanWarning(path=root.name, message=f"cannot read: {exc.strerror or exc}", code="unreadable")
        return
    if stat.S_ISREG(st.st_mode):
        yield FileEntry(os.path.realpath(root), root.name, st.st_size)  # the user named it: read its target
        return
    excludes = _compile(list(options.exclude)) if options.exclude else None
    ignore = _Ignore()
    if options.follow_gitignore:
        try:
            ignore = _Ignore(tracked=read_tracked(root))
        except GitIndexError as exc:
            yield ScanWarning(path=".git", message=f"{exc}; .gitignore rules apply to tracked files too",
                              code="git-index")
        info = _read_patterns(root / ".git" / "info" / "exclude")
        if info:
            ignore = ignore.child("", _compile(info))
    real_root = os.path.realpath(root)
    visited: set[str] = {real_root}
    yield from _walk_dir(root, root, "", ignore, excludes, options, (real_root,), visited, real_root)


def _excluded(excludes: object | None, rel: str, is_dir: bool) -> bool:
    if excludes is None:
        return False
    return bool(excludes.match_file(rel + "/" if is_dir else rel))  # type: ignore[attr-defined]


def _inside(real: str, real_root: str) -> bool:
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def _outside(rel: str) -> ScanWarning:
    return ScanWarning(path=rel, message="symbolic link to a target outside the scanned folder; not followed",
                       code="symlink-outside")


def inside_root(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> bool:
    """Whether ``path``, with every symbolic link resolved, lies within ``root`` (resolved too).

    Scanners that open a file other than the one they were given (an included requirements file, a
    Hydra primary config) check this first, so no link can lead them out of the scanned tree.
    """
    return _inside(os.path.realpath(path), os.path.realpath(root))


def _walk_dir(root: Path, folder: Path, rel_dir: str, ignore: _Ignore, excludes: object | None,
              options: ScanOptions, ancestors: tuple[str, ...], visited: set[str],
              real_root: str) -> Iterator[FileEntry | ScanWarning]:
    if options.follow_gitignore:
        lines = _read_patterns(folder / ".gitignore")
        if lines:
            ignore = ignore.child(rel_dir, _compile(lines))
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield ScanWarning(path=rel_dir or ".", message=f"cannot list folder: {exc.strerror or exc}",
                          code="unreadable")
        return
    for entry in entries:
        rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
        try:
            is_link = entry.is_symlink()
            is_dir = entry.is_dir(follow_symlinks=True)
        except OSError:
            is_link, is_dir = True, False
        if is_dir:
            if entry.name in SKIP_DIRS or _excluded(excludes, rel, True) or ignore.ignored(rel, True):
                continue
            if _is_env_dir(entry.path):
                continue
            if is_link:
                real = os.path.realpath(entry.path)
                if real in ancestors:
                    yield ScanWarning(path=rel, message="symbolic link loops back to a folder being scanned; "
                                      "not followed", code="symlink-loop")
                elif not _inside(real, real_root):
                    yield _outside(rel)
                continue  # a folder inside the root is walked under its real name
            else:
                real = os.path.realpath(entry.path)
                if real in visited and real not in ancestors:
                    continue
                sub_ancestors = (*ancestors, real)
            visited.add(real)
            yield from _walk_dir(root, Path(entry.path), rel, ignore, excludes, options, sub_ancestors,
                                 visited, real_root)
            continue
        if _excluded(excludes, rel, False) or ignore.ignored(rel, False):
            continue
        if is_link:
            try:
                real = os.path.realpath(entry.path, strict=True)
            except OSError:
                real = ""  # broken or looping: reported below
            if real and not _inside(real, real_root):
                yield _outside(rel)
                continue
        try:
            st = os.stat(entry.path)
        except OSError as exc:
            code = "symlink-loop" if exc.errno == errno.ELOOP else "unreadable"
            what = "symbolic link loop" if code == "symlink-loop" else "broken symbolic link or unreadable file"
            yield ScanWarning(path=rel, message=f"{what}; skipped", code=code)
            continue
        if not stat.S_ISREG(st.st_mode):
            yield ScanWarning(path=rel, message="not a regular file (pipe, socket or device); skipped",
                              code="special")
            continue
        if is_link:
            continue  # a target inside the root is scanned under its own name
        yield FileEntry(entry.path, rel, st.st_size)


# --------------------------------------------------------------------------------------------------
# Reading


def read_head(path: str | os.PathLike[str], limit: int, *, nofollow: bool = False) -> bytes:
    """At most ``limit`` bytes from the start of a regular file (raises ``OSError``).

    With ``nofollow`` a symbolic link in the last component is refused (the walk never yields one, so
    a file swapped for a link after the walk cannot lead the read out of the tree).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)  # never blocks on a FIFO
    if nofollow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError("not a regular file")
        chunks: list[bytes] = []
        left = limit
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_head_or_none(path: str | os.PathLike[str], limit: int) -> bytes | None:
    """:func:`read_head` with links refused, or ``None`` for a link, a file that is not regular or one that
    cannot be read (the passes after a scan read the walked files again; a file may be gone or swapped)."""
    try:
        return read_head(path, limit, nofollow=True)
    except OSError:
        return None


def is_binary(data: bytes) -> bool:
    """A NUL byte in the first few kilobytes: binary (or UTF-16/32, which we do not read)."""
    return b"\0" in data[:BINARY_PROBE]


_CODING_RE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.MULTILINE)


def decode_text(data: bytes, python: bool = False) -> str | None:
    """``data`` as text: UTF-8 (with or without BOM), or a Python file's declared encoding.

    ``None`` when it cannot be decoded; callers turn that into an ``encoding`` warning.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if python and _CODING_RE.search(data[:400]):
        try:
            encoding, _ = tokenize.detect_encoding(BytesIO(data).readline)
            return data.decode(encoding)
        except (SyntaxError, LookupError, UnicodeDecodeError):
            return None
    return None


def line_of(text: str, offset: int) -> int:
    """The 1-based line number of character ``offset`` in ``text``."""
    return text.count("\n", 0, offset) + 1


#: How often each byte occurs in source text, per cent (measured once over the ``.py``, YAML, JSON, TOML,
#: ``.cfg``, ``.txt`` and ``.sh`` files of a set of installed Python packages, 75 MB); bytes not listed
#: are rarer than 0.02 %. :func:`keyword_pattern` starts its matches at rare bytes.
_BYTE_PERCENT: dict[int, float] = {ord(c): f for c, f in (
    (" ", 26.5), ("e", 6.85), ("t", 4.72), ("s", 3.84), ("a", 3.83), ("r", 3.81), ("n", 3.61), ("i", 3.51),
    ("o", 3.46), ("l", 2.63), ("c", 1.89), ("p", 1.84), ("d", 1.83), ("_", 1.69), (",", 1.59), ("f", 1.56),
    ("u", 1.45), ("m", 1.43), ('"', 1.40), (".", 1.32), ("h", 1.12), (":", 0.97), ("(", 0.94), (")", 0.93),
    ("y", 0.91), ("g", 0.87), ("'", 0.77), ("b", 0.70), ("=", 0.60), ("x", 0.47), ("-", 0.45), ("v", 0.45),
    ("w", 0.41), ("0", 0.39), ("k", 0.37), ("T", 0.33), ("[", 0.32), ("]", 0.32), ("1", 0.31), ("N", 0.30),
    ("`", 0.28), ("E", 0.27), ("S", 0.24), ("A", 0.24), ("#", 0.23), ("2", 0.22), ("C", 0.21), ("R", 0.20),
    ("I", 0.20), ("O", 0.17), ("P", 0.16), ("L", 0.16), ("/", 0.16), (">", 0.15), ("3", 0.15), ("D", 0.15),
    ("F", 0.15), ("q", 0.13), ("M", 0.12), ("*", 0.11), ("4", 0.11), ("\\", 0.11), ("j", 0.11), ("U", 0.10),
    ("{", 0.10), ("}", 0.10), ("6", 0.09), ("5", 0.09), ("z", 0.08), ("B", 0.08), ("9", 0.08), ("8", 0.08),
    ("|", 0.07), ("7", 0.07), ("V", 0.06), ("H", 0.06), ("+", 0.06), ("G", 0.06), ("W", 0.05), ("\n", 2.8),
)}
_RARE_PERCENT = 0.02


def _byte_weight(byte: int) -> float:
    return _BYTE_PERCENT.get(byte, _RARE_PERCENT)


def keyword_pattern(tokens: Iterable[bytes]) -> re.Pattern[bytes]:
    """One compiled pattern that finds whether any of ``tokens`` occurs (a prefilter): exactly the
    test ``any(t in data for t in tokens)``, in one pass of the regex engine.

    Python's regex engine runs its matcher only at positions whose byte can start a match and skips
    the others in a tight loop; a pattern over the tokens as they are starts at most lower-case
    letters, so it runs at nearly every byte. Here every match starts at a rare byte instead: a small
    set of bytes that every token contains (chosen greedily by how often bytes occur in source text,
    :data:`_BYTE_PERCENT`) is the set of start bytes; each token is matched from the rarest of its
    bytes in that set to its end (its tail, in a trie so one byte is decided at a time), and the part
    before it is checked by a look-behind for the whole token, so a match is a real occurrence. A token
    that contains another one is redundant (finding the shorter one is enough). Deterministic: the
    same tokens give the same pattern.
    """
    unique = sorted({t for t in tokens if t}, key=lambda t: (len(t), t))
    kept: list[bytes] = []
    for token in unique:
        if not any(k in token for k in kept):
            kept.append(token)
    if not kept:
        return re.compile(b"(?!)")
    starts = _start_bytes(kept)
    trie: dict[int, dict] = {}
    for token in sorted(kept):
        at = min((i for i, b in enumerate(token) if b in starts), key=lambda i: (_byte_weight(token[i]), i))
        node = trie
        for byte in token[at:]:
            node = node.setdefault(byte, {})
        node.setdefault(-1, {})[token] = at
    return re.compile(_trie_regex(trie, top=True))


def _start_bytes(tokens: list[bytes]) -> set[int]:
    """A set of bytes that every token contains, of low total frequency (greedy weighted hitting set,
    then any byte the others make unnecessary dropped, most frequent first)."""
    left = [set(t) for t in tokens]
    chosen: set[int] = set()
    while left:
        candidates = sorted(set().union(*left))
        best = min(candidates, key=lambda b: (_byte_weight(b) / sum(b in s for s in left), b))
        chosen.add(best)
        left = [s for s in left if best not in s]
    for byte in sorted(chosen, key=lambda b: (-_byte_weight(b), b)):
        rest = chosen - {byte}
        if all(rest.intersection(t) for t in tokens):
            chosen = rest
    return chosen


def _trie_regex(node: dict, top: bool = False) -> bytes:
    branches = []
    if -1 in node:  # tails that end here: the whole token must end here too
        if 0 in node[-1].values():  # a tail that is its whole token: a match
            return b""
        branches.append(_alternation([b"(?<=" + re.escape(t) + b")" for t in sorted(node[-1])]))
    children = sorted((b for b in node if b != -1), key=lambda b: (-_byte_weight(b), b) if top else b)
    branches.extend(re.escape(bytes([byte])) + _trie_regex(node[byte]) for byte in children)
    return _alternation(branches)


def _alternation(branches: list[bytes]) -> bytes:
    return branches[0] if len(branches) == 1 else b"(?:" + b"|".join(branches) + b")"
