"""Rebuild ``data/datasets/_imported/dpc.json`` from a copy of the Data Provenance Collection.

Usage::

    python scripts/import_dpc.py [COLLECTION_DIR] [--output PATH] [--check]

``COLLECTION_DIR`` defaults to ``../shared/data/data-provenance-collection`` next to the repository.
``--check`` compares instead of writing and exits 1 when the committed file is out of date.
The parsing lives in :mod:`tools.dpc` (a build-time tool outside the installed package); this script
only reads, writes and reports.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))  # tools/ is not installed; it is run from the repository

from tools.dpc import dumps, import_collection  # noqa: E402

DEFAULT_ROOT = REPO.parent / "shared" / "data" / "data-provenance-collection"
DEFAULT_OUTPUT = REPO / "src" / "modelclear" / "data" / "datasets" / "_imported" / "dpc.json"


def main(argv: list[str] | None = None) -> int:
    """Run the importer; return the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", type=Path, default=DEFAULT_ROOT, help="the collection folder")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the JSON file to write")
    parser.add_argument("--check", action="store_true", help="only check that the output is current")
    args = parser.parse_args(argv)
    if not args.root.is_dir():
        print(f"collection not found: {args.root}", file=sys.stderr)
        return 2
    records = import_collection(args.root)
    text = dumps(records)
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output.name} is out of date; rerun scripts/import_dpc.py", file=sys.stderr)
            return 1
        print(f"{args.output.name} is current ({len(records)} records)")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    categories = Counter(r["facts"]["license_category"] for r in records)
    upstream = sum(1 for r in records if r.get("upstream"))
    generated = sum(1 for r in records if r["facts"].get("generated_by"))
    print(f"wrote {len(records)} records to {args.output.name}: "
          f"{dict(sorted(categories.items()))}; {upstream} with upstream; {generated} model-generated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
