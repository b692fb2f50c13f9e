"""Coqui TTS's released models: the model list ``TTS/.models.json`` (``coqui-tts`` wheel, and the last ``TTS`` one).

``TTS.api.TTS(model_name)`` downloads a model named ``TYPE/LANGUAGE/DATASET/MODEL`` (``tts_models/en/ljspeech/vits``,
``vocoder_models/...``, ``voice_conversion_models/...``) from the list the package ships in ``TTS/.models.json``; the
scanner turns such a call into ``coqui-tts:NAME`` (``data/loaders/coqui_tts.yaml``). Each entry of the list states
its ``license`` (free text: ``apache 2.0``, ``MPL``, ``CC BY-NC-ND 4.0``, ``CPML`` ...), often a ``description``
and ``author``, and where the files are fetched: a GitHub release asset (``github_rls_url``), a Hugging Face
repository (``repo_id``, in the maintained ``coqui-tts`` fork) or, in the original ``TTS`` package, addresses on
Coqui's download gateway ``coqui.gateway.scarf.sh`` (``github_rls_url``/``hf_url``).

The list is read as JSON data from both wheels (never imported). The maintained fork (``coqui-tts``, pinned below) gives
the records; the original package's last release (``TTS`` 0.22.0) adds the download addresses it used for the same
names and the two names the fork dropped. Each record's licence is the entry's ``license`` mapped to a licence record
(:data:`LICENSES`; ``MPL`` is MPL 2.0, as the package's own ``LICENSE_URLS`` says), ``unknown`` when the text names no
licence we hold. Training data: the dataset the entry's description names, or the DATASET part of its name, linked
only to dataset records this knowledge base holds (:data:`DATASETS`); the name's DATASET part is kept as a fact.
Every download address of an entry is an exact ``downloads`` item of its record (an address two entries share is
left out); when all of an entry's addresses lie in one folder of Coqui's gateway to its own Hub repositories
(``coqui.gateway.scarf.sh/hf-coqui/XTTS-v2/main/``: one branch of the repository coqui/XTTS-v2), the folder is the
item, so the other files of that branch the library reads (``dvae.pth``, ``mel_stats.pth``) resolve too. An entry
that names a Hub repository (``repo_id``) without an ``allow`` list is that repository's files (the library fetches
it whole, less the files ``ignore`` lists, kept as a fact): the record gets the repository (``hf_hub_id``) and its
address ``https://huggingface.co/REPO/`` as a prefix; with an ``allow`` list (some files of a third party's
repository) neither.
``scripts/extract_models.py coqui_tts`` writes the catalogue.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ._archive import SourceArchive, download
from ._common import Catalogue, ModelRecord, check_unique

PACKAGE = "coqui-tts"
VERSION = "0.28.0"
FAMILY = "coqui_tts"
SOURCE = "TTS/.models.json"
OLD_PACKAGE = "TTS"
OLD_VERSION = "0.22.0"
CHECKED = "2026-12-07"

#: The ``license`` texts of the list, lower-cased, and the licence records they mean.
LICENSES: Mapping[str, str] = {
    "mpl": "MPL-2.0",  # TTS/utils/manage.py LICENSE_URLS: "mpl" -> https://www.mozilla.org/en-US/MPL/2.0/
    "mpl2": "MPL-2.0",
    "mpl 2.0": "MPL-2.0",
    "apache 2.0": "Apache-2.0",
    "apache2": "Apache-2.0",
    "mit": "MIT",
    "bsd-3-clause": "BSD-3-Clause",
    "cc by-nc-nd 4.0": "CC-BY-NC-ND-4.0",
    "cc-by-sa 4.0": "CC-BY-SA-4.0",
    "cc-by-4.0": "CC-BY-4.0",
    "openrail": "openrail",
    "cpml": "cpml-1.0",
}

#: Dataset records for the datasets an entry names (lower-cased DATASET part of its name, or a phrase of its
#: description). Only datasets this knowledge base holds a record for are listed.
DATASETS: Mapping[str, str] = {
    "ljspeech": "dataset:dpc.ljspeech",
    "cv": "dataset:common-voice",
    "common-voice": "dataset:common-voice",
    "librispeech100": "dataset:librispeech",
    "mai": "dataset:dpc.m-ailabs",
    "mai_female": "dataset:dpc.m-ailabs",
    "mai_male": "dataset:dpc.m-ailabs",
}
_DESCRIBED = (
    (re.compile(r"\bLJ ?Speech\b", re.I), "dataset:dpc.ljspeech"),
    (re.compile(r"\bM-AILABS\b", re.I), "dataset:dpc.m-ailabs"),
    (re.compile(r"\bCommon[- ]Voice\b", re.I), "dataset:common-voice"),
)
_TASKS = {"tts_models": "text-to-speech", "vocoder_models": "vocoder", "voice_conversion_models": "voice-conversion"}
#: Hub repositories that hold the same weights: the original package fetched XTTS from Coqui's gateway to the Hub
#: (``coqui.gateway.scarf.sh/hf-coqui/XTTS-v2/main/...``), i.e. the repositories coqui/XTTS-v2 and coqui/XTTS-v1.
ALIASES: Mapping[str, tuple[str, ...]] = {
    "tts_models/multilingual/multi-dataset/xtts_v2": ("hf:coqui/XTTS-v2",),
    "tts_models/multilingual/multi-dataset/xtts_v1.1": ("hf:coqui/XTTS-v1",),
}
_GATEWAY = re.compile(r"https://coqui\.gateway\.scarf\.sh/hf-coqui/[A-Za-z0-9._-]+/[A-Za-z0-9._-]+/")


@dataclass(frozen=True)
class CoquiRecord(ModelRecord):
    """A model record that also lists the addresses its files are downloaded from."""

    downloads: tuple[tuple[str, str], ...] = ()  # (address, where it was read); a folder ends with "/"
    distributed_via: str | None = None  # a platform id when not the family's (GitHub releases)

    def to_json(self) -> dict[str, Any]:
        """The catalogue form, with ``downloads`` when there are any (files exact, folders as prefixes)."""
        doc = super().to_json()
        if self.distributed_via:
            doc["distributed_via"] = self.distributed_via
        if self.downloads:
            name = self.id.split(":", 1)[1]
            doc["downloads"] = [
                {"prefix": f"url:{url}", "exact": not url.endswith("/"),
                 "source": {"url": where, "checked": CHECKED, "confidence": "V", "note": _note(name, url)}}
                for url, where in self.downloads]
        return doc


def _note(name: str, url: str) -> str:
    """Where a download address of ``name`` was read, and what it covers."""
    if url.startswith("https://huggingface.co/"):
        return f"{SOURCE}: {name} is this Hub repository's files (repo_id, without an allow list)"
    if url.endswith("/"):
        return (f"{SOURCE}: every file {name} downloads is in this folder, Coqui's gateway to one branch of its Hub "
                "repository")
    return f"{SOURCE}: a download address of {name}"


def entries(text: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(TYPE/LANGUAGE/DATASET/MODEL, entry)`` for every model of a ``.models.json`` text."""
    doc = json.loads(text)
    for kind, languages in doc.items():
        for language, datasets in (languages or {}).items():
            for dataset, models in (datasets or {}).items():
                for model, entry in (models or {}).items():
                    if isinstance(entry, dict):
                        yield f"{kind}/{language}/{dataset}/{model}", entry


