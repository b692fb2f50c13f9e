"""What a shell command fetches: the command recognisers behind :mod:`modelclear.scan.shell`.

Each recogniser reads one simple command (its words already expanded by the shell reader into
:class:`Arg` values) and returns :class:`Hit` s. Recognised:

* ``wget`` / ``curl`` / ``aria2c`` / ``axel`` of an address that is a model or dataset file: an
  address of a known weight host (``data/loaders/weight_urls.yaml``; a Hub ``resolve/`` link gives
  the Hub id), or a file (a Google Drive link included) whose name or ``-O``/``-o`` output name has a
  weight extension (``.pth``, ``.safetensors``, ``.gguf``...) or a data/archive extension (``.zip``,
  ``.tar.gz``, ``.parquet``...). Not: images, audio, video and documents (demo inputs), installers
  and packages (``.sh``, ``.deb``, ``.whl``..., a download piped into ``sh``/``bash``/``python``,
  archives named for a platform such as ``linux-amd64``), source archives, package hosts (a repository's
  raw ``githubusercontent.com`` file counts when its extension says data or weights), and local service
  addresses — except Ollama's ``/api/pull`` with a JSON body naming the model;
* ``gsutil cp|rsync`` / ``gcloud storage cp`` of ``gs://`` and ``aws s3 cp|sync`` of ``s3://``
  sources (not uploads: a remote address that is only the destination);
* ``huggingface-cli download REPO`` / ``hf download REPO`` (``--repo-type dataset`` -> ``hf-dataset:``;
  spaces are not artifacts), ``git clone`` / ``git lfs clone`` / ``git-lfs clone`` of ``huggingface.co``/``hf.co`` repos
  (``datasets/`` prefix -> ``hf-dataset:``), ``vllm serve REPO``;
* ``ollama pull|run TAG`` -> ``ollama:TAG``; ``kaggle datasets download [-d] OWNER/SLUG`` ->
  ``kaggle-dataset:OWNER/SLUG``; ``kaggle competitions download [-c] SLUG`` ->
  ``kaggle-competition:SLUG``; ``gdown ID|URL -O NAME`` -> ``url:`` of the Drive file when ``NAME`` has a
  weight or data extension (a Drive id alone does not say whether it is a checkpoint or a demo video);
* training and serving flags of any command (``--model_name_or_path``, ``--model``, ``--model-id``,
  ``--base_model``, ``--dataset_name``...) whose value is a Hub repo id (``ORG/NAME``, not a path);
  ``--model_name_or_path`` / ``--dataset_name`` also take bare Hub names.

Wrappers (``sudo``, ``env``, ``docker exec CONTAINER``, ``uv run``...) are looked through, and so is
``--`` before a recognised command (``ray job submit ... -- vllm serve REPO``). A value
the shell reader could not resolve is reported (``id`` None, confidence low) only by the commands
whose argument can be nothing but an artifact (``huggingface-cli download``, ``ollama pull``,
``kaggle``); an unresolved address is not reported (it may fetch anything).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit

from modelclear import ids
from modelclear.model import Kind
from modelclear.scan.urls import clean_url, file_kind, match_url


@dataclass(frozen=True)
class Arg:
    """One word of a command: its source text, its values (None: unresolved), whether it held a
    variable, and its line."""

    raw: str
    values: tuple[str, ...] | None
    via: bool
    line: int

    @property
    def text(self) -> str:
        """The first value, or the source text when unresolved."""
        return self.values[0] if self.values else self.raw


@dataclass(frozen=True)
class Hit:
    """One artifact a command names."""

    value: str
    id: str | None
    kind: Kind | None
    line: int
    confidence: str
    command: str
    note: str = ""


def command_name(arg: Arg) -> str:
    """The command a word runs (its last path component)."""
    return arg.text.rsplit("/", 1)[-1]


def _conf(arg: Arg, literal: str = "high") -> str:
    return "medium" if arg.via else literal


def _via_note(arg: Arg, note: str) -> str:
    return f"{note}; value of {arg.raw}" if arg.via else note


def _positionals(argv: Sequence[Arg], valued: frozenset[str]) -> list[Arg]:
    """Words that are not options nor option values (``valued`` options take the next word)."""
    out: list[Arg] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        text = arg.text
        if text.startswith("-") and len(text) > 1:
            skip = text in valued
            continue
        out.append(arg)
    return out


def _option(argv: Sequence[Arg], names: Sequence[str]) -> Arg | None:
    """The value of the first of ``names`` (``--x v``, ``--x=v`` or ``-xv`` for one-letter options)."""
    for i, arg in enumerate(argv):
        text = arg.text
        for name in names:
            if text == name and i + 1 < len(argv):
                return argv[i + 1]
            if name.startswith("--") and text.startswith(name + "="):
                rest = text[len(name) + 1:]
                return Arg(rest, (rest,) if arg.values else None, arg.via, arg.line)
            if len(name) == 2 and text.startswith(name) and len(text) > 2 and not text.startswith("--"):
                rest = text[2:]
                return Arg(rest, (rest,) if arg.values else None, arg.via, arg.line)
    return None


# --------------------------------------------------------------------------------------------------
# Addresses

_SKIP_EXT = re.compile(
    r"\.(jpe?g|png|gif|bmp|webp|svg|ico|tiff?|heic|mp4|avi|mov|mkv|webm|mp3|wav|flac|ogg|m4a|pdf|html?|md|rst|"
    r"txt|json|ya?ml|toml|ini|cfg|py|ipynb|js|css|sh|bash|ps1|bat|exe|msi|dmg|pkg|deb|rpm|apk|appimage|whl|jar|"
    r"so|dll|dylib|run|gpg|asc|key|pem|crt|sig|sha256|sha512|md5|deb\.gz)$", re.IGNORECASE)
_PLATFORM = re.compile(r"(linux|darwin|macos|windows|win32|win64|amd64|x86_64|x64|aarch64|arm64|armv[67]|i386|"
                       r"musl|ubuntu|debian|centos|installer|setup)", re.IGNORECASE)
_SOFTWARE_HOSTS = re.compile(
    r"(^|\.)(pypi\.org|pythonhosted\.org|pypa\.io|anaconda\.(com|org)|continuum\.io|docker\.com|nodesource\.com|"
    r"nodejs\.org|npmjs\.(com|org)|go\.dev|golang\.org|nvidia\.com|cmake\.org|java\.net|gradle\.org|llvm\.org|"
    r"microsoft\.com|rustup\.rs|astral\.sh|python-poetry\.org|ngrok\.com|k8s\.io|hashicorp\.com|ollama\.com|"
    r"ollama\.ai|githubusercontent\.com|apache\.org|debian\.org|ubuntu\.com|alpinelinux\.org|fedoraproject\.org|"
    r"sourceforge\.net|videolan\.org|ffmpeg\.org|johnvansickle\.com|gitlab\.com|bitbucket\.org)$", re.IGNORECASE)
_DRIVE = re.compile(r"^https?://(drive|docs)\.google\.com/")
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "host.docker.internal", "[::1]"})
_MODEL_PATH_WORDS = re.compile(r"(ckpt|checkpoint|model|weight|pretrain)", re.IGNORECASE)


def _ext_kind(name: str) -> Kind | Literal[False] | None:
    """Kind by file extension: a Kind, ``False`` for a file that is no artifact, ``None`` unknown."""
    lower = name.lower()
    kind = file_kind(lower)  # the suffix table shared with Python's generic downloads
    if kind is Kind.MODEL:
        return Kind.MODEL
    if _SKIP_EXT.search(lower):
        return False
    if kind is Kind.DATASET:
        return False if _PLATFORM.search(lower) else Kind.DATASET
    return None


def _url_id(url: str) -> str | None:
    ref = ids.try_parse("url:" + url)
    return ref.id if ref is not None else None


def classify_url(url: str, out_name: str = "") -> tuple[str, Kind, str, str] | None:
    """(id, kind, confidence, note) of a downloaded address, or None when it is not a model or dataset."""
    url = clean_url(url.strip())
    known = match_url(url)
    if known is not None:
        return known.id, known.kind, "high", known.note
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.password is not None:  # a private address with its credentials: never copied into a report
            return None
    except ValueError:
        return None
    if parts.scheme in ("gs", "s3"):
        name = parts.path.rsplit("/", 1)[-1]
        kind = _ext_kind(name)
        if kind is False:
            return None
        if kind is None:
            kind = Kind.MODEL if _MODEL_PATH_WORDS.search(parts.path) else Kind.DATASET
        found = _url_id(url)
        return (found, kind, "high", f"{parts.scheme}:// object") if found else None
    if parts.scheme not in ("http", "https", "ftp") or not host or host in _LOCAL_HOSTS or "." not in host:
        return None
    name = unquote(parts.path.rsplit("/", 1)[-1])
    kind = _ext_kind(name)
    if "/archive/" in parts.path or (_SOFTWARE_HOSTS.search(host) and not (
            host.endswith("githubusercontent.com") and kind)):  # a repository's raw data or weight file counts
        return None
    if kind is None and out_name:
        kind = _ext_kind(out_name)
    if _DRIVE.match(url) and kind:  # a Drive file says what it is only through the name it is saved under
        found = _url_id(url)
        return (found, kind, "medium", "Google Drive file") if found else None
    if not kind:
        return None
    if "/releases/download/" in parts.path and _PLATFORM.search(name):
        return None
    found = _url_id(url)
    what = "weights" if kind is Kind.MODEL else "data"
    return (found, kind, "medium", f"{what} file download") if found else None


_OLLAMA_BODY = re.compile(r'"(?:name|model)"\s*:\s*"([^"\s]+)"')
_DATA_OPTS = ("-d", "--data", "--data-raw", "--data-binary", "--json")
_NOT_URL_OPTS = frozenset({"-H", "--header", "-e", "--referer", "-x", "--proxy", "-A", "-U", "--user-agent",
                           *_DATA_OPTS, "-F", "--form", "--post-data"})
_PIPE_INSTALLERS = frozenset({"sh", "bash", "zsh", "dash", "python", "python3", "sudo", "tar", "apt-key",
                              "gpg", "iex", "source"})


def _download(argv: Sequence[Arg], piped_to: str) -> Iterator[Hit]:
    """``wget`` / ``curl`` / ``aria2c`` / ``axel`` / ``pget`` (Replicate's parallel fetcher: ``pget [-x] URL DEST``)."""
    command = command_name(argv[0])
    if piped_to in _PIPE_INSTALLERS:
        return
    out = _option(argv, ("-O", "--output-document") if command in ("wget", "wget2") else ("-o", "--output", "--out"))
    out_name = out.text.rsplit("/", 1)[-1] if out is not None and out.values else ""
    previous = ""
    for arg in argv[1:]:
        flag, previous = previous, arg.text
        if (flag in _NOT_URL_OPTS and command != "pget") or arg.values is None:  # pget -x: extract, no value
            continue
        for value in arg.values:
            if "://" not in value:
                continue
            m = re.search(r"(?:https?|ftp|s3|gs)://\S+", value)
            if m is None or m.start() > 0:
                continue
            if urlsplit(m.group()).path.rstrip("/").endswith("/api/pull"):
                yield from _ollama_body(argv, arg, command)
                continue
            got = classify_url(m.group(), out_name)
            if got is not None:
                yield Hit(m.group(), got[0], got[1], arg.line, "medium" if arg.via else got[2], command,
                          _via_note(arg, got[3]))


def _ollama_body(argv: Sequence[Arg], url: Arg, command: str) -> Iterator[Hit]:
    body = _option(argv, _DATA_OPTS)
    if body is None or not body.values:
        return
    for value in body.values:
        m = _OLLAMA_BODY.search(value)
        ref = ids.try_parse("ollama:" + m.group(1)) if m else None
        if m and ref is not None:
            yield Hit(m.group(1), ref.id, Kind.MODEL, url.line, _conf(body), command, "Ollama /api/pull request")


def _bucket(argv: Sequence[Arg], scheme: str, command: str) -> Iterator[Hit]:
    """A ``gs://`` / ``s3://`` source of a copy (an address that is only the destination is an upload)."""
    words = _positionals(argv, frozenset({"--profile", "--region", "--endpoint-url", "--exclude", "--include",
                                          "-o", "-h", "-x", "-z", "-j", "--storage-class", "--acl", "-p"}))
    for arg in words[:-1]:
        for value in arg.values or ():
            if value.startswith(scheme):
                got = classify_url(value)
                if got is not None:
                    yield Hit(value, got[0], got[1], arg.line, _conf(arg), command, _via_note(arg, got[3]))


def _gsutil(argv: Sequence[Arg], piped_to: str) -> Iterator[Hit]:
    words = [a.text for a in argv]
    if any(w in ("cp", "rsync", "mv") for w in words[1:4]):
        yield from _bucket(argv[2:], "gs://", "gsutil")


def _gcloud(argv: Sequence[Arg], piped_to: str) -> Iterator[Hit]:
    words = [a.text for a in argv]
    if len(words) > 3 and words[1] == "storage" and words[2] in ("cp", "rsync"):
        yield from _bucket(argv[3:], "gs://", "gcloud storage")


def _aws(argv: Sequence[Arg], piped_to: str) -> Iterator[Hit]:
    words = [a.text for a in argv]
    if "s3" in words[1:3]:
        i = words.index("s3")
        if i + 1 < len(words) and words[i + 1] in ("cp", "sync", "mv"):
            yield from _bucket(argv[i + 2:], "s3://", "aws s3")


_HF_VALUED = frozenset({"--repo-type", "--revision", "--include", "--exclude", "--cache-dir", "--local-dir",
                        "--local-dir-use-symlinks", "--token", "--max-workers", "--type"})


def _unresolved(arg: Arg, kind: Kind, command: str, what: str) -> Hit:
    return Hit(arg.raw, None, kind, arg.line, "low", command, f"{what} not resolved: {arg.raw}")


def _hf_cli(argv: Sequence[Arg], piped_to: str) -> Iterator[Hit]:
    """``huggingface-cli download REPO`` / ``hf download REPO``."""
    words = _positionals(argv[1:], _HF_VALUED)
    if len(words) < 2 or words[0].text != "download":
        return
    repo_type = _option(argv, ("--repo-type", "--type"))
    kind_name = repo_type.text if repo_type is not None else "model"
    if kind_name in ("space", "spaces"):
        return
    dataset = kind_name in ("dataset", "datasets")
    scheme, kind = ("hf-dataset", Kind.DATASET) if dataset else ("hf", Kind.MODEL)
    repo = words[1]
    command = f"{command_name(argv[0])} download"
    if repo.values is None:
        yield _unresolved(repo, kind, command, "repository")
        return
    for value in repo.values:
        ref = ids.try_parse(f"{scheme}:{value}")
        if ref is not None:
            yield Hit(value, ref.id, kind, repo.line, _conf(repo), command, _via_note(repo, "Hub download"))


_HF_GIT = re.compile(r"^(?:https?://(?:[^@/\s]+@)?(?:www\.)?(?:huggingface\.co|hf\.co)/|git@hf\.co:)"
                     r"(datasets/|spaces/)?([A-Za-z0-9][\w.\-]*/[A-Za-z0-9][\w.\-]*?|[A-Za-z0-9][\w.\-]*?)"
                     r"(?:\.git)?/?$")


def _git(argv: Sequence[Arg], piped_to: str) -> Iterator[Hit]:
    """``git clone`` / ``git lfs clone`` / ``git submodule add`` of a Hub repository."""
    words = [a.text for a in argv[1:6]]
    if not any(w in ("clone", "submodule") for w in words):
        return
    for arg in argv[2:]:
        for value in arg.values or ():
            m = _HF_GIT.match(value)
            if m is None or m.group(1) == "spaces/":
                continue
            scheme, kind = ("hf-dataset", Kind.DATASET) if m.group(1) else ("hf", Kind.MODEL)
            ref = ids.try_parse(f"{scheme}:{m.group(2)}")
            if ref is not None:
                yield Hit(value, ref.id, kind, arg.line, _conf(arg), "git clone",
                          _via_note(arg, "Hub repository clone"))


def _ollama(argv: Sequence[Arg], piped_to: str) -> Iterator[Hit]:
    """``ollama pull|run TAG``."""
    words = _positionals(argv[1:], frozenset({"--format", "--keepalive"}))
    if len(words) < 2 or words[0].text not in ("pull", "run"):
        return
    tag = words[1]
    command = f"ollama {words[0].text}"
    if tag.values is None:
        yield _unresolved(tag, Kind.MODEL, command, "model tag")
        return
    for value in tag.values:
        ref = ids.try_parse("ollama:" + value)
        if ref is not None and not value.startswith((".", "/")):
            yield Hit(value, ref.id, Kind.MODEL, tag.line, _conf(tag), command, _via_note(tag, "Ollama registry model"))


def _kaggle(argv: Sequence[Arg], piped_to: str) -> Iterator[Hit]:
    """``kaggle datasets download [-d] OWNER/SLUG`` / ``kaggle competitions download [-c] SLUG``."""
    words = [a.text for a in argv]
    if len(words) < 3 or words[2] != "download":
        return
    if words[1] in ("datasets", "d"):
        scheme, option = "kaggle-dataset", ("-d", "--dataset")
    elif words[1] in ("competitions", "c"):
        scheme, option = "kaggle-competition", ("-c", "--competition")
    else:
        return
    target = _option(argv, option)
    if target is None:
        rest = _positionals(argv[3:], frozenset({"-f", "--file", "-p", "--path", *option}))
        target = rest[0] if rest else None
    if target is None:
        return
    command = f"kaggle {words[1]} download"
    if target.values is None:
        yield _unresolved(target, Kind.DATASET, command, "dataset")
        return
    for value in target.values:
        ref = ids.try_parse(f"{scheme}:{value}")
        if ref is not None:
            yield Hit(value, ref.id, Kind.DATASET, target.line, _conf(target), command, _via_note(target, "Kaggle"))


_DRIVE_ID = re.compile(r"^[A-Za-z0-9_\-]{20,}$")


def drive_addresses(argv: Sequence[Arg]) -> Iterator[tuple[Arg, str, str]]:
    """(word, value, address) of what ``gdown ID|URL`` fetches."""
    words = _positionals(argv[1:], frozenset({"-O", "--output", "--proxy", "--speed", "--format"}))
    for arg in words[:1]:
        for value in arg.values or ():
            url = value if "://" in value else \
                f"https://drive.google.com/uc?id={value}" if _DRIVE_ID.match(value) else ""
            if url.startswith(("http://", "https://")):
                yield arg, value, url


def _gdown(argv: Sequence[Arg], piped_to: str) -> Iterator[Hit]:
    """``gdown ID|URL [-O out]``: the Drive file's address."""
    out = _option(argv, ("-O", "--output"))
    out_name = out.text if out is not None and out.values else ""
    for arg, value, url in drive_addresses(argv):
        got = classify_url(url, out_name)
        if got is not None:
            yield Hit(value, got[0], got[1], arg.line, _conf(arg, "medium"), "gdown",
                      _via_note(arg, "Google Drive download"))


#: Commands that unpack an archive, and the archive suffixes they are given.
UNPACKERS = frozenset({"unzip", "tar", "7z", "7za", "unrar"})
_ARCHIVE = re.compile(r"\.(?:zip|tar|tar\.gz|tgz|tar\.bz2|tbz2|tar\.xz|txz|7z|rar)$", re.IGNORECASE)


def unpacked_archive(argv: Sequence[Arg]) -> str:
    """The file name of the archive an ``unzip`` / ``tar -x`` / ``7z x`` command unpacks, or ""."""
    for arg in argv[1:]:
        if arg.values and not arg.text.startswith("-") and _ARCHIVE.search(arg.text):
            return arg.text.rsplit("/", 1)[-1]
    return ""


def _demucs(argv: Sequence[Arg], piped_to: str) -> Iterator[Hit]:
    """``demucs -n NAME`` / ``python -m demucs.separate --name NAME``: a Demucs pretrained model (the
    library's own default, when no name is given, is not named by the repository)."""
    name = _option(argv, ("-n", "--name"))
    if name is None:
        return
    for value in name.values or ():
        ref = ids.try_parse(f"demucs:{value}") if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_]*", value) else None
        if ref is not None:
            yield Hit(value, ref.id, Kind.MODEL, name.line, _conf(name), "demucs",
                      _via_note(name, "Demucs pretrained model"))


