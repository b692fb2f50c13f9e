"""Whether a ``check`` argument names your own model on disk: the test and the names it needs, without the reader.

:mod:`modelclear.catalog.localmodel` reads local models (and imports ``yaml`` and the card reader to do
it); the check service asks only whether an id is a path before it parses the id, so that question
lives here, where answering it imports nothing heavy. The localmodel package takes these names from here.
"""

from __future__ import annotations

import os

from modelclear import ids

#: The id scheme of local artifacts.
SCHEME = "local"
#: Weight files a local artifact may be (read by their headers).
WEIGHT_SUFFIXES = (".safetensors", ".gguf", ".onnx")
#: A YAML file given to ``check`` is a mergekit configuration.
YAML_SUFFIXES = (".yml", ".yaml")


def looks_local(raw: str) -> bool:
    """Whether ``raw`` is written as a path (``./``, ``../``, ``/``, ``~``, ``.``, ``..`` or a backslash)."""
    return raw.startswith(("./", "../", "/", "~", ".\\", "..\\")) or raw in (".", "..") or "\\" in raw


def looks_like_path(text: str) -> bool:
    """Whether ``check``'s argument names a file or folder on disk rather than an id.

    A text starting with ``./``, ``../``, ``/`` or ``~`` (or ``.``) is a path; so is an existing file or
    folder whose name is not also a well-formed id (``org/name`` stays a Hub id unless written ``./org/name``).
    """
    if not text:
        return False
    if looks_local(text):
        return True
    if text.startswith(SCHEME + ":"):
        return False
    return (os.path.exists(text) and ids.try_parse(text) is None) or (
        os.path.isfile(text) and text.lower().endswith((*WEIGHT_SUFFIXES, *YAML_SUFFIXES)))
