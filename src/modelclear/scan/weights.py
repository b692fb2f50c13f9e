"""Weight files in the tree: safetensors and GGUF headers, pickle checkpoints.

Only headers are read, with bounded reads (:data:`HEAD_BYTES`); tensors never are.

* **safetensors** and **GGUF**: their headers are read by :mod:`modelclear.scan.weightheaders`
  (licence, base model, datasets).
* **pickle checkpoints** (``.pt .pth .ckpt .bin .pkl``): reported as local weights of unknown
  provenance. They are never unpickled: loading one with ``torch.load``/``pickle`` runs whatever
  code it names. Their opcodes are listed with :mod:`pickletools` (which only parses) and a
  checkpoint that imports something other than tensor-building helpers gets a ``pickle`` warning.

Every reader is bounded in bytes and steps (:mod:`modelclear.scan.budget`): a header length or count
claiming gigabytes is checked against the bytes actually read before anything is allocated, the
safetensors JSON is not parsed when nested deeper than ``BUDGETS.nesting_depth``, GGUF values and
pickle opcodes are counted, and zip checkpoints are read up to ``BUDGETS.zip_member_bytes``. Hostile
input gives a warning, never an exception.
"""

from __future__ import annotations

import io
import pickletools
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from modelclear import ids
from modelclear.model import Kind, Reference
from modelclear.scan.base import ScanContext, ScanWarning
from modelclear.scan.budget import BUDGETS, BudgetExceeded, Meter, budget_warning
from modelclear.scan.urls import match_url
from modelclear.scan.weightheaders import (
    HeaderError,
    WeightInfo,
    gguf_info,
    read_gguf_metadata,
    read_safetensors_header,
    safetensors_info,
)

#: Bytes read from the start of a weight file.
HEAD_BYTES = BUDGETS.weight_head_bytes
#: A zip member (torch ``data.pkl``) larger than this is not looked into.
MAX_PICKLE_MEMBER = BUDGETS.pickle_member_bytes
#: Members of a zip checkpoint we list at most.
MAX_ZIP_MEMBERS = BUDGETS.zip_members

PICKLE_SUFFIXES = (".pt", ".pth", ".ckpt", ".bin", ".pkl", ".pickle")
PICKLE_NOTE = "local weights of unknown provenance; loading them with torch.load/pickle runs code"

#: Modules a weights pickle legitimately imports (tensor rebuilding, containers, numpy arrays).
_SAFE_GLOBAL_PREFIXES = (
    "torch.", "collections.OrderedDict", "collections.defaultdict", "numpy.", "_codecs.encode",
    "builtins.set", "builtins.frozenset", "builtins.slice", "builtins.complex", "builtins.bytearray",
    "builtins.range", "__builtin__.set", "pytorch_lightning.", "lightning.", "argparse.Namespace",
    "omegaconf.", "typing.", "pathlib.PosixPath", "pathlib.WindowsPath",
)


# --------------------------------------------------------------------------------------------------
# Pickles


def pickle_globals(data: bytes, steps: Meter | None = None) -> tuple[list[str], bool]:
    """``module.name`` of every global a pickle stream imports, parsed (never executed).

    Returns the names and whether the stream was read to its end. ``steps`` counts opcodes (default
    ``BUDGETS.pickle_ops``); when it runs out, the names read so far are returned and
    ``steps.exhausted`` is set.
    """
    steps = steps if steps is not None else Meter(BUDGETS.pickle_ops)
    names: list[str] = []
    strings: list[str] = []
    memo: dict[int, Any] = {}
    stream = io.BytesIO(data)
    try:
        for opcode, arg, _pos in pickletools.genops(stream):
            if not steps.spend():
                return names, False
            name = opcode.name
            if name in ("GLOBAL", "INST") and isinstance(arg, str):
                names.append(arg.replace(" ", "."))
            elif name == "STACK_GLOBAL" and len(strings) >= 2:
                names.append(f"{strings[-2]}.{strings[-1]}")
            elif name in ("SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE", "STRING", "BINSTRING",
                          "SHORT_BINSTRING") and isinstance(arg, str | bytes):
                strings.append(arg if isinstance(arg, str) else arg.decode("latin-1"))
            elif name == "MEMOIZE" and strings:
                memo[len(memo)] = strings[-1]
            elif name in ("BINPUT", "LONG_BINPUT", "PUT") and strings and isinstance(arg, int):
                memo[arg] = strings[-1]
            elif name in ("BINGET", "LONG_BINGET", "GET") and isinstance(arg, int) and isinstance(memo.get(arg), str):
                strings.append(memo[arg])
            if name == "STOP":
                return names, True
            if len(names) > 100_000:
                break
    except Exception:  # pickletools raises ValueError and others on truncated or odd streams
        return names, False
    return names, False