def _vllm(argv: Sequence[Arg], piped_to: str) -> Iterator[Hit]:
    words = _positionals(argv[1:], frozenset())
    if len(words) >= 2 and words[0].text == "serve":
        yield from _hub_values(words[1], "hf", Kind.MODEL, "vllm serve", bare=False)
    yield from _flags(argv, piped_to)


# --------------------------------------------------------------------------------------------------
# Flags naming a Hub repo

_MODEL_FLAGS = frozenset({"--model_name_or_path", "--model-name-or-path", "--model", "--model-id", "--model_id",
                          "--model_name", "--model-name", "--pretrained_model_name_or_path", "--base_model",
                          "--base-model", "--tokenizer_name", "--tokenizer", "--teacher_model", "--reward_model",
                          "--vision_tower", "--vision-tower", "--text_encoder_name", "--ref_model",
                          "--model-path", "--model_path", "--base_model_name_or_path"})
_DATASET_FLAGS = frozenset({"--dataset_name", "--dataset-name", "--dataset", "--dataset_id", "--data_path"})
_BARE_FLAGS = frozenset({"--model_name_or_path", "--dataset_name"})
_REPO = re.compile(r"^[A-Za-z0-9][\w.\-]*/[A-Za-z0-9][\w.\-]*$")
_BARE = re.compile(r"^[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)*$")
_LOCAL_ORGS = frozenset({"data", "datasets", "dataset", "output", "outputs", "out", "checkpoints", "checkpoint",
                         "ckpt", "ckpts", "models", "model", "runs", "results", "exp", "exps", "experiments",
                         "logs", "tmp", "cache", "pretrained", "pretrained_models", "weights", "saved_models",
                         "save", "configs", "config", "work_dirs", "assets", "resources", "local", "src",
                         "anthropic", "azure", "gemini", "groq", "together_ai", "bedrock", "vertex_ai",
                         "ollama", "cohere", "mistral", "deepseek", "openrouter", "fireworks_ai", "replicate"})
