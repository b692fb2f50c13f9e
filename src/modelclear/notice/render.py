"""Rendering a :class:`~modelclear.notice.collect.Notice` as ``NOTICE``, ``LICENSES/README.md`` and the card section.

Every line cites the clause it comes from; every untrusted string is made one printable line and escaped
for the format it lands in.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from modelclear.notice.collect import Group, Item, Line, Notice, Party, TextFile
from modelclear.notice.words import _one_line, _t
from modelclear.report.escape import md_code, md_link, md_text

if TYPE_CHECKING:
    from modelclear.catalog import KnowledgeBase

#: Where each kind of release item goes: NOTICE, the licence texts, or the model card's sections.
_NOTICE_KINDS = ("notice", "modifications")
_CARD_SECTIONS = (("naming", ("naming", "built-with", "no-endorsement")), ("pass_on", ("pass-on",)),
                  ("stays", ("non-commercial", "share-alike", "revenue-threshold", "source-offer")))


def _scenario_label(notice: Notice, lang: str, kb: KnowledgeBase) -> str:
    i18n = kb.i18n
    sc = notice.scenario

    def word(key: str, default: str) -> str:
        return str(i18n.get(lang, {}).get(key) or i18n.get("en", {}).get(key) or default)

    return " · ".join((word(f"ui.activity.{sc.activity.value}", sc.activity.value),
                       word(f"ui.purpose.{sc.purpose.value}", sc.purpose.value), sc.jurisdiction))


def _relation(kb: KnowledgeBase, relation: str, lang: str) -> str:
    i18n = kb.i18n
    return str(i18n.get(lang, {}).get(f"local.relation.{relation}") or i18n.get("en", {}).get(
        f"local.relation.{relation}") or relation)


def _cite_text(group: Group, item: Item, lang: str, line: Line | None = None) -> str:
    """The clause an item comes from; for a recorded line, the file it was read in instead of the clause's address."""
    url, checked, confidence = (line.url, line.checked, line.confidence) if line else (item.url, item.checked,
                                                                                       item.confidence)
    parts = [f"{group.licence.name} {item.clause}".strip(), url]
    if checked:
        parts.append(_t("checked", lang, date=checked.isoformat()))
    parts.append(f"[{confidence}] {_t('conf.' + confidence, lang)}")
    return ", ".join(p for p in parts if p)


def _cite_md(group: Group, item: Item, lang: str, line: Line | None = None) -> str:
    label = f"{group.licence.name} {item.clause}".strip()
    parts = [md_link(label, item.url) if item.url else md_text(label)]
    if line is not None:
        parts.append(md_link(_t("read_in", lang), line.url) if line.url else md_text(_t("read_in", lang)))
    checked, confidence = (line.checked, line.confidence) if line else (item.checked, item.confidence)
    if checked:
        parts.append(md_text(_t("checked", lang, date=checked.isoformat())))
    parts.append(md_text(f"[{confidence}] {_t('conf.' + confidence, lang)}"))
    return ", ".join(parts)


def _who(kb: KnowledgeBase, party: Party, lang: str) -> str:
    if party.relation == "self":
        return _t("self", lang)
    if party.relation == "trained_on":
        return _t("data.via", lang, child=_one_line(party.child))
    return _t("via", lang, relation=_relation(kb, party.relation, lang), child=_one_line(party.child))


def _credit(item: Item, party: Party, lang: str) -> str:
    unknown = _t("credit.unknown", lang)
    values = {"artifact": _one_line(party.name) or unknown, "publisher": _one_line(party.publisher) or unknown,
              "source": _one_line(party.url) or unknown}
    return re.sub(r"\{(artifact|publisher|source)\}", lambda m: values[m.group(1)], item.credit)


