"""spaCy's trained pipelines (``spacy.load("en_core_web_sm")``) from the ``meta/*.json`` of explosion/spacy-models.

Every release of a pipeline package has a meta file in that repository (``meta/en_core_web_sm-3.8.0.json``)
with its licence (``"license": "MIT"``), author and the training data with their own licences
(``"sources"``). One record per pipeline (``spacy:LANG_NAME``): the licence of its newest final release,
and, where the licence changed between releases, a dated history (the day the release's meta file was
added to the repository, from ``git log``). Pre-releases (``a0``, ``-alpha4``) are left out. A licence
string this knowledge base has no record for is ``unknown``.

Run ``python -m tools.extract.spacy_models --git-dir DIR [--check]`` from the repository root, with
``DIR`` a clone (or bare snapshot) of explosion/spacy-models, to rebuild
``src/modelclear/data/models/_registries/spacy_models.json``.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from ._common import dumps_models, git_dir_of, git_show, write_or_check

OUT = Path(__file__).resolve().parents[2] / "src" / "modelclear" / "data" / "models" / "_registries"
OUT = OUT / "spacy_models.json"
REPO = "https://github.com/explosion/spacy-models"
CHECKED = "2026-12-07"
UNKNOWN = "unknown"

#: The licence strings of the meta files -> this knowledge base's licence ids.
LICENSES: dict[str, str] = {
    "MIT": "MIT", "CC BY 4.0": "CC-BY-4.0", "CC BY-SA 3.0": "CC-BY-SA-3.0", "CC BY-SA 4.0": "CC-BY-SA-4.0",
    "CC BY-NC 3.0": "CC-BY-NC-3.0", "CC BY-NC 4.0": "CC-BY-NC-4.0", "CC BY-NC-SA 3.0": "CC-BY-NC-SA-3.0",
    "CC-BY-NC-SA 3.0": "CC-BY-NC-SA-3.0", "GNU GPL 3.0": "GPL-3.0-only", "GPL": "gpl", "LGPL": "lgpl",
    "LGPL-LR": "LGPLLR",
}
_FINAL = re.compile(r"^\d+(\.\d+)*$")


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def license_id(raw: Any) -> str:
    """The licence id for a meta file's ``license`` string (``unknown`` when this base has no record for it)."""
    return LICENSES.get(str(raw).strip(), UNKNOWN) if isinstance(raw, str) else UNKNOWN


def read_metas(git_dir: Path) -> tuple[str, list[tuple[str, dict[str, Any], str]]]:
    """The snapshot's commit and every final release's (file, meta, day its meta file was added)."""
    commit = git_show(git_dir, "rev-parse", "HEAD").strip()
    files = [f for f in git_show(git_dir, "ls-tree", "--name-only", "HEAD", "meta/").split() if f.endswith(".json")]
    added: dict[str, str] = {}
    day = ""
    log = git_show(git_dir, "log", "--diff-filter=A", "--name-only", "--format=@%as", "HEAD", "--", "meta/")
    for line in log.split("\n"):
        if line.startswith("@"):
            day = line[1:]
        elif line.strip():
            added[line.strip()] = day  # log runs newest first: the last one seen is the first addition
    out = []
    for name in files:
        try:
            meta = json.loads(git_show(git_dir, "show", f"HEAD:{name}"))
        except (json.JSONDecodeError, subprocess.CalledProcessError):
            continue
        if isinstance(meta, dict) and _FINAL.match(str(meta.get("version", ""))):
            out.append((name, meta, added.get(name, "")))
    return commit, out


