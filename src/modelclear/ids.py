"""Canonical artifact ids, parsed from what users type or what code names.

A canonical id is ``SCHEME:NAME``. The schemes are listed in :data:`SCHEMES`. Parsing is purely
syntactic: whether the knowledge base knows the id is the catalog's question. A well-formed id that
nobody knows is an answer (``unknown``); only a malformed one raises :class:`IdError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from modelclear.model import ArtifactRef, Kind


class IdError(ValueError):
    """Raised for an id that cannot be parsed (a usage error, not an unknown artifact)."""


@dataclass(frozen=True)
class Scheme:
    """One id scheme: its kind, the pattern its name must match, and an example."""

    name: str
    kind: Kind
    pattern: str
    example: str
    case_sensitive: bool = True


_HF_NAME = r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?"

SCHEMES: dict[str, Scheme] = {
    s.name: s
    for s in (
        Scheme("hf", Kind.MODEL, _HF_NAME, "hf:google-bert/bert-base-uncased"),
        Scheme("torchvision", Kind.MODEL, r"[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)?",
               "torchvision:ResNet50_Weights.IMAGENET1K_V2"),
        Scheme("timm", Kind.MODEL, r"[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)?", "timm:resnet50.a1_in1k"),
        Scheme("keras", Kind.MODEL, r"[A-Za-z0-9_.]+", "keras:ResNet50"),
        Scheme("open_clip", Kind.MODEL, r"[A-Za-z0-9_.\-@]+/[A-Za-z0-9_.\-]+", "open_clip:ViT-B-32/laion2b_s34b_b79k"),
        Scheme("ultralytics", Kind.MODEL, r"[A-Za-z0-9_.\-]+", "ultralytics:yolov8n"),
        Scheme("torchhub", Kind.MODEL, r"[A-Za-z0-9_.\-]+/[A-Za-z0-9_.\-]+(:[A-Za-z0-9_.\-]+)?(:[A-Za-z0-9_.\-]+)?",
               "torchhub:facebookresearch/dinov2:dinov2_vits14"),
        Scheme("torchaudio", Kind.MODEL, r"[A-Za-z0-9_.]+", "torchaudio:WAV2VEC2_ASR_BASE_960H"),
        Scheme("whisper", Kind.MODEL, r"[A-Za-z0-9_.\-]+", "whisper:base"),
        Scheme("spacy", Kind.MODEL, r"[A-Za-z0-9_.\-]+", "spacy:en_core_web_sm"),
        Scheme("detectron2", Kind.MODEL, r"[A-Za-z0-9_./\-]+", "detectron2:COCO-Detection/faster_rcnn_R_50_FPN_3x"),
        Scheme("dataset", Kind.DATASET, r"[a-z0-9][a-z0-9._+\-]*", "dataset:imagenet-1k", case_sensitive=False),
        Scheme("hf-dataset", Kind.DATASET, _HF_NAME, "hf-dataset:ILSVRC/imagenet-1k"),
        Scheme("tfds", Kind.DATASET, r"[a-z0-9_]+(/[A-Za-z0-9_.\-]+)?(:[0-9.*]+)?", "tfds:mnist", case_sensitive=False),
        Scheme("torchvision-dataset", Kind.DATASET, r"[A-Za-z0-9_]+", "torchvision-dataset:CIFAR10"),
        Scheme("keras-dataset", Kind.DATASET, r"[a-z0-9_]+", "keras-dataset:mnist", case_sensitive=False),
        Scheme("pypi", Kind.PACKAGE, r"[A-Za-z0-9][A-Za-z0-9._\-]*", "pypi:ultralytics", case_sensitive=False),
        Scheme("url", Kind.MODEL, r"(https?|s3|gs|hf)://\S+", "url:https://download.pytorch.org/models/resnet50-11ad3fa6.pth"),
    )
}

_SCHEME_RE = re.compile(r"^([a-z][a-z0-9_\-]*):(?!//)(.*)$")


def _canonical_name(scheme: Scheme, name: str) -> str:
    name = name.strip()
    if scheme.name == "ultralytics":
        name = re.sub(r"\.(pt|yaml|onnx)$", "", name)
    if scheme.name == "pypi":
        name = re.sub(r"[-_.]+", "-", name)
    if not scheme.case_sensitive:
        name = name.lower()
    return name


def parse(raw: str) -> ArtifactRef:
    """Parse a typed id into an :class:`ArtifactRef` (syntax only; no knowledge lookup).

    ``ORG/NAME`` and bare legacy names such as ``bert-base-uncased`` are taken as ``hf:`` ids; an
    ``http(s)://`` address as ``url:``.

    Raises:
        IdError: the text is empty or not text at all, has a scheme we do not know, or a name that
            scheme rejects.
    """
    if raw is not None and not isinstance(raw, str):  # e.g. a number or a list read from a config file
        raise IdError(f"malformed id: expected text, got {type(raw).__name__}")
    text = (raw or "").strip()
    if not text:
        raise IdError("empty id")
    if len(text) > 2000 or any(c in text for c in "\n\r\t\0"):
        raise IdError(f"malformed id: {text[:60]!r}")
    if re.match(r"^(https?|s3|gs)://", text):
        text = "url:" + text
    match = _SCHEME_RE.match(text)
    if match is None:
        if re.fullmatch(_HF_NAME, text):
            text = "hf:" + text
            match = _SCHEME_RE.match(text)
        else:
            raise IdError(f"malformed id {raw!r}: expected SCHEME:NAME, e.g. {SCHEMES['hf'].example}")
    assert match is not None
    scheme_name, name = match.group(1), match.group(2)
    scheme = SCHEMES.get(scheme_name)
    if scheme is None:
        known = ", ".join(sorted(SCHEMES))
        raise IdError(f"unknown id scheme {scheme_name!r} in {raw!r}; known schemes: {known}")
    name = _canonical_name(scheme, name)
    if not re.fullmatch(scheme.pattern, name):
        raise IdError(f"malformed {scheme.name} id {raw!r}; example: {scheme.example}")
    return ArtifactRef(kind=scheme.kind, id=f"{scheme.name}:{name}", raw=raw, scheme=scheme.name)


def key(artifact_id: str) -> str:
    """The lookup key of an id: ids are matched case-insensitively."""
    return artifact_id.strip().lower()


def try_parse(raw: str) -> ArtifactRef | None:
    """Like :func:`parse`, but ``None`` for malformed text."""
    try:
        return parse(raw)
    except IdError:
        return None
