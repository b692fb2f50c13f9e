"""Your own models on disk as artifact records (issue 12): fine-tunes, adapters, merges, quantisations.

A local artifact is a model folder or a single model file under a root (the scanned tree, or the
folder ``check`` was given). It gets the id ``local:<path relative to the root>`` (the ``local``
scheme of ``data/loaders/local_models.yaml``) and a record built from its own files, read as data:

* a model folder's ``README.md`` card (YAML front matter: ``license``, ``base_model``,
  ``base_model_relation``, ``datasets``), its ``config.json`` (``_name_or_path``; a
  ``quantization_config`` makes it a quantisation, AWQ/GPTQ/bitsandbytes…), its
  ``adapter_config.json`` (a PEFT adapter: ``base_model_name_or_path``, ``peft_type``), a mergekit
  config in it (``mergekit_config.yml``) and the headers of the weight files in it;
* a kohya/diffusers LoRA ``.safetensors`` (its ``__metadata__``: ``ss_base_model_version``,
  ``ss_sd_model_name``, ``modelspec.*``, ``license``);
* a mergekit YAML (``models:``/``slices:``, ``base_model:``, ``merge_method``);
* a GGUF file (``general.base_model.*``, ``general.license``, ``general.name``), header only;
* an ONNX file (``metadata_props`` of the ModelProto, read by a bounded protobuf walk; metadata stored
  after more than :data:`HEAD_BYTES` of graph is not reached, and a warning says so). An export, like a
  GGUF conversion, is related to its base as ``quantized``: the same weights in another form.

Each record says what it declares (licence, with the file and key it comes from), its bases (resolved
to catalogued ids where possible: a Hub name or address becomes ``hf:``, a LoRA's base version is
looked up in the ``lora_base_models`` table, a local path inside the root becomes another
``local:`` artifact), how it derives from them (``finetune``, ``adapter``, ``merge``, ``quantized``),
and the datasets it was trained on. Nothing is imported or unpickled; every read is bounded in bytes
(:data:`FILE_BYTES`, :data:`HEAD_BYTES`) and entries (:data:`MAX_ENTRIES`); a link that leads out of
the root is not followed. Bad input gives warnings on the record, never an exception.


The package has one module per concern: :mod:`.records` (constants and record types), :mod:`.files`
(bounded reads and path containment), :mod:`.names` (resolving names to ids), :mod:`.draft` (building
a record), one reader per file format (:mod:`.card` for cards, configs and adapters, :mod:`.lora`,
:mod:`.merge`, :mod:`.gguf`, :mod:`.onnxmeta`), :mod:`.reader` (a folder or file), :mod:`.artifact`
(records as artifacts, :class:`LocalSource`), :mod:`.attach` (scans) and :mod:`.scripts` (training scripts).
"""

from __future__ import annotations

from modelclear.catalog.localmodel.artifact import LocalSource, is_local_id, looks_like_path, to_artifact
from modelclear.catalog.localmodel.attach import attach_local
from modelclear.catalog.localmodel.merge import _is_merge_config as _is_merge_config
from modelclear.catalog.localmodel.names import _looks_local as _looks_local
from modelclear.catalog.localmodel.names import resolve_name
from modelclear.catalog.localmodel.reader import read_local
from modelclear.catalog.localmodel.records import (
    FILE_BYTES,
    HEAD_BYTES,
    MAX_ENTRIES,
    MAX_LINKS,
    MAX_WEIGHT_FILES,
    SCHEME,
    WEIGHT_SUFFIXES,
    YAML_SUFFIXES,
    Evidence,
    Link,
    LocalRecord,
)
from modelclear.catalog.localmodel.scripts import MAX_SCRIPTS, link_training_scripts

__all__ = [
    "FILE_BYTES",
    "HEAD_BYTES",
    "MAX_ENTRIES",
    "MAX_LINKS",
    "MAX_SCRIPTS",
    "MAX_WEIGHT_FILES",
    "SCHEME",
    "WEIGHT_SUFFIXES",
    "YAML_SUFFIXES",
    "Evidence",
    "Link",
    "LocalRecord",
    "LocalSource",
    "attach_local",
    "is_local_id",
    "link_training_scripts",
    "looks_like_path",
    "read_local",
    "resolve_name",
    "to_artifact",
]
