"""Reader of an ONNX file's ``metadata_props``, by a bounded protobuf walk of the ModelProto."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from modelclear.catalog.localmodel.draft import _Draft
from modelclear.catalog.localmodel.records import (
    HEAD_BYTES,
    Evidence,
)


def _protobuf_fields(data: bytes, budget: list[int]) -> Iterable[tuple[int, int, Any]]:
    """(field number, wire type, value) of one protobuf message; length-delimited values as bytes."""
    pos, end = 0, len(data)

    def varint() -> int:
        nonlocal pos
        shift = result = 0
        while True:
            if pos >= end or shift > 63:
                raise ValueError("truncated varint")
            b = data[pos]
            pos += 1
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7

    while pos < end:
        budget[0] -= 1
        if budget[0] < 0:
            raise ValueError("field budget spent")
        key = varint()
        number, wire = key >> 3, key & 7
        if wire == 0:
            yield number, wire, varint()
        elif wire == 1:
            pos += 8
            yield number, wire, None
        elif wire == 2:
            n = varint()
            if n > end - pos:
                raise ValueError("length past the bytes read")
            yield number, wire, data[pos:pos + n]
            pos += n
        elif wire == 5:
            pos += 4
            yield number, wire, None
        else:
            raise ValueError(f"unsupported wire type {wire}")
        if pos > end:
            raise ValueError("truncated field")


def _read_onnx(d: _Draft, path: Path) -> None:
    """``ModelProto.metadata_props`` (field 14: StringStringEntryProto key 1, value 2) and ``doc_string``."""
    rel = d.files.rel(path)
    data = d.files.read(path, HEAD_BYTES)
    if data is None:
        return
    props: dict[str, str] = {}
    budget = [200_000]
    try:
        for number, wire, value in _protobuf_fields(data, budget):
            if number == 14 and wire == 2 and len(props) < 256:
                entry = {n: v for n, w, v in _protobuf_fields(value, budget) if w == 2}
                k, v = entry.get(1, b"").decode("utf-8", "replace"), entry.get(2, b"").decode("utf-8", "replace")
                if k:
                    props[k] = v
    except ValueError as exc:
        if not props:
            d.files.warnings.append(f"{rel}: ONNX metadata not read ({exc})")
            return
    d.formats.append("onnx")
    d.relations.append((3, "quantized", Evidence(rel, "ONNX export")))
    for key in ("license", "model_license"):
        if key in props:
            d.license(props[key], Evidence(rel, f"metadata_props.{key}"))
            break
    for key in ("base_model", "source_model", "model_id", "hf_model_id"):
        if key in props:
            d.base(props[key], Evidence(rel, f"metadata_props.{key}"))
            break
