"""Reader of a ``.safetensors`` header's ``__metadata__`` (kohya/diffusers LoRA keys, ``modelspec.*``)."""

from __future__ import annotations

import struct
from pathlib import Path

from modelclear.catalog.localmodel.draft import _Draft
from modelclear.catalog.localmodel.names import _clean
from modelclear.catalog.localmodel.records import (
    HEAD_BYTES,
    Evidence,
    _table,
)


def _read_safetensors(d: _Draft, path: Path) -> None:
    from modelclear.scan.weightheaders import HeaderError, read_safetensors_header

    rel = d.files.rel(path)
    head = d.files.read(path, 8)
    if head is None:
        return
    if len(head) < 8:
        d.files.warnings.append(f"{rel}: truncated safetensors header")
        return
    (length,) = struct.unpack("<Q", head)
    if length > HEAD_BYTES - 8:
        d.files.warnings.append(f"{rel}: safetensors header of {length} bytes is larger than {HEAD_BYTES - 8}; "
                                "not read")
        return
    data = d.files.read(path, 8 + int(length))
    try:
        header = read_safetensors_header(data or b"")
    except HeaderError as exc:
        d.files.warnings.append(f"{rel}: malformed safetensors header: {exc}")
        return
    meta = header.get("__metadata__")
    if not isinstance(meta, dict) or not meta:
        return
    meta = {str(k): v for k, v in list(meta.items())[:4096] if isinstance(v, str)}
    kohya = any(k.startswith(("ss_", "modelspec.")) for k in meta)
    if kohya:
        d.formats.append("lora")
        arch = meta.get("modelspec.architecture", "")
        module = meta.get("ss_network_module", "")
        if "lora" in arch.lower() or "lora" in module.lower() or module.startswith("networks."):
            d.relations.append((4, "adapter", Evidence(rel, "ss_network_module" if module else
                                                       "modelspec.architecture", module or arch)))
        elif meta.get("ss_training_comment") is not None or meta.get("ss_base_model_version"):
            d.relations.append((5, "finetune", Evidence(rel, "ss_base_model_version",
                                                        meta.get("ss_base_model_version", ""))))
    for key in ("license", "modelspec.license"):
        if key in meta:
            d.license(meta[key], Evidence(rel, key))
            break
    _base(d, rel, meta)
    title = _clean(meta.get("modelspec.title")) or _clean(meta.get("name"))
    if title:
        d.names.append(title)


def _base(d: _Draft, rel: str, meta: dict[str, str]) -> None:
    """The LoRA's base: the first key that names one model (``lora_base_models``), a family's member by
    the other keys, else the family's assumed member with a warning (``lora_base_families``)."""
    table = _table()
    known = table.get("lora_base_models") or {}
    families = table.get("lora_base_families") or {}
    family: tuple[str, str] | None = None
    for key in ("base_model", "modelspec.base_model", "ss_sd_model_name", "ss_base_model_version",
                "modelspec.architecture"):
        if key not in meta:
            continue
        value = meta[key]
        if key == "modelspec.architecture":
            value = value.split("/")[0]
        if key == "ss_sd_model_name" and value.lower().endswith((".safetensors", ".ckpt")):
            value = value.replace("\\", "/").rsplit("/", 1)[-1]
            if value.lower() not in known:
                continue  # a file on the trainer's machine; the version key names the base
            value = value.lower()
        if isinstance(families.get(value), dict):
            family = family or (value, key)  # a family: a later key may say which member
            continue
        d.base(value, Evidence(rel, key))
        return
    if family is None:
        return
    value, key = family
    entry = families[value]
    assumed = str(entry.get("assumed", ""))
    target = known.get(assumed)
    if not isinstance(target, str):
        d.base(value, Evidence(rel, key))
        return
    d.bases.append((assumed, Evidence(rel, key, value)))
    members = ", ".join(str(m) for m in entry.get("members") or ())
    d.files.warnings.append(f"{rel}: {key} = {value} names the {entry.get('family', value)} family ({members}) and no "
                            f"other key says which; {assumed} ({target}), the more restrictive, is assumed")