def unsafe_globals(names: Iterable[str]) -> list[str]:
    """Imported names outside the tensor-rebuilding allow-list, in order, without repeats."""
    return list(dict.fromkeys(n for n in names if not n.startswith(_SAFE_GLOBAL_PREFIXES)))


def zip_entry_count(path: Path) -> int | None:
    """Entries a zip file's end-of-central-directory record announces (read from its last 64 KiB,
    before :mod:`zipfile` builds one object per entry); None when no record is found."""
    with path.open("rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        tail_start = max(0, size - 65_557)
        fh.seek(tail_start)
        tail = fh.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or at + 22 > len(tail):
            return None
        (count,) = struct.unpack("<H", tail[at + 10:at + 12])
        if count != 0xFFFF or at < 20 or tail[at - 20:at - 16] != b"PK\x06\x07":
            return count
        (offset,) = struct.unpack("<Q", tail[at - 12:at - 4])  # zip64 end-of-central-directory record
        if offset + 40 > size:
            return None
        fh.seek(offset)
        record = fh.read(40)
        if record[:4] != b"PK\x06\x06":
            return None
        return int(struct.unpack("<Q", record[32:40])[0])


def _zip_pickles(path: Path, budget: Meter) -> Iterator[tuple[str, bytes]]:
    """(member, bytes) of the ``.pkl`` members, reading at most ``budget`` bytes in all."""
    count = zip_entry_count(path)
    if count is not None and count > MAX_ZIP_MEMBERS:
        raise BudgetExceeded(f"zip announces {count:,} entries (budget {MAX_ZIP_MEMBERS:,}); not listed")
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise BudgetExceeded(f"zip lists {len(infos):,} entries (budget {MAX_ZIP_MEMBERS:,})")
        for info in infos:
            if info.filename.endswith(".pkl") and info.file_size <= MAX_PICKLE_MEMBER:
                if budget.left() <= 0:
                    budget.exhausted = True
                    return
                with zf.open(info) as fh:
                    payload = fh.read(min(MAX_PICKLE_MEMBER, budget.left()))
                budget.spend(len(payload))
                yield info.filename, payload


# --------------------------------------------------------------------------------------------------
# The scanner


def _base_id(raw: str) -> str | None:
    raw = raw.strip()
    if raw.startswith(("http://", "https://")):
        m = match_url(raw)
        if m is not None:
            return m.id
        hub = re.match(r"^https?://huggingface\.co/(datasets/)?([\w.\-]+/[\w.\-]+)/?$", raw)
        if hub:
            ref = ids.try_parse(("hf-dataset:" if hub.group(1) else "hf:") + hub.group(2))
            return ref.id if ref else None
        return None
    if re.fullmatch(r"[A-Za-z0-9][\w.\-]*/[A-Za-z0-9][\w.\-]*", raw):
        ref = ids.try_parse("hf:" + raw)
        return ref.id if ref else None
    return None


class WeightsScanner:
    """Headers of weight files (see the module docstring)."""

    name = "weights"
    #: The walker hands this scanner at most this many leading bytes, whatever the file size.
    head_bytes = HEAD_BYTES
    #: Weight files are binary: the walker's binary-file check does not apply.
    binary = True

    def accepts(self, path: Path) -> bool:
        """``.safetensors``, ``.gguf`` and pickle checkpoint suffixes."""
        return path.suffix.lower() in (".safetensors", ".gguf", *PICKLE_SUFFIXES)

    def scan(self, path: Path, data: bytes, ctx: ScanContext) -> Iterable[Reference | ScanWarning]:
        """References for one weight file; never raises."""
        suffix = path.suffix.lower()
        try:
            if suffix == ".safetensors":
                return list(self._safetensors(path, data))
            if suffix == ".gguf":
                return list(self._gguf(path, data))
            return list(self._pickle(path, data))
        except HeaderError as exc:
            return [ScanWarning(path=path.name, message=f"malformed {suffix[1:]} header: {exc}", code="malformed")]
        except (RecursionError, MemoryError) as exc:  # not expected with the budgets; never a crash
            return [ScanWarning(path=path.name, message=f"{suffix[1:]} header not read: {type(exc).__name__}",
                                code="malformed")]

    def _local(self, path: Path, info: WeightInfo, loader: str, extra: str = "") -> Iterator[Reference]:
        parts = [f"local {info.format} weights"]
        if info.name:
            parts.append(f"name: {info.name}")
        parts.append(f"licence in header: {info.license}" if info.license else "no licence in header")
        if info.base_models:
            parts.append("base model: " + ", ".join(info.base_models))
        if extra:
            parts.append(extra)
        yield Reference(raw=path.name, kind=Kind.MODEL, id=None, path=path.name, line=0,
                        evidence=f"{info.format} header of {path.name}", confidence="low", loader=loader,
                        note="; ".join(parts))
        for base in info.base_models:
            base_id = _base_id(base)
            if base_id is not None:
                yield Reference(raw=base, kind=Kind.MODEL, id=base_id, path=path.name, line=0,
                                evidence=f"{info.format} header: base model {base}", confidence="medium",
                                loader=loader, note="base model recorded in the weight file's metadata")
        for dataset in info.datasets:
            ref = ids.try_parse(dataset if ":" in dataset and "://" not in dataset else f"hf-dataset:{dataset}")
            if "://" in dataset:
                hub = re.match(r"^https?://huggingface\.co/datasets/([\w.\-]+/[\w.\-]+)", dataset)
                ref = ids.try_parse("hf-dataset:" + hub.group(1)) if hub else None
            if ref is not None:
                yield Reference(raw=dataset, kind=Kind.DATASET, id=ref.id, path=path.name, line=0,
                                evidence=f"{info.format} header: dataset {dataset}", confidence="low",
                                loader=loader, note="training dataset recorded in the weight file's metadata")

    def _safetensors(self, path: Path, data: bytes) -> Iterator[Reference]:
        yield from self._local(path, safetensors_info(read_safetensors_header(data)), "safetensors")

    def _gguf(self, path: Path, data: bytes) -> Iterator[Reference | ScanWarning]:
        steps = Meter(BUDGETS.gguf_values)
        meta, complete = read_gguf_metadata(data, steps=steps)
        info = gguf_info(meta)
        extra = "" if complete else (f"header read up to its first {steps.limit:,} values only" if steps.exhausted
                                     else f"header read up to {len(data)} bytes only")
        yield from self._local(path, info, "gguf", extra)
        if steps.exhausted:
            yield budget_warning(path.name, f"GGUF header holds more than {steps.limit:,} values; "
                                            "the metadata after them was not read")

    def _pickle(self, path: Path, data: bytes) -> Iterator[Reference | ScanWarning]:
        is_zip = data[:4] == b"PK\x03\x04"
        is_pickle = len(data) >= 2 and data[0] == 0x80 and 0 < data[1] <= 5
        suffix = path.suffix.lower()
        if not (is_zip or is_pickle) and suffix == ".bin":
            return  # a .bin that is neither a zip nor a pickle (GGML, fastText, raw arrays)
        names: list[str] = []
        fmt = "pickle"
        ops = Meter(BUDGETS.pickle_ops)
        if is_zip:
            fmt = "zip"
            read = Meter(BUDGETS.zip_member_bytes)
            try:
                for member, payload in _zip_pickles(path, read):
                    fmt = "torch zip checkpoint" if member.endswith("data.pkl") else "zip with pickles"
                    names.extend(pickle_globals(payload, ops)[0])
                    if ops.exhausted:
                        break
            except BudgetExceeded as exc:
                yield budget_warning(path.name, f"zip checkpoint not looked into: {exc}")
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, ValueError,
                    struct.error, zlib.error):
                yield ScanWarning(path=path.name, message="zip checkpoint cannot be listed", code="malformed")
            if read.exhausted:
                yield budget_warning(path.name, f"zip checkpoint: pickle members read up to {read.limit:,} bytes; "
                                                "later members not looked into")
        elif is_pickle:
            names = pickle_globals(data, ops)[0]
        if ops.exhausted:
            yield budget_warning(path.name, f"pickle opcodes listed up to {ops.limit:,}; "
                                            "imports after them not checked")
        yield Reference(raw=path.name, kind=Kind.MODEL, id=None, path=path.name, line=0,
                        evidence=f"{fmt} file {path.name}", confidence="low", loader="pickle", note=PICKLE_NOTE)
        bad = unsafe_globals(names)
        if bad:
            shown = ", ".join(bad[:5]) + (" ..." if len(bad) > 5 else "")
            yield ScanWarning(path=path.name, code="pickle",
                              message=f"pickle imports {shown}: loading this file would run that code "
                                      "(never load it with torch.load/pickle; it was not unpickled here)")
