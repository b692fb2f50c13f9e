"""Local Hugging Face model folders: README.md, ``config.json`` and ``adapter_config.json``.

Part of :mod:`modelclear.catalog.hf`, which re-exports these names.
"""

from __future__ import annotations

import json
import os
import stat as _stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modelclear.catalog.hfcard import MAX_CARD_BYTES, CardData, _as_str, _read_text, read_card_file


@dataclass(frozen=True)
class LocalModel:
    """A model folder on disk: its card and the upstream names its config files record."""

    path: Path
    card: CardData
    config: Mapping[str, Any] = field(default_factory=dict)
    name_or_path: str | None = None
    adapter_base_model: str | None = None
    peft_type: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def base_models(self) -> tuple[str, ...]:
        """Upstream model names: the card's ``base_model``, then the adapter's base, without repeats."""
        names = list(self.card.base_models)
        if self.adapter_base_model and self.adapter_base_model not in names:
            names.append(self.adapter_base_model)
        return tuple(names)



def _read_json(path: Path, warnings: list[str], st: os.stat_result | None = None) -> dict[str, Any]:
    try:
        size = (st or path.stat()).st_size
        if size > MAX_CARD_BYTES:
            warnings.append(f"{path.name} larger than {MAX_CARD_BYTES} bytes; not read")
            return {}
        data = json.loads(_read_text(path))
    except OSError as exc:
        warnings.append(f"cannot read {path.name}: {exc.strerror or type(exc).__name__}")
        return {}
    except (ValueError, RecursionError):
        warnings.append(f"{path.name} is not valid JSON")
        return {}
    if not isinstance(data, dict):
        warnings.append(f"{path.name} is not a JSON object")
        return {}
    return data


def _regular_file(path: Path) -> os.stat_result | None:
    """The stat of ``path`` (links followed) when it is a regular file, else ``None``."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st if _stat.S_ISREG(st.st_mode) else None


def _read_local(folder: Path) -> tuple[LocalModel, list[float]]:
    """:func:`read_model_dir`, and the modification times of its README.md and config.json."""
    warnings: list[str] = []
    readme, config_path, adapter_path = folder / "README.md", folder / "config.json", folder / "adapter_config.json"
    readme_st = _regular_file(readme)
    card = read_card_file(readme) if readme_st else CardData(warnings=("no README.md",))
    config_st = _regular_file(config_path)
    config = _read_json(config_path, warnings, config_st) if config_st else {}
    adapter_st = _regular_file(adapter_path)
    adapter = _read_json(adapter_path, warnings, adapter_st) if adapter_st else {}
    local = LocalModel(
        path=folder,
        card=card,
        config=config,
        name_or_path=_as_str(config.get("_name_or_path")),
        adapter_base_model=_as_str(adapter.get("base_model_name_or_path")),
        peft_type=_as_str(adapter.get("peft_type")),
        warnings=tuple(warnings),
    )
    return local, [st.st_mtime for st in (readme_st, config_st) if st is not None]


def read_model_dir(path: str | os.PathLike[str]) -> LocalModel:
    """Read a local model folder: README front matter, ``config.json`` and ``adapter_config.json``.

    ``config.json``'s ``_name_or_path`` and ``adapter_config.json``'s ``base_model_name_or_path``
    name the model it was made from. Missing files (or names that are not regular files) are not
    an error; unreadable ones give warnings.
    """
    return _read_local(Path(path))[0]