def _notice_lines(kb: KnowledgeBase, notice: Notice, group: Group,
                  lang: str) -> list[tuple[str, Item, Line | None]]:
    """The NOTICE lines of one licence group: (text, the item it comes from, the recorded line it is), in order.

    A notice item without the licence's own line takes each party's recorded lines of the kinds it names
    (``lines``: the work's copyright lines, its NOTICE file's lines, a credit); a party without such
    lines gets the item's credit, else a line saying what is not recorded.
    """
    out: list[tuple[str, Item, Line | None]] = []
    release = _one_line(notice.release.name)
    for item in group.items:
        if item.kind not in _NOTICE_KINDS:
            continue
        if item.kind == "notice" and item.line:
            out.append((item.line, item, None))  # the licence's own words: once per licence
            continue
        for party in group.parties:
            name = _one_line(party.name)
            recorded = [line for line in party.lines if line.kind in item.lines] if item.kind == "notice" else []
            if recorded:
                out += [(_one_line(line.text), item, line) for line in recorded]
            elif item.kind == "notice" and item.credit:
                out.append((_credit(item, party, lang), item, None))
            elif item.kind == "notice":
                out.append((f"{_t('line.unrecorded', lang, artifact=name)} {item.summary.get(lang)}", item, None))
            elif party.direct:
                out.append((_t("modified", lang, release=release, artifact=name,
                               relation=_relation(kb, party.relation, lang)), item, None))
            elif party.relation == "self":
                out.append((f"{_t('modified.if', lang, artifact=name)} {item.summary.get(lang)}", item, None))
    return out


def render_notice(notice: Notice, kb: KnowledgeBase, lang: str = "en") -> str:
    """The ``NOTICE`` file."""
    release = _one_line(notice.release.name)
    lines = [_t("notice.title", lang), "",
             _t("notice.intro", lang, release=release, scenario=_scenario_label(notice, lang, kb)),
             _t("notice.cite", lang), ""]
    any_line = False
    for group in notice.groups:
        body = _notice_lines(kb, notice, group, lang)
        if not body:
            continue
        any_line = True
        lines.append(f"== {group.licence.name} ==")
        who = "; ".join(f"{_one_line(p.name)} ({_one_line(p.id)}): {_who(kb, p, lang)}" for p in group.parties)
        lines.append(f"{_t('applies', lang)}: {who}")
        lines.append("")
        for text, item, line in body:
            lines.append(text)
            lines.append("  " + _t("source", lang, cite=_cite_text(group, item, lang, line)))
            lines.append("")
    unknown = _unknown_lines(notice, lang)
    if not any_line:
        lines += [_t("notice.none_unknown" if unknown else "notice.none", lang), ""]
    if unknown:
        lines.append(f"== {_t('card.unknown', lang)} ==")
        lines += unknown
        lines.append("")
    lines.append(_footer(notice, kb, lang))
    return "\n".join(lines) + "\n"


def _unknown_lines(notice: Notice, lang: str, md: bool = False) -> list[str]:
    out = []
    for key, params in zip(notice.unknown, notice.unknown_params, strict=True):
        shown = {k: (md_text(_one_line(v)) if md else _one_line(v)) for k, v in params.items()}
        out.append(_t(key, lang, **shown))
    for group in notice.groups:
        if not group.recorded:
            name, url = group.licence.name, group.licence.url
            out.append(_t("unknown.release", lang, licence=md_text(name) if md else name,
                          url=md_link(url, url) if md else url))
    return [("- " + line) if md else line for line in out]


def _footer(notice: Notice, kb: KnowledgeBase, lang: str) -> str:
    from modelclear import __version__

    date = notice.knowledge_as_of.isoformat() if notice.knowledge_as_of else "?"
    return _t("footer", lang, version=__version__, date=date, scenario=_scenario_label(notice, lang, kb))


