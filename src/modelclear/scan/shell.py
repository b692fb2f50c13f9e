"""Shell commands that fetch a model or dataset: shell scripts, Makefile recipes, notebook shell cells,
Dockerfile ``RUN`` lines and compose ``command:`` strings.

The text is read as data, never run. A small lexer (:mod:`.shellwords`) splits it into simple
commands the way a POSIX shell would for the purpose at hand: line continuations (``\\``), quotes
(single quotes are literal, double quotes expand variables), comments, ``;`` ``&&`` ``||`` ``|``
``&``, redirections and here-documents (whose body is data, not commands). This module keeps what
it can know without running anything:

* **variables** assigned earlier in the same text (``MODEL=org/name``, ``export``/``local``/``declare``
  forms, arrays ``MODELS=(a b c)``), expanded as ``$X``, ``${X}``, ``${X:-default}``, ``${X-default}``,
  ``${X:=default}`` and ``${X[@]}``. Positional parameters (``$1``) are unknown, so
  ``${1:-org/name}`` is its default. A variable the text never assigns is looked up in
  ``ScanContext.project_env`` (``.env`` / compose / Dockerfile values, see :mod:`.deploy`);
  otherwise the word is *unresolved*: never an artifact named after the variable.
* **loops** over a literal list (``for m in a b c; do wget .../$m.pth; done``): the body's words take
  every value of the loop variable. ``while``/``until`` loops and C-style ``for (( ))`` leave their
  variables unknown.
* ``sh -c "..."`` / ``bash -c '...'`` strings are read as scripts (two levels deep), also behind a wrapper
  (``srun ... bash -c``) or after ``--``.
* **branches**: an assignment inside ``if``/``case`` adds a value; one inside a branch or loop whose value
  is unknown (``MODEL="$OPTARG"`` in a ``getopts`` loop) keeps the earlier default.
* **project scripts' options**: ``python train.py --dataset oasst1`` (also under ``accelerate launch``,
  ``torchrun``, ``deepspeed``) takes the loads that ``train.py`` writes in the ``if``/``elif`` branch
  comparing a variable of a related name with ``'oasst1'`` (:func:`_script_option_refs`).

What a command means is decided by :mod:`.shellcmds` (``wget``/``curl`` of weight and data
addresses, ``gsutil``/``aws s3``, ``huggingface-cli``/``hf download``, ``git clone`` of Hub repos,
``ollama pull``, ``kaggle``, ``gdown``, training flags such as ``--model_name_or_path``). A
reference's line is the physical line of the word that names the artifact (for a value that came
through a variable or a loop, the line of the command that uses it); its evidence is the command.

**Work** is counted, never timed: every token read and every expanded value spends one step of a
per-file :class:`~modelclear.scan.budget.Meter` (:data:`STEPS_PER_FILE`); a word expands to at most
``BUDGETS.candidates`` values. A file that runs out keeps what was found and gets a ``budget``
warning. Lines of any length are read by regular expressions without backtracking blow-ups.

Python code runs command lines too: in a ``.py`` file, the first argument of ``os.system``, ``os.popen``
and ``subprocess.run``/``call``/``check_call``/``check_output``/``Popen`` (a string, an f-string whose
``{...}`` parts are variables the shell reader never resolves, or a list of words) is read as one command
line at the argument's line (:func:`python_commands`, issue 10 cause 6); a file without ``os.system``,
``os.popen`` or ``subprocess`` is not parsed for this.

Entry points: :class:`ShellScanner` (``*.sh``, ``*.bash``, ``*.zsh``, cluster job scripts such as ``*.slurm``,
``Makefile``, ``*.py``, and the
``run:`` / ``script:`` steps of CI workflows: :func:`ci_scripts`) and
:func:`scan_shell`, which other scanners call with numbered lines (notebook cells, Dockerfiles).
"""

from __future__ import annotations

import ast
import re
import shlex
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from modelclear import ids
from modelclear.model import Kind, Reference
from modelclear.scan import shellcmds
from modelclear.scan.base import ScanContext, ScanWarning
from modelclear.scan.budget import BUDGETS, Meter, budget_warning
from modelclear.scan.placeholders import review_references
from modelclear.scan.shellcmds import Arg, Hit
from modelclear.scan.shellwords import ASSIGN, Piece, Word, logical_lines, split_commands
from modelclear.scan.walk import decode_text, inside_root

#: Tokens and expanded values one file (or one notebook, one Dockerfile) may spend.
STEPS_PER_FILE = 2_000_000
#: ``sh -c`` strings read inside each other at most this deep.
MAX_NESTED_SCRIPTS = 2
#: Characters of a command kept as evidence.
EVIDENCE_CHARS = 300

