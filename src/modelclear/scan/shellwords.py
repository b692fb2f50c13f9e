"""Shell text as words: the lexer behind :mod:`modelclear.scan.shell`.

A script's numbered physical lines are joined into logical lines at line continuations (``\\``);
a logical line is split into simple commands at ``;`` ``&&`` ``||`` ``|`` ``&`` ``(`` ``)``, each a list
of :class:`Word` s made of :class:`Piece` s: literal text (single quotes, escapes), variable expansions
(``$X``, ``${X}``, ``${X:-default}``, ``${X[@]}``; double quotes expand) and command substitutions
(unknown without running them). Comments end a line; redirection targets are dropped; a here-document
operator names the delimiter whose line ends the data that follows. Every token spends one step of
the caller's :class:`~modelclear.scan.budget.Meter`. The regular expressions match in linear time on
any input (unterminated quotes run to the end of the line).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from modelclear.scan.budget import Meter

__all__ = ["ASSIGN", "Logical", "Piece", "Word", "logical_lines", "split_commands"]

_TOKEN = re.compile(r"""
  (?P<sp>[ \t\r\n]+)
| (?P<sq>'[^']*'?)
| (?P<ansi>\$'(?:[^'\\]|\\.)*'?)
| (?P<dq>"(?:[^"\\]|\\.)*"?)
| (?P<sub>\$\((?:[^()]|\([^()]*\))*\)?|`[^`]*`?)
| (?P<var>\$\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}?|\$[A-Za-z_][A-Za-z0-9_]*|\$[0-9@*#?$!-]?)
| (?P<esc>\\.?)
| (?P<op>&&|\|\||;;|<<<|<<-?|[;&|()]|[0-9]*[<>]+&?[0-9]*)
| (?P<lit>[^\s'"\\;&|()<>`$]+)
""", re.X | re.S)
_DQ_PIECE = re.compile(r"""
  (?P<sub>\$\((?:[^()]|\([^()]*\))*\)?|`[^`]*`?)
| (?P<var>\$\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}?|\$[A-Za-z_][A-Za-z0-9_]*|\$[0-9@*#?$!-])
| (?P<esc>\\[\\"$`\n])
| (?P<lit>[^$\\`]+|[$\\`])
""", re.X | re.S)
_BRACED = re.compile(r"^([A-Za-z_]\w*|[0-9]+|[@*])(\[[@*]\]|\[[0-9]+\])?(?:(:?[-=?])(.*))?$", re.S)
ASSIGN = re.compile(r"^([A-Za-z_]\w*)(\+?=)(.*)$", re.S)
_HEREDOC_DELIM = re.compile(r"""^-?\s*['"]?([\w.\-]+)['"]?""")

@dataclass(frozen=True)
class Piece:
    """Part of a word: literal text, a variable (``op``/``default`` of ``${X:-d}``), or a command
    substitution (``dyn``: unknown without running it)."""

    kind: str  # lit | var | dyn
    text: str
    op: str = ""
    default: tuple[Piece, ...] = ()
    array: bool = False


@dataclass(frozen=True)
class Word:
    """One shell word, its pieces and where it starts (output line)."""

    pieces: tuple[Piece, ...]
    line: int
    raw: str

    def literal(self) -> str | None:
        """The word's text when it holds no expansion."""
        if all(p.kind == "lit" for p in self.pieces):
            return "".join(p.text for p in self.pieces)
        return None


def _var_piece(token: str) -> Piece:
    if not token.startswith("${"):
        return Piece("var", token[1:]) if len(token) > 1 else Piece("lit", "$")
    inner = token[2:-1] if token.endswith("}") else token[2:]
    m = _BRACED.match(inner)
    if m is None:
        return Piece("dyn", token)
    name, index, op, default = m.group(1), m.group(2) or "", m.group(3) or "", m.group(4) or ""
    if index and index[1] not in "@*":
        return Piece("dyn", token)
    return Piece("var", name, op=op, default=_dq_pieces(_unquote(default)) if op and op != ":?" and op != "?"
                 else (), array=bool(index))


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _dq_pieces(text: str) -> tuple[Piece, ...]:
    pieces: list[Piece] = []
    for m in _DQ_PIECE.finditer(text):
        kind = m.lastgroup
        token = m.group()
        if kind == "sub":
            pieces.append(Piece("dyn", token))
        elif kind == "var":
            pieces.append(_var_piece(token))
        elif kind == "esc":
            pieces.append(Piece("lit", token[1:]))
        else:
            pieces.append(Piece("lit", token))
    return tuple(pieces)