def render_licenses(notice: Notice, kb: KnowledgeBase, lang: str = "en") -> str:
    """``LICENSES/README.md``: the licence texts to include, bundled where allowed, else linked."""
    lines = [f"# {_t('texts.title', lang)}", "", md_text(_t("texts.intro", lang)), ""]
    shown = False
    for group in notice.groups:
        copy = [i for i in group.items if i.kind == "licence-copy"]
        if not copy or group.text_item is None:
            continue
        shown = True
        text = group.text_item
        how = _t(_how(group), lang)
        lines.append(f"- {md_link(group.licence.name, group.licence.url)} — {md_text(how)}; "
                     f"{md_text(_t('texts.required', lang))}")
        for item in copy:
            lines.append(f"  - {md_text(item.summary.get(lang))} ({_cite_md(group, item, lang)})")
        lines.append(f"  - {md_text(text.summary.get(lang))} ({_cite_md(group, text, lang)})")
        for f in group.texts:
            lines.append("  - " + _text_file_md(f, lang))
    if not shown:
        lines.append(md_text(_t("texts.none", lang)))
    unknown = _unknown_lines(notice, lang, md=True)
    if unknown:
        lines += ["", f"## {md_text(_t('card.unknown', lang))}", "", *unknown]
    lines += ["", md_text(_footer(notice, kb, lang))]
    return "\n".join(lines) + "\n"


def _how(group: Group) -> str:
    """How a group's text goes with the release: written here, to be copied, or linked."""
    if group.texts:
        return "texts.bundled"
    return "texts.verbatim" if group.text_bundle == "verbatim" else "texts.link"


def _text_file_md(f: TextFile, lang: str) -> str:
    """One bundled file: its path, what it holds, where it was copied from and, for a part, which part."""
    checked = _t("checked", lang, date=f.checked.isoformat()) if f.checked else ""
    cite = ", ".join(p for p in (md_link(_t("copied_from", lang), f.url) if f.url else "", md_text(checked),
                                 md_text(f"[{f.confidence}] {_t('conf.' + f.confidence, lang)}")) if p)
    line = f"{md_code('LICENSES/' + f.file)}: {md_text(f.title)} ({cite})"
    if f.part.get(lang):
        line += " — " + md_text(_t("texts.part", lang, part=f.part.get(lang)))
    return line


def text_files(notice: Notice) -> dict[str, str]:
    """The bundled licence texts a release must carry: ``LICENSES/FILE`` → the text, verbatim."""
    out: dict[str, str] = {}
    for group in notice.groups:
        if group.ships_text:
            for f in group.texts:
                out.setdefault(f"LICENSES/{f.file}", f.content)
    return out


def render_card(notice: Notice, kb: KnowledgeBase, lang: str = "en") -> str:
    """``MODEL_CARD_LICENSE.md``: the model card's "Licence and attributions" section."""
    lines = [f"## {_t('card.title', lang)}", ""]
    lines += _card_governed(notice, kb, lang)
    lines += _card_attributions(notice, kb, lang)
    for section, kinds in _CARD_SECTIONS:
        body = _card_section(notice, kinds, lang)
        if body:
            lines += [f"### {md_text(_t('card.' + section, lang))}", "", *body, ""]
    lines += _card_texts(notice, lang)
    lines += _card_data(notice, kb, lang)
    unknown = _unknown_lines(notice, lang, md=True)
    if unknown:
        lines += [f"### {md_text(_t('card.unknown', lang))}", "", *unknown, ""]
    lines.append(f"_{md_text(_footer(notice, kb, lang))}_")
    return "\n".join(lines) + "\n"


def _card_governed(notice: Notice, kb: KnowledgeBase, lang: str) -> list[str]:
    """The card's "Licences that govern this release": how each reaches it, the declared licence, the others."""
    release = md_text(_one_line(notice.release.name))
    lines = [f"### {md_text(_t('card.governed', lang))}", ""]
    governing = [g for g in notice.groups if g.governs]
    for group in governing:
        derived = [p for p in group.parties if p.relation != "self"]
        name = md_link(group.licence.name, group.licence.url)
        if derived:
            how = ", ".join(_t("of", lang, relation=md_text(_relation(kb, p.relation, lang)),
                               artifact=md_code(_one_line(p.id))) for p in derived)
            lines.append("- " + _t("card.governs", lang, licence=name, release=release, how=how))
        else:
            lines.append("- " + _t("card.own", lang, licence=name, release=release))
    if notice.declared:
        lines.append("- " + _t("card.declared", lang, declared=md_text(notice.declared),
                               where=md_code(_one_line(notice.declared_where))))
        if notice.declared_conflict:
            bases = ", ".join(md_text(g.licence.name) for g in governing if g.licence.name != notice.declared)
            lines.append("- " + _t("card.declared_conflict", lang, declared=md_text(notice.declared), bases=bases))
    others = [g for g in notice.groups if not g.governs]
    if others:
        lines.append("- " + _t("card.also", lang, licences=", ".join(
            md_link(g.licence.name, g.licence.url) for g in others)))
    if not governing and not others:
        lines.append("- " + md_text(_t("card.unknown", lang)))
    lines.append("")
    return lines