#: Cluster job scripts (Slurm ``sbatch`` files, PBS/Torque, LSF): shell scripts under another name.
JOB_SCRIPT_SUFFIXES = (".slurm", ".sbatch", ".pbs", ".lsf", ".qsub")
_KEYWORDS = frozenset({"then", "else", "do", "{", "}", "!", "if", "elif", "fi", "esac", "time", "in"})
_DECLARE = frozenset({"export", "local", "readonly", "declare", "typeset"})
#: Bytes of which a shell file must hold one before it is read (the commands :mod:`.shellcmds` knows).
PREFILTER = frozenset({*(t.encode() for t in shellcmds.KEYWORDS), b"python"})
#: A logical line without any of these is skipped without tokenising it.
_INTERESTING = re.compile("|".join([r"[A-Za-z_]\w*\+?=", "<<",
                                    r"\b(?:for|select|while|until|done|if|fi|case|esac)\b",
                                    r"python\S*\s+-c\b", r"\w\.py\b", r"(?:^|[;&|({]\s*)\$\{?[A-Za-z_]",
                                    *(re.escape(k) for k in shellcmds.KEYWORDS)]))


# --------------------------------------------------------------------------------------------------
# Variables


Env = dict[str, tuple[str, ...] | None]  # None: assigned, value unknown


@dataclass
class _State:
    path: str
    meter: Meter
    env: Env
    project_env: Mapping[str, Sequence[str]]
    refs: list[Reference] = field(default_factory=list)
    loops: list[tuple[str | None, tuple[str, ...] | None, bool]] = field(default_factory=list)
    heredoc: str | None = None
    depth: int = 0
    ctx: ScanContext | None = None
    #: Folder of the script being read (absolute), for the project scripts its commands run.
    folder: Path | None = None
    #: What one command leaves for the next (a Drive download whose file type is not known yet), shared by
    #: the separate ``!`` lines of a notebook.
    carry: dict[str, object] = field(default_factory=dict)
    #: ``if``/``case`` blocks open at this point: an assignment there may not run, so it adds to what the
    #: variable already holds instead of replacing it.
    branches: int = 0


def _lookup(piece: Piece, st: _State) -> tuple[tuple[str, ...] | None, bool]:
    """Values of one variable piece, and whether a default (not an assignment) was used."""
    name = piece.text
    positional = name.isdigit() or name in ("@", "*", "#", "?", "$", "!", "-")
    value = st.env.get(name) if name in st.env else None
    known = name in st.env and value is not None
    if not known and not positional and name not in st.env:
        project = st.project_env.get(name)
        if project:
            value, known = tuple(project), True
    if known and value is not None and (piece.op.startswith(":") and all(v == "" for v in value)):
        known = False
    if known and value is not None:
        return value, False
    if piece.op in (":-", "-", ":=", "="):
        values = _expand_pieces(piece.default, st)
        if values is not None and piece.op in (":=", "=") and name not in st.env:
            st.env[name] = values
        return values, True
    return None, False


def _expand_pieces(pieces: Sequence[Piece], st: _State) -> tuple[str, ...] | None:
    results = [""]
    for piece in pieces:
        if piece.kind == "lit":
            results = [r + piece.text for r in results]
            continue
        if piece.kind == "dyn":
            return None
        values, _ = _lookup(piece, st)
        if values is None:
            return None
        if not st.meter.spend(len(values) * len(results)):
            return None
        results = [r + v for r in results for v in values][:BUDGETS.candidates]
    return tuple(dict.fromkeys(results))


def _arg(word: Word, st: _State) -> Arg:
    values = _expand_pieces(word.pieces, st)
    via = any(p.kind != "lit" for p in word.pieces)
    return Arg(raw=word.raw, values=values, via=via, line=word.line)


# --------------------------------------------------------------------------------------------------
# Reading a script


def _assignment(word: Word) -> tuple[str, str, Word] | None:
    first = word.pieces[0] if word.pieces else None
    if first is None or first.kind != "lit":
        return None
    m = ASSIGN.match(first.text)
    if m is None:
        return None
    rest = (Piece("lit", m.group(3)),) if m.group(3) else ()
    return m.group(1), m.group(2), Word(rest + word.pieces[1:], word.line, word.raw)


def _assign(name: str, op: str, value: Word, st: _State) -> None:
    """Set a variable. Inside an ``if``/``case`` branch or a loop body the assignment may not run: a value
    the text cannot know (``MODEL="$OPTARG"`` in a ``getopts`` loop, ``MODEL=$2``) leaves the earlier default
    as it was, and inside a branch a known value is one more value (``if ...; then H=320; fi``)."""
    values = _expand_pieces(value.pieces, st)
    if op == "+=" and values is not None and st.env.get(name):
        old = st.env[name] or ()
        values = tuple(o + v for o in old for v in values)[:BUDGETS.candidates]
    before = st.env.get(name)
    if before and op != "+=" and (st.branches or st.loops):
        if values is None:
            return
        if st.branches:
            values = tuple(dict.fromkeys((*before, *values)))[:BUDGETS.candidates]
    st.env[name] = values


def _for_loop(words: list[Word], st: _State) -> None:
    """``for NAME in WORDS``: NAME takes each value (unknown for ``for NAME;`` and C-style loops)."""
    name = words[1].literal() if len(words) > 1 else None
    if name is None or not re.fullmatch(r"[A-Za-z_]\w*", name):
        st.loops.append((None, None, False))
        return
    saved = st.env.get(name)
    had = name in st.env
    st.loops.append((name, saved, had))
    items = words[3:] if len(words) > 2 and words[2].literal() == "in" else []
    values: list[str] = []
    for word in items:
        if word.literal() in ("do", ";"):
            break
        got = _expand_pieces(word.pieces, st)
        if got is None:
            st.env[name] = None
            return
        values.extend(got)
    st.env[name] = tuple(dict.fromkeys(values))[:BUDGETS.candidates] or None


