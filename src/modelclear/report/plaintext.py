"""The text report of a check written as ``rich`` writes it to a file, without importing ``rich``'s console.

``modelclear check`` writes its text report (to a pipe or a file) through :class:`TextFormat
<modelclear.report.text.TextFormat>`. Importing ``rich.console`` and ``rich.text`` and rendering
through them was about a tenth of a check's CPU (issue 14), for lines that carry no colour once
written. The report's lines are built by the same code as the terminal report, with the stand-ins
below for ``rich``'s ``Text``, ``Rule`` and ``Tree``; :func:`render` then lays them out as ``rich``'s
console does at a given width with colours off: the same word wrapping (``rich``'s own line divider
and cell widths, so East Asian wide characters count double), the same rule and tree guides.

Anything the stand-ins do not reproduce (a tab, which ``rich`` expands to tab stops) makes
:func:`render` return ``None``, and the caller renders with ``rich`` instead; the two outputs are
compared over the bundled knowledge in ``tests/test_report_plaintext.py``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

#: What ``rich`` removes from any text it is given (bell, backspace, vertical tab, form feed, carriage return).
_STRIP = {7: None, 8: None, 11: None, 12: None, 13: None}
#: The guides of a tree level: space, continue, fork, end (``rich.tree.Tree.TREE_GUIDES[0]``).
_SPACE, _CONTINUE, _FORK, _END = "    ", "│   ", "├── ", "└── "


class Text:
    """The part of ``rich.text.Text`` a check report uses: its plain text (styles are not written)."""

    __slots__ = ("no_wrap", "plain")

    def __init__(self, text: str = "", style: str = "", *, no_wrap: bool | None = None,
                 overflow: str | None = None) -> None:
        """A line (or lines) of ``text``; ``style`` is the terminal's and is dropped here."""
        self.plain = text.translate(_STRIP)
        self.no_wrap = no_wrap

    @classmethod
    def assemble(cls, *parts: str | Text | tuple[str, str]) -> Text:
        """The parts one after another (a part is a text, a ``Text`` or a ``(text, style)`` pair)."""
        out = cls()
        out.plain = "".join(p.translate(_STRIP) if isinstance(p, str) else
                            p.plain if isinstance(p, Text) else p[0].translate(_STRIP) for p in parts)
        return out

    def join(self, lines: Iterable[Text]) -> Text:
        """``lines`` with this text between each two."""
        out = Text()
        out.plain = self.plain.join(line.plain for line in lines)
        return out


class Rule:
    """A horizontal rule with a title in its middle (``rich.rule.Rule`` with a ``Text`` title)."""

    __slots__ = ("title",)

    def __init__(self, title: Text) -> None:
        """A rule titled ``title``."""
        self.title = title


class Tree:
    """A tree of one-line labels (``rich.tree.Tree``, guides in the default style)."""

    __slots__ = ("children", "label")

    def __init__(self, label: Text) -> None:
        """A tree (or subtree) whose root is ``label``."""
        self.label = label
        self.children: list[Tree] = []

    def add(self, label: Text) -> Tree:
        """A new child of this node, returned."""
        child = Tree(label)
        self.children.append(child)
        return child


def render(items: Sequence[Any], width: int, soft_wrap: bool) -> str | None:
    """The text ``rich`` writes for ``items`` printed one by one (consecutive plain lines in one call, as
    :func:`modelclear.report.text.print_report` does) on a colourless console ``width`` cells wide.

    ``soft_wrap``: lines run on instead of being wrapped (the Japanese report). ``None`` when an item
    holds what only ``rich`` lays out the same (a tab), or ``rich``'s layout helpers are not there.
    """
    try:
        from rich._wrap import divide_line
        from rich.cells import cell_len, set_cell_size
    except ImportError:  # pragma: no cover - another rich: let it render
        return None
    layout = _Layout(width, soft_wrap, divide_line, cell_len, set_cell_size)
    out: list[str] = []
    for item in items:
        if isinstance(item, Rule):
            lines = layout.rule(item.title.plain)
        elif isinstance(item, Tree):
            lines = layout.tree(item)
        elif isinstance(item, Text):
            lines = layout.text(item.plain, width, item.no_wrap or soft_wrap)
        else:  # pragma: no cover - a renderable the report does not build
            return None
        if lines is None:
            return None
        out += lines
    return "".join(line + "\n" for line in out)


