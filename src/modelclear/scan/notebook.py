"""Jupyter notebooks: the Python of their code cells, read like a ``.py`` file.

**Line numbers.** A notebook's code cells are joined, in order, into one Python source (markdown and
raw cells are left out); a reference's ``line`` is its line in that joined source, and its ``note``
says ``cell N, line M`` where ``N`` counts every cell of the notebook from 1 (as shown top to
bottom in Jupyter) and ``M`` is the line within that cell. Joining lets a constant defined in one
cell resolve a loader call in another.

IPython syntax is neutralised line by line, keeping line numbers: ``%magic`` and ``!shell`` lines
become ``pass`` (a ``!pip install`` of a watched package is still reported, as a ``pypi:``
reference), ``x = !cmd`` becomes ``x = None``, ``obj?`` help lines become ``pass``. A cell magic
other than ``%%time``/``%%timeit``/``%%capture``/``%%writefile *.py`` makes the cell non-Python; it
is skipped. If the joined source does not parse, cells are scanned one by one and each broken cell
gives a ``syntax-error`` warning. A notebook that is not valid JSON gives a ``malformed`` warning.
Notebooks of another kernel language (R, Julia...) are skipped.

**Work.** The whole notebook shares one work budget (:mod:`modelclear.scan.budget`: syntax-tree
nodes, resolution steps, loader calls), counted in work, never in time: a notebook of 50,000 cells is read to
the end, and one that exhausts a budget keeps the references of the cells read before, with a
``budget`` warning. JSON nested deeper than ``BUDGETS.nesting_depth`` is cut out before parsing (a
``budget`` warning, never a ``RecursionError``; the cells are still read); code cells longer together
than the Python source budget are scanned one by one.
"""

from __future__ import annotations

import ast
import bisect
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from modelclear.model import Kind, Reference
from modelclear.scan import shellcmds
from modelclear.scan.base import ScanContext, ScanWarning
from modelclear.scan.budget import BUDGETS, Meter, budget_warning, prune_json
from modelclear.scan.deps import normalize, packages, pip_install_names
from modelclear.scan.placeholders import review_references
from modelclear.scan.shell import STEPS_PER_FILE, project_values, python_command_refs, scan_shell
from modelclear.scan.urls import hosts, references, urls_in_python
from modelclear.scan.walk import decode_text

_PY_CELL_MAGICS = ("time", "timeit", "capture", "prun", "debug", "memit", "tensorflow_version")
_SHELL_CELL_MAGICS = ("bash", "sh", "shell", "script", "system")  # %%shell: Colab
# ``x = !cmd`` / ``a, b = %sx ls``: targets are words separated by blanks (no overlapping quantifiers,
# so a long line without ``=`` is rejected in linear time).
_ASSIGN_SHELL = re.compile(r"^(\s*)([A-Za-z_][\w.,]*(?:\s+[\w.,]+)*)\s*=\s*[!%]")
IGNORE_MARK = "modelclear: ignore"
#: ``NAME = "text"`` at the top level of a cell (the constants a ``!`` line may interpolate).
_PY_STRING_CONST = re.compile(r"^([A-Za-z_]\w*)[ \t]*(?::[^=\n]*)?=[ \t]*([\"'])([^\"'\n\\]*)\2[ \t]*(?:#[^\n]*)?$",
                              re.MULTILINE)
#: Line magics IPython runs without ``%`` (automagic, on by default): ``cd PhotoMaker/``, ``pip install x``.
_AUTOMAGIC = re.compile(r"(?:cd|pwd|ls|ll|pip|conda|mamba|env|set_env|mkdir|rmdir|rm|cp|mv|cat|load_ext|"
                        r"reload_ext|autoreload|matplotlib|run|time|timeit|who|whos|history)(?:\s|$)")
_ENV_MAGIC = re.compile(r"^(?:env|set_env)\s+([A-Za-z_]\w*)\s*[= ]\s*(\S.*)$")
_PY_INTERP = re.compile(r"\{([^{}\n]*)\}")


@dataclass(frozen=True)
class Cell:
    """A code cell: its 1-based index among all cells, its first line in the joined source (0-based),
    and its Python text with IPython syntax neutralised."""

    index: int
    offset: int
    source: str
    #: (line in cell, shell command, origin) of shell lines; origin ``!`` (a ``!cmd`` or ``x = !cmd`` line),
    #: ``%`` (a line magic: ``%pip``, ``%env``...) or ``%%`` (a line of a ``%%bash``/``%%sh`` cell).
    shell: tuple[tuple[int, str, str], ...]


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "".join(v for v in value if isinstance(v, str))
    return value if isinstance(value, str) else ""


