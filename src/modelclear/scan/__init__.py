"""Scan a codebase for the pretrained models, datasets and watched packages it loads.

:func:`scan_path` walks a tree (see :mod:`modelclear.scan.walk`), builds the project's constant
index, hands every file to the scanners of :data:`SCANNERS` that accept it, and returns a
:class:`~modelclear.scan.base.ScanResult`. It never imports, runs or unpickles anything it reads and
never writes in the scanned tree.

How a file is read:

* A scanner accepts files by name (cheap). A file no scanner accepts is counted as seen, not read.
* Files above ``options.max_file_bytes`` give a ``too-large`` warning and are skipped, except by
  scanners with a ``head_bytes`` attribute (weight headers), which get a bounded read of the start.
* Text scanners skip binary files (a NUL byte in the first 8 KiB: ``binary`` warning).
* A scanner's ``prefilter`` (byte strings) is checked before it parses anything: a file holding none
  of them is not handed to that scanner. ``files_scanned`` counts files handed to at least one.
* A scanner that raises is a bug; the file gets an ``internal`` warning and the scan goes on.
* Work is bounded by budgets counted in work, never in time (:mod:`modelclear.scan.budget`: bytes,
  syntax-tree nodes, resolution steps, nesting levels, values): a file that runs out keeps what was
  found so far and gets a ``budget`` warning. So a scan gives the same references on a busy or an
  idle machine, and with any number of worker processes.

The cross-module constant index (``ScanContext.project_constants``) is built on demand
(:class:`~modelclear.scan.pyconsts.LazyConstants`): a ``.py`` file is indexed only when a lookup of
another file needs it (an import of its dotted name, or an attribute its text names), and only if it
passes the Python prefilter or defines an ``UPPER_CASE`` constant; it is read with the Python
scanner's ``index_source`` (the runner uses only that scanner's ``prefilter``, ``module_name`` and
``index_source``, never its internals). Each module is registered once under the Python scanner's
dotted name for it (``src/app/config.py`` -> ``app.config``; the scanner matches imports by dotted
suffix). The answers are those of indexing every file first, in any process; a module whose index
stopped early gets a ``budget`` warning from the file whose lookup indexed it. With worker processes,
a module one worker indexed is left (pickled, in a private temporary folder of the scan) for the others,
so it is indexed once per scan, not once per worker. The garbage collector runs between files and
between indexed modules (:mod:`modelclear.scan.gcpace`), not every few hundred allocations.
The scan runs in a process pool over the cores for trees of more than :data:`PARALLEL_MIN_FILES`
candidate files, serially otherwise; each scanner's prefilter is one compiled pattern. A ``.py`` file
is parsed once for all its scanners (``ScanContext.parses``, :mod:`modelclear.scan.pyparse`); its trees
are dropped when the file is done.

Output: references sorted by (path, line, column); duplicates with the same (id, path, line) are
merged, keeping the most confident (unresolved references are merged only when their raw text is
also the same). ``url:`` ids are mapped to the canonical id their address stands for. A reference on
a line carrying ``# modelclear: ignore`` is dropped.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from modelclear.model import Reference
from modelclear.scan.base import ScanContext, Scanner, ScanOptions, ScanResult, ScanWarning
from modelclear.scan.budget import BUDGETS, budget_warning, recursion_headroom
from modelclear.scan.config import ConfigScanner
from modelclear.scan.deploy import DeployScanner, with_project_env
from modelclear.scan.deps import DepsScanner
from modelclear.scan.gcpace import paced, settle
from modelclear.scan.localdatasets import Entries, strings_from_scan
from modelclear.scan.localtrace import MAX_DOCS, trace_local_files
from modelclear.scan.mergekit import MergekitScanner
from modelclear.scan.modeldir import ModelDirScanner, trace_download_folders, trace_named_folders
from modelclear.scan.notebook import NotebookScanner
from modelclear.scan.openmmlab import OpenMMLabScanner
from modelclear.scan.pyconsts import LazyConstants
from modelclear.scan.pyloaders import keywords_hit
from modelclear.scan.pyparse import ParseCache
from modelclear.scan.pyregistry import move_to_imported_registries
from modelclear.scan.shell import ShellScanner
from modelclear.scan.urls import UrlScanner, canonical_id
from modelclear.scan.walk import FileEntry, decode_text, is_binary, keyword_pattern, read_head, rel_path, walk
from modelclear.scan.weights import WeightsScanner

__all__ = ["SCANNERS", "ScanContext", "ScanOptions", "ScanResult", "ScanWarning", "Scanner", "scan_path"]

#: Below this many candidate files a scan runs in this process (a pool costs more than it saves).
PARALLEL_MIN_FILES = 400
#: The inline comment that silences a reference on its line.
IGNORE_MARK = b"modelclear: ignore"

ProgressCallback = Callable[[int, int], None]


def _python_scanner() -> Scanner:
    from modelclear.scan.python import PythonScanner

    return PythonScanner()


#: Every scanner, by name, as a factory (the Python scanner is imported lazily).
SCANNERS: dict[str, Callable[[], Scanner]] = {
    "python": _python_scanner,
    "notebook": NotebookScanner,
    "config": ConfigScanner,
    "modeldir": ModelDirScanner,
    "mergekit": MergekitScanner,
    "weights": WeightsScanner,
    "deps": DepsScanner,
    "urls": UrlScanner,
    "shell": ShellScanner,
    "deploy": DeployScanner,
    "openmmlab": OpenMMLabScanner,
}

#: A module-level constant whose value is a string, or a dict/list/tuple whose first item is one (a config module
#: of lower-case names or of tables only: ``default_model = "..."``, ``model_urls = {"r18": "https://..."}``), or an
#: indented UPPER_CASE or annotated one (a settings class: ``class Config: class Model: EMBEDDINGS = "..."``,
#: ``class Settings(BaseSettings): embedding_model: str = "..."``).
_CONST_RE = re.compile(rb"^(?:[A-Za-z_]\w*|[ \t]+[A-Z][A-Z0-9_]*|[ \t]+\w+(?=[ \t]*:))[ \t]*(?::[^=\n]*)?=[ \t]*"
                       rb"(?:[\[{(][ \t]*(?:\r?\n[ \t]*)?)?[rRbBuUfF]{0,2}['\"]", re.MULTILINE)
_CONFIDENCE = {"high": 3, "medium": 2, "low": 1}


@cache
def _instances() -> dict[str, Scanner]:
    out: dict[str, Scanner] = {}
    for name, factory in SCANNERS.items():
        try:
            out[name] = factory()
        except ImportError:  # only while a scanner module is missing from a partial install
            continue
    return out


def _indexer() -> Any:
    """The scanner that builds the project constant index (``module_name`` / ``index_source``), if any."""
    scanner = _instances().get("python")
    return scanner if scanner is not None and hasattr(scanner, "index_source") else None


class _Prefilter:
    """A scanner's prefilter byte strings as one test: one pattern (:func:`~modelclear.scan.walk.keyword_pattern`:
    its matches start at rare bytes), or plain ``in`` for one or two strings."""

    def __init__(self, tokens: Iterable[bytes]) -> None:
        self.tokens = tuple(sorted(set(tokens), key=len, reverse=True))
        self.pattern = keyword_pattern(self.tokens) if len(self.tokens) > 2 else None

    def passes(self, data: bytes) -> bool:
        """Whether ``data`` holds one of the byte strings."""
        if self.pattern is not None:
            return self.pattern.search(data) is not None
        return any(t in data for t in self.tokens)


_PREFILTERS: dict[str, _Prefilter | None] = {}


def _prefilter(scanner: Scanner) -> _Prefilter | None:
    """The scanner's prefilter, built once (None: every file passes)."""
    name = scanner.name
    if name not in _PREFILTERS:
        tokens = getattr(scanner, "prefilter", None)
        _PREFILTERS[name] = _Prefilter(tokens) if tokens else None
    return _PREFILTERS[name]