def _card_attributions(notice: Notice, kb: KnowledgeBase, lang: str) -> list[str]:
    """The card's "Attributions": the NOTICE lines, each with its source ([] when there are none)."""
    attributions = [(g, text, item, line) for g in notice.groups
                    for text, item, line in _notice_lines(kb, notice, g, lang)]
    if not attributions:
        return []
    lines = [f"### {md_text(_t('card.attributions', lang))}", "", _t("card.attributions_see", lang), ""]
    for group, text, item, line in attributions:
        lines.append(f"- {md_text(text)} ({_cite_md(group, item, lang, line)})")
    lines.append("")
    return lines


def _card_section(notice: Notice, kinds: tuple[str, ...], lang: str) -> list[str]:
    """The lines of one card section: every release item of ``kinds``, with the name check under naming items."""
    body: list[str] = []
    for group in notice.groups:
        for item in group.items:
            if item.kind not in kinds:
                continue
            text = md_text(item.summary.get(lang))
            if item.line and item.kind in ("naming", "built-with"):
                text = f"**{md_text(item.line)}** — {text}"
            body.append(f"- {text} ({_cite_md(group, item, lang)})")
            body += _name_check(notice, group, item, lang)
    return body


def _name_check(notice: Notice, group: Group, item: Item, lang: str) -> list[str]:
    """A warning when a derived release's name does not begin with the prefix a naming item asks for."""
    if item.kind != "naming" or not item.line or notice.release.relation != "self":
        return []
    name = _one_line(notice.release.name).rstrip("/").rsplit("/", 1)[-1]
    if any(p.relation != "self" for p in group.parties) and not _begins(name, item.line):
        return ["  - " + _t("card.name_check", lang, name=md_code(name), prefix=md_text(item.line))]
    return []


def _card_texts(notice: Notice, lang: str) -> list[str]:
    """The card's "Licence texts": each text to include, bundled or linked ([] when none is required)."""
    texts = [g for g in notice.groups if g.text_item is not None and any(i.kind == "licence-copy" for i in g.items)]
    if not texts:
        return []
    lines = [f"### {md_text(_t('card.texts', lang))}", ""]
    for group in texts:
        assert group.text_item is not None
        how = _t(_how(group), lang)
        lines.append(f"- {md_link(group.licence.name, group.licence.url)} — {md_text(how)} "
                     f"({_cite_md(group, group.text_item, lang)})")
        lines += ["  - " + _text_file_md(f, lang) for f in group.texts]
    lines.append("")
    return lines


def _card_data(notice: Notice, kb: KnowledgeBase, lang: str) -> list[str]:
    """The card's "Training data": each dataset's licence, its reach into the model unknown ([] when none)."""
    if not notice.data:
        return []
    lines = [f"### {md_text(_t('card.data', lang))}", ""]
    for party in notice.data:
        lic = kb.license(party.licence_id) if party.licence_id else None
        licence = md_text(lic.name if lic else (party.licence_id or _t("credit.unknown", lang)))
        lines.append("- " + _t("card.data_line", lang, artifact=md_code(_one_line(party.id)),
                               who=md_text(_who(kb, party, lang)), licence=licence))
    lines.append("")
    return lines


def _begins(name: str, prefix: str) -> bool:
    """Whether ``name`` begins with ``prefix``, ignoring case and the separators of file names (``llama-3-…``)."""
    def fold(text: str) -> str:
        return re.sub(r"[\s_.-]+", " ", text).casefold()

    return fold(name).startswith(fold(prefix))
