"""Benchmark: your own models in a scan (issue 12) — reading local model folders and files as artifacts.

    .venv/bin/python bench/bench_local.py [--folders 300] [--jurisdiction JP]

Writes ``--folders`` model folders (a card naming a base and a dataset, a ``config.json``, a one-tensor
safetensors file) and as many PEFT adapter folders into a temporary tree, plus a training script that
writes one of them; scans it (``scan_path``, one process), then times ``Service.assess_scan`` in CPU
seconds and, apart, the part spent giving the scan's references their ``local:`` artifacts
(``catalog.localmodel.attach_local``: reading each folder, resolving its bases, linking the script),
and ``read_local`` per artifact. Runs in this process; nothing is read from the network.
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
import tempfile
import time
from pathlib import Path

BASES = ["meta-llama/Llama-3.1-8B", "mistralai/Mistral-7B-v0.1", "google/gemma-2-2b-it", "Qwen/Qwen2.5-7B-Instruct"]


def _safetensors() -> bytes:
    header = json.dumps({"weight": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                         "__metadata__": {"format": "pt"}}).encode()
    header += b" " * (-len(header) % 8)
    return struct.pack("<Q", len(header)) + header + struct.pack("<2f", 0.5, -0.5)


def write_tree(root: Path, folders: int) -> None:
    """The generated tree (see the module docstring)."""
    weights = _safetensors()
    for i in range(folders):
        base = BASES[i % len(BASES)]
        model = root / "models" / f"m{i}"
        model.mkdir(parents=True)
        (model / "README.md").write_text(f"---\nlicense: {'mit' if i % 3 == 0 else 'apache-2.0'}\nbase_model: {base}\n"
                                         "datasets:\n- tatsu-lab/alpaca\n---\n", encoding="utf-8")
        (model / "config.json").write_text(json.dumps({"_name_or_path": base}), encoding="utf-8")
        (model / "model.safetensors").write_bytes(weights)
        adapter = root / "adapters" / f"a{i}"
        adapter.mkdir(parents=True)
        (adapter / "adapter_config.json").write_text(json.dumps({"base_model_name_or_path": base,
                                                                  "peft_type": "LORA"}), encoding="utf-8")
    (root / "train.py").write_text('from datasets import load_dataset\n\nOUT = "models/m0"\n'
                                   'data = load_dataset("tatsu-lab/alpaca")\ntrainer.save_model(OUT)\n',
                                   encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folders", type=int, default=300)
    parser.add_argument("--jurisdiction", default="JP")
    args = parser.parse_args(argv)

    from modelclear.catalog import localmodel
    from modelclear.scan import scan_path
    from modelclear.scan.base import ScanOptions
    from modelclear.service import Service

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_tree(root, args.folders)
        service = Service()
        scenarios = service.scenarios([args.jurisdiction])
        started = time.process_time()
        result = scan_path(root, ScanOptions(jobs=1))
        scanned = time.process_time() - started
        spent = [0.0]
        original = localmodel.attach_local

        def timed(*a: object, **k: object) -> object:
            t = time.process_time()
            try:
                return original(*a, **k)  # type: ignore[arg-type]
            finally:
                spent[0] += time.process_time() - t

        localmodel.attach_local = timed  # type: ignore[assignment]
        try:
            started = time.process_time()
            report = service.assess_scan(root, result, scenarios)
            assessed = time.process_time() - started
        finally:
            localmodel.attach_local = original
        started = time.process_time()
        for i in range(args.folders):
            localmodel.read_local(root / "models" / f"m{i}", root)
            localmodel.read_local(root / "adapters" / f"a{i}", root)
        per = (time.process_time() - started) / (2 * args.folders)
        local = sum(1 for e in report.entries if e.reference.id and e.reference.id.startswith("local:"))
        print(f"{2 * args.folders} local artifacts, {len(report.entries)} references ({local} with local ids)")
        print(f"scan_path {scanned:.2f} s CPU; assess_scan {assessed:.2f} s CPU, of which attach_local "
              f"{spent[0]:.2f} s; read_local {per * 1000:.2f} ms CPU per artifact")
    return 0


if __name__ == "__main__":
    sys.exit(main())
