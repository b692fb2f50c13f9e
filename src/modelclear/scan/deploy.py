"""Deployment files: the models and datasets a project's environment names, and the index of that
environment.

Files read (by name): compose files (``docker-compose*.yml``/``compose*.yaml``), dotenv files
(``.env``, ``.env.example``, ``.env.*``, ``*.env``), Dockerfiles (``Dockerfile*``, ``*.dockerfile``,
``Containerfile``) and Ollama ``Modelfile`` s.

**The project environment index** (:func:`with_project_env`, run by the scan runner before the scan
pass; the result is ``ScanContext.project_env``): ``{VARIABLE: (EnvValue, ...)}``, where each
:class:`~modelclear.scan.base.EnvValue` holds a value, the file (relative to the scan root) and line
that set it, and its source:

* ``env-file``: ``NAME=value`` / ``export NAME=value`` lines of dotenv files;
* ``compose``: ``environment:`` maps and ``- NAME=value`` lists, and ``build: args:``;
* ``compose-default``: the default of every ``${NAME:-default}`` / ``${NAME-default}`` anywhere in a
  compose file (the value the variable has when nothing sets it);
* ``dockerfile-env`` / ``dockerfile-arg``: ``ENV`` and ``ARG`` defaults (``${X}`` of earlier ones
  resolved).

Values are in file-path order, then line order, at most ``BUDGETS.candidates`` distinct values per
variable. To resolve ``os.getenv("X")`` / ``os.environ.get("X", d)`` / ``os.environ["X"]``, look up
``ctx.project_env.get("X", ())``: every value is a candidate (a deployment value overrides the code's
default ``d`` at run time); an empty tuple means the project's deployment files do not set ``X``.
The pre-pass reads at most :data:`INDEX_FILES` files and :data:`INDEX_BYTES` bytes (in path order;
the rest are left out of the index but still scanned).

**References.** A variable's value is reported (at its line, confidence medium) only when both its
name and its value's shape say it is a model or dataset:

* the name holds ``MODEL``, ``EMBED``, ``RERANK``, ``CHECKPOINT``/``CKPT``, ``WEIGHTS``,
  ``TOKENIZER``, ``DATASET``, ``REPO_ID``, ``WHISPER``, and nothing that marks a setting (``_PATH``,
  ``_DIR``, ``_HOST``, ``_PORT``, ``_KEY``, ``_TOKEN``, ``_DIM``, ``_SIZE``, ``_PROVIDER``...) or a
  hosted API (``OPENAI_``, ``AZURE_``, ``ANTHROPIC_``, ``GROQ_``, ``GEMINI_``...: their model names are
  not artifacts);
* the value is a Hub repo id ``ORG/NAME`` (``hf:``, ``hf-dataset:`` for dataset names), an address
  of weights or data (see :func:`modelclear.scan.shellcmds.classify_url`), a sentence-transformers
  short name for an embedding variable, or an Ollama tag (``llama3.1:8b`` -> ``ollama:llama3.1:8b``)
  when the variable names Ollama or the project talks to Ollama (an ``ollama/ollama`` image in the
  file, an ``OLLAMA_*`` variable or an address on port 11434 in the project environment).

Commands are handed to :func:`modelclear.scan.shell.scan_shell`: Dockerfile ``RUN`` lines (shell and
exec form, ``RUN <<EOF`` scripts) with the ``ARG``/``ENV`` values before them as variables, and compose
``command:``/``entrypoint:`` strings and lists (``ollama serve & sleep 5 && ollama pull llama3``,
``--model-id BAAI/bge-large-en-v1.5``); a shell entrypoint (``/bin/bash``) runs the service's ``command:``
(``-c "..."``) as its arguments. A compose ``environment`` value's ``${VAR}`` without a default is each
value a dotenv file of the project sets for ``VAR`` (compose's ``.env`` / ``--env-file``), classified under
the entry's name (``INFINITY_MODEL_ID=${EMBEDDING_MODEL};${RERANK_MODEL}``). A Modelfile's ``FROM TAG`` is
``ollama:TAG`` (not a local file).

YAML is read from parser events (no composer, no constructor, aliases never expanded), at most
``BUDGETS.config_nodes`` events and ``BUDGETS.nesting_depth`` levels; shell work is counted per file
(:data:`modelclear.scan.shell.STEPS_PER_FILE`). A file that runs out keeps what was found and gets a
``budget`` warning; malformed YAML stops the reading of that file (the configuration scanner reports
the syntax error).
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from modelclear import ids
from modelclear.model import Kind, Reference
from modelclear.scan.base import EnvValue, ScanContext, ScanWarning
from modelclear.scan.budget import BUDGETS, Meter, budget_warning
from modelclear.scan.placeholders import review_references
from modelclear.scan.shell import STEPS_PER_FILE, project_values, scan_shell
from modelclear.scan.shellcmds import HOSTED_MODEL, classify_url, hub_repo
from modelclear.scan.walk import decode_text, is_binary, read_head
from modelclear.yamlsafe import FAST_LOADER, event_mark

__all__ = ["INDEX_BYTES", "INDEX_FILES", "DeployScanner", "EnvValue", "classify_variable", "read_deploy_file",
           "with_project_env"]

#: Files the environment pre-pass reads at most (in path order).
INDEX_FILES = 2_000
#: Bytes the environment pre-pass reads at most, all files together.
INDEX_BYTES = 32 * 1024 * 1024


_COMPOSE_NAME = re.compile(r"(docker-)?compose[\w.\-]*\.ya?ml")


def file_type(path: Path | str) -> str:
    """``compose`` | ``env`` | ``dockerfile`` | ``modelfile`` | ``""`` (not a deployment file), by name.

    ``path``: a path, or a path string with ``/`` between its parts (the last part is the name).
    """
    name = (path.name if isinstance(path, Path) else path.rpartition("/")[2]).lower()
    if "compose" not in name and "env" not in name and "file" not in name:  # every name below holds one
        return ""
    if _COMPOSE_NAME.fullmatch(name):
        return "compose"
    if name == ".env" or name.startswith(".env.") or name.endswith(".env") or name in ("env.example", "env.sample"):
        return "env"
    if name.startswith(("dockerfile", "containerfile")) or name.endswith(".dockerfile"):
        return "dockerfile"
    if name == "modelfile" or name.endswith(".modelfile"):
        return "modelfile"
    return ""


@dataclass
class DeployFile:
    """What one deployment file holds: variable values, shell scripts (numbered lines with the
    variables they see), Ollama base models, and whether it runs Ollama."""

    values: list[tuple[str, EnvValue]] = field(default_factory=list)
    scripts: list[tuple[list[tuple[int, str]], dict[str, list[str]]]] = field(default_factory=list)
    modelfile_from: list[tuple[str, int]] = field(default_factory=list)
    # compose ``environment`` entries whose value interpolates variables without a default: (name, value, line)
    interpolated: list[tuple[str, str, int]] = field(default_factory=list)
    ollama: bool = False
    budget_note: str = ""


# --------------------------------------------------------------------------------------------------
# dotenv

_DOTENV = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*=\s*(.*)$")
_INTERP = re.compile(r"\$\{([A-Za-z_]\w*)(?::?-([^{}]*))?\}|\$([A-Za-z_]\w*)")


def _dotenv_value(raw: str) -> str:
    raw = raw.strip()
    if raw[:1] in ("'", '"'):
        end = raw.find(raw[0], 1)
        return raw[1:end] if end > 0 else raw[1:]
    return re.split(r"\s#", raw, maxsplit=1)[0].strip()


def _read_env(text: str, rel: str, out: DeployFile) -> None:
    for number, line in enumerate(text.split("\n"), start=1):
        m = _DOTENV.match(line)
        if m is None or line.lstrip().startswith("#"):
            continue
        value = _dotenv_value(m.group(2))
        whole = _INTERP.fullmatch(value)
        if whole and whole.group(2) is not None:
            value = whole.group(2)
        out.values.append((m.group(1), EnvValue(value, rel, number, "env-file")))


# --------------------------------------------------------------------------------------------------
# compose

_Path = tuple[object, ...]


def _yaml_scalars(text: str, meter: Meter, depth: int) -> Iterator[tuple[_Path, str, int]]:
    """(key path, scalar text, line) of every scalar value, from parser events (keys are not yielded).
    Stops quietly on a syntax error; stops with ``meter`` exhausted past its budget or ``depth``."""
    loader = FAST_LOADER(text)
    stack: list[list[object]] = []  # [is_mapping, path, pending key, next index]

    def child() -> _Path:
        if not stack:
            return ()
        top = stack[-1]
        path = top[1]
        assert isinstance(path, tuple)
        if top[0]:
            key, top[2] = top[2], None
            return (*path, key)
        index = top[3]
        assert isinstance(index, int)
        top[3] = index + 1
        return (*path, index)

    try:
        while loader.check_event():
            event = loader.get_event()
            if not meter.spend():
                return
            if isinstance(event, yaml.CollectionStartEvent):
                if stack and stack[-1][0] and stack[-1][2] is None:
                    stack[-1][2] = "?"  # a collection used as a key
                    path: _Path = (*stack[-1][1], "?")  # type: ignore[misc]
                else:
                    path = child()
                if len(stack) >= depth:
                    meter.exhausted = True
                    return
                stack.append([isinstance(event, yaml.MappingStartEvent), path, None, 0])
            elif isinstance(event, yaml.CollectionEndEvent):
                if stack:
                    stack.pop()
            elif isinstance(event, yaml.ScalarEvent):
                if stack and stack[-1][0] and stack[-1][2] is None:
                    stack[-1][2] = event.value
                    continue
                mark = event_mark(event)
                yield child(), event.value, (mark.line + 1 if mark is not None else 0)
            elif isinstance(event, yaml.AliasEvent):
                if stack and stack[-1][0] and stack[-1][2] is None:
                    stack[-1][2] = "*"
                else:
                    child()
    except yaml.YAMLError as exc:  # a syntax error, or libyaml's own nesting bound met while looking ahead
        if "nesting depth" in str(exc):
            meter.exhausted = True
        return
    finally:
        loader.dispose()


def _command_line(items: list[str]) -> str:
    line = items[0] if len(items) == 1 else " ".join(shlex.quote(item) for item in items)
    return f"serve {line}" if line.lstrip().startswith("-") else line


def _read_compose(text: str, rel: str, out: DeployFile) -> None:
    meter = Meter(BUDGETS.config_nodes, "YAML events")
    commands: dict[tuple[object, ...], list[tuple[int, str]]] = {}
    for path, value, line in _yaml_scalars(text, meter, BUDGETS.nesting_depth):
        for m in _INTERP.finditer(value):
            if m.group(1) and m.group(2) is not None and "$" not in m.group(2):
                out.values.append((m.group(1), EnvValue(m.group(2), rel, line, "compose-default")))
        if len(path) < 3 or path[0] != "services":
            continue
        section = path[2]
        if section == "image" and len(path) == 3 and re.search(r"(^|/)ollama/ollama(:|$)", value):
            out.ollama = True
        elif section == "environment" or (section == "build" and len(path) >= 5 and path[3] == "args"):
            where = path[3] if section == "environment" else path[4]
            name, resolved = (where, value) if isinstance(where, str) else value.partition("=")[::2]
            if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][\w.\-]*", name):
                continue
            if section == "environment" and any(m.group(2) is None for m in _INTERP.finditer(resolved)):
                out.interpolated.append((name, resolved, line))
            whole = _INTERP.fullmatch(resolved)
            if whole:
                if whole.group(2) is None:
                    continue
                resolved = whole.group(2)
            out.values.append((name, EnvValue(resolved, rel, line, "compose")))
        elif section in ("command", "entrypoint") and len(path) <= 4:
            commands.setdefault(path[:3], []).append((line, value))
    for key, parts in commands.items():
        if key[2] == "entrypoint" and (key[0], key[1], "command") in commands:
            continue  # run with the service's command below
        entry = commands.get((key[0], key[1], "entrypoint")) if key[2] == "command" else None
        if entry and re.fullmatch(r"(/usr)?(/bin/)?(ba|da|z)?sh", entry[0][1].strip()) and len(entry) == 1:
            # a shell entrypoint runs the command as its arguments (``/bin/bash`` + ``-c "..."``)
            out.scripts.append(([(parts[0][0], f"{entry[0][1].strip()} {_command_line([p for _, p in parts])}")],
                                {}))
            continue
        out.scripts.append(([(parts[0][0], _command_line([p for _, p in parts]))], {}))
    if meter.exhausted:
        out.budget_note = (f"compose file: reading stopped after {BUDGETS.config_nodes:,} YAML events or "
                           f"{BUDGETS.nesting_depth} levels of nesting")


# --------------------------------------------------------------------------------------------------
# Dockerfile


def _docker_instructions(text: str) -> Iterator[tuple[str, list[tuple[int, str]]]]:
    """(INSTRUCTION, physical lines of its arguments) with continuations kept and comment lines inside
    a continuation dropped; ``RUN <<EOF`` here-documents give their body as the lines."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        m = re.match(r"^\s*([A-Za-z]+)(?:\s+|$)(.*)$", line)
        if m is None or line.lstrip().startswith("#"):
            continue
        word, rest = m.group(1).upper(), m.group(2)
        heredoc = re.match(r"^<<-?\s*['\"]?(\w+)['\"]?\s*$", rest.strip()) if word == "RUN" else None
        body: list[tuple[int, str]] = [(i, rest)]
        if heredoc:
            body = []
            while i < len(lines) and lines[i].strip() != heredoc.group(1):
                body.append((i + 1, lines[i]))
                i += 1
            i += 1
        else:
            while body[-1][1].rstrip().endswith("\\") and i < len(lines):
                if not lines[i].lstrip().startswith("#"):
                    body.append((i + 1, lines[i]))
                i += 1
        yield word, body


