"""Score ``modelclear scan`` against the hand-labelled evaluation corpus in ``bench/corpus/labels``.

Usage::

    python bench/corpus/score.py --mirror DIR [--split dev|heldout|all] [--repo owner/name]
                                 [--out FILE.md] [--json FILE]

``DIR`` (default: the ``MODELCLEAR_CORPUS_MIRROR`` environment variable) holds one bare git directory
per repository, found by the ``owner+name`` folder name (``DIR/owner+name/repo``, ``DIR/owner+name``,
``DIR/owner+name.git`` or ``DIR/owner/name``). For each label file the tree is materialised at the
pinned commit into a temporary directory (blobs a snapshot lacks are left out), scanned in process,
and every label is matched against the scan's references: same path, line within ±2 of ``line`` or
of an ``alt_lines`` entry, and an id that normalises equal. See ``bench/corpus/README.md``.

The default split is ``dev``: held-out repositories are scored only when asked for, and no fix may be
tuned on them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit, urlunsplit

LABELS_DIR = Path(__file__).resolve().parent / "labels"
SPLITS = ("dev", "heldout")
LINE_SLACK = 2
CAUSES = ("literal", "loader-unknown", "dataflow-local", "dataflow-function", "registry", "env",
          "string-building", "argparse-default", "config-format", "shell", "local-file")
DETECTRON2_PREFIX = "https://dl.fbaipublicfiles.com/detectron2/"
# sentence-transformers short names (no org) that the library expands to ``sentence-transformers/NAME``
_ST_SHORT = re.compile(r"(all-|paraphrase-|multi-qa-|msmarco-|distiluse-|nli-|stsb-|quora-|average_word_embeddings_|"
                       r"sentence-t5-|gtr-t5-|labse$|clip-vit-|bert-base-nli-|bert-large-nli-|distilbert-base-nli-|"
                       r"roberta-base-nli-|roberta-large-nli-|xlm-r-|use-cmlm-|facebook-dpr-)", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    """One reference the scanner reported: path relative to the tree, line, and id (None = dynamic load)."""

    path: str
    line: int
    id: str | None


@dataclass
class LabelResult:
    """One label and whether (and by which finding) it was matched."""

    label: dict[str, Any]
    matched: Finding | None = None
    near: list[Finding] = field(default_factory=list)  # findings near the label whose id differs


@dataclass
class RepoScore:
    """The score of one repository."""

    repo: str
    split: str
    category: str
    labels: list[LabelResult] = field(default_factory=list)
    findings: int = 0
    unmatched: list[Finding] = field(default_factory=list)
    dynamic: list[Finding] = field(default_factory=list)
    error: str = ""

    @property
    def matched(self) -> int:
        """How many labels a finding matched."""
        return sum(1 for r in self.labels if r.matched is not None)


# --- id normalisation --------------------------------------------------------------------------------


def _norm_url(url: str) -> str:
    if url.startswith("detectron2://"):
        url = DETECTRON2_PREFIX + url[len("detectron2://"):]
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/") if parts.path not in ("", "/") else ""
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


class Normaliser:
    """Normalise ids on both sides: case, sentence-transformers short names, URLs, known aliases.

    ``canonical`` maps an id to the knowledge base's canonical id (or None); ``url_canonical`` maps a
    ``url:`` id to the better id its address stands for. Both default to modelclear's own when it can
    be imported, else to the identity.
    """

    def __init__(self, canonical: Callable[[str], str | None] | None = None,
                 url_canonical: Callable[[str], str] | None = None) -> None:
        """Use the given hooks, or modelclear's knowledge base and URL table."""
        if canonical is None or url_canonical is None:
            kb_canonical, kb_url = _modelclear_hooks()
            canonical = canonical or kb_canonical
            url_canonical = url_canonical or kb_url
        self._canonical = canonical
        self._url = url_canonical
        self._memo: dict[str, str] = {}

    def __call__(self, raw: str | None) -> str:
        """The comparison key of ``raw`` (lower case)."""
        if raw is None:
            return ""
        if raw not in self._memo:
            self._memo[raw] = self._normalise(raw)
        return self._memo[raw]

    def _normalise(self, raw: str) -> str:
        text = raw.strip()
        if text.startswith(("detectron2://", "http://", "https://", "gs://", "s3://")):
            text = "url:" + text
        if ":" not in text.split("/", 1)[0] and not text.startswith("url:"):
            text = "hf:" + text  # a bare Hub id
        scheme, _, name = text.partition(":")
        scheme = scheme.lower()
        if scheme == "url":
            text = self._url("url:" + _norm_url(name))
            scheme, _, name = text.partition(":")
            if scheme == "url":
                name = _norm_url(name)
        if scheme == "hf" and "/" not in name and _ST_SHORT.match(name):
            name = "sentence-transformers/" + name
        if scheme == "sklearn-dataset":
            name = re.sub(r"^(fetch_|load_)", "", name)
        if scheme == "clip":  # OpenAI CLIP weights: modelclear names them as OpenCLIP's "openai" tag (same file)
            scheme, name = "open_clip", name.replace("@336px", "-336").replace("/", "-") + "/openai"
        if scheme in ("keras_hub", "keras-applications"):  # modelclear's one scheme for both: keras:PRESET / keras:Arch
            scheme = "keras"
        if scheme == "torchvision" and name.count("/") == 1:  # modelclear's torchvision:WeightsEnum.MEMBER
            arch, _, member = name.partition("/")
            enum = _torchvision_enum(arch)
            if enum:
                name = f"{enum}.{member}"
        if scheme == "torch-hub" and name.count("/") == 2:  # modelclear's torchhub:OWNER/REPO:ENTRY
            owner_repo, _, entry = name.rpartition("/")
            scheme, name = "torchhub", f"{owner_repo}:{entry}"
        text = f"{scheme}:{name}"
        canonical = self._canonical(text)
        if canonical:
            text = canonical
        return text.lower()