def _token_pieces(kind: str, token: str) -> tuple[Piece, ...]:
    if kind == "sq":
        return (Piece("lit", token[1:-1] if len(token) > 1 and token.endswith("'") else token[1:]),)
    if kind == "ansi":
        return (Piece("lit", token[2:-1]),)
    if kind == "dq":
        return _dq_pieces(token[1:-1] if len(token) > 1 and token.endswith('"') else token[1:])
    if kind == "sub":
        return (Piece("dyn", token),)
    if kind == "var":
        return (_var_piece(token),)
    if kind == "esc":
        return (Piece("lit", token[1:]),) if token[1:] != "\n" else ()
    return (Piece("lit", token),)

@dataclass(frozen=True)
class Logical:
    text: str
    starts: tuple[int, ...]  # offset in text where each physical line starts
    lines: tuple[int, ...]   # output line number of each physical line

    def line_at(self, offset: int) -> int:
        return self.lines[max(0, bisect.bisect_right(self.starts, offset) - 1)]


def logical_lines(lines: Sequence[tuple[int, str]]) -> Iterable[Logical]:
    """Physical lines joined where one ends in a backslash. As in the shell, the backslash and the line end
    go away, inside double quotes too (``bash -c "cmd \\`` + ``--flag x"`` is one command): each joint is one
    blank, so offsets still map to physical lines. A line that is a comment never continues: its backslash is
    part of the comment."""
    parts: list[str] = []
    starts: list[int] = []
    numbers: list[int] = []
    size = 0
    for number, text in lines:
        stripped = text.rstrip("\r")
        # a comment line runs to its end, backslash included (``# python train.py \\`` continues nothing)
        comment = not parts and stripped.lstrip().startswith("#")
        continued = not comment and (len(stripped) - len(stripped.rstrip("\\"))) % 2 == 1
        starts.append(size)
        numbers.append(number)
        piece = stripped[:-1] if continued else stripped
        parts.append(piece)
        size += len(piece) + 1
        if continued:
            continue
        yield Logical(" ".join(parts), tuple(starts), tuple(numbers))
        parts, starts, numbers, size = [], [], [], 0
    if parts:
        yield Logical(" ".join(parts), tuple(starts), tuple(numbers))


def split_commands(logical: Logical, meter: Meter) -> tuple[list[tuple[list[Word], str]], str | None]:
    """The simple commands of one logical line, each with the operator that ends it, and the delimiter of
    a here-document the line opens (None when it opens none)."""
    commands: list[tuple[list[Word], str]] = []
    heredoc: str | None = None
    words: list[Word] = []
    pieces: list[Piece] = []
    raw_start = -1
    word_line = 0
    drop_next = False  # the next word is a redirection target

    def end_word(end: int) -> None:
        nonlocal pieces, raw_start, drop_next
        if raw_start >= 0:
            if drop_next:
                drop_next = False
            else:
                words.append(Word(tuple(pieces), word_line, logical.text[raw_start:end]))
        pieces, raw_start = [], -1

    for m in _TOKEN.finditer(logical.text):
        if not meter.spend():
            break
        kind = m.lastgroup or "lit"
        token = m.group()
        if kind == "sp":
            end_word(m.start())
            continue
        if kind == "op":
            end_word(m.start())
            if token.startswith("<<") and token != "<<<":
                delim = _HEREDOC_DELIM.match(logical.text[m.end():])
                if delim:
                    heredoc = delim.group(1)
                drop_next = True
            elif token[0] in "<>0123456789":  # a redirection: its target is no argument (``2>&1`` has none)
                drop_next = re.search(r"&[0-9]*$", token) is None
            else:
                commands.append((words, token))
                words = []
            continue
        if kind == "lit" and raw_start < 0 and token.startswith("#"):
            break  # a comment runs to the end of the line
        if raw_start < 0:
            raw_start = m.start()
            word_line = logical.line_at(m.start())
        pieces.extend(_token_pieces(kind, token))
    end_word(len(logical.text))
    commands.append((words, ""))
    return [(w, op) for w, op in commands if w], heredoc
