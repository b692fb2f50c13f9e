"""Real model files written at test time (issue 12): safetensors with metadata, GGUF (with the ``gguf``
package from PyPI), JSON configs, cards and mergekit YAML, from a small description.

``write_files(root, spec)`` takes ``{relative path: content}``; a content is text (written as UTF-8),
``{json: VALUE}`` (a JSON file), ``{safetensors: {METADATA}}`` (a one-tensor safetensors file whose
header carries ``__metadata__``) or ``{gguf: {arch: NAME, kv: {KEY: VALUE}}}`` (a GGUF file with those
metadata keys: ints as uint32, strings, lists of strings as arrays, and one tiny tensor).
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any


def safetensors_bytes(metadata: dict[str, str] | None) -> bytes:
    """A valid safetensors file: one F32 tensor of two values, ``metadata`` as ``__metadata__``."""
    header: dict[str, Any] = {"weight": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}
    if metadata is not None:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + struct.pack("<2f", 0.5, -0.5)


def write_gguf(path: Path, arch: str, kv: dict[str, Any]) -> None:
    """A GGUF file written by the ``gguf`` package, with ``kv`` as metadata and one tensor."""
    import gguf
    import numpy as np

    writer = gguf.GGUFWriter(str(path), arch)
    for key, value in kv.items():
        if isinstance(value, bool):
            writer.add_bool(key, value)
        elif isinstance(value, int):
            writer.add_uint32(key, value)
        elif isinstance(value, list):
            writer.add_array(key, value)
        else:
            writer.add_string(key, str(value))
    writer.add_tensor("weight", np.zeros((4,), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def write_files(root: Path, spec: dict[str, Any]) -> None:
    """Write every file of ``spec`` under ``root`` (see the module docstring)."""
    for rel, content in spec.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        elif "json" in content:
            path.write_text(json.dumps(content["json"]), encoding="utf-8")
        elif "safetensors" in content:
            path.write_bytes(safetensors_bytes(content["safetensors"]))
        elif "gguf" in content:
            write_gguf(path, content["gguf"].get("arch", "llama"), content["gguf"].get("kv") or {})
        else:
            raise ValueError(f"unknown file content for {rel}: {content!r}")