_TV_ENUMS: dict[str, str] | None = None


def _torchvision_enum(arch: str) -> str | None:
    """The weights enum of a torchvision builder (``resnet50`` -> ``ResNet50_Weights``), from modelclear's
    loader table (None without modelclear: the ids are then compared as written)."""
    global _TV_ENUMS
    if _TV_ENUMS is None:
        _TV_ENUMS = {}
        try:
            from modelclear.scan.pyloaders import load_table
        except ImportError:
            return None
        builders = load_table().table("torchvision").get("builders") or {}
        for name, entry in builders.items() if isinstance(builders, dict) else ():
            enum = entry.get("enum") if isinstance(entry, dict) else entry
            if isinstance(enum, str):
                _TV_ENUMS[str(name)] = enum
    return _TV_ENUMS.get(arch)


def _modelclear_hooks() -> tuple[Callable[[str], str | None], Callable[[str], str]]:
    try:
        from modelclear import ids
        from modelclear.scan.urls import canonical_id
        from modelclear.service import load_knowledge
    except ImportError:  # scoring without modelclear installed: plain string comparison
        return (lambda _t: None), (lambda t: t)
    kb = load_knowledge()

    def canonical(text: str) -> str | None:
        parsed = ids.try_parse(text)
        if parsed is None:
            return None
        return kb.canonical(parsed.id) or parsed.id

    return canonical, canonical_id


# --- matching ----------------------------------------------------------------------------------------


def _near(label: dict[str, Any], finding: Finding) -> bool:
    if finding.path != label["path"]:
        return False
    lines = [int(label["line"])] + [int(x) for x in label.get("alt_lines") or []]
    return any(abs(finding.line - n) <= LINE_SLACK for n in lines)


