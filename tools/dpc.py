"""Import the Data Provenance Collection (DPC) into dataset records.

The Data Provenance Collection (Data Provenance Initiative, Apache-2.0) describes about 2,500
fine-tuning, speech and video datasets: their licences, the datasets they were derived from and
the models that generated them. :func:`import_collection` turns a local copy of the collection
into records in the same schema as the hand-reviewed ``data/datasets/*.yaml`` files
(see ``docs/knowledge-format.md``); ``scripts/import_dpc.py`` writes them to
``src/modelclear/data/datasets/_imported/dpc.json``. A build-time tool: it lives outside the installed
package and reads the hand-reviewed records from this repository's ``src/``.

Mapping rules (all of them tables below, none of them legal judgements of ours):

- ids are ``dataset:dpc.<slug>`` where the slug comes from DPC's "Unique Dataset Identifier";
- licence names are normalised with ``constants/license_paraphrases.json``, mapped to our licence
  ids with :data:`LICENSE_IDS`; a name we do not map becomes ``LicenseRef-dpc-<slug>``; each
  licence keeps DPC's class (``constants/license_classes.json``, or
  ``constants/custom_license_classes.json`` by licence URL for "Custom");
- "OpenAI", "Anthropic" and "Google Cloud Translation API" are the terms of a model or service
  provider whose outputs the creator used: they bind the dataset's creator, not its users, so they
  are kept in ``facts.provider_terms`` and left out of ``license`` and ``facts.license_category``;
- "Derived from Datasets" become ``upstream`` edges when the name resolves to a known record
  (hand-reviewed first, then imported); every raw name stays in ``facts.derived_from``;
- aliases (``hf-dataset:ORG/NAME`` ids and plain names) are kept only when exactly one imported
  record claims them and no hand-reviewed record does; a record whose Hugging Face id belongs to a
  hand-reviewed record points to it with ``facts.hand_reviewed``.

Missing or malformed files produce a :class:`DpcWarning` and are skipped; they never abort.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from modelclear.ids import try_parse

DPC_URL = "https://github.com/Data-Provenance-Initiative/Data-Provenance-Collection"
"""Where the collection is published."""

ID_PREFIX = "dataset:dpc."
"""Prefix of imported ids (``dataset:`` names may not contain ``/``)."""

ORIGIN = "imported:dpc"
"""The ``origin`` of every imported record."""

CHECKED = "2026-11-28"
"""Date the imported facts were checked against the collection (DPC gives no per-record date)."""

SUMMARY_DIRS: tuple[tuple[str, str], ...] = (
    ("data_summaries", "text"),
    ("data_summaries-speech", "speech"),
    ("data_summaries-video", "video"),
)
"""Sub-folders of the collection that hold one JSON file per collection, with their modality."""

DEFAULT_HAND_REVIEWED = Path(__file__).resolve().parents[1] / "src" / "modelclear" / "data" / "datasets"
"""The folder of hand-reviewed dataset records that imported records must not shadow."""

LICENSE_IDS: Mapping[str, str] = {
    "Academic Free License v3.0": "AFL-3.0",
    "Apache License 2.0": "Apache-2.0",
    "Apache 2.0": "Apache-2.0",
    "Artistic License 2.0": "Artistic-2.0",
    "BSD 2-Clause License": "BSD-2-Clause",
    "BSD 3-Clause License": "BSD-3-Clause",
    "C-UDA": "C-UDA-1.0",
    "CC BY 2.0": "CC-BY-2.0",
    "CC BY 2.5": "CC-BY-2.5",
    "CC BY 3.0": "CC-BY-3.0",
    "CC BY 4.0": "CC-BY-4.0",
    "CC BY-NC 2.0": "CC-BY-NC-2.0",
    "CC BY-NC 3.0": "CC-BY-NC-3.0",
    "CC BY-NC 4.0": "CC-BY-NC-4.0",
    "CC BY-NC-ND 3.0": "CC-BY-NC-ND-3.0",
    "CC BY-NC-ND 4.0": "CC-BY-NC-ND-4.0",
    "CC BY-NC-SA 3.0": "CC-BY-NC-SA-3.0",
    "CC BY-NC-SA 4.0": "CC-BY-NC-SA-4.0",
    "CC BY-ND 4.0": "CC-BY-ND-4.0",
    "CC BY-SA 2.0": "CC-BY-SA-2.0",
    "CC BY-SA 3.0": "CC-BY-SA-3.0",
    "CC BY-SA 4.0": "CC-BY-SA-4.0",
    "CC0 1.0": "CC0-1.0",
    "CC0": "CC0-1.0",
    "CDLA Permissive 1.0": "CDLA-Permissive-1.0",
    "CDLA Permissive 2.0": "CDLA-Permissive-2.0",
    "CDLA Sharing 1.0": "CDLA-Sharing-1.0",
    "EPL 1.0": "EPL-1.0",
    "GNU General Public License v2.0": "GPL-2.0-only",
    "GNU General Public License v3.0": "GPL-3.0-only",
    "ISC License": "ISC",
    "LGPL 2.1": "LGPL-2.1-only",
    "LGPL 3.0": "LGPL-3.0-only",
    "MIT License": "MIT",
    "MIT": "MIT",
    "MPL 2.0": "MPL-2.0",
    "ODC BY 1.0": "ODC-By-1.0",
    "OGL 3.0": "OGL-UK-3.0",
    "BigScience OpenRAIL-M": "bigscience-openrail-m",
    "Llama 2": "llama2",
    "Meta Llama3 Community License": "llama3",
}
"""DPC licence names (after paraphrase normalisation) mapped to our licence ids."""

PROVIDER_TERMS: frozenset[str] = frozenset({"OpenAI", "Anthropic", "Google Cloud Translation API"})
"""DPC "licences" that are the terms of a model or service whose outputs the creator used."""

CATEGORY_BY_CLASS: Mapping[str, str] = {
    "All": "commercial",
    "NC": "non-commercial",
    "Acad": "academic",
    "Unspecified": "unspecified",
    "?": "unspecified",
}
"""DPC's use class (first field of ``license_classes.json``) mapped to our category names."""

