"""The whole pipeline for a codebase: scan → catalog → lineage → assess → report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from modelclear.catalog import KnowledgeBase
from modelclear.model import ArtifactRef, Assessment, Scenario
from modelclear.report import Report, ScanEntry


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
    scenarios = [scenario] if isinstance(scenario, Scenario) else list(scenario)
    if not scenarios:
        raise ValueError("scan_and_assess needs at least one scenario")
    from modelclear import api, ids
    from modelclear.assess import Judgements, assess_artifact, scenario_in_context
    from modelclear.scan import scan_path
    from modelclear.scan.base import ScanOptions

    kb = kb or api.load_knowledge()
    catalog = api.default_catalog(kb, online=online, hf_cache=hf_cache)
    options = ScanOptions(exclude=exclude, include_hf_cache=include_hf_cache, hf_cache_dir=hf_cache,
                          follow_gitignore=gitignore, jobs=jobs, progress=progress)
    callback = on_progress
    bar = None
    if progress and callback is None:
        from rich.progress import Progress

        bar = Progress(transient=True)
        task = bar.add_task("scanning", total=None)
        bar.start()

        def callback(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

    try:
        result = scan_path(root, options, on_progress=callback)
    finally:
        if bar is not None:
            bar.stop()
    assessed: dict[str, list[Assessment]] = {}
    memo = Judgements(catalog)  # each distinct artifact judged once per scenario across the whole scan
    entries: list[ScanEntry] = []
    for ref in result.references:
        assessment = None
        if ref.id:
            parsed = ids.try_parse(ref.id)
            if parsed is not None:
                canonical = catalog.resolve(parsed)
                key = canonical.id.lower()
                if key not in assessed:
                    target = ArtifactRef(kind=canonical.kind, id=canonical.id, aliases=canonical.aliases,
                                         raw=ref.raw, scheme=canonical.scheme)
                    artifact = catalog.lookup(target)
                    assessed[key] = [assess_artifact(target, catalog, scenario_in_context(catalog, sc, artifact),
                                                   memo=memo)
                                     for sc in scenarios]
                assessment = assessed[key][0]
        entries.append(ScanEntry(reference=ref, assessment=assessment))
    return Report(
        command="scan",
        assessments=tuple(a for group in assessed.values() for a in group),
        knowledge_as_of=kb.knowledge_as_of(),
        lang=lang,
        entries=tuple(entries),
        warnings=result.warnings,
        root=str(root),
        files_scanned=result.files_scanned,
        extra={"scenario": _scenario_data(scenarios[0]),
               "scenarios": [_scenario_data(sc) for sc in scenarios]},
    )


def _scenario_data(scenario: Scenario) -> dict[str, object]:
    """A scenario as data (what the report shows when nothing was found to assess)."""
    return {"jurisdiction": scenario.jurisdiction, "activity": scenario.activity.value,
            "purpose": scenario.purpose.value, "accepted": sorted(scenario.accepted),
            "obtained_on": scenario.obtained_on.isoformat() if scenario.obtained_on else None,
            "as_of": scenario.as_of.isoformat()}
