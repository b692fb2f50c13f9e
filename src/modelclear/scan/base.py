"""The one interface every scanner implements, and the values a scan returns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from modelclear.model import Reference

if TYPE_CHECKING:
    from modelclear.scan.pyparse import ParseCache


@dataclass(frozen=True)
class ScanWarning:
    """A file the scan could not read fully, and why. Never dropped silently."""

    path: str
    message: str
    #: syntax-error | encoding | too-large | binary | symlink-loop | symlink-outside | special | malformed |
    #: pickle | budget | too-deep | unreadable | ...
    code: str = "unreadable"
    line: int = 0


@dataclass(frozen=True)
class ScanOptions:
    """What the walker honours."""

    exclude: tuple[str, ...] = ()
    include_hf_cache: bool = False
    hf_cache_dir: Path | None = None
    follow_gitignore: bool = True
    max_file_bytes: int = 20 * 1024 * 1024
    jobs: int = 0  # 0 = number of cores
    progress: bool = False
    #: Loader files of ``--kb`` overlays (file stem -> document), added to the bundled loader table.
    loader_documents: Mapping[str, Mapping[str, object]] = field(default_factory=dict)


@dataclass(frozen=True)
class EnvValue:
    """One value a deployment file gives an environment variable (see ``ScanContext.project_env``)."""

    value: str
    #: The file, relative to the scan root (``/``-separated), and the 1-based line of the value.
    path: str
    line: int
    #: env-file | compose | compose-default | dockerfile-env | dockerfile-arg
    source: str


@dataclass(frozen=True)
class ScanContext:
    """Project-wide facts a scanner may use (e.g. constants defined in other modules of the project)."""

    root: Path
    project_constants: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    #: Loader files of ``--kb`` overlays (``ScanOptions.loader_documents``); see
    #: :func:`modelclear.scan.pyloaders.table_for`.
    loaders: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    #: Environment variable name -> the values the project's deployment files give it (``.env`` files,
    #: compose ``environment:`` and ``${VAR:-default}``, Dockerfile ``ENV``/``ARG``), each with its file
    #: and line; filled by the runner's pre-pass (:func:`modelclear.scan.deploy.with_project_env`, whose
    #: docstring is the API). Empty when a scanner is called directly.
    project_env: Mapping[str, tuple[EnvValue, ...]] = field(default_factory=dict)
    #: Syntax trees shared by the scanners of one file (:mod:`modelclear.scan.pyparse`), so a ``.py``
    #: file is parsed once; set by the runner. None: each scanner parses for itself.
    parses: ParseCache | None = None


@dataclass(frozen=True)
class ScanResult:
    """Everything a scan found: references with evidence, warnings, and counts."""

    root: str
    references: tuple[Reference, ...]
    warnings: tuple[ScanWarning, ...]
    files_seen: int
    files_scanned: int


class Scanner(Protocol):
    """One source kind (python, notebook, config, modeldir, weights, deps)."""

    name: str

    def accepts(self, path: Path) -> bool:
        """Whether this scanner reads ``path`` (by name; cheap)."""
        ...

    def scan(self, path: Path, data: bytes, ctx: ScanContext) -> Iterable[Reference | ScanWarning]:
        """References and warnings found in one file. Must not raise on bad input."""
        ...