_BARE_LOCAL = re.compile(r"^(checkpoint|output|ckpt|run|exp|model|result|save|tmp|data|train|test|val)", re.I)


#: Model names of hosted APIs (OpenAI, Anthropic, Google, Cohere...): not artifacts one downloads.
HOSTED_MODEL = re.compile(r"^(gpt-|o[1-9]|chatgpt|text-embedding-|text-davinci|davinci|babbage|claude|gemini|"
                          r"command|embed-|rerank-|voyage|sonar|dall-e|whisper-1|tts-|mistral-(large|medium|small)-"
                          r"|grok|deepseek-(chat|reasoner)|llama-3\.\d-\d+b-(preview|instant|versatile))",
                          re.IGNORECASE)


def hub_repo(value: str) -> bool:
    """Whether ``value`` reads as a Hub repo id ``ORG/NAME`` rather than a local folder, a file or a hosted
    API's ``provider/model`` name (``openai/gpt-4o``)."""
    if _REPO.match(value) is None or _ext_kind(value) is not None:
        return False
    org, name = value.split("/", 1)
    return org.lower() not in _LOCAL_ORGS and not HOSTED_MODEL.match(name)


def _hub_values(arg: Arg, scheme: str, kind: Kind, command: str, bare: bool) -> Iterator[Hit]:
    for value in arg.values or ():
        if _REPO.match(value):
            if not hub_repo(value):
                continue
        elif not (bare and _BARE.match(value) and not _BARE_LOCAL.match(value)
                  and (scheme == "hf-dataset" or re.search(r"[0-9\-]", value))):
            continue
        ref = ids.try_parse(f"{scheme}:{value}")
        if ref is not None:
            yield Hit(value, ref.id, kind, arg.line, "medium", command, _via_note(arg, f"{command} flag"))


