"""What you must ship: ``modelclear notice`` (issue 12 item 5).

From one assessment (of a catalogued id or of your own model folder or file, as the check service gives
it), the artifact and everything its release carries along its lineage — the bases it is a fine-tune,
adapter, merge or quantisation of, and bases it was distilled from when their licence passes to
derivatives — are grouped by licence, and each licence's reviewed ``release`` block
(``data/licenses/*.yaml``, :mod:`modelclear.knowledge.schema` ``Release``) says what the release must carry
for the scenario's act and purpose. Three files come out:

- ``NOTICE``: every attribution and copyright line, in the licence's own words where it gives them;
- ``LICENSES/README.md``: the licence texts to include (bundled where the licence allows it, else linked),
  and beside it each text modelclear holds (``data/licenses/texts/``, copied verbatim from a named source,
  only where the text itself may be copied) that the scenario asks a copy of, as ``LICENSES/<file>``;
- ``MODEL_CARD_LICENSE.md``: a "Licence and attributions" section for the model card, with naming and
  "Built with" statements, the use restrictions your own licence must pass on and the conditions that
  stay with the release.

Every line cites the clause it comes from (licence, clause, address, date checked, confidence). What
is not recorded is said to be unknown, never guessed. Output depends only on the assessment and the
knowledge base (no clock), so it is byte-stable.

The package: :mod:`~modelclear.notice.collect` gathers what the release carries,
:mod:`~modelclear.notice.render` writes the three files (wording in :mod:`~modelclear.notice.words`), and
this module bundles and writes them.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from modelclear.model import Assessment
from modelclear.notice.collect import Group, Item, Notice, Party, build
from modelclear.notice.render import _begins as _begins
from modelclear.notice.render import render_card, render_licenses, render_notice, text_files
from modelclear.notice.words import _one_line

if TYPE_CHECKING:
    from modelclear.catalog import KnowledgeBase

__all__ = ["CARD_FILE", "LICENSES_FILE", "NOTICE_FILE", "RELEASE_ACTIVITIES", "Group", "Item", "Notice",
           "OutputError", "Party", "as_text", "build", "bundle", "files", "folder_name", "notices", "render_card",
           "render_licenses", "render_notice", "text_files", "write"]

#: The acts ``modelclear notice`` answers for (what a release is).
RELEASE_ACTIVITIES = ("distribute", "serve", "deploy")
NOTICE_FILE = "NOTICE"
LICENSES_FILE = "LICENSES/README.md"
CARD_FILE = "MODEL_CARD_LICENSE.md"


def files(notice: Notice, kb: KnowledgeBase, lang: str = "en") -> dict[str, str]:
    """The files of one release: path (``/``-separated, relative) → content."""
    return {NOTICE_FILE: render_notice(notice, kb, lang), LICENSES_FILE: render_licenses(notice, kb, lang),
            CARD_FILE: render_card(notice, kb, lang), **text_files(notice)}


def notices(assessments: Iterable[Assessment], kb: KnowledgeBase) -> list[Notice]:
    """One notice per distinct artifact, under the first scenario it was assessed under, in order."""
    out: list[Notice] = []
    seen: set[str] = set()
    for a in assessments:
        key = (a.artifact.id if a.artifact else a.ref.id).lower()
        if key in seen:
            continue
        seen.add(key)
        out.append(build(a, kb))
    return out


_SLUG = re.compile(r"[^A-Za-z0-9._-]+")


def folder_name(artifact_id: str) -> str:
    """A safe, distinct folder name for an artifact id (no separators, never ``.``/``..``)."""
    slug = _SLUG.sub("_", artifact_id).strip("._-")[:80] or "artifact"
    digest = hashlib.sha256(artifact_id.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return f"{slug}-{digest}"


def bundle(notes: Sequence[Notice], kb: KnowledgeBase, lang: str = "en", *, per_artifact: bool) -> dict[str, str]:
    """The files of several notices: at the top level for one release, else one folder per artifact."""
    out: dict[str, str] = {}
    for note in notes:
        prefix = folder_name(note.release.id) + "/" if per_artifact else ""
        for name, text in files(note, kb, lang).items():
            out[prefix + name] = text
    return out


def as_text(written: Mapping[str, str]) -> str:
    """The files for standard output, each after a ``==> PATH <==`` header."""
    return "".join(f"==> {name} <==\n{text}\n" for name, text in written.items())


class OutputError(OSError):
    """The output folder cannot be written (a usage error)."""


def write(written: Mapping[str, str], out: Path) -> list[Path]:
    """Write the files under ``out`` (created), never through a symbolic link; the paths written."""
    paths = []
    if out.exists() and not out.is_dir():
        raise OutputError(f"{_one_line(str(out))} is not a folder")
    for name, text in written.items():
        target = out.joinpath(*name.split("/"))
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_symlink():
                raise OutputError(f"{_one_line(str(target))} is a symbolic link: not written through")
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
            fd = os.open(target, flags, 0o644)
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        except OutputError:
            raise
        except OSError as exc:
            raise OutputError(f"cannot write {_one_line(str(target))}: {exc.strerror or exc}") from None
        paths.append(target)
    return paths
