"""Benchmark ``modelclear scan`` against ripgrep on a generated 10,000-file project tree.

Usage::

    python bench/bench_scan.py [--files 10000] [--jobs 0] [--keep DIR]

The tree mimics a real ML repository: Python packages (most without any loader call, some with
loaders whose ids come from constants of other modules), YAML/JSON configs, notebooks, requirements,
model cards, and data files (CSV, text, binary blobs). ``scan_path`` runs with the default options
(parallel over the cores); ripgrep searches the same tree for the Python prefilter keywords as fixed
strings, which is the cheapest possible "grep for loaders" baseline. The target is < 15 s for 10,000
files on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from modelclear.scan import ScanOptions, scan_path
from modelclear.scan.python import PREFILTER

HF = ["google-bert/bert-base-uncased", "FacebookAI/roberta-base", "distilbert/distilbert-base-uncased",
      "openai/clip-vit-base-patch32", "mistralai/Mistral-7B-v0.1", "Qwen/Qwen2.5-0.5B-Instruct",
      "sentence-transformers/all-MiniLM-L6-v2", "facebook/bart-large-cnn"]
TIMM = ["resnet50.a1_in1k", "convnext_tiny.fb_in22k", "vit_base_patch16_224.augreg_in21k"]
DATASETS = ["stanfordnlp/imdb", "nyu-mll/glue", "openai/gsm8k", "rajpurkar/squad"]

UTIL = '''"""Utility module {i}: data transforms and bookkeeping."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

LOG = logging.getLogger(__name__)
DEFAULT_BATCH_{i} = {n}
CACHE_DIR_{i} = "cache/part-{i}"


@dataclass
class Record{i}:
    """A row of the dataset."""

    key: str
    value: float = 0.0

    def scaled(self, factor: float) -> float:
        return self.value * factor


def normalise_{i}(values: list[float]) -> list[float]:
    total = math.fsum(values) or 1.0
    return [v / total for v in values]


def chunk_{i}(items: list[int], size: int = DEFAULT_BATCH_{i}) -> list[list[int]]:
    return [items[k:k + size] for k in range(0, len(items), size)]
