"""Hugging Face card front matter: :func:`parse_card` reads a card's YAML into a :class:`CardData`.

Nothing here raises on bad input: malformed YAML, YAML bombs and huge files give a :class:`CardData`
with ``warnings``. Part of :mod:`modelclear.catalog.hf`, which re-exports these names.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from modelclear import yamlsafe

#: At most this many bytes of a card (or a JSON config) are read; front matter sits at the top.
MAX_CARD_BYTES = 1_000_000
#: Front matter larger than this is not parsed (real cards carry a few kilobytes).
MAX_FRONT_MATTER_CHARS = 256_000
#: YAML anchors/aliases a card may use before it is treated as a bomb.
MAX_YAML_ALIASES = 16
#: Nesting depth of YAML collections before the card is refused.
MAX_YAML_DEPTH = 48
#: YAML nodes (scalars, aliases, collections) a card may have before it is refused.
MAX_YAML_EVENTS = 100_000

#: Values of ``base_model_relation`` that the Hub documents, mapped to our relation names.
_RELATIONS = {"finetune": "finetune", "adapter": "adapter", "merge": "merge", "quantized": "quantized",
              "distill": "distill"}


def _load_front_matter(raw: str) -> Any:
    """The front matter's YAML as Python values, read from parser events within the card budgets.

    libyaml's parser is used when available; a text it refuses is read again by the pure-Python
    parser, so that the error (and its message) is the one ``SafeLoader`` gives.
    """
    loaders: list[type] = [yamlsafe.FAST_LOADER]
    if yamlsafe.FAST_LOADER is not yaml.SafeLoader:
        loaders.append(yaml.SafeLoader)
    for loader in loaders:
        try:
            return yamlsafe.load_single(raw, max_events=MAX_YAML_EVENTS, max_depth=MAX_YAML_DEPTH,
                                        max_aliases=MAX_YAML_ALIASES, loader=loader)
        except yamlsafe.YamlSyntaxError as exc:
            if loader is loaders[-1]:
                raise exc.error from None
    return None  # not reached: the last loader returns or raises


@dataclass(frozen=True)
class CardData:
    """What a card's YAML front matter says, normalised; ``warnings`` lists what could not be read."""

    license: str | None = None
    license_name: str | None = None
    license_link: str | None = None
    base_models: tuple[str, ...] = ()
    base_model_relation: str | None = None
    datasets: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    pipeline_tag: str | None = None
    gated: bool = False
    language: tuple[str, ...] = ()
    library_name: str | None = None
    has_front_matter: bool = False
    warnings: tuple[str, ...] = ()

    @property
    def base_model(self) -> str | None:
        """The first base model, or ``None``."""
        return self.base_models[0] if self.base_models else None


# --------------------------------------------------------------------------------------------------
# Parsing


_FRONT_MATTER_RE = re.compile(r"\A\ufeff?\s*---[ \t]*\r?\n")
_FRONT_MATTER_END_RE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


def _split_front_matter(text: str) -> tuple[str | None, str]:
    """The YAML between the opening and closing ``---`` lines (``None`` without any), and a warning."""
    start = _FRONT_MATTER_RE.match(text)
    if start is None:
        return None, ""
    end = _FRONT_MATTER_END_RE.search(text, start.end())
    if end is None:
        return None, "card front matter is not closed by a '---' line"
    return text[start.end():end.start()], ""


def _as_str(value: object) -> str | None:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    return None


