"""Import the loader calls that the npm package ``@huggingface/tasks`` shows for each Hub library.

``@huggingface/tasks`` is the Hugging Face Hub's own table of the ~250 libraries whose models live on
the Hub (``src/model-libraries.ts``: key, pretty label, repository) and of the code snippets the Hub
shows under "Use this model" (``src/model-libraries-snippets.ts``: TypeScript functions returning
Python source with ``${model.id}`` where the Hub repo id goes). What the scanner can honestly use is
the *call a snippet passes the repo id to*: ``from gliner2 import GLiNER2; GLiNER2.from_pretrained(
"${model.id}")`` says that ``gliner2.GLiNER2.from_pretrained``'s first argument is a Hub model id.

This tool reads the pinned tarball from the npm registry (sha512 checked, never extracted or run),
finds those calls with the imports in view, keeps the ones no hand-written loader file already matches
(``*.from_pretrained`` is matched generically), and writes them as loader entries with the ``hf``
builder ``hf_named`` to ``src/modelclear/data/loaders/_hf_tasks.yaml`` (an ``ORG/NAME`` value is a Hub
repo; a bare name is the library's own short name, reported without an id; priority -1: a reviewed
file for the same call wins). The download-count file patterns (``countDownloads``) identify a library's files on the
Hub, not a reference in code, and are left out. A build-time tool: nothing in ``src/modelclear``
imports it. Usage (from the repository root)::

    python -m tools.hf_tasks            # write the data file
    python -m tools.hf_tasks --check    # exit 1 if the committed file differs
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import re
import sys
import tarfile
import urllib.request
from collections.abc import Set
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "@huggingface/tasks"
VERSION = "0.21.54"
TARBALL = f"https://registry.npmjs.org/{PACKAGE}/-/tasks-{VERSION}.tgz"
INTEGRITY = "sha512-OVFpVlLV6SSjG67Vdo98+qLvs/5yki0Ni1EWzbLrlBfZ+N6t4kM6aAeJLkFhikYYOZQyVNcWUN8UtPTs3Km05g=="
#: The day the pinned version's output was reviewed (the data file's ``checked:`` date).
CHECKED = "2026-12-07"
LIBRARIES_TS = "package/src/model-libraries.ts"
SNIPPETS_TS = "package/src/model-libraries-snippets.ts"
#: Largest member read from the tarball (the two sources are ~100 kB each).
MAX_MEMBER_BYTES = 2_000_000

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "modelclear" / "data" / "loaders" / "_hf_tasks.yaml"

_ENTRY_RE = re.compile(r'^\t(?:"(?P<q>[^"]+)"|(?P<k>[A-Za-z_$][\w$]*)): \{\n(?P<body>.*?)^\t\},?$', re.M | re.S)
_FIELD_RE = re.compile(r'^\t\t(?P<name>repoName|repoUrl|prettyLabel): "(?P<value>[^"]*)"', re.M)
_SNIPPETS_RE = re.compile(r"^\t\tsnippets: snippets\.(?P<name>\w+)", re.M)
_BLOCK_RE = re.compile(r"^(?:export )?(?:const|function) (?P<name>\w+)", re.M)
_FROM_RE = re.compile(r"^[ \t]*from[ \t]+(?P<module>[\w.]+)[ \t]+import[ \t]+\(?(?P<names>[\w ,\t]+)\)?[ \t]*$", re.M)
_IMPORT_RE = re.compile(r"^[ \t]*import[ \t]+(?P<items>[\w. ,\t]+)$", re.M)
_ID = r"""(?P<q>["'])\$\{model\.id\}(?P=q)(?=\s*[,)])"""
_POS_CALL_RE = re.compile(r"(?P<callee>[A-Za-z_][\w.]*)\(\s*" + _ID)
_KW_CALL_RE = re.compile(r"(?P<callee>[A-Za-z_][\w.]*)\([^()]*?\b(?P<kw>[A-Za-z_]\w*)\s*=\s*" + _ID)


@dataclass(frozen=True)
class Library:
    """One entry of MODEL_LIBRARIES_UI_ELEMENTS."""

    key: str
    label: str
    repo_url: str
    snippets: str


@dataclass(frozen=True)
class Call:
    """A call a snippet passes the Hub repo id to: callee's qualified name and where the id goes."""

    qualname: str
    pos: int | None
    kw: str | None
    block: str
    module: str


def fetch(cache: Path) -> bytes:
    """The pinned tarball: from ``cache`` if present, else from the npm registry; sha512 checked."""
    path = cache / f"huggingface-tasks-{VERSION}.tgz"
    if path.is_file():
        data = path.read_bytes()
    else:
        with urllib.request.urlopen(TARBALL, timeout=60) as response:
            data = response.read(20_000_000)
        cache.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    digest = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if digest != INTEGRITY:
        raise ValueError(f"{path}: integrity {digest} differs from the pinned {INTEGRITY}")
    return data


def read_sources(tarball: bytes) -> tuple[str, str]:
    """The library table and the snippets source, read from the tarball without extracting it."""
    texts: dict[str, str] = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for member in archive:
            if member.name in (LIBRARIES_TS, SNIPPETS_TS) and member.isfile() and member.size <= MAX_MEMBER_BYTES:
                handle = archive.extractfile(member)
                if handle is not None:
                    texts[member.name] = handle.read().decode("utf-8")
    missing = {LIBRARIES_TS, SNIPPETS_TS} - texts.keys()
    if missing:
        raise ValueError(f"{TARBALL}: no {', '.join(sorted(missing))}")
    return texts[LIBRARIES_TS], texts[SNIPPETS_TS]


def parse_libraries(source: str) -> list[Library]:
    """The entries of MODEL_LIBRARIES_UI_ELEMENTS (key, label, repository URL, snippet function)."""
    out = []
    for entry in _ENTRY_RE.finditer(source):
        fields = {m["name"]: m["value"] for m in _FIELD_RE.finditer(entry["body"])}
        snippet = _SNIPPETS_RE.search(entry["body"])
        out.append(Library(key=entry["q"] or entry["k"], label=fields.get("prettyLabel", ""),
                           repo_url=fields.get("repoUrl", ""), snippets=snippet["name"] if snippet else ""))
    return out


def template_literals(source: str) -> list[str]:
    """The texts of the backtick template literals in ``source``, ``${...}`` kept verbatim."""
    out: list[str] = []
    i = 0
    while True:
        start = source.find("`", i)
        if start < 0:
            return out
        text, i = _read_template(source, start + 1)
        out.append(text)


def _read_template(source: str, i: int) -> tuple[str, int]:
    """Read a template literal from just after its opening backtick; return (text, index after it)."""
    parts: list[str] = []
    while i < len(source):
        char = source[i]
        if char == "\\":
            parts.append(source[i:i + 2])
            i += 2
        elif char == "`":
            return "".join(parts), i + 1
        elif source.startswith("${", i):
            end = _skip_expression(source, i + 2)
            parts.append(source[i:end])
            i = end
        else:
            parts.append(char)
            i += 1
    return "".join(parts), i


def _skip_expression(source: str, i: int) -> int:
    """The index after the ``}`` closing a ``${`` expression that starts at ``i`` (nested literals skipped)."""
    depth = 1
    while i < len(source) and depth:
        char = source[i]
        if char == "`":
            _, i = _read_template(source, i + 1)
            continue
        if char in "\"'":
            close = source.find(char, i + 1)
            i = len(source) if close < 0 else close + 1
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        i += 1
    return i


def imports_of(code: str) -> dict[str, tuple[str, str]]:
    """The names a Python snippet binds by import: their qualified names and the module imported."""
    bound: dict[str, tuple[str, str]] = {}
    for m in _FROM_RE.finditer(code):
        for item in m["names"].split(","):
            words = item.split()
            if len(words) == 1:
                bound[words[0]] = (f"{m['module']}.{words[0]}", m["module"])
            elif len(words) == 3 and words[1] == "as":
                bound[words[2]] = (f"{m['module']}.{words[0]}", m["module"])
    for m in _IMPORT_RE.finditer(code):
        for item in m["items"].split(","):
            words = item.split()
            if len(words) == 1:
                top = words[0].split(".")[0]
                bound[top] = (top, words[0])
            elif len(words) == 3 and words[1] == "as":
                bound[words[2]] = (words[0], words[0])
    return bound


def calls_in(code: str, block: str) -> list[Call]:
    """The calls of one snippet that take the Hub repo id, with their callee resolved through its imports."""
    bound = imports_of(code)
    out: list[Call] = []
    for regex, positional in ((_POS_CALL_RE, True), (_KW_CALL_RE, False)):
        for m in regex.finditer(code):
            head, _, rest = m["callee"].partition(".")
            if head not in bound:
                continue  # a method of a local object: its class is not known from the snippet
            qualname, module = bound[head]
            qualname += f".{rest}" if rest else ""
            out.append(Call(qualname, 0 if positional else None, None if positional else m["kw"], block, module))
    return out


def snippet_calls(source: str) -> list[Call]:
    """Every repo-id call of every top-level snippet function, attributed to the function's name."""
    starts = list(_BLOCK_RE.finditer(source))
    out: list[Call] = []
    for n, start in enumerate(starts):
        end = starts[n + 1].start() if n + 1 < len(starts) else len(source)
        for text in template_literals(source[start.start():end]):
            out.extend(calls_in(text, start["name"]))
    return out


@dataclass(frozen=True)
class Entry:
    """One generated loader entry: a callee, where its repo id goes, and the libraries that show it."""

    qualname: str
    pos: int | None
    kws: tuple[str, ...]
    libraries: tuple[str, ...]
    modules: tuple[str, ...]


def select(libraries: list[Library], calls: list[Call], covered: set[str]) -> list[Entry]:
    """The calls no hand-written loader matches (``covered``), merged per callee, sorted by name."""
    by_block: dict[str, list[str]] = {}
    for library in libraries:
        if library.snippets:
            by_block.setdefault(library.snippets, []).append(library.key)
    merged: dict[str, tuple[set[int], set[str], set[str], set[str]]] = {}
    for call in calls:
        if call.qualname in covered:
            continue
        positions, kws, keys, modules = merged.setdefault(call.qualname, (set(), set(), set(), set()))
        modules.add(call.module)
        if call.pos is not None:
            positions.add(call.pos)
        if call.kw:
            kws.add(call.kw)
        keys.update(by_block.get(call.block) or [f"(helper {call.block})"])
    return [Entry(name, min(positions) if positions else None, tuple(sorted(kws)), tuple(sorted(keys)),
                  tuple(sorted(modules))) for name, (positions, kws, keys, modules) in sorted(merged.items())]


def covered_calls(qualnames: list[str]) -> set[str]:
    """The callees that a reviewed loader file (every ``data/loaders`` file but the generated one) matches."""
    from modelclear import loaderdata
    from modelclear.scan.pyloaders import build_table

    documents = {stem: doc for stem, doc in loaderdata.documents().items()
                 if "loaders" in doc and stem != OUT.stem}
    table = build_table(documents)
    return {name for name in qualnames if table.candidates(name)}


def reviewed_keywords() -> set[str]:
    """The prefilter keywords of the reviewed loader files (every ``data/loaders`` file but the generated one)."""
    from modelclear import loaderdata

    return {str(k) for stem, doc in loaderdata.documents().items() if stem != OUT.stem
            for k in doc.get("keywords") or ()}  # type: ignore[attr-defined]


def prefilter_words(modules: Set[str], existing: Set[str]) -> list[str]:
    """The modules as prefilter keywords, minus those another keyword already finds (a substring of them).

    The prefilter is one regular expression over every file's bytes; each keyword costs time on every file.
    """
    words = set(modules)
    return sorted(w for w in words
                  if not any(other != w and other in w for other in words | set(existing)))


def render(libraries: list[Library], entries: list[Entry], existing: Set[str] = frozenset()) -> str:
    """The generated loader data file (YAML), deterministic for one input."""
    urls = {lib.key: lib.repo_url for lib in libraries}
    keywords = prefilter_words({module for e in entries for module in e.modules}, existing)
    lines = [
        f"# GENERATED by tools/hf_tasks.py from the npm package {PACKAGE} {VERSION}; do not edit.",
        "# Rerun `python -m tools.hf_tasks` (`--check` compares). Each entry is a call that the Hub's",
        "# \"Use this model\" snippet of a library passes the Hub repo id to, with the snippet's imports",
        "# resolved; calls a reviewed loader file already matches (`*.from_pretrained`, transformers,",
        "# diffusers, ...) are left out. Priority -1: a reviewed entry for the same call wins. Builder",
        "# hf_named without names: an ORG/NAME value is a Hub repo, a bare name is the library's own (no id).",
        "library: hf_tasks",
        "sources:",
        f'  - {{url: "{TARBALL}", checked: {CHECKED}, confidence: V, note: "src/model-libraries.ts '
        f'(library keys, repositories) and src/model-libraries-snippets.ts (code snippets), {INTEGRITY[:23]}..."}}',
        f"keywords: [{', '.join(json.dumps(k) for k in keywords)}]",
        "loaders:",
    ]
    for entry in entries:
        where = ", ".join(f"{key} ({urls[key]})" if urls.get(key) else key for key in entry.libraries)
        arg = ([f"pos: {entry.pos}"] if entry.pos is not None else []) + (
            [f"kw: [{', '.join(entry.kws)}]"] if entry.kws else [])
        lines.append(f"  # {where}")
        lines.append(f"  - {{call: [{json.dumps(entry.qualname)}], kind: model, arg: {{{', '.join(arg)}}}, "
                     f"id: hf_named, priority: -1}}")
    return "\n".join(lines) + "\n"


def build(tarball: bytes) -> str:
    """The data file's text for the pinned tarball."""
    libraries_ts, snippets_ts = read_sources(tarball)
    libraries = parse_libraries(libraries_ts)
    calls = snippet_calls(snippets_ts)
    entries = select(libraries, calls, covered_calls([c.qualname for c in calls]))
    return render(libraries, entries, reviewed_keywords())


def default_cache() -> Path:
    """Where the tarball is kept between runs (next to the wheels of tools/extract)."""
    from tools.extract._archive import default_cache as wheels

    return wheels().parent / "npm"


def main(argv: list[str] | None = None) -> int:
    """Write (or ``--check``) the generated loader file; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cache", type=Path, default=None, help="where the npm tarball is kept")
    parser.add_argument("--out", type=Path, default=OUT, help="the loader data file to write")
    parser.add_argument("--check", action="store_true", help="compare with --out instead of writing")
    args = parser.parse_args(argv)
    text = build(fetch(args.cache or default_cache()))
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
        print(f"{args.out.name}: {'up to date' if current == text else 'stale'}")
        return 0 if current == text else 1
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out.name}: {text.count('- {call:')} loader entries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