CATEGORY_OVERRIDES: Mapping[str, str] = {"No License": "unspecified"}
"""Where we do not follow DPC's class: no licence is no grant, not permission for every use."""

CATEGORY_RANK: Mapping[str, int] = {"commercial": 0, "unspecified": 1, "non-commercial": 2, "academic": 3}
"""How restrictive each category is; a record takes its most restrictive licence's category."""

COMMERCIAL_BY_CATEGORY: Mapping[str, bool | None] = {
    "commercial": True,
    "unspecified": None,
    "non-commercial": False,
    "academic": False,
}
"""``facts.commercial`` for each category (``None`` = unclear)."""

NOT_A_MODEL: frozenset[str] = frozenset({"templates"})
"""DPC "Model Generated" values that name no model."""

URL_FIELDS: tuple[str, ...] = (
    "Hugging Face URL",
    "GitHub URL",
    "Dataset URL",
    "Website URL",
    "Paper URL",
    "ArXiv URL",
    "Papers with Code URL",
    "Collection URL",
)
"""Fields searched, in order, for the URL a record's source points to."""

_HF_PATH_WORDS = frozenset({"viewer", "blob", "tree", "resolve", "raw", "discussions", "commit", "commits", "edit"})
_HF_URL = re.compile(r"(?:huggingface\.co|hf\.co)/datasets/([A-Za-z0-9][\w.\-]*)(?:/([A-Za-z0-9][\w.\-]*))?")
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_AS_OF = re.compile(r"\(([A-Za-z]+)\s+(\d{4})\)")