def _end_loop(st: _State) -> None:
    if not st.loops:
        return
    name, saved, had = st.loops.pop()
    if name is None:
        return
    if had:
        st.env[name] = saved
    else:
        st.env.pop(name, None)


def _run_command(words: list[Word], next_op: str, following: list[Word] | None, evidence: str,
                 st: _State) -> None:
    """Interpret one simple command: keywords, assignments, loops, then what :mod:`.shellcmds` knows."""
    while words:
        lit = words[0].literal()
        if lit == "done":
            _end_loop(st)
            return
        if lit in ("while", "until"):
            st.loops.append((None, None, False))
            words = words[1:]
            continue
        if lit == "for" or lit == "select":
            _for_loop(words, st)
            return
        if lit in ("if", "case"):
            st.branches += 1
        elif lit in ("fi", "esac"):
            st.branches = max(0, st.branches - 1)
        if lit in _KEYWORDS or lit == "case":
            if lit == "case":  # ``case WORD in``: nothing to run
                return
            words = words[1:]
            continue
        break
    if words and words[0].literal() in _DECLARE:
        words = [w for w in words[1:] if not (w.literal() or "").startswith("-")]
        for word in words:
            got = _assignment(word)
            if got is not None:
                _assign(*got, st)
        return
    while words:
        got = _assignment(words[0])
        if got is None:
            break
        _assign(*got, st)
        words = words[1:]
    if not words:
        return
    argv = [_arg(w, st) for w in words]
    if argv[0].via and argv[0].values and len(argv[0].values[0].split()) > 1:  # CMD="curl -L -O"; $CMD url
        head = argv[0]
        argv[:1] = [Arg(part, (part,), True, head.line) for part in head.values[0].split()]  # type: ignore[index]
    name = shellcmds.command_name(argv[0])
    shell_at = _inner_shell(argv)
    if shell_at is not None and st.depth < MAX_NESTED_SCRIPTS:
        for i, arg in enumerate(argv[shell_at + 1:-1], start=shell_at + 1):
            if arg.values and arg.values[0] in ("-c", "-lc", "-ec", "-xc", "-exc"):
                script = argv[i + 1]
                _nested(replace(script, values=_script_texts(words[i + 1], st)), words[i + 1].line, st)
                return
    if re.fullmatch(r"python[0-9.]*", name) and st.ctx is not None:
        for i, arg in enumerate(argv[1:-1], start=1):
            if arg.text == "-c":
                st.refs.extend(_python_inline(argv[i + 1], st.path, st.ctx))
                return
    piped_to = shellcmds.command_name(_arg(following[0], st)) if next_op == "|" and following else ""
    hits = list(shellcmds.recognise(argv, piped_to))
    for hit in hits:
        st.refs.append(_reference(hit, evidence, st.path))
    _drive_archive(name, argv, bool(hits), evidence, st)
    if st.ctx is not None and st.folder is not None:
        st.refs.extend(_script_option_refs(argv, evidence, st))


_SHELLS = frozenset({"sh", "bash", "zsh", "dash"})


def _inner_shell(argv: Sequence[Arg]) -> int | None:
    """Index of the shell a command runs: the command itself (``bash -c``), or the first shell word after a
    wrapper's options (``srun --nodes=2 bash -c ...``, ``sudo -u x sh -c ...``) or after ``--``."""
    if shellcmds.command_name(argv[0]) in _SHELLS:
        return 0
    wrapped = shellcmds.command_name(argv[0]) in shellcmds.WRAPPERS
    for i in range(1, len(argv) - 1):
        if shellcmds.command_name(argv[i]) in _SHELLS and (wrapped or argv[i - 1].text == "--"):
            return i
    return None


#: Bytes of a project script read for the loads its option values select, at most.
MAX_SCRIPT_BYTES = 1_000_000


@dataclass
class _ScriptLoads:
    """What a project script's option values select: ``branches`` maps a value to (words of the compared
    variable, load) of the ``if`` branches comparing a variable with it; ``defaults`` maps an option name
    (without its dashes, lower case) to (its argparse default, a load the scan resolved from that default)."""

    branches: dict[str, list[tuple[frozenset[str], Reference]]] = field(default_factory=dict)
    defaults: dict[str, list[tuple[str, Reference]]] = field(default_factory=dict)


#: Project scripts whose option branches one process remembers (by path, size and modification time).
_BRANCH_CACHE: dict[tuple[str, int, int], _ScriptLoads] = {}
_BRANCH_CACHE_SIZE = 64
_OPTION = re.compile(r"^--?([A-Za-z][\w\-]*)$")
#: Words of option and variable names too generic to tie an option to a compared variable.
_GENERIC_WORDS = frozenset({"", "name", "names", "type", "id", "path", "dir", "file", "args", "arg", "opt", "opts",
                            "config", "cfg", "mode", "key", "value", "self", "str", "use", "is", "the", "to", "of"})


