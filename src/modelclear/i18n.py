"""Rendering translatable :class:`~modelclear.model.Message` values in English or Japanese."""

from __future__ import annotations

import string
from collections.abc import Mapping

from modelclear.knowledge.vocab import LANGUAGES
from modelclear.model import LocalText, Message

__all__ = ["LANGUAGES", "Translator"]


class _Params(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Translator:
    """Renders messages with the catalogues loaded from ``data/i18n``."""

    def __init__(self, catalogues: Mapping[str, Mapping[str, str]], lang: str = "en") -> None:
        """Use ``catalogues[lang]``, falling back to English for a missing key."""
        if lang not in LANGUAGES:
            raise ValueError(f"unsupported language {lang!r}; choose one of {', '.join(LANGUAGES)}")
        self.lang = lang
        self._own = catalogues.get(lang, {})
        self._en = catalogues.get("en", {})

    def text(self, value: LocalText | str) -> str:
        """A parameter or data text in the chosen language."""
        return value.get(self.lang) if isinstance(value, LocalText) else str(value)

    def __call__(self, key: str, **params: LocalText | str) -> str:
        """The template ``key`` filled with ``params``."""
        template = self._own.get(key) or self._en.get(key) or key
        values = _Params({k: self.text(v) for k, v in params.items()})
        return string.Formatter().vformat(template, (), values)

    def render(self, message: Message) -> str:
        """A message in the chosen language."""
        params = {k: v for k, v in message.params.items() if k != "severity"}
        return self(message.key, **params)