NOTE_GENERATED = {
    "en": "Part of this dataset was generated with {models}. Those providers' terms bind the dataset's "
          "creator, not you; what applies to you is the dataset's own licence.",
    "ja": "このデータセットの一部は {models} で生成された。これらの提供者の規約はデータセットの作成者を拘束するもので、"
          "あなたを拘束しない。あなたに適用されるのはデータセット自身のライセンスである。",
}
"""Machine template for datasets with model-generated content."""

NOTE_TAKEN_DOWN = {
    "en": "The Data Provenance Collection marks this dataset as taken down.",
    "ja": "Data Provenance Collection はこのデータセットを公開停止済みとしている。",
}
"""Machine template for datasets DPC marks as taken down."""


class DpcWarning(UserWarning):
    """A file or entry of the collection was missing or malformed and has been skipped."""


@dataclass(frozen=True)
class Constants:
    """The lookup tables the collection ships in ``constants/``."""

    license_classes: Mapping[str, tuple[str, str, str]]
    custom_license_classes: Mapping[str, tuple[str, str, str]]
    paraphrases: Mapping[str, str]


@dataclass(frozen=True)
class _Entry:
    """One raw DPC entry with where it came from."""

    uid: str
    data: Mapping[str, Any]
    modality: str
    file: str


def _warn(message: str) -> None:
    warnings.warn(message, DpcWarning, stacklevel=3)


def _read_json(path: Path) -> Any:
    """The parsed JSON at ``path``, or ``None`` (with a warning) if missing or malformed."""
    try:
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        _warn(f"DPC file missing: {path.parent.name}/{path.name}")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        _warn(f"DPC file unreadable, skipped: {path.parent.name}/{path.name}: {exc}")
    return None


def _class_table(raw: Any, name: str) -> dict[str, tuple[str, str, str]]:
    if not isinstance(raw, dict):
        if raw is not None:
            _warn(f"DPC constants/{name} is not an object; ignored")
        return {}
    table: dict[str, tuple[str, str, str]] = {}
    for key, value in raw.items():
        if isinstance(value, list) and len(value) == 3 and all(isinstance(v, str) for v in value):
            table[str(key)] = (value[0], value[1], value[2])
    return table


def load_constants(root: Path) -> Constants:
    """Read the licence tables of the collection at ``root`` (empty tables if missing)."""
    constants = root / "constants"
    classes = _class_table(_read_json(constants / "license_classes.json"), "license_classes.json")
    custom = _class_table(_read_json(constants / "custom_license_classes.json"), "custom_license_classes.json")
    raw_para = _read_json(constants / "license_paraphrases.json")
    paraphrases: dict[str, str] = {}
    if isinstance(raw_para, dict):
        for canonical, variants in raw_para.items():
            if isinstance(variants, list):
                for variant in variants:
                    if isinstance(variant, str):
                        paraphrases.setdefault(variant, str(canonical))
    return Constants(classes, custom, paraphrases)


def slugify(text: str) -> str:
    """A lowercase slug usable in a ``dataset:`` id or a ``LicenseRef-`` id."""
    slug = re.sub(r"[^a-z0-9.+]+", "-", text.lower())
    slug = re.sub(r"-{2,}", "-", slug).lstrip("-.+").rstrip("-.")
    return slug or "unnamed"


def hf_dataset_ids(text: str) -> list[str]:
    """``hf-dataset:`` ids named by the Hugging Face dataset URLs in ``text``."""
    found: list[str] = []
    for match in _HF_URL.finditer(text or ""):
        first, second = match.group(1), match.group(2)
        name = first if not second or second in _HF_PATH_WORDS else f"{first}/{second}"
        ref = try_parse(f"hf-dataset:{name.rstrip('.')}")
        if ref is not None and ref.id not in found:
            found.append(ref.id)
    return found


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list):
        return [v.strip() for v in value if isinstance(v, str) and v.strip()]
    return []