def _words(name: str) -> frozenset[str]:
    return frozenset(name.lower().replace("-", "_").split("_")) - _GENERIC_WORDS


def _branch_loads(script: Path, ctx: ScanContext) -> _ScriptLoads:
    """The loads a project script's option values select (:class:`_ScriptLoads`): those it makes in the
    ``if``/``elif`` branch that compares a variable with a value (``if dataset_name == 'oasst1': return
    load_dataset("timdettmers/openassistant-guanaco")``; only a load whose id is written in the branch
    itself), and those the scan resolved from an ``add_argument`` default (``--whisper-model``, default
    ``medium.en``). Remembered per script for the process.
    """
    out = _ScriptLoads()
    try:
        if script.is_symlink() or not script.is_file():
            return out
        st = script.stat()
    except OSError:
        return out
    key = (str(script), st.st_size, st.st_mtime_ns)
    cached = _BRANCH_CACHE.get(key)
    if cached is not None:
        return cached
    if len(_BRANCH_CACHE) >= _BRANCH_CACHE_SIZE:
        _BRANCH_CACHE.clear()
    _BRANCH_CACHE[key] = out
    if st.st_size > MAX_SCRIPT_BYTES:
        return out
    try:
        data = script.read_bytes()
    except OSError:
        return out
    source = decode_text(data, python=True)
    if source is None or (b"==" not in data and b" in " not in data and b"add_argument" not in data):
        return out
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return out
    branches: list[tuple[tuple[str, ...], frozenset[str], int, int]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.If) or not node.body:
            continue
        keys: list[str] = []
        words: set[str] = set()
        for sub in ast.walk(node.test):
            if isinstance(sub, ast.Compare) and all(isinstance(op, (ast.Eq, ast.In)) for op in sub.ops):
                for side in (sub.left, *sub.comparators):
                    items: list[ast.expr] = side.elts if isinstance(side, (ast.List, ast.Tuple, ast.Set)) else [side]
                    keys += [e.value for e in items if isinstance(e, ast.Constant) and isinstance(e.value, str)]
                    if isinstance(side, ast.Name):
                        words |= _words(side.id)
                    elif isinstance(side, ast.Attribute):
                        words |= _words(side.attr)
        if keys and words:
            branches.append((tuple(keys), frozenset(words), node.body[0].lineno,
                             node.body[-1].end_lineno or node.body[-1].lineno))
    defaults: dict[str, tuple[str, tuple[str, ...]]] = {}  # option name -> (default, the option's spellings)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "add_argument":
            names = tuple(a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
                          and a.value.startswith("-"))
            default = next((k.value.value for k in node.keywords if k.arg == "default"
                            and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)), None)
            if names and default:
                for name in names:
                    defaults[name.lstrip("-").lower()] = (default, names)
    if not branches and not defaults:
        return out
    from modelclear.scan.python import scan_python_source  # imported lazily, like the notebook scanner does

    lines = source.split("\n")
    found = [r for r in scan_python_source(source, script.name, ctx) if isinstance(r, Reference) and r.id]
    for values, compared, first, last in branches:
        body = "\n".join(lines[first - 1:last])
        loads = [r for r in found if first <= r.line <= last and r.raw and r.raw in body]
        for value in values if loads else ():
            out.branches.setdefault(value, []).extend((compared, r) for r in loads)
    for option, (default, spellings) in defaults.items():
        # the scan says which load a default reached ("argparse default of --whisper-model")
        loads = [r for r in found if r.raw == default and any(f"default of {s}" in r.note for s in spellings)]
        if loads:
            out.defaults[option] = [(default, r) for r in loads]
    return out


def _default_replaced(loads: Iterable[tuple[str, Reference]], value: str, option: str, given: Arg, evidence: str,
                      script: Path, st: _State) -> Iterator[Reference]:
    """The loads of an option's argparse default with the command's value in its place (``--whisper-model
    tiny.en`` where the default ``medium.en`` gave ``hf:Systran/faster-whisper-medium.en``): the default must
    be written once in the load's id, and the new id must parse."""
    for default, load in loads:
        if value == default or load.id is None or load.id.count(default) != 1:
            continue
        ref = ids.try_parse(load.id.replace(default, value))
        if ref is None:
            continue
        yield Reference(raw=value, kind=load.kind, id=ref.id, path=st.path, line=given.line,
                        evidence=evidence[:EVIDENCE_CHARS], confidence="low", loader=f"shell:{script.name} option",
                        note=f"--{option} {value} in place of its default {default!r}, loaded at "
                             f"{script.name}:{load.line}")


