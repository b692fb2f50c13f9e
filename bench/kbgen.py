"""A synthetic ``--kb`` overlay of any size, for the knowledge and lineage benchmarks (issue 14).

    from kbgen import write_overlay
    summary = write_overlay(Path("overlay"), n_artifacts=1_000_000, seed=14)

Same ``(n_artifacts, seed)``, same files, byte for byte. The overlay is a knowledge folder in the
format of ``docs/knowledge-format.md`` (what ``modelclear check --kb FOLDER`` reads):

- ``licenses/kbgen-research-only.yaml``: one overlay licence (non-commercial, research only), so an
  overlay licence is among the licences the artifacts carry.
- ``datasets/kbgen-NNN.json``: ``n_datasets = max(2, n_artifacts // 50)`` datasets
  ``dataset:kbgen-d{j}`` (2 % of the artifacts), each with a licence from a fixed pool of bundled
  licences plus the overlay one, ``facts`` (content owner, commercial), and one in ten derived from
  an earlier dataset (``upstream: [{target, relation: derived_from}]``).
- ``models/kbgen-NNN.json``: the remaining artifacts as models ``hf:kbgen-o{k}/m{i}`` in family files
  of at most :data:`CHUNK` models (family ``kbgen-NNN``; family defaults carry publisher and
  sources). Model ``i`` is, by a seeded draw:

  * a *pretrained root* (first model, then ~12 %): trained on 1–3 datasets drawn with a skew
    towards low indices, so a few datasets are shared by many models;
  * a *merge* (~5 %): 2–3 earlier models as ``base_models`` with ``relation: merge``;
  * otherwise a *fine-tune* (``finetune``), *adapter* or *quantized* model of one earlier model,
    drawn from the last 64 models most of the time, so fine-tune chains form; a model's depth
    (longest path to a root) is kept at most :data:`MAX_DEPTH`: past it, the model is a root.

  Fine-tunes add a dataset of their own one time in four. Leaves (models no other model builds on)
  are about half of the models. Model ids and dataset ids parse with :mod:`modelclear.ids`.

:func:`write_overlay` returns counts (datasets, models, roots, merges, fine-tunes, files, bytes) so a
benchmark can print what it measured. ``python bench/kbgen.py FOLDER N [SEED]`` writes one from the
command line.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

#: Models per family file (about 25 MB of JSON per file at this size).
CHUNK = 100_000
#: Longest fine-tune path from a leaf to a root.
MAX_DEPTH = 12
#: Licences the synthetic artifacts carry: bundled ids and the overlay's own.
LICENSES = ("Apache-2.0", "MIT", "CC-BY-4.0", "CC-BY-NC-4.0", "CC-BY-SA-4.0", "CreativeML-OpenRAIL-M",
            "kbgen-research-only", None)
CHECKED = "2026-12-01"
SOURCE = {"url": "https://example.org/kbgen", "checked": CHECKED, "confidence": "U",
          "note": "synthetic benchmark record (bench/kbgen.py)"}

_LICENCE_YAML = f"""\
# Synthetic overlay licence written by bench/kbgen.py (benchmark data, not a real licence).
id: kbgen-research-only
spdx: null
name: KBGEN Research-Only Licence (synthetic)
aliases: [kbgen-ro]
kind: license
category: research-only
acceptance: none
yields_to_exceptions: false
passes_to_derivatives: true
url: https://example.org/kbgen/licence
grants: all
summary: {{en: "Synthetic research-only licence.", ja: "合成の研究専用ライセンス。"}}
terms:
  - id: research-only
    effect: prohibited
    activities: all
    purposes: [commercial]
    summary: {{en: "No commercial use.", ja: "商用利用は不可。"}}
    clause: "1"
    url: https://example.org/kbgen/licence#1
    confidence: U
sources:
  - {{url: "https://example.org/kbgen", checked: {CHECKED}, confidence: U, note: "synthetic"}}