def _neutralise(source: str) -> tuple[str, tuple[tuple[int, str, str], ...]]:
    """Python text of a cell (same line count) and its shell commands."""
    lines = source.split("\n")
    shell: list[tuple[int, str, str]] = []
    first = lines[0].strip() if lines else ""
    if first.startswith("%%"):
        magic = first[2:].split()
        name = magic[0] if magic else ""
        python = name in _PY_CELL_MAGICS or (name == "writefile" and len(magic) > 1 and magic[-1].endswith(".py"))
        if not python:
            if name in _SHELL_CELL_MAGICS:
                shell.extend((i, ln, "%%") for i, ln in enumerate(lines[1:], start=2))
            return "\n".join("" for _ in lines), tuple(shell)
        lines[0] = ""
    out: list[str] = []
    for number, line in enumerate(lines, start=1):
        stripped = line.lstrip()
        indent = line[:len(line) - len(stripped)]
        if stripped.startswith(("!", "%")):
            shell.append((number, stripped.lstrip("!%"), stripped[0]))
            out.append(indent + "pass")
        elif stripped.startswith("?") or (stripped.endswith("?") and not stripped.startswith("#")
                                          and re.fullmatch(r"[\w.\[\]()'\"]+\?\??", stripped)):
            out.append(indent + "pass")
        else:
            m = _ASSIGN_SHELL.match(line)
            if m:
                rhs = line.split("=", 1)[1].strip()
                shell.append((number, rhs.lstrip("!%"), rhs[:1]))
                out.append(f"{m.group(1)}{m.group(2)} = None")
            else:
                out.append(line)
    _automagic(out, shell)
    return "\n".join(out), tuple(shell)


def _automagic(out: list[str], shell: list[tuple[int, str, str]]) -> None:
    """Lines of a cell that IPython ran as magics written without ``%`` (``cd PhotoMaker/``), made
    ``pass`` in ``out`` and added to ``shell`` as ``%`` lines — only when the cell does not parse as
    it is and the line alone is not Python either, so valid code is never changed."""
    candidates = [i for i, line in enumerate(out) if _AUTOMAGIC.match(line.lstrip())]
    if not candidates or _parses("\n".join(out)):
        return
    for i in candidates:
        stripped = out[i].lstrip()
        if _parses(stripped):
            continue
        shell.append((i + 1, stripped, "%"))
        out[i] = out[i][:len(out[i]) - len(stripped)] + "pass"
    shell.sort()


def _parses(source: str) -> bool:
    try:
        compile(source, "<cell>", "exec", ast.PyCF_ONLY_AST)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _interpolation(m: re.Match[str]) -> str:
    """IPython's ``{name}`` in a ``!`` line as the shell variable ``${name}``; any other ``{expr}`` is
    unknown (a command substitution)."""
    inner = m.group(1).strip()
    return f"${{{inner}}}" if inner.isidentifier() else f"$({inner})"


