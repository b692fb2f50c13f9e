"""How much of what real code loads gets a determined verdict offline (issue 11, "Done when").

Usage::

    python bench/coverage.py [--mirror DIR] [--split dev|devextra|heldout|fresh] [--repo owner/name]
                             [--top N] [--json FILE] [--data DIR]

For every repository of one split of the evaluation corpus (``bench/corpus/labels/dev`` by default;
``--split heldout`` reads the held-out repositories, for the figure reported at the end only: knowledge
is never added from what it lists; ``--split fresh`` reads ``bench/corpus/coverage/fresh.json``,
repositories chosen for coverage only, with no labels, held out in the same way; ``--split devextra`` reads
``bench/corpus/coverage/devextra.json``, coverage-only repositories that knowledge may be added from), the tree is
materialised at the pinned commit from the mirror (``--mirror`` or the
``MODELCLEAR_CORPUS_MIRROR`` environment variable, laid out as ``bench/corpus/README.md`` says),
scanned in process with one job, and every reference with an id is resolved through the bundled
knowledge (no HF cache, no network) and assessed under one default scenario: JP, deploy, commercial
(datasets met in code are judged as used for training, as ``modelclear scan`` does).

Reported per repository and in total, counting references (each finding once, as a user reads the
scan report): references with an id, how many resolve to a known record, how many get a determined
verdict (anything but ``unknown``), and the most frequent ids whose verdict is ``unknown``. Package
references (``pypi:`` ids from requirements files) are left out, as the corpus scorer does.

``--data DIR`` resolves through another knowledge data folder (laid out as ``src/modelclear/data``)
instead of the bundled one: with a copy of the data before a knowledge change, it measures what the
change adds at the same scanner (the scanner's references change too between commits).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def _score_module() -> Any:
    """bench/corpus/score.py (not a package): its ``materialise`` and ``find_git_dir``."""
    path = Path(__file__).resolve().parent / "corpus" / "score.py"
    spec = importlib.util.spec_from_file_location("corpus_score", path)
    if spec is None or spec.loader is None:
        raise ImportError(path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module

LABELS = Path(__file__).resolve().parent / "corpus" / "labels"
SCENARIO = ("JP", "deploy", "commercial")


@dataclass
class RepoCoverage:
    """The coverage numbers of one repository."""

    repo: str
    references: int = 0          # references with an id (packages left out)
    dynamic: int = 0             # references without an id (not counted above)
    known: int = 0               # resolve to a record of the knowledge base
    determined: int = 0          # verdict other than ``unknown``
    unknown_ids: Counter[str] = field(default_factory=Counter)
    verdicts: Counter[str] = field(default_factory=Counter)
    missing: bool = False        # no snapshot in the mirror

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"repo": self.repo, "references": self.references, "dynamic": self.dynamic, "known": self.known,
                "determined": self.determined, "verdicts": dict(sorted(self.verdicts.items())),
                "unknown_ids": dict(self.unknown_ids.most_common()), "missing": self.missing}


def _service(data: Path | None = None) -> Any:
    from modelclear.catalog import Catalog, KnowledgeBase
    from modelclear.service import Service, load_knowledge

    kb = KnowledgeBase.load(data) if data is not None else load_knowledge()
    return Service(catalog=Catalog(kb=kb, sources=[]))  # bundled (or --data) knowledge only: offline


def measure(root: Path, repo: str, service: Any) -> RepoCoverage:
    """Scan ``root`` and count what the bundled knowledge determines."""
    from modelclear.model import Status
    from modelclear.scan import ScanOptions, scan_path

    result = scan_path(root, ScanOptions(jobs=1))
    scenarios = service.scenarios([SCENARIO[0]], SCENARIO[1], SCENARIO[2])
    report = service.assess_scan(root, result, scenarios)
    cov = RepoCoverage(repo)
    for entry in report.entries:
        ref = entry.reference
        if ref.kind is not None and ref.kind.value == "package":
            continue
        if ref.id is None or entry.assessment is None:
            cov.dynamic += 1
            continue
        cov.references += 1
        assessment = entry.assessment
        if assessment.artifact is not None:
            cov.known += 1
        cov.verdicts[assessment.verdict.value] += 1
        if assessment.verdict is Status.UNKNOWN:
            cov.unknown_ids[assessment.ref.id] += 1
        else:
            cov.determined += 1
    return cov


def _pct(num: int, den: int) -> str:
    return f"{100.0 * num / den:5.1f} %" if den else "    –  "


def render(rows: Sequence[RepoCoverage], top: int) -> str:
    """A plain-text table per repository, the total, and the most frequent unknown ids."""
    lines = [f"scenario: {' / '.join(SCENARIO)}; bundled knowledge only (no HF cache, no network)", "",
             f"{'repository':45} {'refs':>5} {'known':>13} {'determined':>13} {'dynamic':>7}"]
    total = RepoCoverage("TOTAL")
    for row in rows:
        if row.missing:
            lines.append(f"{row.repo:45} (no snapshot in the mirror)")
            continue
        lines.append(f"{row.repo:45} {row.references:5} {row.known:5} {_pct(row.known, row.references)} "
                     f"{row.determined:5} {_pct(row.determined, row.references)} {row.dynamic:7}")
        total.references += row.references
        total.known += row.known
        total.determined += row.determined
        total.dynamic += row.dynamic
        total.unknown_ids.update(row.unknown_ids)
        total.verdicts.update(row.verdicts)
    lines.append(f"{'TOTAL':45} {total.references:5} {total.known:5} {_pct(total.known, total.references)} "
                 f"{total.determined:5} {_pct(total.determined, total.references)} {total.dynamic:7}")
    lines += ["", "verdicts: " + ", ".join(f"{k} {v}" for k, v in sorted(total.verdicts.items())), "",
              f"most frequent unknown ids ({len(total.unknown_ids)} distinct):"]
    lines += [f"  {count:4}  {key}" for key, count in total.unknown_ids.most_common(top)]
    return "\n".join(lines) + "\n"


def _split_repositories(split: str) -> list[dict[str, Any]]:
    """``repo`` and ``commit`` of each repository of a split: its label files, or the coverage-only list."""
    if split in ("fresh", "devextra"):
        doc = json.loads((LABELS.parent / "coverage" / f"{split}.json").read_text(encoding="utf-8"))
        return sorted(doc["repositories"], key=lambda entry: entry["repo"])
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted((LABELS / split).glob("*.json"))]


def main(argv: Sequence[str] | None = None) -> int:
    """Measure the repositories of one split; print the table (and write JSON when asked)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--mirror", default=os.environ.get("MODELCLEAR_CORPUS_MIRROR"),
                        help="folder of bare git snapshots (default: $MODELCLEAR_CORPUS_MIRROR)")
    parser.add_argument("--split", choices=("dev", "devextra", "heldout", "fresh"), default="dev",
                        help="which part of the corpus (devextra: coverage-only repositories to develop on; "
                             "heldout, fresh: for the final report only; never tune on them)")
    parser.add_argument("--repo", help="only this owner/name")
    parser.add_argument("--top", type=int, default=60, help="how many unknown ids to list")
    parser.add_argument("--json", help="also write the numbers to this JSON file")
    parser.add_argument("--data", help="a knowledge data folder to use instead of the bundled one")
    args = parser.parse_args(argv)
    if not args.mirror:
        parser.error("--mirror or MODELCLEAR_CORPUS_MIRROR is required")
    mirror = Path(args.mirror)
    score = _score_module()
    if args.data and not Path(args.data, "licenses").is_dir():
        parser.error(f"--data {args.data}: not a knowledge data folder (no licenses/ in it)")
    service = _service(Path(args.data) if args.data else None)
    rows: list[RepoCoverage] = []
    for doc in _split_repositories(args.split):
        repo = doc["repo"]
        if args.repo and repo != args.repo:
            continue
        git_dir = score.find_git_dir(mirror, repo)
        if git_dir is None:
            rows.append(RepoCoverage(repo, missing=True))
            continue
        with tempfile.TemporaryDirectory(prefix="mc-coverage-") as tmp:
            score.materialise(git_dir, doc["commit"], Path(tmp))
            rows.append(measure(Path(tmp), repo, service))
        print(f"scanned {repo}", file=sys.stderr)
    sys.stdout.write(render(rows, args.top))
    if args.json:
        Path(args.json).write_text(json.dumps([r.as_dict() for r in rows], indent=2, sort_keys=True) + "\n",
                                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