def _passes(data: bytes, prefilter: _Prefilter | None) -> bool:
    return prefilter is None or prefilter.passes(data)


# --------------------------------------------------------------------------------------------------
# Per-file work (runs in worker processes)


@dataclass(frozen=True)
class _Task:
    path: str
    rel: str
    size: int
    scanners: tuple[str, ...]


@dataclass(frozen=True)
class _Done:
    rel: str
    items: tuple[Reference | ScanWarning, ...]
    scanned: bool
    #: What the local-dataset pass reads in this file, worked out from the scan's syntax tree (None: not done).
    datasets: Entries | None = None


def _fix_path(item: Reference | ScanWarning, rel: str, root: Path) -> Reference | ScanWarning:
    path = item.path
    new = rel_path(Path(path), root) if path and os.path.isabs(path) else rel
    if item.path == new:
        return item
    return replace(item, path=new)


def _ignored_lines(data: bytes) -> set[int]:
    if IGNORE_MARK not in data:
        return set()
    text = data.decode("utf-8", errors="replace")
    return {i for i, line in enumerate(text.splitlines(), start=1) if IGNORE_MARK.decode() in line}


@dataclass(frozen=True)
class _Step:
    """One scanner as the per-file loop uses it: its prefilter, its second chance for a file the prefilter
    skips (optional ``reaches(path, data, ctx)``; the Python scanner: a file that calls the project's own
    loading helpers, see :mod:`modelclear.scan.pyreach`), how much of a file it reads."""

    scanner: Scanner
    prefilter: _Prefilter | None
    reaches: Callable[[Path, bytes, ScanContext], object] | None
    head_bytes: int  # 0: the whole file
    binary: bool