"""


def _skewed(rng: random.Random, n: int) -> int:
    """An index in ``range(n)`` drawn towards 0 (a few items are picked very often)."""
    return min(n - 1, int(n * rng.random() ** 3))


def _datasets(rng: random.Random, n: int) -> list[dict[str, Any]]:
    out = []
    for j in range(n):
        entry: dict[str, Any] = {
            "id": f"dataset:kbgen-d{j}", "kind": "dataset", "name": f"KBGEN dataset {j}",
            "license": rng.choice(LICENSES), "publisher": f"kbgen-pub{j % 97}",
            "facts": {"content_owner": rng.choice(("publisher", "third-party", "mixed")),
                      "commercial": rng.random() < 0.6},
            "sources": [SOURCE],
        }
        if j and rng.random() < 0.1:
            entry["upstream"] = [{"target": f"dataset:kbgen-d{rng.randrange(j)}", "relation": "derived_from"}]
        out.append(entry)
    return out


def _model(rng: random.Random, i: int, depth: list[int], n_datasets: int, counts: dict[str, int]) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": f"hf:kbgen-o{i % 1000}/m{i}", "kind": "model", "name": f"m{i}",
                             "license": rng.choice(LICENSES)}
    draw = rng.random()

    def pick() -> int:
        return i - 1 - rng.randrange(min(i, 64)) if rng.random() < 0.8 else rng.randrange(i)

    bases: list[int] = []
    relation = "finetune"
    if i and draw >= 0.12:
        if draw < 0.17 and i >= 2:
            bases, relation = sorted({pick() for _ in range(rng.choice((2, 3)))}), "merge"
        else:
            bases = [pick()]
            relation = "finetune" if draw < 0.87 else rng.choice(("adapter", "quantized"))
    d = 1 + max((depth[b] for b in bases), default=-1)
    if d > MAX_DEPTH:
        bases, d = [], 0
    depth.append(d)
    if not bases:
        counts["roots"] += 1
        entry["datasets"] = sorted({f"dataset:kbgen-d{_skewed(rng, n_datasets)}" for _ in range(rng.randint(1, 3))})
        return entry
    counts["merges" if relation == "merge" else "finetunes"] += 1
    entry["base_models"] = [{"target": f"hf:kbgen-o{b % 1000}/m{b}", "relation": relation} for b in bases]
    if rng.random() < 0.25:
        entry["datasets"] = [f"dataset:kbgen-d{_skewed(rng, n_datasets)}"]
    return entry


def _dump(path: Path, content: Any) -> int:
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text, encoding="utf-8")
    return len(text.encode())


def write_overlay(folder: Path, n_artifacts: int, seed: int = 14) -> dict[str, int]:
    """Write an overlay of ``n_artifacts`` artifacts (datasets and models) into ``folder``.

    ``folder`` is created if needed; files of an earlier run with the same names are replaced.
    Returns the counts of what was written (see the module docstring for the shape).
    """
    rng = random.Random(seed)
    n_datasets = max(2, n_artifacts // 50)
    n_models = max(1, n_artifacts - n_datasets)
    folder = Path(folder)
    for sub in ("licenses", "datasets", "models"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    (folder / "licenses" / "kbgen-research-only.yaml").write_text(_LICENCE_YAML, encoding="utf-8")
    counts = {"datasets": n_datasets, "models": n_models, "roots": 0, "merges": 0, "finetunes": 0,
              "files": 1, "bytes": len(_LICENCE_YAML.encode())}
    datasets = _datasets(rng, n_datasets)
    for start in range(0, n_datasets, CHUNK):
        counts["bytes"] += _dump(folder / "datasets" / f"kbgen-{start // CHUNK:03d}.json",
                                 datasets[start:start + CHUNK])
        counts["files"] += 1
    depth: list[int] = []
    for start in range(0, n_models, CHUNK):
        models = [_model(rng, i, depth, n_datasets, counts) for i in range(start, min(n_models, start + CHUNK))]
        family = f"kbgen-{start // CHUNK:03d}"
        doc = {"family": family, "publisher": "KBGEN synthetic", "distributed_via": "huggingface",
               "sources": [SOURCE], "models": models}
        counts["bytes"] += _dump(folder / "models" / f"{family}.json", doc)
        counts["files"] += 1
    return counts


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: python bench/kbgen.py FOLDER N_ARTIFACTS [SEED]")
    seed_arg = int(sys.argv[3]) if len(sys.argv) == 4 else 14
    print(json.dumps(write_overlay(Path(sys.argv[1]), int(sys.argv[2]), seed_arg)))