def _script_option_refs(argv: Sequence[Arg], evidence: str, st: _State) -> list[Reference]:
    """The loads that a command's option values select in the project script it runs (``python qlora.py
    --dataset oasst1``, also under ``accelerate launch``, ``torchrun``, ``deepspeed``): each at the value's
    line, with the branch's load in the note. The option's name must share a word with the compared
    variable's (``--dataset`` and ``dataset_name``; generic words such as ``name`` or ``dir`` do not count);
    a ``--model...`` option takes models only, a ``--data...`` option datasets only."""
    if st.ctx is None or st.folder is None:
        return []
    at = next((i for i, a in enumerate(argv) if a.text.endswith(".py")), -1)
    if at < 1 or not re.fullmatch(r"python[0-9.]*|accelerate|torchrun|deepspeed", shellcmds.command_name(argv[0])):
        return []
    rel = argv[at].text
    root = Path(st.ctx.root)
    script = next((c for c in (root / rel, st.folder / rel) if c.is_file() and inside_root(c, root)), None)
    if script is None:
        return []
    args = list(argv[at + 1:])
    pairs: list[tuple[str, Arg]] = []  # (option name, its value word)
    for i, arg in enumerate(args):
        name, eq, rest = arg.text.partition("=")
        m = _OPTION.match(name)
        if m is None:
            continue
        if eq:
            if arg.values:
                pairs.append((m.group(1), Arg(rest, (rest,), arg.via, arg.line)))
        elif i + 1 < len(args) and args[i + 1].values:
            pairs.append((m.group(1), args[i + 1]))
    if not pairs:
        return []  # the script is read only for a command that gives it options
    table = _branch_loads(script, st.ctx)
    if not table.branches and not table.defaults:
        return []
    out: list[Reference] = []
    for name, given in pairs:
        option = name.lower()
        words = _words(option)
        for value in given.values or ():
            out.extend(_default_replaced(table.defaults.get(option, ()), value, name, given, evidence, script, st))
            for compared, load in table.branches.get(value, ()):
                if not words & compared or ("model" in option and load.kind is not Kind.MODEL) or \
                        ("data" in option and load.kind is not Kind.DATASET):
                    continue
                out.append(Reference(
                    raw=value, kind=load.kind, id=load.id, path=st.path, line=given.line,
                    evidence=evidence[:EVIDENCE_CHARS], confidence="medium", loader=f"shell:{script.name} option",
                    note=f"--{name} {value} selects the load at {script.name}:{load.line} "
                         f"({load.evidence[:120]})"))
    return out


def _drive_archive(name: str, argv: Sequence[Arg], found: bool, evidence: str, st: _State) -> None:
    """A Drive file fetched by id says what it is only through the archive the next command unpacks
    (``gdown --id 1AbC...`` then ``unzip -q vit_dino_base16.zip``): the download is that archive, reported
    at the ``gdown`` line. Any other download in between, or a ``gdown`` whose file was known, clears it."""
    if name == "gdown":
        st.carry["drive"] = None if found else next(
            ((arg, value, url, evidence) for arg, value, url in shellcmds.drive_addresses(argv)), None)
        return
    if found:
        st.carry["drive"] = None
        return
    pending = st.carry.get("drive")
    if name not in shellcmds.UNPACKERS or not isinstance(pending, tuple):
        return
    st.carry["drive"] = None
    archive = shellcmds.unpacked_archive(argv)
    arg, value, url, fetched = pending
    got = shellcmds.classify_url(url, archive) if archive else None
    if got is not None:
        note = f"Google Drive download; its file is the archive {archive} the next command unpacks"
        st.refs.append(_reference(Hit(value, got[0], got[1], arg.line, "low", "gdown", note), fetched, st.path))


#: What an unknown part of a ``sh -c`` string becomes: a variable the script never assigns, so its words stay
#: unresolved while the rest of the script is read.
_UNSET = "${__unresolved__}"


def _script_texts(word: Word, st: _State) -> tuple[str, ...] | None:
    """The texts of a ``sh -c`` string. Its variables expand as for any word; one the text cannot know
    (``--dist-init-addr '$FIRST_NODE_IP:$PORT'`` with ``FIRST_NODE_IP=$(srun ...)``, an escaped ``\\$SLURM_PROCID``)
    leaves an unset variable in its place instead of making the whole script unknown."""
    values = _expand_pieces(word.pieces, st)
    if values is not None:
        return values
    texts = [""]
    for piece in word.pieces:
        got: tuple[str, ...] | None = (piece.text,) if piece.kind == "lit" else \
            None if piece.kind == "dyn" else _lookup(piece, st)[0]
        if not st.meter.spend(len(texts)):
            return None
        texts = [t + v for t in texts for v in (got or (_UNSET,))][:BUDGETS.candidates]
    return tuple(texts)


def _nested(script: Arg, line: int, st: _State) -> None:
    if not script.values:
        return
    inner = _State(st.path, st.meter, st.env, st.project_env, st.refs, depth=st.depth + 1, ctx=st.ctx,
                   folder=st.folder, carry=st.carry)
    for value in script.values[:1]:
        _run_lines([(line, text) for text in value.split("\n")], inner)


_USERINFO = re.compile(r"://[^/@\s]+@")


#: Characters of a ``python -c`` program handed to the Python scanner at most.
MAX_INLINE_PYTHON = 100_000


