"""The text report of a check laid out without rich's console is what rich's console writes (issue 14).

:class:`modelclear.report.text.TextFormat` renders a check through :mod:`modelclear.report.plaintext`,
whose stand-ins and layout must give, byte for byte, what ``rich`` writes to a file at the same width
with colours off. Compared here on real reports (models with lineage trees, datasets, unknown ids, in
English and Japanese) and on texts chosen for the edges of wrapping: wide characters, words longer than
a line, spaces at the width, control characters, long rule titles, deep and multi-line tree labels.
"""

from __future__ import annotations

import io
import random
from typing import Any

import pytest
from rich.console import Console
from rich.rule import Rule
from rich.text import Text
from rich.tree import Tree

from modelclear.report import plaintext
from modelclear.report.text import WIDTH, TextFormat, print_report
from modelclear.service import Question, Service


def rich_output(items: list[Any], width: int, soft_wrap: bool) -> str:
    """What rich writes for ``items``, printed as ``print_report`` prints them."""
    buf = io.StringIO()
    console = Console(file=buf, width=width, no_color=True, highlight=False)
    run: list[Any] = []
    for item in [*items, None]:
        if isinstance(item, Text):
            run.append(item)
            continue
        if run:
            console.print(Text("\n").join(run), soft_wrap=soft_wrap)
            run.clear()
        if item is not None:
            console.print(item, soft_wrap=soft_wrap)
    return buf.getvalue()


@pytest.fixture(scope="module")
def service() -> Service:
    return Service.open()


IDS = ["hf:google-bert/bert-base-uncased", "dataset:imagenet-1k", "hf:meta-llama/Llama-2-7b-hf",
       "torchvision:ResNet50_Weights.IMAGENET1K_V2", "hf:nobody/no-such-model", "dataset:mnist",
       "url:https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_check_reports_are_what_rich_writes(service: Service, lang: str) -> None:
    ids = [*IDS, *sorted(service.kb.artifact_ids())[::400]]
    with_tree = 0
    for i, aid in enumerate(ids):
        report = service.check(Question(id=aid, jurisdictions=("JP", "EU", "US") if i % 2 else ("JP",),
                                        activity=("deploy", "train", "distribute")[i % 3], lang=lang))
        with_tree += any(a.lineage is not None and a.lineage.children for a in report.assessments)
        buf = io.StringIO()
        print_report(Console(file=buf, width=WIDTH, no_color=True, highlight=False), report)
        assert TextFormat().render(report) == buf.getvalue(), aid
    assert with_tree  # the lineage tree was laid out too


WORDS = ["a", "bc", "word", "x" * 30, "y" * 130, "日本語", "ガイドライン", "—", "·", "•", " ", "  ", "\n", "\x07",
         "\r", "é", "─", "◀", "https://example.org/" + "p" * 120, "[V]", "→", "[bold]not markup[/]"]


def _words(rng: random.Random, most: int) -> str:
    return "".join(rng.choice(WORDS) + rng.choice(["", " ", " "]) for _ in range(rng.randint(0, most)))


def test_wrapping_rules_and_trees_are_what_rich_writes() -> None:
    rng = random.Random(14)
    compared = 0
    for _ in range(400):
        soft_wrap = rng.random() < 0.5
        width = rng.choice([WIDTH, 60, 40])
        ours: list[Any] = []
        theirs: list[Any] = []
        for _ in range(rng.randint(1, 4)):
            kind = rng.random()
            if kind < 0.6:
                s = _words(rng, 40)
                ours.append(plaintext.Text(s))
                theirs.append(Text(s))
            elif kind < 0.8:
                s = _words(rng, 25).replace("\n", " ").strip() or "title"
                ours.append(plaintext.Rule(plaintext.Text(s)))
                theirs.append(Rule(Text(s)))
            else:
                label = _words(rng, 12).replace("\n", " ") or "node"
                nodes = [(plaintext.Tree(plaintext.Text(label)), Tree(Text(label)))]
                for _ in range(rng.randint(0, 10)):
                    mine, rich_node = rng.choice(nodes)
                    label = _words(rng, 12).replace("\n", " ") or "node"
                    nodes.append((mine.add(plaintext.Text(label)), rich_node.add(Text(label))))
                ours.append(nodes[0][0])
                theirs.append(nodes[0][1])
        got = plaintext.render(ours, width, soft_wrap)
        if got is None:  # a tree deeper than the width allows: rich lays it out
            continue
        compared += 1
        assert got == rich_output(theirs, width, soft_wrap)
    assert compared > 350


def test_a_tab_is_left_to_rich() -> None:
    assert plaintext.render([plaintext.Text("a\tb")], WIDTH, False) is None
    assert plaintext.render([plaintext.Text("ab")], WIDTH, False) == "ab\n"