def _flags(argv: Sequence[Arg], piped_to: str) -> Iterator[Hit]:
    """``--model_name_or_path ORG/NAME`` and the like, on any command."""
    for i, arg in enumerate(argv[1:], start=1):
        text = arg.text
        flag, _, inline = text.partition("=")
        if flag not in _MODEL_FLAGS and flag not in _DATASET_FLAGS:
            continue
        if inline:
            value = Arg(inline, (inline,) if arg.values else None, arg.via, arg.line)
        elif i + 1 < len(argv):
            value = argv[i + 1]
        else:
            continue
        scheme, kind = ("hf-dataset", Kind.DATASET) if flag in _DATASET_FLAGS else ("hf", Kind.MODEL)
        yield from _hub_values(value, scheme, kind, flag, flag in _BARE_FLAGS)
    yield from _dataset_folder_flags(argv)
    for i, arg in enumerate(argv[1:-1], start=1):  # lm-evaluation-harness: --model_args pretrained=ORG/NAME,...
        if arg.text == "--model_args" and argv[i + 1].values:
            m = re.search(r"(?:^|,)pretrained=([^,\s]+)", argv[i + 1].text)
            if m:
                inner = argv[i + 1]
                yield from _hub_values(Arg(m.group(1), (m.group(1),), inner.via, inner.line), "hf", Kind.MODEL,
                                       "--model_args", False)