class _Layout:
    """Wrapping, rules and trees as ``rich`` 13-15 lay them out (colours off, not a terminal)."""

    def __init__(self, width: int, soft_wrap: bool, divide_line: Any, cell_len: Any, set_cell_size: Any) -> None:
        self.width, self.soft_wrap = width, soft_wrap
        self.divide_line, self.cell_len, self.set_cell_size = divide_line, cell_len, set_cell_size

    def text(self, plain: str, width: int, soft_wrap: bool | None = None) -> list[str] | None:
        """The lines of ``plain`` at ``width`` (``Text.wrap``: fold long words, strip the excess space)."""
        if "\t" in plain:
            return None
        if self.soft_wrap if soft_wrap is None else soft_wrap:
            return plain.split("\n")
        out = []
        for line in plain.split("\n"):
            offsets = self.divide_line(line, width, fold=True)
            bounds = [0, *offsets, len(line)]
            for start, end in itertools.pairwise(bounds):
                piece = line[start:end]
                if len(piece) > width:  # Text.rstrip_end: trailing space beyond the width (in characters)
                    space = len(piece) - len(piece.rstrip())
                    if space:
                        piece = piece[:len(piece) - min(space, len(piece) - width)]
                if self.cell_len(piece) > width:  # Text.truncate, overflow "fold"
                    piece = self.set_cell_size(piece, width)
                out.append(piece)
        return out

    def rule(self, title: str) -> list[str] | None:
        """``Rule(title)``: the title centred between lines of ``─``, one space either side."""
        if "\t" in title:
            return None
        width, cell_len, set_cell_size = self.width, self.cell_len, self.set_cell_size
        title = title.replace("\n", " ")
        if not title or width - 4 <= 0:
            return None
        if cell_len(title) > width - 4:  # Text.truncate, overflow "ellipsis"
            title = set_cell_size(title, width - 5) + "…"
        side = (width - cell_len(title)) // 2
        left = "─" * (side + 1)
        if cell_len(left) > side - 1:
            left = set_cell_size(left, side - 1)
        right = "─" * (side + 1)
        right_length = width - cell_len(left) - cell_len(title)
        if cell_len(right) > right_length:
            right = set_cell_size(right, right_length)
        return self.text(set_cell_size(f"{left} {title} {right}", width), width)

    def tree(self, root: Tree) -> list[str] | None:
        """``Tree``: each label wrapped to the width its guides leave, guides before each line."""
        out: list[str] = []
        # (node, the guides of its ancestors' levels, whether it is its parent's last child)
        stack: list[tuple[Tree, tuple[str, ...], bool]] = [(root, (), True)]
        while stack:
            node, guides, last = stack.pop()
            label_width = self.width - 4 * len(guides)
            if label_width < 8:  # deeper than the report's lineage bound lets a tree go: rich lays it out
                return None
            lines = self.text(node.label.plain, label_width)
            if lines is None:
                return None
            for i, line in enumerate(lines):
                if self.soft_wrap and self.cell_len(line) > label_width:  # render_lines crops each line
                    line = self.set_cell_size(line, label_width)
                prefix = guides
                if guides and i:  # the label's further lines continue under its own guide
                    prefix = (*guides[:-1], _SPACE if last else _CONTINUE)
                out.append("".join(prefix) + line)
            if node.children:
                above = (*guides[:-1], _SPACE if last else _CONTINUE) if guides else ()
                count = len(node.children)
                for i in range(count - 1, -1, -1):
                    is_last = i == count - 1
                    stack.append((node.children[i], (*above, _END if is_last else _FORK), is_last))
        return out