def licence_of(raw: Any) -> str:
    """The licence record an entry's ``license`` text means (``unknown`` when none we hold)."""
    return LICENSES.get(str(raw or "").strip().lower(), "unknown")


def addresses(entry: Mapping[str, Any]) -> list[str]:
    """The download addresses an entry names (``github_rls_url``, ``hf_url``, ``model_url``; text or list)."""
    out: list[str] = []
    for key in ("github_rls_url", "hf_url", "model_url"):
        value = entry.get(key)
        for url in [value] if isinstance(value, str) else (value or []):
            if isinstance(url, str) and url.startswith("https://") and url not in out:
                out.append(url)
    return out


def gateway_folder(urls: list[str]) -> str | None:
    """The one folder of Coqui's gateway to its own Hub repositories holding all ``urls`` (``.../hf-coqui/R/REV/``)."""
    folders = {m.group(0) for m in map(_GATEWAY.match, urls) if m}
    if len(folders) == 1 and all(_GATEWAY.match(u) for u in urls):
        return folders.pop()
    return None


def datasets_of(name: str, entry: Mapping[str, Any]) -> tuple[str, ...]:
    """The dataset records the entry names: by its description, else by the DATASET part of its name."""
    found: list[str] = []
    description = str(entry.get("description") or "")
    for pattern, dataset in _DESCRIBED:
        if pattern.search(description) and dataset not in found:
            found.append(dataset)
    by_name = DATASETS.get(name.split("/")[2].lower())
    if by_name and by_name not in found:
        found.append(by_name)
    return tuple(found)