#: Option names that say the command writes there (an output folder named like a dataset is not that dataset).
_WRITE_FLAG = re.compile(r"(?:output|save|result|answer|log|dump|export|cache|dst|dest|out$|out[-_])", re.IGNORECASE)


def _dataset_folder_flags(argv: Sequence[Arg]) -> Iterator[Hit]:
    """An option's path value laid out as a known dataset publishes it (``--image_folder
    /path/to/coco/train2017``; :func:`modelclear.scan.localdatasets.match_path`) is that dataset, confidence
    low, once per dataset and command; options that name an output are skipped."""
    from modelclear.scan.localdatasets import match_path

    seen: set[str] = set()
    for i, arg in enumerate(argv[1:], start=1):
        flag, eq, inline = arg.text.partition("=")
        if not flag.startswith("-") or _WRITE_FLAG.search(flag):
            continue
        if eq:
            value = Arg(inline, (inline,) if arg.values else None, arg.via, arg.line)
        elif i + 1 < len(argv) and not argv[i + 1].text.startswith("-"):
            value = argv[i + 1]
        else:
            continue
        for text in value.values or ():
            if "/" not in text:
                continue
            found = match_path(text)
            if found is None or found[0] in seen:
                continue
            seen.add(found[0])
            yield Hit(text, found[0], Kind.DATASET, value.line, "low", flag,
                      f"local dataset path {text}: {found[1]}")


