"""Weight file headers read as data: safetensors JSON headers and GGUF key/value metadata.

* **safetensors**: 8 bytes little-endian header length, then that many bytes of JSON whose
  ``__metadata__`` (string to string) may name a licence and a base model.
* **GGUF** (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md): magic ``GGUF``, version,
  tensor count, key/value count, then typed key/value pairs; ``general.license``,
  ``general.base_model.N.repo_url`` and ``general.source.*`` are kept. Every length is checked
  against what is left of the bytes read, so a hostile header cannot make us allocate or loop.

Both readers are bounded (:mod:`modelclear.scan.budget`): the safetensors JSON is not parsed when
nested deeper than ``BUDGETS.nesting_depth``, and GGUF values are counted against a step meter.
Bad input raises :class:`HeaderError`, which the scanner turns into a warning.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from typing import Any

from modelclear.scan.budget import BUDGETS, BudgetExceeded, Meter, json_depth
from modelclear.scan.config import config_data


@dataclass(frozen=True)
class WeightInfo:
    """What a weight header says."""

    format: str
    license: str | None = None
    name: str | None = None
    base_models: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()


class HeaderError(ValueError):
    """A weight header that is truncated or malformed."""


# --------------------------------------------------------------------------------------------------
# safetensors


def read_safetensors_header(data: bytes) -> dict[str, Any]:
    """The JSON header of a safetensors file from its first bytes (raises :class:`HeaderError`)."""
    if len(data) < 8:
        raise HeaderError("file shorter than the 8-byte header length")
    (length,) = struct.unpack("<Q", data[:8])
    if length < 2 or length > 100 * 1024 * 1024:
        raise HeaderError(f"implausible header length {length}")
    if 8 + length > len(data):
        raise HeaderError(f"header of {length} bytes is larger than the {len(data) - 8} bytes read")
    try:
        text = data[8:8 + length].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HeaderError(f"header is not UTF-8: {exc}") from exc
    depth = json_depth(text)
    if depth > BUDGETS.nesting_depth:
        raise HeaderError(f"header JSON nested {depth} levels deep (budget {BUDGETS.nesting_depth}); not read")
    try:
        header = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise HeaderError(f"header is not JSON: {str(exc)[:200]}") from exc
    if not isinstance(header, dict):
        raise HeaderError("header is not a JSON object")
    return header


def safetensors_info(header: dict[str, Any]) -> WeightInfo:
    """Licence, name and base model from a safetensors header's ``__metadata__``."""
    meta = header.get("__metadata__")
    meta = meta if isinstance(meta, dict) else {}
    keys = config_data()["safetensors_metadata"]

    def first(field: str) -> str | None:
        for key in keys[field]:
            value = meta.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
        return None

    base = first("base_model")
    return WeightInfo("safetensors", license=first("license"), name=first("name"),
                      base_models=(base,) if base else ())


# --------------------------------------------------------------------------------------------------
# GGUF

_GGUF_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q",
                 12: "<d"}
_GGUF_STRING, _GGUF_ARRAY = 8, 9
#: Array elements decoded at most (longer arrays, like a tokenizer vocabulary, are skipped over).
_GGUF_MAX_ARRAY_KEEP = 256


