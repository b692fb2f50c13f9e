"""Hugging Face Hub ids: ``hf:ORG/NAME`` / ``hf-dataset:ORG/NAME``, a URL, or a local folder.

``hf_one`` is shared with the builders whose values may be Hub ids (``pipeline``, ``keras_preset``).
"""

from __future__ import annotations

import re

from modelclear import ids
from modelclear.model import Kind
from modelclear.scan.builders.base import (
    URL_RE,
    Builder,
    Hit,
    Site,
    local_hit,
    looks_local,
    main_arg,
    normal_folder,
    string_values,
    url_hit,
)
from modelclear.scan.placeholders import placeholder_value
from modelclear.scan.pyloaders import items
from modelclear.scan.pyvalues import Res

#: An upper-case identifier with an underscore: no Hub model repo is named so without an organisation.
_CONSTANT_NAME = re.compile(r"[A-Z][A-Z0-9]*_[A-Z0-9_]+")


def hf_one(site: Site, value: str, scheme: str, kind: Kind) -> list[Hit]:
    text = value.strip()
    if not text or "{" in text:
        return [Hit(None, value, kind, note="not a Hub id")]
    if URL_RE.match(text):
        return [url_hit(text, kind)]
    placeholder = placeholder_value(site, text, scheme, kind)  # "<user>/<model>": not a local folder either
    if placeholder is not None:
        return [placeholder]
    if looks_local(value, site.scan.root):
        return [local_hit(text, kind)]
    folder = normal_folder(text)
    # output_dir="x-ft" ... from_pretrained("x-ft"); with a namespace ("user/x-ft") it is the repo pushed to the Hub
    if "/" not in folder and folder in site.scan.saved_folders():
        return [local_hit(text, kind, "local path (a folder this file saves to)")]
    if scheme == "hf" and _CONSTANT_NAME.fullmatch(text):  # WAV2VEC2_ASR_BASE_960H: another library's bundle name
        return [Hit(None, value, kind, note="not a Hub id (a constant's name)")]
    prefix = site.options.get("bare_prefix")
    if prefix and "/" not in text:
        listed = site.scan.table.table(site.spec.library).get(str(site.options.get("unprefixed_list")), ())
        if text.lower() not in {str(x).lower() for x in items(listed)}:
            text = f"{prefix}/{text}"
    ref = ids.try_parse(f"{scheme}:{text}")
    if ref is None:
        return [Hit(None, value, kind, note="not a Hub id")]
    return [Hit(ref.id, value, kind)]


def _base_note(site: Site) -> str:
    node = site.arg_node(site.options.get("base_arg"))  # type: ignore[arg-type]
    if node is None:
        return ""
    described = site.scan.describe_object(node, site.scope)
    return f"adapter on base model {described}"


def build_hf(site: Site) -> list[Hit]:
    """Hub repo ids (``hf:`` / ``hf-dataset:``), URLs, or local folders."""
    scheme, kind = "hf", site.spec.kind
    repo_type = site.value(site.options.get("repo_type_arg"))  # type: ignore[arg-type]
    if repo_type is not None:
        types = string_values(repo_type)
        if "space" in types and len(types) == 1:
            return []
        if "dataset" in types and len(types) == 1:
            scheme, kind = "hf-dataset", Kind.DATASET
    res = main_arg(site)
    if res == "skip":
        return []
    if res is None:
        return [site.unresolved(None, what="no model argument")]
    assert isinstance(res, Res)
    hits = site.each(res, lambda v: hf_one(site, v, scheme, kind))
    notes = [str(site.options.get("note") or ""), _base_note(site)]
    note = "; ".join(n for n in notes if n)
    if note:
        hits = [Hit(h.id, h.raw, h.kind, "; ".join(x for x in (h.note, note) if x), h.confidence) for h in hits]
    return hits


#: The id builders of this module, by the name a loader entry gives in ``id:``.
BUILDERS: dict[str, Builder] = {
    "hf": build_hf,
}