def _iter_entries(root: Path) -> Iterator[_Entry]:
    for folder, modality in SUMMARY_DIRS:
        directory = root / folder
        if not directory.is_dir():
            _warn(f"DPC folder missing: {folder}")
            continue
        for path in sorted(directory.glob("*.json")):
            if path.name.startswith("_"):
                continue
            content = _read_json(path)
            if content is None:
                continue
            if not isinstance(content, dict):
                _warn(f"DPC file {folder}/{path.name} is not an object; skipped")
                continue
            for key in sorted(content):
                data = content[key]
                if not isinstance(data, dict):
                    _warn(f"DPC entry {key!r} in {folder}/{path.name} is not an object; skipped")
                    continue
                uid = data.get("Unique Dataset Identifier") or key
                if not isinstance(uid, str) or not uid.strip():
                    _warn(f"DPC entry in {folder}/{path.name} has no identifier; skipped")
                    continue
                yield _Entry(uid.strip(), data, modality, f"{folder}/{path.name}")


def _license_entries(data: Mapping[str, Any], constants: Constants) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    raw_list = data.get("Licenses")
    if not isinstance(raw_list, list):
        raw_list = []
    for item in raw_list:
        if not isinstance(item, dict):
            continue
        raw = item.get("License")
        if not isinstance(raw, str) or not raw.strip():
            continue
        raw = raw.strip()
        url = item["License URL"] if isinstance(item.get("License URL"), str) else ""
        url = "" if url in ("None", "none") else url.strip()
        name = raw if raw in constants.license_classes else constants.paraphrases.get(raw, raw)
        klass = constants.license_classes.get(name)
        if name == "Custom":
            klass = constants.custom_license_classes.get(url)
        category = CATEGORY_OVERRIDES.get(name) or (CATEGORY_BY_CLASS.get(klass[0], "unspecified")
                                                    if klass else "unspecified")
        entry: dict[str, Any] = {
            "raw": raw,
            "name": name,
            "id": None if name in PROVIDER_TERMS else LICENSE_IDS.get(name) or f"LicenseRef-dpc-{slugify(name)}",
            "category": category,
            "dpc_class": klass[0] if klass else None,
            "attribution": {"1": True, "0": False}.get(klass[1]) if klass else None,
            "share_alike": {"1": True, "0": False}.get(klass[2]) if klass else None,
            "provider_terms": name in PROVIDER_TERMS,
        }
        if url:
            entry["url"] = url
        if entry not in entries:
            entries.append(entry)
    return entries


def _most_restrictive(categories: Iterable[str]) -> str | None:
    ranked = sorted(set(categories), key=lambda c: CATEGORY_RANK.get(c, 1))
    return ranked[-1] if ranked else None


def _as_of(data: Mapping[str, Any]) -> str | None:
    meta = data.get("Inferred Metadata")
    best: tuple[int, int] | None = None
    if isinstance(meta, dict):
        for key in meta:
            match = _AS_OF.search(str(key))
            if match and match.group(1)[:3].lower() in _MONTHS:
                stamp = (int(match.group(2)), _MONTHS[match.group(1)[:3].lower()])
                best = stamp if best is None or stamp > best else best
    return f"{best[0]:04d}-{best[1]:02d}" if best else None


def _source_url(data: Mapping[str, Any]) -> str:
    for field in URL_FIELDS:
        for value in _strings(data.get(field)):
            match = re.search(r"(https?://[^\s;,]+)", value)
            if match:
                return match.group(1)
    return DPC_URL


def _hand_reviewed_index(folder: Path | None) -> dict[str, str]:
    """Lookup key -> id of every hand-reviewed dataset record (ids and aliases)."""
    index: dict[str, str] = {}
    if folder is None or not folder.is_dir():
        return index
    for path in sorted(folder.glob("*.yaml")):
        try:
            record = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            _warn(f"hand-reviewed dataset file unreadable: {path.name}: {exc}")
            continue
        if not isinstance(record, dict) or not isinstance(record.get("id"), str):
            continue
        rid = record["id"]
        for name in [rid, rid.removeprefix("dataset:"), *_strings(record.get("aliases"))]:
            for key in _keys(name):
                index.setdefault(key, rid)
    return index