'''

LOADER_TEMPLATES = [
    'from transformers import AutoModel, AutoTokenizer\nfrom {pkg}.settings import MODEL_NAME\n\n'
    'tok = AutoTokenizer.from_pretrained(MODEL_NAME)\nmodel = AutoModel.from_pretrained(MODEL_NAME)\n',
    'import timm\n\nbackbone = timm.create_model("{timm}", pretrained=True, num_classes=10)\n',
    'from torchvision import models\n\nnet = models.resnet50(weights=models.ResNet50_Weights.IMAGENET1K_V2)\n',
    'from datasets import load_dataset\n\nds = load_dataset("{ds}", split="train")\n',
    'from sentence_transformers import SentenceTransformer\n\nenc = SentenceTransformer("{hf}")\n',
]


def write(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)


def notebook(source: str) -> str:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# Experiment\n"]},
             {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
              "source": source.splitlines(keepends=True)}]
    return json.dumps({"cells": cells, "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
                       "nbformat": 4, "nbformat_minor": 5}, indent=1)


def generate(root: Path, n: int, seed: int = 7) -> dict[str, int]:
    """Write ``n`` files under ``root``; returns counts per kind."""
    rng = random.Random(seed)
    counts: dict[str, int] = {}
    packages = [f"pkg{p}" for p in range(max(1, n // 250))]
    for pkg in packages:
        write(root / "src" / pkg / "__init__.py", "")
        write(root / "src" / pkg / "settings.py", f'MODEL_NAME = "{rng.choice(HF)}"\nSEED = 13\n')
    made = 2 * len(packages)
    write(root / ".gitignore", "outputs/\n*.log\n")
    write(root / "requirements.txt", "torch>=2.1\ntransformers>=4.40\nultralytics==8.2.0\ntimm\n")
    made += 2
    i = 0
    while made < n:
        i += 1
        roll = rng.random()
        pkg = rng.choice(packages)
        if roll < 0.55:
            kind, path = "py-plain", root / "src" / pkg / f"util_{i}.py"
            text: str | bytes = UTIL.format(i=i, n=rng.randint(8, 256)) * rng.randint(1, 4)
        elif roll < 0.60:
            kind, path = "py-loader", root / "src" / pkg / f"model_{i}.py"
            text = rng.choice(LOADER_TEMPLATES).format(pkg=pkg, timm=rng.choice(TIMM), ds=rng.choice(DATASETS),
                                                      hf=rng.choice(HF))
        elif roll < 0.66:
            kind, path = "yaml", root / "configs" / f"group{i % 20}" / f"exp_{i}.yaml"
            text = (f"seed: {i}\nlr: 0.0003\ntrainer:\n  max_epochs: 10\n"
                    + (f"model_name_or_path: {rng.choice(HF)}\n" if rng.random() < 0.3 else "optimizer: adamw\n"))
        elif roll < 0.70:
            kind, path = "json", root / "configs" / "runs" / f"run_{i}.json"
            text = json.dumps({"run": i, "metrics": {"acc": rng.random()}, "tags": ["baseline"]}, indent=2)
        elif roll < 0.72:
            kind, path = "ipynb", root / "notebooks" / f"exp_{i}.ipynb"
            text = notebook(rng.choice(LOADER_TEMPLATES).format(pkg=pkg, timm=rng.choice(TIMM), ds=rng.choice(DATASETS),
                                                               hf=rng.choice(HF))
                            if rng.random() < 0.5 else "import pandas as pd\ndf = pd.read_csv('x.csv')\ndf.head()\n")
        elif roll < 0.73:
            kind, path = "md", root / "docs" / f"page_{i}.md"
            text = f"# Page {i}\n\nWe fine-tune `{rng.choice(HF)}` here.\n" * 5
        elif roll < 0.85:
            kind, path = "csv", root / "data" / f"shard{i % 50}" / f"part_{i}.csv"
            text = "id,text,label\n" + "".join(f"{k},sample text {k},{k % 2}\n" for k in range(rng.randint(20, 200)))
        elif roll < 0.93:
            kind, path = "txt", root / "data" / "text" / f"doc_{i}.txt"
            text = ("lorem ipsum dolor sit amet " * rng.randint(20, 200)) + "\n"
        else:
            kind, path = "bin", root / "data" / "images" / f"img_{i}.jpg"
            text = bytes(rng.getrandbits(8) for _ in range(rng.randint(2000, 8000)))
        write(path, text)
        counts[kind] = counts.get(kind, 0) + 1
        made += 1
    return counts


def count_files(root: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(root))


def run_rg(root: Path) -> tuple[float, str] | None:
    rg = shutil.which("rg")
    if rg is None:
        return None
    args = [rg, "--count-matches", "--fixed-strings", "--no-messages"]
    for token in sorted(PREFILTER):
        args += ["-e", token.decode()]
    start = time.perf_counter()
    proc = subprocess.run([*args, str(root)], capture_output=True, text=True, check=False)
    return time.perf_counter() - start, f"{len(proc.stdout.splitlines())} files with a match"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=0, help="scan processes (0 = cores)")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    args = parser.parse_args(argv)
    tmp = None
    if args.keep:
        root = args.keep
        root.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.mkdtemp(prefix="modelclear-bench-")
        root = Path(tmp)
    try:
        counts = generate(root, args.files)
        files = count_files(root)
        print(f"tree: {files} files ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}); "
              f"cores: {os.cpu_count()}")
        start = time.perf_counter()
        result = scan_path(root, ScanOptions(jobs=args.jobs))
        scan_s = time.perf_counter() - start
        rg = run_rg(root)
        rows = [("modelclear scan", files, scan_s,
                 f"{len(result.references)} references, {len(result.warnings)} warnings, "
                 f"{result.files_scanned} files scanned")]
        if rg is not None:
            rows.append(("rg (prefilter keywords)", files, rg[0], rg[1]))
        print(f"\n{'tool':<26}{'files':>8}{'seconds':>10}{'files/s':>11}  detail")
        for name, n, secs, detail in rows:
            print(f"{name:<26}{n:>8}{secs:>10.2f}{n / secs:>11.0f}  {detail}")
        if rg is None:
            print("\nrg (ripgrep) is not installed: no baseline. Install it with `apt-get install -y ripgrep`.")
        target = 15.0 * args.files / 10_000
        verdict = "within" if scan_s < target else "OVER"
        print(f"\ntarget: < {target:.1f} s for {args.files} files -> {verdict} ({scan_s:.2f} s)")
        return 0 if scan_s < target else 1
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