def records(current: str, old: str | None, where: str, old_where: str) -> list[CoquiRecord]:
    """One record per model name of the current list (plus names only the old list has)."""
    new = dict(entries(current))
    previous = dict(entries(old)) if old is not None else {}
    names = [*new, *(n for n in previous if n not in new)]
    claims: dict[str, set[str]] = {}
    for name in names:
        for address in addresses(new.get(name, {})) + addresses(previous.get(name, {})):
            claims.setdefault(address.lower(), set()).add(name)
    out: list[CoquiRecord] = []
    for name in names:
        entry = new.get(name) or previous[name]
        listed = [f"{PACKAGE} {VERSION}"] if name in new else []
        if name in previous:
            listed.append(f"{OLD_PACKAGE} {OLD_VERSION}")
        kind, language, dataset, model = name.split("/")
        downloads = [(u, where) for u in addresses(new.get(name, {}))]
        before = addresses(previous.get(name, {}))
        folder = gateway_folder(before)
        downloads += [(u, old_where) for u in before if u not in dict(downloads) and folder is None]
        if folder is not None:
            claims.setdefault(folder.lower(), set()).add(name)
            downloads.append((folder, old_where))
        repo = str(entry.get("repo_id") or "")
        whole_repo = bool(repo) and not entry.get("allow")  # the library fetches the repository (less "ignore")
        if whole_repo:
            claims.setdefault(f"https://huggingface.co/{repo}/".lower(), set()).add(name)
            downloads.append((f"https://huggingface.co/{repo}/", where))
        downloads = [(u, w) for u, w in downloads if claims[u.lower()] == {name}]
        facts: dict[str, Any] = {"task": _TASKS.get(kind, kind), "generative": True, "language": language,
                                 "dataset_in_name": dataset, "license_stated": str(entry.get("license") or ""),
                                 "listed_in": listed}
        for key in ("description", "author"):
            if entry.get(key):
                facts[key] = " ".join(str(entry[key]).split())
        if entry.get("tos_required"):
            facts["tos_required"] = True
        if repo:
            facts["hf_repo"] = repo + (" (some files)" if entry.get("allow") else "")
        if entry.get("ignore"):
            facts["hf_repo_files_not_fetched"] = [str(x) for x in entry["ignore"]]
        if entry.get("default_vocoder"):
            facts["default_vocoder"] = f"coqui-tts:{entry['default_vocoder']}"
        url: str | None = f"https://huggingface.co/{repo}" if repo else (downloads[0][0] if downloads else None)
        out.append(CoquiRecord(
            id=f"coqui-tts:{name}",
            name=f"Coqui TTS {model} ({language}, {dataset}, {_TASKS.get(kind, kind)})",
            aliases=ALIASES.get(name, ()),
            datasets=datasets_of(name, entry),
            license=licence_of(entry.get("license")),
            facts=facts,
            url=url,
            hf_hub_id=repo if whole_repo else None,
            distributed_via="huggingface" if repo else None,
            downloads=tuple(downloads),
        ))
    out.sort(key=lambda m: m.id)
    check_unique(out)
    return out


def extract(archive: SourceArchive, version: str) -> Catalogue:
    """The models of ``coqui-tts==version``'s list, with the addresses of ``TTS==0.22.0``'s, as a catalogue."""
    old = SourceArchive.open(download(OLD_PACKAGE, OLD_VERSION))
    where = f"https://pypi.org/project/{PACKAGE}/{version}/"
    old_where = f"https://pypi.org/project/{OLD_PACKAGE}/{OLD_VERSION}/"
    models = records(archive.read_inner(SOURCE), old.read_inner(SOURCE), where, old_where)
    return Catalogue(FAMILY, PACKAGE, version, tuple(models), (SOURCE,))
