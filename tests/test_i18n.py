"""Every message exists in English and Japanese, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from modelclear.api import load_knowledge
from modelclear.i18n import Translator
from modelclear.knowledge import vocab

SRC = Path(__file__).resolve().parents[1] / "src" / "modelclear"


def test_same_keys_and_placeholders() -> None:
    cat = load_knowledge().i18n
    assert set(cat["en"]) == set(cat["ja"])
    for key in cat["en"]:
        assert set(re.findall(r"\{(\w+)\}", cat["en"][key])) == set(re.findall(r"\{(\w+)\}", cat["ja"][key])), key
        words = re.sub(r"\{\w+\}", "", cat["ja"][key])
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", words) or not re.search(r"[a-z]{4}", words), key


def test_every_key_used_in_code_exists() -> None:
    cat = load_knowledge().i18n["en"]
    used = set()
    for path in SRC.rglob("*.py"):
        used |= set(re.findall(r'msg\(\s*"([a-z_.\-]+)"', path.read_text(encoding="utf-8")))
    missing = sorted(k for k in used if k not in cat)
    assert not missing, missing
    for how in vocab.ACCEPTANCE:
        assert f"contract.bound.{how}" in cat


def test_unknown_language_is_rejected() -> None:
    with pytest.raises(ValueError):
        Translator({}, "fr")
