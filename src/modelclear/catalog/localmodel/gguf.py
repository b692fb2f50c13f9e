"""Reader of a GGUF file's header metadata (``general.base_model.*``, ``general.license``, ``general.name``)."""

from __future__ import annotations

from pathlib import Path

from modelclear.catalog.localmodel.draft import _Draft
from modelclear.catalog.localmodel.names import _clean
from modelclear.catalog.localmodel.records import (
    HEAD_BYTES,
    MAX_LINKS,
    Evidence,
)


def _read_gguf(d: _Draft, path: Path) -> None:
    from modelclear.scan.budget import BUDGETS, Meter
    from modelclear.scan.weightheaders import HeaderError, read_gguf_metadata

    rel = d.files.rel(path)
    data = d.files.read(path, HEAD_BYTES)
    if data is None:
        return
    steps = Meter(BUDGETS.gguf_values)
    try:
        meta, complete = read_gguf_metadata(data, steps=steps)
    except HeaderError as exc:
        d.files.warnings.append(f"{rel}: malformed GGUF header: {exc}")
        return
    if not complete:
        d.files.warnings.append(f"{rel}: GGUF header read in part (up to {len(data)} bytes)")
    d.formats.append("gguf")
    d.relations.append((3, "quantized", Evidence(rel, "GGUF", str(meta.get("general.file_type", "")))))
    lic = meta.get("general.license")
    if isinstance(lic, str):
        d.license(lic, Evidence(rel, "general.license"))
    name = _clean(meta.get("general.name"))
    if name:
        d.names.append(name)
    count = meta.get("general.base_model.count")
    for i in range(count if isinstance(count, int) and 0 <= count <= MAX_LINKS else 0):
        prefix = f"general.base_model.{i}."
        repo = _clean(meta.get(prefix + "repo_url"))
        if repo:
            d.base(repo, Evidence(rel, prefix + "repo_url"))
            continue
        bname, org = _clean(meta.get(prefix + "name")), _clean(meta.get(prefix + "organization"))
        if bname:
            joined = f"{org}/{bname}" if org and "/" not in bname else bname
            d.base(joined.replace(" ", "-"), Evidence(rel, prefix + "name"))
    if not d.bases:
        for key in ("general.source.repo_url", "general.source.huggingface.repository"):
            if _clean(meta.get(key)):
                d.base(meta.get(key), Evidence(rel, key))
                break
    datasets = meta.get("general.datasets")
    for value in datasets if isinstance(datasets, list) else []:
        d.dataset(value, Evidence(rel, "general.datasets"))
