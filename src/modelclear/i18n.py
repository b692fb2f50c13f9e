"""Rendering translatable :class:`~modelclear.model.Message` values in English or Japanese."""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Callable, Mapping

from modelclear.knowledge.vocab import LANGUAGES
from modelclear.model import LocalText, Message

__all__ = ["LANGUAGES", "Translator"]


#: Message parameters that name a clause or a provision: rendered with :meth:`Translator.label`.
_LABELS = frozenset({"clause", "citation"})


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
        # A licence clause's name (``clause``) and a provision (``citation``) go through the glossary too.
        values = _Params({k: self.label(self.text(v)) if k in _LABELS else self.text(v) for k, v in params.items()})
        return string.Formatter().vformat(template, (), values)

    def label(self, label: str, label_ja: str = "") -> str:
        """A citation label in the chosen language.

        In Japanese: ``label_ja`` when the knowledge base gives one, else ``label`` with the phrases of the
        catalogue's glossary (``label.*`` keys: the English phrase in ``en.yaml``, its Japanese in ``ja.yaml``)
        replaced, longest first and as whole words — clause names such as "preamble" or "Acceptable Use Policy".
        """
        if self.lang != "ja":
            return label
        if label_ja:
            return label_ja
        head, sep, tail = label.partition(" — ")  # a source's note after the dash is left as written
        return _glossary(tuple(sorted(self._en.items())), tuple(sorted(self._own.items())))(head) + sep + tail

    def render(self, message: Message) -> str:
        """A message in the chosen language."""
        params = {k: v for k, v in message.params.items() if k != "severity"}
        return self(message.key, **params)


@functools.lru_cache(maxsize=8)
def _glossary(en: tuple[tuple[str, str], ...], own: tuple[tuple[str, str], ...]) -> Callable[[str], str]:
    """A function replacing the glossary's English phrases (``label.*`` keys) with their translations."""
    theirs = dict(own)
    pairs = sorted(((text, theirs[key]) for key, text in en if key.startswith("label.") and theirs.get(key)),
                   key=lambda p: -len(p[0]))
    if not pairs:
        return lambda label: label
    table = dict(pairs)
    pattern = re.compile("|".join(rf"(?<![\w]){re.escape(e)}(?![\w])" for e, _ in pairs))
    return lambda label: pattern.sub(lambda m: table[m.group(0)], label)