def score_repo(doc: dict[str, Any], findings: Iterable[Finding], norm: Normaliser) -> RepoScore:
    """Match the labels of one label file against the scanner's findings."""
    omitted = set(doc.get("files_omitted") or [])
    kept = [f for f in findings if f.path not in omitted]
    labels: list[dict[str, Any]] = list(doc.get("labels") or [])
    score = RepoScore(repo=str(doc["repo"]), split=str(doc.get("split", "")), category=str(doc.get("category", "")))
    score.dynamic = [f for f in kept if f.id is None]
    resolved = [f for f in kept if f.id is not None]
    score.findings = len(resolved)
    for label in labels:
        result = LabelResult(label=label)
        want = norm(str(label["id"]))
        for f in resolved:
            if not _near(label, f):
                continue
            if norm(f.id) == want and result.matched is None:
                result.matched = f
            elif norm(f.id) != want:
                result.near.append(f)
        score.labels.append(result)
    score.unmatched = [f for f in resolved if not any(_near(lb, f) for lb in labels)]
    return score


# --- mirror and materialisation ----------------------------------------------------------------------


def _is_git_dir(path: Path) -> bool:
    return (path / "HEAD").is_file() and (path / "objects").is_dir()


def find_git_dir(mirror: Path, repo: str) -> Path | None:
    """The bare git directory of ``owner/name`` under ``mirror``, in one of the accepted layouts."""
    owner, _, name = repo.partition("/")
    flat = f"{owner}+{name}"
    for candidate in (mirror / flat / "repo", mirror / flat, mirror / f"{flat}.git", mirror / flat / ".git",
                      mirror / owner / name, mirror / owner / f"{name}.git", mirror / owner / name / ".git"):
        if candidate.is_dir() and _is_git_dir(candidate):
            return candidate
    return None


def _safe_rel(path: str) -> PurePosixPath | None:
    rel = PurePosixPath(path)
    if rel.is_absolute() or any(part in ("..", "", ".git") for part in rel.parts):
        return None
    return rel