def _python_inline(program: Arg, path: str, ctx: ScanContext) -> list[Reference]:
    """References of a ``python -c "..."`` program (a Dockerfile's pre-download of a model, say), read by
    the Python scanner as if it stood on the word's line; a program that does not parse gives nothing."""
    if not program.values or len(program.values[0]) > MAX_INLINE_PYTHON:
        return []
    from modelclear.scan.python import scan_python_source  # imported lazily, like the notebook scanner does

    found = scan_python_source(program.values[0], path, ctx, line_offset=program.line - 1)
    return [item for item in found if isinstance(item, Reference)]


def _reference(hit: Hit, evidence: str, path: str) -> Reference:
    return Reference(raw=_USERINFO.sub("://***@", hit.value)[:EVIDENCE_CHARS], kind=hit.kind, id=hit.id, path=path,
                     line=hit.line, evidence=evidence[:EVIDENCE_CHARS], confidence=hit.confidence,
                     loader=f"shell:{hit.command}", note=hit.note)


def _evidence(text: str) -> str:
    """The command on one line, without the credentials of an address (``https://user:token@host``)."""
    return _USERINFO.sub("://***@", " ".join(text.split()))[:EVIDENCE_CHARS]


def _run_lines(lines: Sequence[tuple[int, str]], st: _State) -> None:
    for logical in logical_lines(lines):
        if st.meter.exhausted:
            return
        if st.heredoc is not None:
            if logical.text.strip() == st.heredoc:
                st.heredoc = None
            continue
        if _INTERESTING.search(logical.text) is None and not st.carry.get("drive"):
            continue  # no download command, assignment, loop keyword, here-document or command in a variable
        commands, heredoc = split_commands(logical, st.meter)
        st.heredoc = heredoc or st.heredoc
        evidence = _evidence(logical.text)
        i = 0
        while i < len(commands):
            words, op = commands[i]
            following = commands[i + 1][0] if i + 1 < len(commands) else None
            if op == "(" and following is not None and _array(words, following, st):
                i += 2
                continue
            _run_command(words, op, following, evidence, st)
            i += 1


def _array(words: list[Word], items: list[Word], st: _State) -> bool:
    """``NAME=(a b c)``: the command before ``(`` ends with an empty assignment."""
    got = _assignment(words[-1])
    if got is None or got[2].pieces or (len(words) > 1 and words[0].literal() not in _DECLARE):
        return False
    values: list[str] = []
    for item in items:
        expanded = _expand_pieces(item.pieces, st)
        if expanded is None:
            st.env[got[0]] = None
            return True
        values.extend(expanded)
    st.env[got[0]] = tuple(dict.fromkeys(values))[:BUDGETS.candidates] or None
    return True


def scan_shell(lines: Sequence[tuple[int, str]], path: str, *, env: Mapping[str, Sequence[str]] | None = None,
               project_env: Mapping[str, Sequence[str]] | None = None,
               meter: Meter | None = None, ctx: ScanContext | None = None,
               folder: Path | None = None, carry: dict[str, object] | None = None) -> list[Reference]:
    """References of the shell commands in ``lines`` ((output line number, text) pairs, in order).

    ``env`` holds variables known before the first line (a Dockerfile's ``ARG``/``ENV``, a notebook's
    string constants); ``project_env`` the project's deployment values, used for variables the text
    never assigns. ``meter`` is the caller's work budget (a fresh one of :data:`STEPS_PER_FILE`
    otherwise); when it runs out, reading stops and the references found so far are returned (the
    caller checks ``meter.exhausted`` and warns). With ``ctx``, ``python -c PROGRAM`` programs are read
    by the Python scanner (its own budgets apply), and with ``folder`` (the script's absolute folder) the
    option values of a project script the text runs select that script's loads (:func:`_script_option_refs`).
    ``carry`` is what one call leaves for the next (a notebook's ``!`` lines are read one call each).
    """
    st = _State(path, meter or Meter(STEPS_PER_FILE, "shell steps"),
                {k: tuple(v) for k, v in (env or {}).items()}, project_env or {}, ctx=ctx, folder=folder,
                carry=carry if carry is not None else {})
    _run_lines(lines, st)
    return st.refs


def project_values(ctx: ScanContext) -> Mapping[str, Sequence[str]]:
    """The project's deployment variables as plain values (name -> values), for :func:`scan_shell`."""
    index = getattr(ctx, "project_env", None) or {}
    return {name: tuple(dict.fromkeys(v.value for v in values)) for name, values in index.items()}


_MAKE_ASSIGN = re.compile(r"^(?:export\s+|override\s+)?([A-Za-z_]\w*)\s*(?:\?|:|::|\+)?=\s*(.*)$")
_MAKE_VAR = re.compile(r"\$\(([A-Za-z_]\w*)\)")