def _as_str_tuple(value: object, key: str, warnings: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        text = _as_str(item)
        if text is None:
            warnings.append(f"ignored a non-text entry in '{key}'")
        elif text not in out:
            out.append(text)
    return tuple(out)


def _is_gated(meta: Mapping[str, Any]) -> bool:
    gated = meta.get("gated")
    if isinstance(gated, str):
        return gated.strip().lower() not in ("", "false", "no", "off")
    if gated:
        return True
    return any(isinstance(k, str) and k.startswith("extra_gated_") for k in meta)


def parse_card(text: str) -> CardData:
    """Read a card's YAML front matter; never raises.

    Only the first :data:`MAX_CARD_BYTES` characters are looked at. The YAML is read from parser
    events without recursion (:mod:`modelclear.yamlsafe`, libyaml's parser when available) into the
    values ``SafeLoader`` would give. YAML that is malformed, larger than
    :data:`MAX_FRONT_MATTER_CHARS`, nested deeper than :data:`MAX_YAML_DEPTH`, longer than
    :data:`MAX_YAML_EVENTS` nodes or that uses more than :data:`MAX_YAML_ALIASES` anchors/aliases
    (aliases are never copied) yields an empty :class:`CardData` whose ``warnings`` say why.
    """
    warnings: list[str] = []
    if not isinstance(text, str):
        return CardData(warnings=("card is not text",))
    if len(text) > MAX_CARD_BYTES:
        text = text[:MAX_CARD_BYTES]
        warnings.append(f"card truncated to its first {MAX_CARD_BYTES} characters")
    raw, problem = _split_front_matter(text)
    if problem:
        return CardData(warnings=(*warnings, problem))
    if raw is None:
        return CardData(warnings=(*warnings, "card has no YAML front matter"))
    if len(raw) > MAX_FRONT_MATTER_CHARS:
        return CardData(has_front_matter=True,
                        warnings=(*warnings, f"card front matter larger than {MAX_FRONT_MATTER_CHARS} characters"))
    try:
        meta = _load_front_matter(raw)
    except yamlsafe.YamlRefused as exc:
        return CardData(has_front_matter=True, warnings=(*warnings, f"card YAML refused: {exc}"))
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return CardData(has_front_matter=True, warnings=(*warnings, f"card YAML is malformed: {first_line}"))
    if meta is None:
        return CardData(has_front_matter=True, warnings=(*warnings, "card front matter is empty"))
    if not isinstance(meta, dict):
        return CardData(has_front_matter=True, warnings=(*warnings, "card front matter is not a mapping"))

    licenses = _as_str_tuple(meta.get("license"), "license", warnings)
    license_id: str | None
    if len(licenses) > 1:
        license_id = " AND ".join(licenses)
        warnings.append("card lists several licences; all are taken to apply")
    else:
        license_id = licenses[0] if licenses else None
    relation = _as_str(meta.get("base_model_relation"))
    if relation is not None and relation.lower() not in _RELATIONS:
        warnings.append(f"unknown base_model_relation '{relation}'")
        relation = None
    return CardData(
        license=license_id,
        license_name=_as_str(meta.get("license_name")),
        license_link=_as_str(meta.get("license_link")),
        base_models=_as_str_tuple(meta.get("base_model"), "base_model", warnings),
        base_model_relation=_RELATIONS[relation.lower()] if relation else None,
        datasets=_as_str_tuple(meta.get("datasets"), "datasets", warnings),
        tags=_as_str_tuple(meta.get("tags"), "tags", warnings),
        pipeline_tag=_as_str(meta.get("pipeline_tag")),
        gated=_is_gated(meta),
        language=_as_str_tuple(meta.get("language"), "language", warnings),
        library_name=_as_str(meta.get("library_name")),
        has_front_matter=True,
        warnings=tuple(warnings),
    )


def _read_text(path: Path, limit: int = MAX_CARD_BYTES) -> str:
    with path.open("rb") as fh:
        data = fh.read(limit)
    return data.decode("utf-8", errors="replace")


def read_card_file(path: str | os.PathLike[str]) -> CardData:
    """Parse a README.md on disk, reading at most :data:`MAX_CARD_BYTES`; never raises."""
    try:
        return parse_card(_read_text(Path(path)))
    except OSError as exc:
        return CardData(warnings=(f"cannot read card: {exc.strerror or type(exc).__name__}",))