def _keys(name: str) -> list[str]:
    """Lookup keys of a name: lowercase, and with spaces/underscores as hyphens."""
    base = name.strip().lower()
    keys = [base]
    hyphen = re.sub(r"[\s_]+", "-", base)
    if hyphen not in keys:
        keys.append(hyphen)
    return keys


def _candidates(name: str) -> list[str]:
    """Keys to try when resolving a "Derived from" name."""
    keys = [*hf_dataset_ids(name)]
    stripped = re.sub(r"\s+(dataset|corpus|collection)$", "", name.strip(), flags=re.IGNORECASE)
    for variant in (name, stripped):
        for key in _keys(variant):
            for candidate in (key, f"dataset:{key}"):
                if candidate not in keys:
                    keys.append(candidate)
    return [k.lower() for k in keys]


def import_collection(root: Path, hand_reviewed: Path | None = DEFAULT_HAND_REVIEWED) -> list[dict[str, Any]]:
    """Dataset records for every entry of the Data Provenance Collection at ``root``, sorted by id.

    ``hand_reviewed`` is the folder of reviewed ``*.yaml`` dataset records (``None`` for none):
    their ids and aliases are never given to imported records, and resolve "derived from" names first.
    Missing or malformed files and entries are skipped with a :class:`DpcWarning`.
    """
    root = Path(root)
    if not root.is_dir():
        _warn(f"DPC collection not found at {root}")
        return []
    constants = load_constants(root)
    reviewed = _hand_reviewed_index(hand_reviewed)

    drafts: list[dict[str, Any]] = []
    used: dict[str, Mapping[str, Any]] = {}
    for entry in _iter_entries(root):
        slug = slugify(entry.uid)
        rid = f"{ID_PREFIX}{slug}"
        if rid in used:
            if used[rid] == entry.data:
                continue  # the same entry shipped twice (e.g. in two files)
            n = 2
            while f"{rid}-{n}" in used:
                n += 1
            rid = f"{rid}-{n}"
        used[rid] = entry.data
        drafts.append(_draft(rid, entry, constants))

    # Aliases: unique among imported records and unclaimed by hand-reviewed ones.
    claims: dict[str, set[str]] = {}
    for draft in drafts:
        for alias in draft["_alias_candidates"]:
            claims.setdefault(alias.lower(), set()).add(draft["id"])
    imported_index: dict[str, str] = {}
    for draft in drafts:
        kept: list[str] = []
        for alias in draft["_alias_candidates"]:
            key = alias.lower()
            if len(claims[key]) == 1 and not any(k in reviewed for k in _keys(key)) and alias not in kept:
                kept.append(alias)
        draft["aliases"] = sorted(kept, key=str.lower)
        hf_reviewed = sorted({reviewed[h.lower()] for h in draft["facts"].get("hf_datasets", [])
                              if h.lower() in reviewed})
        if hf_reviewed:
            draft["facts"]["hand_reviewed"] = hf_reviewed[0] if len(hf_reviewed) == 1 else hf_reviewed
        for name in [draft["id"], draft["id"].removeprefix("dataset:"), *kept]:
            for key in _keys(name):
                imported_index.setdefault(key, draft["id"])

    records: list[dict[str, Any]] = []
    for draft in drafts:
        upstream: list[str] = []
        for name in draft["facts"].get("derived_from", []):
            target = next((idx[k] for k in _candidates(name) for idx in (reviewed, imported_index) if k in idx),
                          None)
            if target and target != draft["id"] and target not in upstream:
                upstream.append(target)
        draft.pop("_alias_candidates")
        if upstream:
            draft["upstream"] = [{"target": t, "relation": "derived_from"} for t in sorted(upstream)]
        records.append(draft)
    records.sort(key=lambda r: r["id"])
    return records