def makefile_lines(text: str) -> list[tuple[int, str]]:
    """A Makefile as shell lines: variable assignments as shell assignments, recipe lines (tab-indented)
    without their ``@``/``-`` prefixes, ``$(VAR)`` as ``${VAR}`` and ``$$`` as ``$``; rules and
    directives left out."""
    out: list[tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.startswith("\t"):
            body = line[1:].lstrip("@-+ ")
            out.append((number, _MAKE_VAR.sub(r"${\1}", body.replace("$$", "\0")).replace("\0", "$")))
            continue
        m = _MAKE_ASSIGN.match(line)
        if m and not line.lstrip().startswith("#"):
            value = _MAKE_VAR.sub(r"${\1}", m.group(2).split(" #", 1)[0].strip())
            out.append((number, f"{m.group(1)}='{value}'" if "$" not in value else f'{m.group(1)}="{value}"'))
    return out


#: Calls that run a shell command line given as a string or a list of words: ``os.system(cmd)``,
#: ``subprocess.run([...])``... (by the called attribute, with the module it is called on).
_RUN_CALLS = {"system": ("os",), "popen": ("os",),
              "run": ("subprocess", "sp"), "call": ("subprocess", "sp"), "check_call": ("subprocess", "sp"),
              "check_output": ("subprocess", "sp"), "Popen": ("subprocess", "sp"),
              "getoutput": ("subprocess", "sp"), "getstatusoutput": ("subprocess", "sp")}
#: Of those, the names distinctive enough to count when imported bare (``from subprocess import Popen``).
_RUN_BARE = frozenset({"check_call", "check_output", "Popen", "getoutput", "getstatusoutput"})
#: Bytes of which a Python file must hold one before its shell commands are looked for.
_PY_RUN_BYTES = (b"os.system", b"os.popen", b"subprocess")
#: Shell command strings read per Python file.
MAX_PY_COMMANDS = 200


def _py_word(node: ast.expr, unknown: list[int]) -> str | None:
    """One shell word (quoted) for a list item of a command, or None when the item is not text."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return shlex.quote(node.value)
    if isinstance(node, ast.JoinedStr):
        return '"' + _py_text(node, unknown, quote=True) + '"'
    if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript, ast.Call)):
        unknown.append(1)
        return f'"${{_py_value_{len(unknown)}}}"'
    return None


def _py_text(node: ast.JoinedStr, unknown: list[int], quote: bool = False) -> str:
    """An f-string as shell text: its literal parts, each ``{expr}`` a variable the script never sets."""
    out: list[str] = []
    for part in node.values:
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            out.append(part.value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
                       if quote else part.value)
        else:
            unknown.append(1)
            out.append(f"${{_py_value_{len(unknown)}}}")
    return "".join(out)


def python_commands(tree: ast.AST, source: str) -> list[tuple[int, str]]:
    """(line, shell text) of the command lines a Python module runs through ``os.system``, ``os.popen`` or
    ``subprocess`` (a string, an f-string whose ``{...}`` parts are unknown, or a list of words)."""
    bare_run = "from subprocess import" in source
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args or len(out) >= MAX_PY_COMMANDS:
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.value.id not in _RUN_CALLS.get(func.attr, ()):
                continue
        elif isinstance(func, ast.Name):
            if not (func.id in _RUN_BARE or (bare_run and func.id in ("run", "call"))):
                continue
        else:
            continue
        first = node.args[0]
        unknown: list[int] = []
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            text: str | None = first.value
        elif isinstance(first, ast.JoinedStr):
            text = _py_text(first, unknown)
        elif isinstance(first, (ast.List, ast.Tuple)):
            words = [_py_word(e, unknown) for e in first.elts]
            text = " ".join(w for w in words if w is not None) if all(w is not None for w in words) else None
        else:
            text = None
        if text and "\n" not in text.strip():
            out.append((first.lineno, text.strip()))
    return out


#: Keys of a CI workflow whose values are shell scripts: GitHub Actions steps (``run:``) and GitLab CI jobs
#: (``script:``, ``before_script:``, ``after_script:``, a string or a list of strings).
_CI_SCRIPT_KEYS = frozenset({"run", "script", "before_script", "after_script"})
#: Most script values read from one workflow file.
MAX_CI_SCRIPTS = 500


def ci_file(path: Path) -> bool:
    """A CI workflow: ``.github/workflows/*.yml`` (GitHub Actions) or ``.gitlab-ci.yml`` (GitLab CI)."""
    parts = [p.lower() for p in path.parts]
    if not parts or not parts[-1].endswith((".yml", ".yaml")):
        return False
    return parts[-1] in (".gitlab-ci.yml", ".gitlab-ci.yaml") or parts[-3:-1] == [".github", "workflows"]


def ci_scripts(text: str) -> tuple[list[list[tuple[int, str]]], dict[str, list[str]]]:
    """The shell scripts of a CI workflow as numbered lines, and the variables its ``env:`` /
    ``variables:`` mappings set (every level: the workflow's, a job's, a step's).

    A literal block (``run: |``) starts on the line after its key; a one-line value is on its own line;
    a folded block (``>``) is one command on the line after its key. A file that is not valid YAML gives
    nothing (the config scanner warns about it).
    """
    import yaml

    from modelclear.scan.configdoc import ConfigNode, ParseLimits, parse_documents

    try:
        docs = parse_documents(text, ".yml", ParseLimits())
    except (yaml.YAMLError, ValueError, RecursionError):
        return [], {}
    source = text.split("\n")
    scripts: list[list[tuple[int, str]]] = []
    env: dict[str, list[str]] = {}

    def script(node: ConfigNode) -> None:
        value = node.value
        if not isinstance(value, str) or not value.strip() or len(scripts) >= MAX_CI_SCRIPTS:
            return
        line, column = node.position()
        header = source[line - 1][column:column + 1] if 0 < line <= len(source) else ""
        if header == "|":
            scripts.append([(line + 1 + i, part) for i, part in enumerate(value.split("\n"))])
        elif header == ">":
            scripts.append([(line + 1, value.replace("\n", " "))])
        else:
            scripts.append([(line, part) for part in value.split("\n")[:1]])

    stack: list[ConfigNode] = list(docs)
    while stack:
        node = stack.pop()
        if isinstance(node.value, dict):
            for key, child in node.value.items():
                if key in _CI_SCRIPT_KEYS:
                    items = child.value if isinstance(child.value, list) else [child]
                    for item in items:
                        script(item)
                elif key in ("env", "variables") and isinstance(child.value, dict):
                    for name, var in child.value.items():
                        if isinstance(var.value, str) and re.fullmatch(r"[A-Za-z_]\w*", name):
                            env.setdefault(name, []).append(var.value)
                stack.append(child)
        elif isinstance(node.value, list):
            stack.extend(node.value)
    scripts.sort(key=lambda lines: lines[0][0] if lines else 0)
    return scripts, env


class ShellScanner:
    """Download commands in shell scripts and Makefiles, and the command lines Python code runs (see the
    module docstring)."""

    name = "shell"
    prefilter = PREFILTER

    def accepts(self, path: Path) -> bool:
        """``*.sh``, ``*.bash``, ``*.zsh``, job scripts (:data:`JOB_SCRIPT_SUFFIXES`), ``Makefile``/``*.mk``,
        ``*.py`` (for ``os.system`` and
        ``subprocess`` command lines) and CI workflows (:func:`ci_file`)."""
        name = path.name.lower()
        return name.endswith((".sh", ".bash", ".zsh", ".mk", ".py", *JOB_SCRIPT_SUFFIXES)) \
            or name in ("makefile", "gnumakefile") or ci_file(path)

    def scan(self, path: Path, data: bytes, ctx: ScanContext) -> Iterable[Reference | ScanWarning]:
        """References of one script; undecodable text gives an ``encoding`` warning."""
        if path.name.lower().endswith(".py"):
            return review_references(self._scan_python(path, data, ctx), path, ctx.root)
        text = decode_text(data)
        if text is None:
            return [ScanWarning(path=path.name, message="not UTF-8 text; skipped", code="encoding")]
        name = path.name.lower()
        meter = Meter(STEPS_PER_FILE, "shell steps")
        found: list[Reference | ScanWarning] = []
        if ci_file(path):  # a CI workflow: its run: / script: steps are shell scripts
            scripts, env = ci_scripts(text)
            for script in scripts:  # run from the repository's root
                found.extend(scan_shell(script, path.name, env=env, project_env=project_values(ctx), meter=meter,
                                        ctx=ctx, folder=Path(ctx.root) if path.is_absolute() else None))
        else:
            lines = makefile_lines(text) if name in ("makefile", "gnumakefile") or name.endswith(".mk") else \
                list(enumerate(text.split("\n"), start=1))
            found.extend(scan_shell(lines, path.name, project_env=project_values(ctx), meter=meter, ctx=ctx,
                                    folder=path.parent if path.is_absolute() else None))
        if meter.exhausted:
            found.append(budget_warning(path.name, f"shell reading stopped after {STEPS_PER_FILE:,} steps; "
                                                   "later commands were not read"))
        return review_references(found, path, ctx.root)  # "huggingface-cli download your-org/x": to review

    def _scan_python(self, path: Path, data: bytes, ctx: ScanContext) -> list[Reference | ScanWarning]:
        """References of the shell command lines a Python module runs (its other loads are the Python
        scanner's); a file that does not parse is the Python scanner's to warn about."""
        if not any(b in data for b in _PY_RUN_BYTES):
            return []
        text = decode_text(data, python=True)
        if text is None:
            return []
        try:
            tree = ctx.parses.parse(str(path), text) if ctx.parses is not None else ast.parse(text)
        except (SyntaxError, ValueError, RecursionError):
            return []
        if tree is None:
            return []
        return list(python_command_refs(tree, text, path.name, ctx))


def python_command_refs(tree: ast.AST, source: str, path: str, ctx: ScanContext,
                        line_offset: int = 0) -> list[Reference]:
    """References of the command lines a Python module (or a notebook's code cells) runs; each at the line
    of its command argument, plus ``line_offset``."""
    if not any(b.decode() in source for b in _PY_RUN_BYTES):
        return []
    meter = Meter(STEPS_PER_FILE, "shell steps")
    found: list[Reference] = []
    for line, command in python_commands(tree, source):
        for ref in scan_shell([(1, command)], path, project_env=project_values(ctx), meter=meter):
            found.append(replace(ref, line=line_offset + line + ref.line - 1))
    return found
