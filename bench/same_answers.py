"""Same answers before and after a performance change: one digest line per output, to diff between two trees.

    PYTHONHASHSEED=0 PYTHONPATH=<tree>/src python bench/same_answers.py OUT [--step 5] [--kb-artifacts 10000] \
        [--kb-scenarios JP/deploy]

Writes to ``OUT`` one line per output, ``<what> <sha256 of the bytes>``:

* every ``--step``-th bundled artifact id (sorted) checked under JP/deploy, US/train and EU/deploy
  (commercial, as of 2026-12-01), rendered as JSON and as text;
* the fixture projects of the test suite (``tests/fixtures/projects``) scanned under JP and US, JSON
  and text (the ``generated`` stamp of the JSON document is blanked);
* every leaf of a synthetic ``--kb`` overlay (``bench/kbgen.py``, seed 14) assessed under JP/deploy
  (or each of ``--kb-scenarios``, e.g. ``JP/deploy,US/train``, in one run) with its whole upstream
  list, as ``bench/bench_lineage.py kb`` does (the ``repr`` of each assessment).

Run it with the tree before and the tree after (``PYTHONPATH`` pointing at each ``src``) and compare the
two files with ``cmp``: any difference is a changed answer.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
AS_OF = dt.date(2026, 12, 1)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def checks(out: list[str], step: int) -> None:
    """Every ``step``-th bundled artifact, three scenarios, JSON and text."""
    from modelclear import report
    from modelclear.service import Question, Service

    service = Service()
    formats = {name: report.get(name) for name in ("json", "text")}
    for aid in sorted(service.kb.artifact_ids())[::step]:
        for juris, act in (("JP", "deploy"), ("US", "train"), ("EU", "deploy")):
            rep = service.check(Question(id=aid, jurisdictions=(juris,), activity=act, as_of=AS_OF))
            for name, fmt in formats.items():
                out.append(f"check {aid} {juris}/{act} {name} {_digest(fmt.render(rep))}")


def scans(out: list[str]) -> None:
    """The fixture projects under JP and US, JSON and text."""
    from modelclear import report
    from modelclear.service import Service

    service = Service()
    root = HERE.parent / "tests" / "fixtures" / "projects"
    for project in sorted(p for p in root.iterdir() if p.is_dir()):
        for juris in ("JP", "US"):
            rep = service.scan(project, service.scenarios([juris], as_of=AS_OF))
            for name in ("json", "text"):
                text = report.get(name).render(rep)
                if name == "json":
                    doc = json.loads(text)
                    doc.pop("generated", None)
                    text = json.dumps(doc, sort_keys=True)
                out.append(f"scan {project.name} {juris} {name} {_digest(text)}")


def synthetic(out: list[str], n: int, scenarios: tuple[str, ...] = ("JP/deploy",)) -> None:
    """Every leaf of a synthetic overlay of ``n`` artifacts, assessed with its upstream list under each
    of ``scenarios`` (``JURISDICTION/activity``, commercial; judged in that order, in one run)."""
    from bench_lineage import _leaves
    from kbgen import write_overlay

    from modelclear import ids
    from modelclear.catalog import Catalog, KnowledgeBase
    from modelclear.service import Service

    with tempfile.TemporaryDirectory(prefix="mc-same-") as tmp:
        folder = Path(tmp) / "overlay"
        write_overlay(folder, n, 14)
        kb = KnowledgeBase.load(overlays=[folder])
        leaves = _leaves(folder)
    service = Service(catalog=Catalog(kb=kb))
    refs = [service.catalog.resolve(ids.parse(i)) for i in leaves]
    artifacts = [service.catalog.lookup(r) for r in refs]
    memo = service.judgements(artifacts)
    for which in scenarios:
        juris, activity = which.split("/")
        (scenario,) = service.scenarios([juris], activity, "commercial", as_of=AS_OF)
        label = "" if which == "JP/deploy" else f" {which}"  # (the first lines as before this option)
        for ref, artifact in zip(refs, artifacts, strict=True):
            out.append(f"kb{label} {ref.id} {_digest(repr(memo.assess(ref, artifact, scenario)))}")


def main(argv: list[str] | None = None) -> int:
    """Write the digests."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--step", type=int, default=5)
    parser.add_argument("--kb-artifacts", type=int, default=10_000)
    parser.add_argument("--kb-scenarios", default="JP/deploy",
                        help="the synthetic leaves' scenarios, comma-separated JURISDICTION/activity "
                             "(default: JP/deploy)")
    args = parser.parse_args(argv)
    out: list[str] = []
    checks(out, args.step)
    scans(out)
    synthetic(out, args.kb_artifacts, tuple(args.kb_scenarios.split(",")))
    args.out.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"{len(out)} outputs digested into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