def materialise(git_dir: Path, commit: str, dest: Path) -> int:
    """Write the regular files of ``commit`` under ``dest``; blobs missing from the snapshot are skipped.

    Returns the number of files written. (``git archive`` would stop at the first absent blob, and
    snapshots leave their largest files out.)
    """
    listing = subprocess.run(["git", "--git-dir", str(git_dir), "ls-tree", "-r", "-z", commit],
                             check=True, capture_output=True).stdout
    entries: list[tuple[str, PurePosixPath]] = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, sha = meta.decode().split()
        rel = _safe_rel(raw_path.decode("utf-8", "surrogateescape"))
        if kind == "blob" and mode in ("100644", "100755") and rel is not None:
            entries.append((sha, rel))
    if not entries:
        return 0
    proc = subprocess.Popen(["git", "--git-dir", str(git_dir), "cat-file", "--batch"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    stdin = proc.stdin

    def feed() -> None:  # from a thread: a listing larger than the pipe would block git's output, and us with it
        stdin.write(b"".join(sha.encode() + b"\n" for sha, _ in entries))
        stdin.close()

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    written = 0
    for _sha, rel in entries:
        header = proc.stdout.readline().split()
        if len(header) < 3 or header[1] == b"missing":
            continue
        data = proc.stdout.read(int(header[2]))
        proc.stdout.read(1)  # the newline after each object
        target = dest.joinpath(*rel.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written += 1
    feeder.join()
    proc.wait()
    return written


_CELL_LINE = re.compile(r"cell (\d+), line (\d+)")


def _holds(raw_line: str, wanted: set[str]) -> bool:
    text = raw_line.strip().rstrip(",")
    return text in wanted or any(text.endswith(": " + w) for w in wanted)


def notebook_raw_line(raw: str, cell: int, line: int) -> int | None:
    """The 1-based line of the raw ``.ipynb`` JSON that holds line ``line`` of cell ``cell`` (both 1-based).

    Labels use raw JSON lines; the scanner numbers a notebook's joined code cells and says
    ``cell N, line M`` in the reference's note. Source lines are found in order in the pretty-printed
    JSON (each list item on its own line, as Jupyter writes it); a cell stored as one string maps all
    its lines to that string's line.
    """
    try:
        cells = json.loads(raw).get("cells", [])
    except (ValueError, AttributeError):
        return None
    lines = raw.splitlines()
    pos = 0
    for index, item in enumerate(cells, 1):
        source = item.get("source", []) if isinstance(item, dict) else []
        parts = [source] if isinstance(source, str) else [s for s in source if isinstance(s, str)]
        for number, part in enumerate(parts, 1):
            wanted = {json.dumps(part), json.dumps(part, ensure_ascii=False)}
            found = next((i for i in range(pos, len(lines)) if _holds(lines[i], wanted)), None)
            if found is None:
                continue
            pos = found
            if index == cell and (number == line or isinstance(source, str)):
                return found + 1
    return None


def scan_tree(root: Path) -> list[Finding]:
    """Run modelclear's scanner in process on ``root`` (one job: the corpus is scored on shared machines).

    Notebook findings are moved to the raw JSON line the labels use (from the ``cell N, line M`` note).
    Package references (``pypi:`` ids from requirements files) are left out: the corpus labels models
    and datasets only.
    """
    from modelclear.scan import ScanOptions, scan_path

    result = scan_path(root, ScanOptions(jobs=1))
    findings = []
    raw_notebooks: dict[str, str] = {}
    for ref in result.references:
        if ref.kind is not None and ref.kind.value == "package":
            continue  # watched packages (requirements files) are not models or datasets: out of the corpus's scope
        path = Path(ref.path)
        rel = PurePosixPath(path.relative_to(root) if path.is_absolute() and path.is_relative_to(root) else path)
        line = ref.line
        where = _CELL_LINE.search(ref.note or "")
        if rel.suffix == ".ipynb" and where:
            key = rel.as_posix()
            if key not in raw_notebooks:
                raw_notebooks[key] = root.joinpath(*rel.parts).read_text(encoding="utf-8", errors="replace")
            line = notebook_raw_line(raw_notebooks[key], int(where.group(1)), int(where.group(2))) or line
        findings.append(Finding(path=rel.as_posix(), line=line, id=ref.id))
    return findings


# --- reporting ---------------------------------------------------------------------------------------


def _pct(num: int, den: int) -> str:
    return f"{100.0 * num / den:.1f} %" if den else "–"


def _row(name: str, scores: Sequence[RepoScore]) -> str:
    results = [r for s in scores for r in s.labels]
    nd = [r for r in results if r.label.get("needs_dataflow")]
    nd_hit = sum(1 for r in nd if r.matched is not None)
    hit = sum(1 for r in results if r.matched is not None)
    findings = sum(s.findings for s in scores)
    unmatched = sum(len(s.unmatched) for s in scores)
    dynamic = sum(len(s.dynamic) for s in scores)
    return (f"| {name} | {len(results)} | {hit} | {_pct(hit, len(results))} | {len(nd)} | {nd_hit} | "
            f"{_pct(nd_hit, len(nd))} | {findings} | {unmatched} | {_pct(unmatched, findings)} | {dynamic} |")


def render_markdown(scores: Sequence[RepoScore]) -> str:
    """The per-repository and per-split tables, recall per cause, and the unmatched findings."""
    head = ("| repository | labels | matched | id recall | dataflow labels | dataflow matched | dataflow recall "
            "| findings | unmatched | unmatched share | dynamic loads |\n"
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    out = ["# Corpus score", ""]
    for split in SPLITS:
        group = [s for s in scores if s.split == split]
        if not group:
            continue
        out += [f"## {split}", "", head]
        out += [_row(f"{s.repo}" + (f" (error: {s.error})" if s.error else ""), [s]) for s in group]
        out += [_row(f"**total {split}**", group), "", "| cause | labels | matched | recall |", "|---|---:|---:|---:|"]
        results = [r for s in group for r in s.labels]
        for cause in CAUSES:
            of = [r for r in results if r.label.get("cause") == cause]
            if of:
                hit = sum(1 for r in of if r.matched is not None)
                out.append(f"| {cause} | {len(of)} | {hit} | {_pct(hit, len(of))} |")
        out.append("")
        unmatched = [(s.repo, f) for s in group for f in s.unmatched]
        if unmatched:
            out += [f"Unmatched findings ({split}; check each by hand — a true reference is a missing label):", ""]
            out += [f"- {repo} `{f.path}:{f.line}` {f.id}" for repo, f in unmatched]
            out.append("")
    return "\n".join(out) + "\n"


def to_json(scores: Sequence[RepoScore]) -> list[dict[str, Any]]:
    """Per-label match results for debugging (which labels were missed, what was found near them)."""
    def finding(f: Finding) -> dict[str, Any]:
        return {"path": f.path, "line": f.line, "id": f.id}

    return [{"repo": s.repo, "split": s.split, "category": s.category, "error": s.error, "findings": s.findings,
             "matched": s.matched, "labels": [
                 {"path": r.label["path"], "line": r.label["line"], "id": r.label["id"],
                  "cause": r.label.get("cause"), "needs_dataflow": r.label.get("needs_dataflow"),
                  "matched": finding(r.matched) if r.matched else None, "near": [finding(f) for f in r.near]}
                 for r in s.labels],
             "unmatched": [finding(f) for f in s.unmatched], "dynamic": [finding(f) for f in s.dynamic]}
            for s in scores]


# --- command line ------------------------------------------------------------------------------------


def label_files(labels_dir: Path, split: str, repo: str | None) -> list[Path]:
    """The label files of ``split`` (or all), optionally only the one of ``repo``."""
    splits = SPLITS if split == "all" else (split,)
    files = sorted(p for s in splits for p in (labels_dir / s).glob("*.json"))
    if repo:
        files = [p for p in files if p.stem == repo.replace("/", "__")]
    return files


def score_file(path: Path, mirror: Path, norm: Normaliser) -> RepoScore:
    """Materialise, scan and score the repository of one label file."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    git_dir = find_git_dir(mirror, str(doc["repo"]))
    if git_dir is None:
        score = score_repo(doc, [], norm)
        score.error = "not in the mirror"
        return score
    with tempfile.TemporaryDirectory(prefix="corpus-") as tmp:
        root = Path(tmp) / "tree"
        root.mkdir()
        try:
            materialise(git_dir, str(doc["commit"]), root)
        except subprocess.CalledProcessError:
            score = score_repo(doc, [], norm)
            score.error = "pinned commit not in the snapshot"
            return score
        return score_repo(doc, scan_tree(root), norm)


def main(argv: Sequence[str] | None = None) -> int:
    """Score the corpus; print or write the Markdown report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--mirror", default=os.environ.get("MODELCLEAR_CORPUS_MIRROR"),
                        help="folder of bare git snapshots (default: $MODELCLEAR_CORPUS_MIRROR)")
    parser.add_argument("--split", choices=(*SPLITS, "all"), default="dev")
    parser.add_argument("--repo", help="score only this owner/name")
    parser.add_argument("--labels", default=str(LABELS_DIR), help="label folder (default: next to this script)")
    parser.add_argument("--out", help="write the Markdown report here instead of printing it")
    parser.add_argument("--json", help="write per-label match results here")
    args = parser.parse_args(argv)
    if not args.mirror:
        parser.error("no mirror folder: pass --mirror or set MODELCLEAR_CORPUS_MIRROR")
    files = label_files(Path(args.labels), args.split, args.repo)
    if not files:
        parser.error("no label files match")
    norm = Normaliser()
    scores = []
    for path in files:
        print(f"scoring {path.stem} …", file=sys.stderr)
        scores.append(score_file(path, Path(args.mirror), norm))
    report = render_markdown(scores)
    if args.out:
        Path(args.out).write_text(report, encoding="utf-8")
    else:
        sys.stdout.write(report)
    if args.json:
        Path(args.json).write_text(json.dumps(to_json(scores), indent=2) + "\n", encoding="utf-8")
    return 1 if all(s.error for s in scores) else 0


if __name__ == "__main__":
    sys.exit(main())