@dataclass(frozen=True)
class _Plan:
    """The scanners of one tuple of scanner names, split into whole-file and head readers."""

    full: tuple[_Step, ...]
    head: tuple[_Step, ...]
    head_limit: int  # the longest head read (0 without head readers)
    text: bool  # a whole-file scanner reads text only (binary content is skipped for it)


_PLANS: dict[tuple[str, ...], _Plan] = {}


def _plan(names: tuple[str, ...]) -> _Plan:
    """The :class:`_Plan` of a task's scanner names, worked out once per process (a few distinct tuples)."""
    plan = _PLANS.get(names)
    if plan is None:
        steps = []
        for name in names:
            scanner = _instances()[name]
            steps.append(_Step(scanner, _prefilter(scanner), getattr(scanner, "reaches", None),
                               int(getattr(scanner, "head_bytes", 0) or 0), bool(getattr(scanner, "binary", False))))
        full = tuple(s for s in steps if not s.head_bytes)
        head = tuple(s for s in steps if s.head_bytes)
        plan = _PLANS[names] = _Plan(full, head, max((s.head_bytes for s in head), default=0),
                                     any(not s.binary for s in full))
    return plan


def _process(task: _Task, ctx: ScanContext, max_bytes: int) -> _Done:
    plan = _plan(task.scanners)
    full, head = plan.full, plan.head
    items: list[Reference | ScanWarning] = []
    if task.size > max_bytes and full:
        items.append(ScanWarning(path=task.rel, code="too-large",
                                 message=f"too large, skipped ({task.size} bytes; limit {max_bytes})"))
        full = ()
    if not full and not head:
        return _Done(task.rel, tuple(items), False)
    limit = max(max_bytes + 1 if full else 0, plan.head_limit)
    try:
        data = read_head(task.path, limit, nofollow=True)  # the walk never yields a link
    except OSError as exc:
        items.append(ScanWarning(path=task.rel, code="unreadable", message=f"cannot read: {exc.strerror or exc}"))
        return _Done(task.rel, tuple(items), False)
    if full and len(data) > max_bytes:  # grew since it was listed
        items.append(ScanWarning(path=task.rel, code="too-large", message="too large, skipped"))
        full = ()
    if full and plan.text and is_binary(data):
        items.append(ScanWarning(path=task.rel, code="binary", message="binary content in a text file; skipped"))
        full = tuple(s for s in full if s.binary)
    scanned = False
    path = Path(task.path)  # built once, for the scanners
    loaders = ctx.loaders
    for step in (*full, *head):
        chunk = data[:step.head_bytes] if step.head_bytes else data
        if not ((step.prefilter is None or step.prefilter.passes(chunk)) or keywords_hit(loaders, chunk)
                or (step.reaches is not None and step.reaches(path, chunk, ctx))):
            continue
        scanned = True
        scanner = step.scanner
        try:
            with recursion_headroom(BUDGETS.recursion_headroom):
                found = list(scanner.scan(path, chunk, ctx))
        except RecursionError:
            found = [ScanWarning(path=task.rel, code="too-deep",
                                 message=f"{scanner.name} scanner: input nested too deeply to read")]
        except Exception as exc:  # a scanner bug must not stop the scan
            found = [ScanWarning(path=task.rel, code="internal",
                                 message=f"{scanner.name} scanner failed: {type(exc).__name__}: {exc}"[:300])]
        items.extend(found)
    datasets = None
    if ctx.parses is not None:  # the file's trees served its scanners; keep none beyond the file
        if full and len(ctx.parses):  # the local-dataset pass reads the same tree, not the file again
            datasets = strings_from_scan(task.rel, task.size, data, ctx.parses, str(path))
        ctx.parses.clear()
    if items:
        items = [_fix_path(i, task.rel, ctx.root) for i in items]
    if isinstance(ctx.project_constants, LazyConstants):  # modules indexed for this file's lookups
        items.extend(_index_warning(rel, note) for rel, note in ctx.project_constants.take_notes())
    if scanned and items and not task.rel.endswith(".ipynb"):
        ignored = _ignored_lines(data)
        if ignored:
            items = [i for i in items if not (isinstance(i, Reference) and i.path == task.rel and i.line in ignored)]
    return _Done(task.rel, tuple(items), scanned, datasets)