def _draft(rid: str, entry: _Entry, constants: Constants) -> dict[str, Any]:
    data = entry.data
    licences = _license_entries(data, constants)
    own = [lic for lic in licences if not lic["provider_terms"]]
    granted = [lic for lic in own if lic["category"] != "unspecified"] or own
    expression = sorted({lic["id"] for lic in granted})
    category = _most_restrictive(lic["category"] for lic in granted)
    provider_terms = sorted({lic["name"] for lic in licences if lic["provider_terms"]})
    generated = [m for m in _strings(data.get("Model Generated")) if m.lower() not in NOT_A_MODEL]

    hf_ids: list[str] = []
    for value in [*_strings(data.get("Hugging Face URL"))]:
        hf_ids.extend(h for h in hf_dataset_ids(value) if h not in hf_ids)
    meta = data["Inferred Metadata"] if isinstance(data.get("Inferred Metadata"), dict) else {}
    for name in _strings(meta.get("HF Dataset")):
        ref = try_parse(f"hf-dataset:{name}")
        if ref is not None and ref.id not in hf_ids:
            hf_ids.append(ref.id)

    name = data["Dataset Name"].strip() if isinstance(data.get("Dataset Name"), str) else ""
    name = name or entry.uid
    plain = [n for n in dict.fromkeys([entry.uid.lower(), name.lower()]) if n and ":" not in n]

    facts: dict[str, Any] = {
        "collection": data.get("Collection") if isinstance(data.get("Collection"), str) else "",
        "dpc_uid": entry.uid,
        "modality": entry.modality,
        "raw_license": [lic["raw"] for lic in licences],
        "licenses": licences,
        "license_category": category or "unspecified",
        "commercial": COMMERCIAL_BY_CATEGORY.get(category or "unspecified"),
    }
    dpc_category = _most_restrictive([*(lic["category"] for lic in granted),
                                      *(lic["category"] for lic in licences if lic["provider_terms"])])
    if dpc_category and dpc_category != facts["license_category"]:
        facts["license_category_with_provider_terms"] = dpc_category
    if provider_terms:
        facts["provider_terms"] = provider_terms
    if generated:
        facts["generated_by"] = generated
    derived = _strings(data.get("Derived from Datasets"))
    if derived:
        facts["derived_from"] = derived
    sources = _strings(data.get("Text Sources")) or _strings(data.get("Source")) or _strings(data.get("Video Sources"))
    if sources:
        facts["text_sources"] = sources
    if hf_ids:
        facts["hf_datasets"] = hf_ids
    as_of = _as_of(data)
    if as_of:
        facts["dpc_metadata_as_of"] = as_of
    notes: list[dict[str, str]] = []
    if generated:
        models = ", ".join(generated)
        notes.append({k: v.format(models=models) for k, v in NOTE_GENERATED.items()})
    if str(data.get("Taken Down", "")).strip().lower() == "true":
        facts["withdrawn"] = {"summary": dict(NOTE_TAKEN_DOWN)}
        notes.append(dict(NOTE_TAKEN_DOWN))

    creators = _strings(data.get("Creators"))
    source_url = _source_url(data)
    record: dict[str, Any] = {
        "id": rid,
        "kind": "dataset",
        "name": name,
        "aliases": [],
        "publisher": "; ".join(creators),
        "license": " AND ".join(expression) if expression else None,
        "terms": [],
        "distributed_via": "huggingface" if hf_ids else ("github" if "github.com" in source_url else ""),
        "gated": False,
        "facts": facts,
        "upstream": [],
        "notes": notes,
        "sources": [{"url": source_url, "checked": CHECKED, "confidence": "S",
                     "note": "Data Provenance Collection"}],
        "origin": ORIGIN,
        "_alias_candidates": [*hf_ids, *plain],
    }
    return record


def dumps(records: list[dict[str, Any]]) -> str:
    """The canonical JSON text of ``records``: one record per line, keys sorted (stable across runs)."""
    lines = [json.dumps(r, ensure_ascii=False, sort_keys=True, separators=(",", ":")) for r in records]
    return "[\n" + ",\n".join(lines) + "\n]\n"
