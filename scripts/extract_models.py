#!/usr/bin/env python3
"""Rebuild the model-family catalogues in ``src/modelclear/data/models/_generated/`` from the real libraries.

For each family, ``pip download --no-deps`` fetches the pinned release (cached in
``~/.cache/modelclear/wheels``); its sources are read from the archive with ``ast``. Nothing is
installed or imported. Usage::

    python scripts/extract_models.py                 # every family
    python scripts/extract_models.py timm open_clip  # some families
    python scripts/extract_models.py --check         # fail if the committed JSON is out of date
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))  # tools/ is not installed; it is run from the repository

from tools.extract import EXTRACTORS, SourceArchive  # noqa: E402
from tools.extract._archive import default_cache, download  # noqa: E402

OUT = ROOT / "src" / "modelclear" / "data" / "models" / "_generated"


def main(argv: list[str] | None = None) -> int:
    """Run the extractors; return the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("families", nargs="*", help="families to rebuild (default: all)")
    parser.add_argument("--cache", type=Path, default=default_cache(), help="where downloaded archives are kept")
    parser.add_argument("--out", type=Path, default=OUT, help="output folder")
    parser.add_argument("--check", action="store_true", help="compare with the files in --out instead of writing")
    args = parser.parse_args(argv)
    known = {e.family for e in EXTRACTORS}
    unknown = set(args.families) - known
    if unknown:
        parser.error(f"unknown families {sorted(unknown)}; known: {sorted(known)}")
    stale: list[str] = []
    started = time.perf_counter()
    for extractor in EXTRACTORS:
        if args.families and extractor.family not in args.families:
            continue
        t0 = time.perf_counter()
        archive = SourceArchive.open(download(extractor.package, extractor.version, args.cache))
        catalogue = extractor.run(archive, extractor.version)
        elapsed = time.perf_counter() - t0
        if args.check:
            path = args.out / f"{extractor.family}.json"
            current = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
            if current != catalogue.to_json():
                stale.append(extractor.family)
            print(f"{extractor.family:12} {extractor.package}=={extractor.version}: "
                  f"{len(catalogue.models)} models, {'stale' if extractor.family in stale else 'up to date'}")
        else:
            path = catalogue.write(args.out)
            print(f"{extractor.family:12} {extractor.package}=={extractor.version}: "
                  f"{len(catalogue.models)} models -> {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} "
                  f"({elapsed:.1f}s)")
    print(f"total {time.perf_counter() - started:.1f}s")
    if stale:
        print(f"out of date: {', '.join(stale)} (rerun scripts/extract_models.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