def _index_warning(rel: str, note: str) -> ScanWarning:
    return budget_warning(rel, f"constant index stopped early ({note}); names defined later in this file "
                               "may not resolve in other files")


def _process_chunk(tasks: Sequence[_Task], max_bytes: int) -> list[_Done]:
    ctx = _WORKER_CTX
    assert ctx is not None
    done = []
    with paced() as pacer:  # collections after each file, not every few hundred allocations
        for task in tasks:
            done.append(_process(task, ctx, max_bytes))
            pacer.file_done()
    return done


def _module_name(rel: str) -> str:
    """The name a module is registered under in the constant index: the Python scanner's own name for
    it, else its dotted path from the root ("" when it has none)."""
    indexer = _indexer()
    name = indexer.module_name(rel) if indexer is not None else ""
    if name:
        return str(name)
    parts = re.sub(r"\.pyw?$", "", rel).split("/")
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(p for p in parts if p.isidentifier())


def _index_one(path: str, rel: str, max_bytes: int) -> tuple[str, dict[str, object], str] | None:
    """(rel, constants, note) of one module; the note says which budget ran out, if one did."""
    try:
        data = read_head(path, max_bytes + 1)
    except OSError:
        return None
    if len(data) > max_bytes or is_binary(data):
        return None
    indexer = _indexer()
    if indexer is None:
        return None
    if not (_passes(data, _prefilter(indexer)) or _CONST_RE.search(data)):
        return None
    text = decode_text(data, python=True)
    if text is None:
        return None
    name = _module_name(rel)
    if not name:
        return None
    try:
        with recursion_headroom(BUDGETS.recursion_headroom):
            consts, note = indexer.index_source(text, name)
    except Exception:  # syntax errors are reported by the scan pass
        return None
    finally:
        settle()  # the module's tree and scopes are garbage in cycles: free them now, not after the file
    return (rel, dict(consts), note) if consts or note else None