class _Reader:
    def __init__(self, data: bytes, wide: bool, steps: Meter | None = None) -> None:
        self.data = data
        self.pos = 0
        self.wide = wide  # v2+: 64-bit lengths and counts; v1: 32-bit
        self.steps = steps if steps is not None else Meter(BUDGETS.gguf_values)

    def skip(self, n: int) -> None:
        if n < 0 or self.pos + n > len(self.data):
            raise HeaderError("GGUF header truncated")
        self.pos += n

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise HeaderError("GGUF header truncated")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt: str) -> Any:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def length(self) -> int:
        return int(self.unpack("<Q" if self.wide else "<I"))

    def string(self) -> str:
        n = self.length()
        if n > len(self.data) - self.pos:
            raise HeaderError("GGUF string longer than the bytes read")
        return self.take(n).decode("utf-8", errors="replace")

    def _skip_strings(self, count: int) -> None:
        """Skip ``count`` strings without decoding them (a vocabulary), one value of budget each."""
        if not self.steps.spend(count):
            raise BudgetExceeded(f"more than {self.steps.limit:,} GGUF values")
        fmt = "<Q" if self.wide else "<I"
        width = 8 if self.wide else 4
        data, pos, end = self.data, self.pos, len(self.data)
        unpack = struct.unpack_from
        for _ in range(count):
            if pos + width > end:
                raise HeaderError("GGUF header truncated")
            pos += width + unpack(fmt, data, pos)[0]
            if pos > end:
                raise HeaderError("GGUF string longer than the bytes read")
        self.pos = pos

    def value(self, vtype: int, depth: int = 0) -> Any:
        if not self.steps.spend():
            raise BudgetExceeded(f"more than {self.steps.limit:,} GGUF values")
        if vtype in _GGUF_SCALARS:
            return self.unpack(_GGUF_SCALARS[vtype])
        if vtype == _GGUF_STRING:
            return self.string()
        if vtype == _GGUF_ARRAY:
            if depth > 4:
                raise HeaderError("GGUF arrays nested too deeply")
            etype = int(self.unpack("<I"))
            count = self.length()
            if etype in _GGUF_SCALARS:
                size = struct.calcsize(_GGUF_SCALARS[etype])
                if count * size > len(self.data) - self.pos:
                    raise HeaderError("GGUF array longer than the bytes read")
                self.skip(count * size)  # skipped over, never copied
                return []
            if count > len(self.data) - self.pos:  # every element takes at least one byte
                raise HeaderError("GGUF array longer than the bytes read")
            kept: list[Any] = []
            for _ in range(min(count, _GGUF_MAX_ARRAY_KEEP)):
                kept.append(self.value(etype, depth + 1))
            if count > _GGUF_MAX_ARRAY_KEEP:
                if etype == _GGUF_STRING:
                    self._skip_strings(count - _GGUF_MAX_ARRAY_KEEP)
                else:
                    for _ in range(count - _GGUF_MAX_ARRAY_KEEP):
                        self.value(etype, depth + 1)
            return kept
        raise HeaderError(f"unknown GGUF value type {vtype}")


def read_gguf_metadata(data: bytes, wanted: frozenset[str] | None = None,
                       steps: Meter | None = None) -> tuple[dict[str, Any], bool]:
    """The metadata key/values of a GGUF header, and whether all of them were read.

    Stops early (``complete`` False) when the bytes read end before the last pair or when ``steps``
    (values decoded, default ``BUDGETS.gguf_values``) runs out — then ``steps.exhausted`` is set;
    raises :class:`HeaderError` for a file that is not GGUF or whose header is malformed.
    """
    if len(data) < 8 or data[:4] != b"GGUF":
        raise HeaderError("not a GGUF file (bad magic)")
    (version,) = struct.unpack("<I", data[4:8])
    if version not in (1, 2, 3):
        raise HeaderError(f"unsupported GGUF version {version}")
    reader = _Reader(data, wide=version >= 2, steps=steps)
    reader.take(8)
    reader.length()  # tensor count
    count = reader.length()
    if count > 1_000_000:
        raise HeaderError(f"implausible metadata count {count}")
    meta: dict[str, Any] = {}
    for _ in range(count):
        try:
            key = reader.string()
            vtype = int(reader.unpack("<I"))
            value = reader.value(vtype)
        except BudgetExceeded:
            return meta, False
        except HeaderError as exc:
            if "truncated" in str(exc) or "longer than the bytes read" in str(exc):
                return meta, False
            raise
        if wanted is None or key in wanted or key.startswith(("general.base_model.", "general.dataset")):
            meta[key] = value
    return meta, True


def gguf_info(meta: dict[str, Any]) -> WeightInfo:
    """Licence, name, base models and datasets from GGUF metadata."""
    spec = config_data()["gguf"]

    def first(field: str, index: int | None = None) -> str | None:
        for key in spec[field]:
            value = meta.get(key.replace("{id}", str(index)) if index is not None else key)
            if isinstance(value, str) and value.strip():
                return value.strip()
        return None

    count = meta.get("general.base_model.count")
    n = count if isinstance(count, int) and 0 <= count <= 64 else 0
    bases: list[str] = []
    for i in range(n):
        repo = first("base_model_repo", i)
        if repo:
            bases.append(repo)
            continue
        name, org = first("base_model_name", i), first("base_model_org", i)
        if name:
            bases.append(f"{org}/{name}" if org and "/" not in name else name)
    source = first("source_repo")
    if source and not bases:
        bases.append(source)
    datasets = meta.get("general.datasets")
    return WeightInfo("gguf", license=first("license"), name=first("name"), base_models=tuple(bases),
                      datasets=tuple(d for d in datasets if isinstance(d, str)) if isinstance(datasets, list) else ())