def _docker_assignments(args: str) -> list[tuple[str, str]]:
    try:
        words = shlex.split(args, comments=False, posix=True)
    except ValueError:
        words = args.split()
    if not words:
        return []
    if "=" not in words[0]:  # legacy ``ENV NAME value with spaces`` / ``ARG NAME``
        return [(words[0], " ".join(words[1:]))] if len(words) > 1 else []
    return [(w.split("=", 1)[0], w.split("=", 1)[1]) for w in words if "=" in w]


def _substitute(value: str, env: Mapping[str, list[str]]) -> str | None:
    def one(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(3)
        if env.get(name):
            return env[name][-1]
        if m.group(2) is not None:
            return m.group(2)
        raise KeyError(name)

    try:
        return _INTERP.sub(one, value)
    except KeyError:
        return None


def _read_dockerfile(text: str, rel: str, out: DeployFile) -> None:
    env: dict[str, list[str]] = {}
    for word, body in _docker_instructions(text):
        if word in ("ENV", "ARG"):
            joined = " ".join(t.rstrip().rstrip("\\") for _, t in body)
            for name, raw in _docker_assignments(joined):
                if not re.fullmatch(r"[A-Za-z_]\w*", name):
                    continue
                value = _substitute(raw, env)
                if value is None or (word == "ARG" and not raw):
                    continue
                env[name] = [value]
                out.values.append((name, EnvValue(value, rel, body[0][0], f"dockerfile-{word.lower()}")))
        elif word in ("RUN", "CMD", "ENTRYPOINT") and body:
            first = body[0][1].strip()
            if first.startswith("["):  # exec form: a JSON list of words
                try:
                    items = json.loads(" ".join(t.rstrip().rstrip("\\") for _, t in body))
                except (ValueError, RecursionError):
                    continue
                if isinstance(items, list) and all(isinstance(x, str) for x in items):
                    out.scripts.append(([(body[0][0], _command_line(items))], dict(env)))
                continue
            body = [(n, re.sub(r"^\s*--\w+(=\S+)?\s+", "", t) if n == body[0][0] else t) for n, t in body]
            out.scripts.append((body, {k: list(v) for k, v in env.items()}))


def _read_modelfile(text: str, out: DeployFile) -> None:
    for number, line in enumerate(text.split("\n"), start=1):
        m = re.match(r"^\s*FROM\s+(\S+)\s*$", line, re.IGNORECASE)
        if m:
            out.modelfile_from.append((m.group(1), number))


def read_deploy_file(text: str, kind: str, rel: str) -> DeployFile:
    """The variables, scripts and Ollama models of one deployment file of ``kind`` (see :func:`file_type`)."""
    out = DeployFile()
    if kind == "env":
        _read_env(text, rel, out)
    elif kind == "compose":
        _read_compose(text, rel, out)
    elif kind == "dockerfile":
        _read_dockerfile(text, rel, out)
    elif kind == "modelfile":
        _read_modelfile(text, out)
    return out


# --------------------------------------------------------------------------------------------------
# Which values are artifacts

_ARTIFACT_PARTS = ("MODEL", "EMBED", "RERANK", "CHECKPOINT", "CKPT", "WEIGHT", "TOKENIZER", "DATASET")
_ARTIFACT_WORDS = frozenset({"LLM", "REPO", "WHISPER"})
_SETTING_WORDS = frozenset({
    "PATH", "DIR", "FOLDER", "FILE", "CACHE", "HOME", "HOST", "PORT", "KEY", "TOKEN", "TOKENS", "SECRET",
    "PASSWORD", "PASS", "ENDPOINT", "URI", "URL", "BASE", "API", "PROVIDER", "TYPE", "BACKEND", "TEMPERATURE",
    "TEMP", "MAX", "MIN", "SIZE", "DIM", "DIMS", "DIMENSION", "DIMENSIONS", "LENGTH", "LEN", "NUM", "COUNT",
    "TIMEOUT", "BATCH", "DEVICE", "VERSION", "KWARGS", "ARGS", "DTYPE", "PRECISION", "THREADS", "WORKERS", "GPU",
    "GPUS", "CTX", "CONTEXT", "LIMIT", "TOP", "ENABLE", "ENABLED", "DISABLE", "DISABLED", "USE", "STRATEGY",
    "MODE", "FORMAT", "REVISION", "TRUST", "PARALLELISM", "ALIVE", "SERVICE", "SERVER", "CLASS", "LIST", "NAMES",
    "PREFIX", "SUFFIX", "TEMPLATE", "PROMPT", "SERVED", "ALIAS", "QUANTIZATION", "QUANTIZE", "LAYERS", "SEED",
    "RATE", "STEPS", "EPOCHS", "SPLIT", "COLUMN", "FIELD", "ID_FIELD", "REGION", "BUCKET", "TABLE", "INDEX",
    "COLLECTION"})
_HOSTED_WORDS = frozenset({
    "OPENAI", "AZURE", "ANTHROPIC", "CLAUDE", "GROQ", "OPENROUTER", "TOGETHER", "GEMINI", "GOOGLE", "VERTEX",
    "COHERE", "BEDROCK", "AWS", "DEEPSEEK", "FIREWORKS", "PERPLEXITY", "REPLICATE", "XAI", "GROK", "VOYAGE",
    "JINA", "NVIDIA", "NIM", "WATSONX", "DASHSCOPE", "ZHIPU", "MOONSHOT", "LITELLM", "GPT", "MISTRAL", "AOAI"})


def _name_words(name: str) -> list[str]:
    return [w for w in re.split(r"[_.\-]+", name.upper()) if w]


def _names_artifact(name: str) -> bool:
    """The variable's name says it holds a model or dataset (not a setting about one, nor a hosted API's)."""
    words = _name_words(name)
    if any(w in _HOSTED_WORDS for w in words):
        return False
    return any(w in _ARTIFACT_WORDS or any(p in w for p in _ARTIFACT_PARTS) for w in words)


_OLLAMA_TAG = re.compile(r"^(?:hf\.co/[\w.\-]+/[\w.\-]+|[a-z0-9][a-z0-9._\-]*(?:/[a-z0-9][a-z0-9._\-]*)?)"
                         r"(?::[A-Za-z0-9][\w.\-]*)?$")
#: Values that choose a backend rather than name a model (``EMBEDDING_MODEL=sentence_transformer``).
_SELECTORS = frozenset({"sentence_transformer", "sentence_transformers", "openai", "ollama", "huggingface", "hf",
                        "local", "azure", "aws", "bedrock", "google", "vertex", "cohere", "fastembed", "gpt4all",
                        "llamacpp", "llama_cpp", "vllm", "tgi", "tei", "default", "none", "auto", "custom",
                        "mock", "fake", "dummy", "test"})
_ST_SHORT = re.compile(r"^(all|paraphrase|multi-qa|msmarco|distiluse|nli|stsb|sentence-t5|gtr-t5)-[A-Za-z0-9.\-]+$")


def classify_variable(name: str, value: str, ollama: bool) -> tuple[str, Kind, str] | None:
    """(id, kind, note) when variable ``name`` = ``value`` names a model or dataset (module docstring);
    ``ollama``: the project talks to an Ollama server."""
    value = value.strip()
    if not value or len(value) > 500 or not _names_artifact(name):
        return None
    dataset = "DATASET" in name.upper()
    kind = Kind.DATASET if dataset else Kind.MODEL
    if "://" in value:
        got = classify_url(value)
        return (got[0], got[1], f"environment variable {name}: {got[3]}") if got else None
    if any(w in _SETTING_WORDS for w in _name_words(name)) or "$" in value or HOSTED_MODEL.match(value):
        return None
    if value.lower().replace("-", "_") in _SELECTORS:
        return None
    names_ollama = "OLLAMA" in name.upper()
    if (names_ollama or ollama) and _OLLAMA_TAG.match(value) and (":" in value or ("/" not in value
                                                                                  and "_" not in value)):
        ref = ids.try_parse("ollama:" + value)
        if ref is not None and not dataset:
            return ref.id, Kind.MODEL, f"environment variable {name}: Ollama model"
    repo = hub_repo(value)
    if repo:
        ref = ids.try_parse(("hf-dataset:" if dataset else "hf:") + value)
        if ref is not None:
            return ref.id, kind, f"environment variable {name}"
    if not dataset and re.search("EMBED", name, re.IGNORECASE) and _ST_SHORT.match(value) \
            and re.search(r"[A-Z]|-v\d", value):
        ref = ids.try_parse(f"hf:sentence-transformers/{value}")
        if ref is not None:
            return ref.id, kind, f"environment variable {name}: sentence-transformers model"
    return None


# --------------------------------------------------------------------------------------------------
# The pre-pass and the scanner


def talks_to_ollama(env: Mapping[str, Iterable[EnvValue]]) -> bool:
    """Whether the project environment names an Ollama server (an ``OLLAMA_*`` variable, port 11434)."""
    return any(name.upper().startswith("OLLAMA") or any(":11434" in v.value for v in values)
               for name, values in env.items())


#: Shell scripts whose ``export NAME=value`` lines the project's other files see (a launcher script that
#: picks a model and starts the containers: ``export MODEL_DOWNLOAD_URL="https://..."``).
_SCRIPT_SUFFIXES = (".sh", ".bash")
_EXPORT = re.compile(r"""^[ \t]*export[ \t]+([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"$`\\]*)"|'([^']*)'|([^\s;#$`"'\\]+))""",
                     re.MULTILINE)


def _script_exports(text: str, rel: str) -> list[tuple[str, EnvValue]]:
    """The literal values a shell script exports, each with its line."""
    if "export" not in text:
        return []
    out: list[tuple[str, EnvValue]] = []
    for m in _EXPORT.finditer(text):
        value = next((g for g in m.groups()[1:] if g is not None), "")
        if value:
            line = text.count("\n", 0, m.start()) + 1
            out.append((m.group(1), EnvValue(value, rel, line, "shell-export")))
    return out


def with_project_env(ctx: ScanContext, files: Iterable[tuple[str, str, int]], max_bytes: int) -> ScanContext:
    """``ctx`` with ``project_env`` filled from the deployment files among ``files`` ((absolute path,
    path relative to the root, size) triples, as the runner lists them; symbolic links are never
    followed). See the module docstring for the index and its budgets; unreadable, binary or
    undecodable files are left out (the scan pass reports them)."""
    index: dict[str, list[EnvValue]] = {}
    read = 0
    chosen = sorted((rel, path, size) for path, rel, size in files
                    if file_type(rel) in ("env", "compose", "dockerfile") or rel.endswith(_SCRIPT_SUFFIXES))
    for rel, path, size in chosen[:INDEX_FILES]:
        if size > max_bytes or read + size > INDEX_BYTES:
            continue
        try:
            data = read_head(path, max_bytes + 1, nofollow=True)
        except OSError:
            continue
        read += len(data)
        text = decode_text(data) if not is_binary(data) else None
        if text is None or len(data) > max_bytes:
            continue
        found = _script_exports(text, rel) if rel.endswith(_SCRIPT_SUFFIXES) else read_deploy_file(
            text, file_type(rel), rel).values
        for name, value in found:
            have = index.setdefault(name, [])
            if len(have) < BUDGETS.candidates and not any(
                    (h.value, h.path, h.line) == (value.value, value.path, value.line) for h in have):
                have.append(value)
    if not index:
        return ctx
    return replace(ctx, project_env={name: tuple(values) for name, values in index.items()})


def _interpolated(name: str, value: str, line: int, path: str, ctx: ScanContext, ollama: bool) -> list[Reference]:
    """References of a compose ``environment`` entry's ``${VAR}`` parts: compose fills them from an env file
    (``.env``, ``--env-file compose.env``), so each value a dotenv file of the project sets for ``VAR`` is one,
    classified under the entry's name (``INFINITY_MODEL_ID=${EMBEDDING};${RERANKING}``, ``WHISPER__MODEL``)."""
    found: list[Reference] = []
    for m in _INTERP.finditer(value):
        var = m.group(1) or m.group(3)
        if m.group(2) is not None or not var:
            continue
        for candidate in ctx.project_env.get(var, ()):
            if candidate.source != "env-file" or "$" in candidate.value:
                continue
            hit = classify_variable(name, candidate.value, ollama)
            if hit is not None:
                found.append(Reference(raw=candidate.value[:300], kind=hit[1], id=hit[0], path=path, line=line,
                                       evidence=f"{name}={value}"[:300], confidence="medium",
                                       loader="deploy:compose-interpolation",
                                       note=f"{hit[2]}; ${{{var}}} as {candidate.path} sets it"[:300]))
    return found


class DeployScanner:
    """Compose, dotenv, Dockerfile and Modelfile files (see the module docstring)."""

    name = "deploy"

    def accepts(self, path: Path) -> bool:
        """Deployment files by name (:func:`file_type`)."""
        return bool(file_type(path))

    def scan(self, path: Path, data: bytes, ctx: ScanContext) -> Iterable[Reference | ScanWarning]:
        """References named by one deployment file."""
        text = decode_text(data)
        if text is None:
            return [ScanWarning(path=path.name, message="not UTF-8 text; skipped", code="encoding")]
        kind = file_type(path)
        got = read_deploy_file(text, kind, path.name)
        ollama = got.ollama or kind == "modelfile" or talks_to_ollama(ctx.project_env) or talks_to_ollama(
            {name: [value] for name, value in got.values})
        found: list[Reference | ScanWarning] = []
        for name, value in got.values:
            hit = classify_variable(name, value.value, ollama)
            if hit is not None:
                found.append(Reference(raw=value.value[:300], kind=hit[1], id=hit[0], path=path.name, line=value.line,
                                       evidence=f"{name}={value.value}"[:300], confidence="medium",
                                       loader=f"deploy:{value.source}", note=hit[2]))
        for tag, line in got.modelfile_from:
            ref = ids.try_parse("ollama:" + tag) if not tag.startswith((".", "/", "~")) else None
            if ref is not None and not re.search(r"\.(gguf|bin|safetensors)$", tag, re.IGNORECASE):
                found.append(Reference(raw=tag, kind=Kind.MODEL, id=ref.id, path=path.name, line=line,
                                       evidence=f"FROM {tag}", confidence="high", loader="deploy:modelfile",
                                       note="Ollama Modelfile base model"))
        for name, text, line in got.interpolated:
            found.extend(_interpolated(name, text, line, path.name, ctx, ollama))
        meter = Meter(STEPS_PER_FILE, "shell steps")
        project = project_values(ctx)
        for lines, env in got.scripts:
            found.extend(scan_shell(lines, path.name, env=env, project_env=project, meter=meter, ctx=ctx))
        if meter.exhausted:
            found.append(budget_warning(path.name, f"commands: reading stopped after {STEPS_PER_FILE:,} steps"))
        if got.budget_note:
            found.append(budget_warning(path.name, got.budget_note))
        seen: set[tuple[str | None, int]] = set()
        unique: list[Reference | ScanWarning] = []
        for item in found:  # a compose ``X: ${X:-v}`` line sets X twice; one reference per id and line
            if isinstance(item, Reference) and item.id is not None:
                if (item.id, item.line) in seen:
                    continue
                seen.add((item.id, item.line))
            unique.append(item)
        return review_references(unique, path, ctx.root)  # "MODEL=your-org/your-model": a dynamic load to review