def read_cells(nb: Any) -> tuple[list[Cell], bool]:
    """The code cells of a parsed notebook (nbformat 3 or 4), and whether its kernel is Python."""
    if not isinstance(nb, dict):
        raise ValueError("notebook is not a JSON object")
    meta = nb["metadata"] if isinstance(nb.get("metadata"), dict) else {}
    lang = ""
    for holder, key in ((meta.get("kernelspec"), "language"), (meta.get("language_info"), "name")):
        if isinstance(holder, dict) and isinstance(holder.get(key), str):
            lang = holder[key].lower()
            break
    python = lang in ("", "python", "python3", "python2", "ipython")
    raw_cells = nb.get("cells")
    if raw_cells is None and isinstance(nb.get("worksheets"), list):  # nbformat 3
        raw_cells = [c for ws in nb["worksheets"] if isinstance(ws, dict) for c in ws.get("cells", [])]
    if not isinstance(raw_cells, list):
        raise ValueError("notebook has no cell list")
    cells: list[Cell] = []
    offset = 0
    for index, cell in enumerate(raw_cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = _text(cell.get("source", cell.get("input", "")))
        text, shell = _neutralise(source.rstrip("\n"))
        cells.append(Cell(index, offset, text, shell))
        offset += text.count("\n") + 1
    return cells, python


def _python():
    from modelclear.scan import python as py  # imported lazily: written alongside this module

    return py


class NotebookScanner:
    """Loader calls, weight addresses and ``pip install``s in the code cells of ``.ipynb`` files."""

    name = "notebook"

    @staticmethod
    def code_prefilter() -> frozenset[str]:
        """Python loader keywords, weight hosts and watched package names: code cells holding none of
        them are not parsed. (Applied after the JSON is read, so that every malformed notebook is
        reported, not only those that mention a loader.)"""
        tokens: set[str] = {t.decode() for t in getattr(_python(), "PREFILTER", frozenset())}
        tokens |= {t.decode() for t in hosts()[1]}
        tokens |= set(packages())
        return frozenset(tokens)

    def accepts(self, path: Path) -> bool:
        """``.ipynb`` files."""
        return path.suffix.lower() == ".ipynb"

    def scan(self, path: Path, data: bytes, ctx: ScanContext) -> Iterable[Reference | ScanWarning]:
        """References of one notebook; malformed notebooks give a warning."""
        text = decode_text(data)
        if text is None:
            return [ScanWarning(path=path.name, message="notebook is not UTF-8 JSON; skipped", code="encoding")]
        text, cut = prune_json(text, BUDGETS.nesting_depth)
        notes: list[ScanWarning] = []
        if cut:
            notes.append(budget_warning(path.name, f"notebook JSON nested deeper than {BUDGETS.nesting_depth} "
                                                   "levels; the deeper parts were not read"))
        try:
            cells, python = read_cells(json.loads(text))
        except (ValueError, RecursionError) as exc:
            return [ScanWarning(path=path.name, message=f"malformed notebook: {str(exc)[:200]}", code="malformed")]
        if not python or not cells:
            return notes
        code = "\n".join(c.source for c in cells) + "\n".join(cmd for c in cells for _, cmd, _ in c.shell)
        python = any(token in code for token in self.code_prefilter())
        commands = "\n".join(cmd for c in cells for _, cmd, origin in c.shell if origin != "%")
        shell = any(token in commands for token in shellcmds.KEYWORDS)
        if not python and not shell:
            return notes
        # shell cells and addresses: a placeholder id ("!huggingface-cli download <user>/<model>") is to review
        return [*notes, *review_references(self._scan_cells(path, cells, ctx, python, shell), path, ctx.root)]

    def _scan_cells(self, path: Path, cells: list[Cell], ctx: ScanContext, python: bool = True,
                    shell: bool = False) -> Iterator[Reference | ScanWarning]:
        joined = "\n".join(c.source for c in cells)
        lines = joined.split("\n")
        starts = [c.offset for c in cells]
        found: list[Reference | ScanWarning] = []
        if python:
            found.extend(self._python_cells(path, cells, ctx, joined, lines))
        if shell:
            found.extend(self._shell(path, cells, joined, ctx))
        for item in found:
            if isinstance(item, ScanWarning):
                yield item
                continue
            if 0 < item.line <= len(lines) and IGNORE_MARK in lines[item.line - 1]:
                continue
            pos = bisect.bisect_right(starts, item.line - 1) - 1
            if pos < 0:
                yield item
                continue
            cell = cells[pos]
            where = f"cell {cell.index}, line {item.line - cell.offset}"
            yield replace(item, note=f"{item.note}; {where}" if item.note else where)

    def _python_cells(self, path: Path, cells: list[Cell], ctx: ScanContext, joined: str,
                      lines: list[str]) -> list[Reference | ScanWarning]:
        found: list[Reference | ScanWarning] = []
        py = _python()
        budget = py.FileBudget()  # one budget for every cell of the notebook
        tree: ast.Module | None = None
        if len(joined) <= py.MAX_SOURCE_CHARS:
            try:
                tree = ast.parse(joined)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                tree = None
        else:
            found.append(budget_warning(path.name, f"code cells hold {len(joined):,} characters together "
                                                   f"(budget {py.MAX_SOURCE_CHARS:,}): read cell by cell, so a "
                                                   "name bound in one cell does not resolve in another"))
        if tree is not None:
            found.extend(self._python_refs(joined, path, ctx, 0, budget, tree))
            found.extend(python_command_refs(tree, joined, path.name, ctx))  # os.system / subprocess lines
            url_hits = urls_in_python(joined, tree)
        else:
            url_hits = []
            for cell in cells:
                if len(cell.source) > py.MAX_SOURCE_CHARS:
                    found.append(budget_warning(path.name, f"cell {cell.index} holds more than "
                                                           f"{py.MAX_SOURCE_CHARS:,} characters; skipped",
                                                line=cell.offset + 1))
                    continue
                try:
                    cell_tree = ast.parse(cell.source)
                except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
                    line = getattr(exc, "lineno", 0) or 0
                    found.append(ScanWarning(path=path.name, code="syntax-error", line=cell.offset + line,
                                             message=f"cell {cell.index}: Python syntax error"
                                                     f"{f' at line {line}' if line else ''}; cell skipped"))
                    continue
                found.extend(self._python_refs(cell.source, path, ctx, cell.offset, budget, cell_tree))
                found.extend(python_command_refs(cell_tree, cell.source, path.name, ctx, cell.offset))
                url_hits.extend((ln + cell.offset, col, url) for ln, col, url in urls_in_python(cell.source, cell_tree))
        found.extend(references(url_hits, lines, path.name))
        found.extend(self._pip(path, cells))
        return found

    @staticmethod
    def _shell(path: Path, cells: list[Cell], joined: str, ctx: ScanContext) -> list[Reference | ScanWarning]:
        """Download commands of ``!`` lines and ``%%bash`` cells (``%`` line magics are not shell).

        The notebook's top-level string constants (``MODEL = "org/name"``) and ``%env X=v`` values are
        the variables a ``!`` line sees (IPython expands ``$name`` and ``{name}`` from Python); a
        ``%%bash`` cell is one script. One work budget for the whole notebook.
        """
        env: dict[str, list[str]] = {}
        for m in _PY_STRING_CONST.finditer(joined):
            env.setdefault(m.group(1), []).append(m.group(3))
        meter = Meter(STEPS_PER_FILE, "shell steps")
        found: list[Reference | ScanWarning] = []
        project = project_values(ctx)
        carry: dict[str, object] = {}  # one line's Drive download the next line's unzip explains
        for cell in cells:
            script: list[tuple[int, str]] = []
            for line, command, origin in cell.shell:
                if IGNORE_MARK in command:
                    continue
                if origin == "%":
                    magic = _ENV_MAGIC.match(command)
                    if magic:
                        env[magic.group(1)] = [magic.group(2).strip().strip("'\"")]
                elif origin == "%%":
                    script.append((cell.offset + line, command))
                else:
                    text = _PY_INTERP.sub(_interpolation, command)
                    found.extend(scan_shell([(cell.offset + line, text)], path.name, env=env,
                                            project_env=project, meter=meter, carry=carry))
            if script:
                found.extend(scan_shell(script, path.name, env=env, project_env=project, meter=meter, carry=carry))
        if meter.exhausted:
            found.append(budget_warning(path.name, f"shell cells: reading stopped after {STEPS_PER_FILE:,} steps"))
        return found

    @staticmethod
    def _python_refs(source: str, path: Path, ctx: ScanContext, offset: int, budget: Any = None,
                     tree: ast.Module | None = None) -> Iterator[Reference | ScanWarning]:
        py = _python()
        for item in py.scan_python_source(source, path.name, ctx, line_offset=offset, budget=budget, tree=tree):
            if isinstance(item, ScanWarning) and item.code == "syntax-error":
                continue
            yield item

    @staticmethod
    def _pip(path: Path, cells: list[Cell]) -> Iterator[Reference]:
        watched = packages()
        for cell in cells:
            for line, command, _origin in cell.shell:
                if "install" not in command:
                    continue
                if not re.match(r"^\s*(pip3?|python3?\s+-m\s+pip|conda|mamba|uv\s+pip)\b", command):
                    continue
                for name in pip_install_names(re.sub(r"^\s*(python3?\s+-m\s+|uv\s+)", "", command)):
                    pkg = watched.get(normalize(name))
                    if pkg is None:
                        continue
                    yield Reference(raw=command.strip()[:300], kind=Kind.PACKAGE, id=f"pypi:{normalize(pkg.name)}",
                                    path=path.name, line=cell.offset + line, evidence=("!" + command.strip())[:300],
                                    confidence="high", loader="notebook:pip install",
                                    note=f"package licence: {pkg.license}. {pkg.why}".strip())