Recogniser = Callable[[Sequence[Arg], str], Iterator[Hit]]
RECOGNISERS: dict[str, Recogniser] = {
    "wget": _download, "wget2": _download, "curl": _download, "aria2c": _download, "axel": _download,
    "pget": _download,
    "gsutil": _gsutil, "gcloud": _gcloud, "aws": _aws,
    "huggingface-cli": _hf_cli, "hf": _hf_cli,
    "git": _git, "git-lfs": _git, "ollama": _ollama, "kaggle": _kaggle, "gdown": _gdown, "vllm": _vllm,
    "demucs": _demucs,
}
#: Commands that run another command given later in their words.
WRAPPERS = frozenset({"sudo", "env", "nohup", "time", "timeout", "exec", "docker", "podman", "kubectl", "nice",
                      "stdbuf", "uv", "uvx", "pipx", "poetry", "conda", "mamba", "micromamba", "srun", "command",
                      "xargs", "parallel", "retry"})


def recognise(argv: Sequence[Arg], piped_to: str = "") -> Iterator[Hit]:
    """What one simple command fetches. ``piped_to`` names the command its output is piped into."""
    if not argv:
        return
    name = command_name(argv[0])
    if name in WRAPPERS:  # the first inner command that names something (``docker exec ollama ollama pull x``)
        for i in range(1, len(argv)):
            if command_name(argv[i]) in RECOGNISERS and not argv[i].text.startswith("-"):
                hits = list(recognise(argv[i:], piped_to))
                if hits:
                    yield from hits
                    return
    if re.fullmatch(r"python[0-9.]*", name):  # `python -m demucs.separate -n NAME`: the module's command
        for i in range(1, len(argv) - 1):
            if argv[i].text == "-m":
                module = argv[i + 1].text.split(".", 1)[0].replace("_", "-")
                if module in RECOGNISERS and module not in ("hf", "git"):
                    yield from RECOGNISERS[module]([Arg(module, (module,), False, argv[i + 1].line), *argv[i + 2:]],
                                                   piped_to)
                    return
                break
            if not argv[i].text.startswith("-"):
                break
    recogniser = RECOGNISERS.get(name)
    if recogniser is not None:
        yield from recogniser(argv, piped_to)
        return
    for i in range(1, len(argv) - 1):  # ``ray job submit ... -- vllm serve org/name``: the command after ``--``
        if argv[i].text == "--" and command_name(argv[i + 1]) in RECOGNISERS:
            yield from recognise(argv[i + 1:], piped_to)
            return
    yield from _flags(argv, piped_to)


#: Words of which a text must hold one before it is read as shell: every command and flag recognised here.
KEYWORDS: tuple[str, ...] = tuple(sorted({*(n for n in RECOGNISERS if n != "hf"), "hf ", "--model", "--dataset",
                                          *(f for f in _MODEL_FLAGS | _DATASET_FLAGS
                                            if "--model" not in f and "--dataset" not in f)}))
