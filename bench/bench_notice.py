"""Benchmark: what you must ship (issue 12) — ``modelclear notice`` per artifact, and the cost of the
declared-licence conflict check on third parties' models.

    .venv/bin/python bench/bench_notice.py [--ids 1000] [--jurisdiction US]

Takes the first ``--ids`` catalogued ``hf:`` models. Times, in CPU seconds of this process: checking each
for deployment with the licence layer's conflict check as shipped, and with it limited to your own models
(the check replaced for this run only, to see what running it on every third party costs), alternately,
twice; then building and rendering each one's notice files for distribution (``notice.notices`` and
``notice.files``: NOTICE, LICENSES/README.md, the card section and the licence texts it writes).
Nothing is read from the network.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
from collections.abc import Callable
from typing import Any


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    """Run the benchmark and print one line per measurement."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ids", type=int, default=1000)
    parser.add_argument("--jurisdiction", default="US")
    args = parser.parse_args()
    from modelclear import notice
    from modelclear.assess import license as licence_layer
    from modelclear.model import Kind
    from modelclear.service import Question, Service

    service = Service()
    ids = [i for i in service.kb.artifact_ids(Kind.MODEL) if i.startswith("hf:")][:args.ids]
    day = dt.date(2026, 11, 28)

    def check(activity: str) -> list[Any]:
        return [service.check(Question(id=i, jurisdictions=(args.jurisdiction,), activity=activity,
                                       purpose="commercial", as_of=day)) for i in ids]

    shipped: Callable[..., Any] = licence_layer._conflicts

    def own_only(ctx: Any, licence_id: str | None) -> Any:
        return shipped(ctx, licence_id) if ctx.artifact.origin == "local" else []

    check("deploy")  # warm the caches
    for _ in range(2):
        for label, fn in (("every model", shipped), ("your own models only", own_only)):
            licence_layer._conflicts = fn  # type: ignore[assignment]
            start = _cpu()
            check("deploy")
            print(f"check deploy, conflict check on {label}: {len(ids)} ids, {_cpu() - start:.2f} s CPU")
    licence_layer._conflicts = shipped  # type: ignore[assignment]
    reports = check("distribute")
    start = _cpu()
    count = texts = 0
    for report in reports:
        for note in notice.notices(report.assessments, service.kb):
            written = notice.files(note, service.kb)
            count += 1
            texts += sum(1 for name in written if name.startswith("LICENSES/") and name.endswith(".txt"))
    spent = _cpu() - start
    print(f"notice files: {count} notices ({texts} licence texts written), {spent:.2f} s CPU, "
          f"{1000 * spent / max(count, 1):.2f} ms per notice")
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
