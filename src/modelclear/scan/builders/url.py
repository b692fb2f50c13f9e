"""A download address: ``url:``, or the id the shared weight-host table gives it."""

from __future__ import annotations

import re

from modelclear.model import Kind
from modelclear.scan.builders.base import (
    URL_RE,
    Builder,
    Hit,
    Site,
    local_hit,
    main_arg,
    string_values,
    url_hit,
)
from modelclear.scan.pyvalues import Res

#: A single picture, sound or video file: a sample input fetched for a demo, not a model or a dataset.
_SAMPLE_MEDIA = re.compile(r"\.(?:jpe?g|png|gif|bmp|webp|svg|tiff?|mp3|wav|flac|ogg|mp4|avi|mov|webm)$", re.IGNORECASE)


def build_url(site: Site) -> list[Hit]:
    """A download address (``url:``, or the id the shared weight-host table gives it)."""
    res = main_arg(site)
    if not isinstance(res, Res):
        return [site.unresolved(None)] if res is None else []

    def one(value: str) -> list[Hit]:
        text = value.strip()
        if URL_RE.match(text):
            if _SAMPLE_MEDIA.search(text.split("?", 1)[0].split("#", 1)[0]):
                return []
            return [url_hit(text, site.spec.kind)]
        if site.options.get("remote_only"):  # a loader mostly given the user's own local exports
            return []
        return [local_hit(text, site.spec.kind)]

    return site.each(res, one)


#: The file formats a generic HTTP fetch of a model or dataset has: weights, archives, data files.
_ARTIFACT_FILE = re.compile(
    r"\.(?:pth|pt|ckpt|safetensors|bin|onnx|h5|hdf5|keras|pb|tfmodel|tflite|pkl|pickle|gguf|npz|npy|pth\.tar|"
    r"zip|tar|tgz|tar\.gz|tar\.bz2|tar\.xz|gz|bz2|xz|7z|jsonl|jsonl\.gz|json\.gz|csv|csv\.gz|tsv|tsv\.gz|parquet|"
    r"arrow|h5ad|mat|tfrecord)$", re.IGNORECASE)
_WEIGHT_FILE = re.compile(r"\.(?:pth|pt|ckpt|safetensors|bin|onnx|h5|hdf5|keras|pb|tfmodel|tflite|gguf|pth\.tar)$",
                          re.IGNORECASE)


def build_download(site: Site) -> list[Hit]:
    """A generic HTTP fetch (``requests.get``, ``urlretrieve``, ``wget.download`` ...) of a model or data file.

    Such calls fetch anything (API endpoints, pages, pictures), so only an address whose path names a
    weight, archive or data file counts; any other value, or one not known statically, is no reference
    (and no dynamic load). A weight format is a model, other files a dataset, unless the weight-host table
    knows the address.
    """
    res = main_arg(site)
    if not isinstance(res, Res):
        return []

    def one(value: str) -> list[Hit]:
        text = value.strip()
        if not URL_RE.match(text):
            return []
        path = text.split("?", 1)[0].split("#", 1)[0]
        if not _ARTIFACT_FILE.search(path):
            return []
        return [url_hit(text, Kind.MODEL if _WEIGHT_FILE.search(path) else Kind.DATASET)]

    hits: list[Hit] = []
    for value in string_values(res):
        hits.extend(one(value))
    return hits


#: The id builders of this module, by the name a loader entry gives in ``id:``.
BUILDERS: dict[str, Builder] = {
    "url": build_url,
    "download": build_download,
}