def records(commit: str, metas: list[tuple[str, dict[str, Any], str]]) -> list[dict[str, Any]]:
    """One record per pipeline package, sorted by id."""
    by_pkg: dict[str, list[tuple[str, dict[str, Any], str]]] = {}
    for name, meta, day in metas:
        pkg = f"{meta.get('lang')}_{meta.get('name')}"
        if re.fullmatch(r"[a-z]{2,3}_[a-z0-9_]+", pkg):
            by_pkg.setdefault(pkg, []).append((name, meta, day))
    out = []
    for pkg, releases in by_pkg.items():
        releases.sort(key=lambda r: _version_key(str(r[1]["version"])))
        name, latest, _ = releases[-1]
        url = f"{REPO}/blob/{commit}/{name}"
        history = []
        previous: str | None = None
        for rel_name, meta, day in releases:
            lid = license_id(meta.get("license"))
            if lid != previous and day:
                history.append({"since": day, "license": lid, "source": {
                    "url": f"{REPO}/blob/{commit}/{rel_name}", "checked": CHECKED, "confidence": "V",
                    "note": f"{pkg} {meta['version']}: license {meta.get('license')!r} (day its meta file was added)"}})
            previous = lid
        data = [{"name": str(s.get("name")), "license": str(s.get("license"))} for s in latest.get("sources") or ()
                if isinstance(s, dict) and s.get("name")]
        facts: dict[str, Any] = {"spacy_version": str(latest["version"]), "meta_license": str(latest.get("license")),
                                 "generative": False, "task": "token-classification"}
        if data:
            facts["training_sources"] = data
        record: dict[str, Any] = {
            "id": f"spacy:{pkg}", "name": f"spaCy pipeline {pkg} {latest['version']}",
            "publisher": str(latest.get("author") or "Explosion"), "license": license_id(latest.get("license")),
            "facts": facts, "url": f"{REPO}/releases/tag/{pkg}-{latest['version']}",
            "sources": [{"url": url, "checked": CHECKED, "confidence": "V",
                         "note": f"meta file of {pkg} {latest['version']}: license {latest.get('license')!r}"}],
        }
        if len(history) > 1:
            record["history"] = history
        out.append(record)
    return sorted(out, key=lambda r: r["id"])


def document(commit: str, models: list[dict[str, Any]]) -> dict[str, Any]:
    """The family file: defaults, sources, then the models."""
    return {
        "family": "spacy-models", "publisher": "Explosion", "distributed_via": "github", "license": UNKNOWN,
        "license_note": {
            "en": "Each spaCy pipeline's licence is the 'license' field of its release's meta file in "
                  "explosion/spacy-models (newest final release); the training data the meta file lists are "
                  "recorded with their own licences as the fact training_sources. Where the licence changed "
                  "between releases (en_core_web_* moved from CC BY-SA 3.0 to CC BY 4.0 to MIT) the record "
                  "carries the dated history; an older release is a different set of weights under its own "
                  "licence. Pinned versions (spacy:en_core_web_sm-3.7.1) are not mapped.",
            "ja": "各 spaCy パイプラインのライセンスは、explosion/spacy-models にあるリリースの meta ファイルの "
                  "'license' 欄（最新の正式リリース）である。meta ファイルが挙げる学習データは、それぞれの"
                  "ライセンスとともに事実 training_sources として記録する。リリース間でライセンスが変わった"
                  "もの（en_core_web_* は CC BY-SA 3.0 から CC BY 4.0、MIT へ）は日付つきの履歴を持つ。古い"
                  "リリースは別の重みであり、それ自体のライセンスに従う。版を固定した id "
                  "（spacy:en_core_web_sm-3.7.1）は対応づけない。"},
        "sources": [{"url": f"{REPO}/tree/{commit}/meta", "checked": CHECKED, "confidence": "V",
                     "note": "meta/*.json of every release (name, lang, version, license, author, sources)"}],
        "models": models,
    }


def main(argv: list[str] | None = None) -> int:
    """Rebuild (or ``--check``) the committed catalogue; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--git-dir", type=Path, required=True,
                        help="a clone or bare snapshot of explosion/spacy-models")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="compare with the committed file instead of writing")
    args = parser.parse_args(argv)
    commit, metas = read_metas(git_dir_of(args.git_dir))
    models = records(commit, metas)
    text = dumps_models(document(commit, models))
    return write_or_check(args.out, text, args.check, f"{len(models)} pipelines -> {args.out}")


if __name__ == "__main__":
    sys.exit(main())