_WORKER_CTX: ScanContext | None = None


def _init_worker(ctx: ScanContext | None) -> None:
    global _WORKER_CTX
    _WORKER_CTX = ctx


# --------------------------------------------------------------------------------------------------
# The runner


def _chunks(seq: Sequence[Any], jobs: int) -> list[Sequence[Any]]:
    size = max(8, min(256, len(seq) // (jobs * 8) or 1))
    return [seq[i:i + size] for i in range(0, len(seq), size)]


def _mp_context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


class _Progress:
    def __init__(self, callback: ProgressCallback | None, total: int) -> None:
        self.callback = callback
        self.total = total
        self.done = 0

    def advance(self, n: int) -> None:
        self.done += n
        if self.callback is not None:
            self.callback(min(self.done, self.total), self.total)


def _run(fn: Callable[..., list[Any]], chunks: list[Sequence[Any]], args: tuple[Any, ...], jobs: int,
         ctx: ScanContext | None, progress: _Progress) -> list[Any]:
    results: list[list[Any]] = [[] for _ in chunks]
    if jobs <= 1:
        _init_worker(ctx)
        for i, chunk in enumerate(chunks):
            results[i] = fn(chunk, *args)
            progress.advance(len(chunk))
        return [x for r in results for x in r]
    with ProcessPoolExecutor(max_workers=jobs, mp_context=_mp_context(), initializer=_init_worker,
                             initargs=(ctx,)) as pool:
        futures: dict[Future[list[Any]], int] = {pool.submit(fn, chunk, *args): i for i, chunk in enumerate(chunks)}
        try:
            from concurrent.futures import as_completed

            for future in as_completed(futures):
                i = futures[future]
                results[i] = future.result()
                progress.advance(len(chunks[i]))
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return [x for r in results for x in r]


def lazy_constant_index(items: Iterable[tuple[str, str]], max_bytes: int, share: str = "") -> LazyConstants:
    """The project constant index over (path, relative path) of the Python files, indexed on demand.

    Each module is registered once, under the Python scanner's name for it; when two files get the
    same name, the shallower path with constants wins. The Python scanner matches imports to these
    names by dotted suffix itself (:mod:`modelclear.scan.pyconsts`). ``share``: a private folder
    where the worker processes of one scan leave the modules they indexed for each other.
    """
    candidates = []
    for path, rel in sorted(items, key=lambda e: (e[1].count("/"), e[1])):
        name = _module_name(rel)
        if name:
            candidates.append((path, rel, name))
    return LazyConstants(candidates, _index_one, max_bytes, share)


def _dedupe(refs: Iterable[Reference]) -> list[Reference]:
    best: dict[tuple[Any, ...], Reference] = {}
    for ref in refs:
        key: tuple[Any, ...] = (ref.id, ref.path, ref.line) if ref.id else (None, ref.path, ref.line, ref.raw)
        have = best.get(key)
        if have is None or (_CONFIDENCE.get(ref.confidence, 0), -ref.column, ref.loader) > \
                (_CONFIDENCE.get(have.confidence, 0), -have.column, have.loader):
            best[key] = ref
    return sorted(best.values(), key=lambda r: (r.path, r.line, r.column, r.id or "", r.raw, r.loader))


_DEFAULT_OPTIONS = ScanOptions()


def scan_path(root: Path, options: ScanOptions = _DEFAULT_OPTIONS,
              on_progress: ProgressCallback | None = None) -> ScanResult:
    """Scan the tree (or single file) at ``root``; see the module docstring for what is read.

    ``on_progress(done, total)`` is called in this process as files are indexed and scanned
    (``total`` counts index candidates plus scan candidates).
    """
    with paced():  # the collector runs between files (see modelclear.scan.gcpace), not inside them
        return _scan_path(Path(root), options, on_progress)


def _scan_path(root: Path, options: ScanOptions, on_progress: ProgressCallback | None) -> ScanResult:
    """The body of :func:`scan_path`."""
    abs_root = Path(os.path.abspath(root))
    scanners = _instances()
    warnings: list[ScanWarning] = []
    for missing in sorted(set(SCANNERS) - set(scanners)):
        warnings.append(ScanWarning(path=str(root), code="internal",
                                    message=f"the {missing} scanner could not be loaded; its files were not read"))
    for scanner in scanners.values():  # compiled here, before worker processes fork, not once in each
        _prefilter(scanner)
    tasks: list[_Task] = []
    docs: list[tuple[str, str]] = []  # Markdown files: read only for the release addresses of local files
    seen = 0
    for item in walk(abs_root, options):
        if isinstance(item, ScanWarning):
            warnings.append(item)
            continue
        seen += 1
        entry: FileEntry = item
        if entry.size == 0:
            continue  # an empty file loads nothing
        rel = Path(entry.rel)
        names = tuple(n for n, s in scanners.items() if s.accepts(rel))
        if names:
            tasks.append(_Task(entry.path, entry.rel, entry.size, names))
        name = entry.rel.rpartition("/")[2]
        if len(name) > 3 and name[-3:].lower() == ".md" and len(docs) < MAX_DOCS:  # Path.suffix == ".md"
            docs.append((entry.path, entry.rel))
    ctx_root = abs_root if abs_root.is_dir() else abs_root.parent
    jobs = options.jobs or os.cpu_count() or 1
    if len(tasks) < PARALLEL_MIN_FILES:
        jobs = 1
    index_items = [(t.path, t.rel) for t in tasks if "python" in t.scanners and t.size <= options.max_file_bytes]
    progress = _Progress(on_progress, len(tasks))
    share = tempfile.mkdtemp(prefix="modelclear-index-") if jobs > 1 else ""  # mode 0700: this user's only
    try:
        constants = lazy_constant_index(index_items, options.max_file_bytes, share)
        ctx = ScanContext(root=ctx_root, project_constants=constants)
        files = [(t.path, t.rel, t.size) for t in tasks]
        ctx = with_project_env(ctx, files, options.max_file_bytes)
        ctx = replace(ctx, loaders=options.loader_documents,  # the loader files of --kb overlays
                      parses=ParseCache())  # each .py file parsed once for all its scanners
        done: list[_Done] = _run(_process_chunk, _chunks(tasks, jobs), (options.max_file_bytes,), jobs, ctx,
                                 progress)
    finally:
        if share:
            shutil.rmtree(share, ignore_errors=True)
    refs: list[Reference] = []
    scanned = 0
    dataset_strings: dict[str, Entries] = {}
    for result in done:
        scanned += result.scanned
        if result.datasets is not None:
            dataset_strings[result.rel] = result.datasets
        for found in result.items:
            if isinstance(found, ScanWarning):
                warnings.append(found)
            elif found.id is not None and found.id.startswith("url:"):
                refs.append(replace(found, id=canonical_id(found.id)))
            else:
                refs.append(found)
    refs = move_to_imported_registries(refs, files)
    refs.extend(trace_local_files(refs, files, docs))
    refs.extend(trace_download_folders(refs, files))
    refs.extend(trace_named_folders(refs, files))
    from modelclear.scan.localdatasets import find_local_datasets

    refs.extend(find_local_datasets(refs, files, dataset_strings))
    if options.include_hf_cache:
        from modelclear.scan.hfcache import scan_hf_cache

        for found in scan_hf_cache(options.hf_cache_dir):
            (warnings if isinstance(found, ScanWarning) else refs).append(found)  # type: ignore[arg-type]
    unique_warnings = sorted(set(warnings), key=lambda w: (w.path, w.line, w.code, w.message))
    return ScanResult(root=str(root), references=tuple(_dedupe(refs)), warnings=tuple(unique_warnings),
                      files_seen=seen, files_scanned=scanned)
