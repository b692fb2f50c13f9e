"""The whole pipeline for a codebase: scan → catalog → lineage → assess → report.

The work is done by the check service (:meth:`modelclear.service.Service.scan`); this module keeps
the keyword interface of earlier versions and the terminal progress bar.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from modelclear.catalog import KnowledgeBase
from modelclear.model import Scenario
from modelclear.report import Report


def scan_and_assess(
    root: Path,
    scenario: Scenario | Sequence[Scenario],
    *,
    kb: KnowledgeBase | None = None,
    lang: str = "en",
    exclude: tuple[str, ...] = (),
    include_hf_cache: bool = False,
    hf_cache: Path | None = None,
    gitignore: bool = True,
    jobs: int = 0,
    online: bool = False,
    progress: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Scan ``root`` and assess every distinct artifact it references under ``scenario``.

    ``scenario`` may be several scenarios (one per jurisdiction): each artifact is then assessed
    under each, and the report holds the assessments artifact by artifact, in scenario order; a
    reference's :class:`ScanEntry` carries the assessment under the first scenario.
    """
    from modelclear.scan import scan_path
    from modelclear.scan.base import ScanOptions
    from modelclear.service import Service

    scenarios = [scenario] if isinstance(scenario, Scenario) else list(scenario)
    if not scenarios:
        raise ValueError("scan_and_assess needs at least one scenario")
    service = Service(kb, online=online, hf_cache=hf_cache)
    options = ScanOptions(exclude=exclude, include_hf_cache=include_hf_cache, hf_cache_dir=hf_cache,
                          follow_gitignore=gitignore, jobs=jobs, progress=progress,
                          loader_documents=service.kb.loader_documents)  # loader files of --kb overlays
    with progress_bar(progress, on_progress) as callback:
        result = scan_path(root, options, on_progress=callback)
    return service.assess_scan(root, result, scenarios, lang=lang)


@contextlib.contextmanager
def progress_bar(show: bool, callback: Callable[[int, int], None] | None = None,
                 ) -> Iterator[Callable[[int, int], None] | None]:
    """``callback``, or (when ``show`` and none is given) one that draws a transient bar on the terminal."""
    if not show or callback is not None:
        yield callback
        return
    from rich.console import Console
    from rich.progress import Progress

    bar = Progress(transient=True, console=Console(stderr=True))  # progress on stderr: stdout is the report
    task = bar.add_task("scanning", total=None)
    bar.start()

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        bar.stop()
