"""What you must ship: ``modelclear notice`` (issue 12 item 5).

From one assessment (of a catalogued id or of your own model folder or file, as the check service gives
it), the artifact and everything its release carries along its lineage — the bases it is a fine-tune,
adapter, merge or quantisation of, and bases it was distilled from when their licence passes to
derivatives — are grouped by licence, and each licence's reviewed ``release`` block
(``data/licenses/*.yaml``, :mod:`modelclear.knowledge.schema` ``Release``) says what the release must carry
for the scenario's act and purpose. Three files come out:

- ``NOTICE``: every attribution and copyright line, in the licence's own words where it gives them;
- ``LICENSES/README.md``: the licence texts to include (bundle where the licence allows it, else link;
  modelclear holds no licence texts, so it never writes one);
- ``MODEL_CARD_LICENSE.md``: a "Licence and attributions" section for the model card, with naming and
  "Built with" statements, the use restrictions your own licence must pass on and the conditions that
  stay with the release.

Every line cites the clause it comes from (licence, clause, address, date checked, confidence). What
is not recorded is said to be unknown, never guessed. Output depends only on the assessment and the
knowledge base (no clock), so it is byte-stable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from modelclear.model import Artifact, Assessment, LineageNode, LocalText, Scenario, Status
from modelclear.report.escape import md_code, md_link, md_text
from modelclear.safetext import printable

if TYPE_CHECKING:
    from modelclear.catalog import KnowledgeBase
    from modelclear.catalog.records import License

#: The acts ``modelclear notice`` answers for (what a release is).
RELEASE_ACTIVITIES = ("distribute", "serve", "deploy")
#: Where each kind of release item goes: NOTICE, the licence texts, or the model card's sections.
_NOTICE_KINDS = ("notice", "modifications")
_CARD_SECTIONS = (("naming", ("naming", "built-with", "no-endorsement")), ("pass_on", ("pass-on",)),
                  ("stays", ("non-commercial", "share-alike", "revenue-threshold", "source-offer")))
NOTICE_FILE = "NOTICE"
LICENSES_FILE = "LICENSES/README.md"
CARD_FILE = "MODEL_CARD_LICENSE.md"

# Fixed wording of the files, in every language (the licences' own lines are never translated).
_L: Mapping[str, tuple[str, str]] = {
    "notice.title": ("NOTICE", "NOTICE（帰属表示）"),
    "notice.intro": ("Attribution and copyright notices required for {release} ({scenario}).",
                     "{release} に必要な帰属表示と著作権表示（{scenario}）。"),
    "notice.cite": ("Each line names the licence clause it comes from.",
                    "各行に、その根拠となるライセンスの条項を示す。"),
    "notice.none": ("No attribution or copyright line is recorded as required for this scenario.",
                    "このシナリオで必要と記録された帰属表示・著作権表示はない。"),
    "notice.none_unknown": ("No attribution or copyright line is recorded as required for what is known; what is "
                            "not recorded is listed below.",
                            "判明している範囲では、必要と記録された帰属表示・著作権表示はない。記録のないものは下に示す。"),
    "applies": ("Applies to", "対象"),
    "self": ("this release", "このリリース"),
    "via": ("{child} is {relation} of it", "{child} はこれの{relation}"),
    "data.via": ("training data of {child}", "{child} の学習データ"),
    "line.unrecorded": ("[not recorded: copy from {artifact}'s own files]",
                        "[記録なし: {artifact} 自身のファイルから写すこと]"),
    "credit.unknown": ("(not recorded)", "（記録なし）"),
    "modified": ("{release} is {relation} of {artifact}, modified from it.",
                 "{release} は {artifact} の{relation}であり、これを改変したものである。"),
    "modified.if": ("If you modified {artifact}, say so.", "{artifact} を改変した場合はその旨を示す。"),
    "source": ("Source: {cite}", "根拠: {cite}"),
    "checked": ("checked {date}", "{date} 確認"),
    "conf.V": ("verified", "原文確認済み"),
    "conf.S": ("secondary source", "二次資料"),
    "conf.U": ("unverified", "未検証"),
    "card.title": ("Licence and attributions", "ライセンスと帰属表示"),
    "card.governed": ("Licences that govern this release", "このリリースを拘束するライセンス"),
    "card.governs": ("{licence} governs {release}: its terms reach it as {how}.",
                     "{licence} が {release} を拘束する（{how}として条件が及ぶ）。"),
    "of": ("{relation} of {artifact}", "{artifact} の{relation}"),
    "card.own": ("{licence} is the licence of {release}.", "{release} のライセンスは {licence} である。"),
    "card.declared": ("The release declares {declared} ({where}).",
                      "このリリースは {declared} を宣言している（{where}）。"),
    "card.declared_conflict": ("{declared} cannot be granted for what derives from {bases}: check the licence layer "
                               "with `modelclear check`.",
                               "{bases} に由来する部分について {declared} を許諾することはできない。"
                               "`modelclear check` のライセンス層を確認すること。"),
    "card.also": ("Also carried: {licences}.", "このほか次のライセンスの条件も伴う: {licences}。"),
    "card.attributions": ("Attributions", "帰属表示"),
    "card.attributions_see": ("The lines of the `NOTICE` file ship with the model:",
                              "`NOTICE` ファイルの次の記載をモデルとともに配布する:"),
    "card.naming": ("Naming and \"Built with\" statements", "名称と「Built with」表示"),
    "card.name_check": ("The release's name {name} does not begin with “{prefix}”.",
                        "リリースの名称 {name} は「{prefix}」で始まっていない。"),
    "card.pass_on": ("Use restrictions your licence must pass on", "自分のライセンスで引き継ぐべき利用制限"),
    "card.stays": ("Conditions that stay with this release", "このリリースに残る条件"),
    "card.texts": ("Licence texts", "ライセンス本文"),
    "card.data": ("Training data", "学習データ"),
    "card.data_line": ("{artifact} ({who}): {licence}. Whether its attribution terms reach a model trained on it "
                       "is not recorded (unknown).",
                       "{artifact}（{who}）: {licence}。"
                       "その帰属条件が学習したモデルに及ぶかは記録されていない（不明）。"),
    "card.unknown": ("Not recorded (unknown)", "記録なし（不明）"),
    "unknown.licence": ("{artifact}: its licence is not recorded (unknown); what it requires of a release is unknown.",
                        "{artifact}: ライセンスが記録されていない（不明）。リリースに求められることも不明。"),
    "unknown.record": ("{artifact}: licence {licence} is not in the knowledge base (unknown).",
                       "{artifact}: ライセンス {licence} は知識ベースにない（不明）。"),
    "unknown.release": ("What {licence} requires of a release is not recorded (unknown): read {url}.",
                        "{licence} がリリースに求めることは記録されていない（不明）。{url} を読むこと。"),
    "unknown.artifact": ("{artifact} is not in the knowledge base (unknown): what its release requires is unknown.",
                         "{artifact} は知識ベースにない（不明）。リリースに求められることは不明。"),
    "unknown.cut": ("The lineage was cut at {artifact} (a depth or size bound): what lies above it is not "
                    "covered.", "系譜は {artifact} で打ち切られた（深さ・規模の上限）。それより上流は対象外。"),
    "texts.title": ("Licence texts", "ライセンス本文"),
    "texts.intro": ("modelclear holds no licence texts, so none is copied here. Include each text below with the "
                    "release: copy it verbatim into this folder where the licence allows it, else link it.",
                    "modelclear はライセンス本文を保持していないため、ここには写していない。"
                    "次の各本文をリリースに含める。ライセンスが認める場合はこのフォルダに逐語的に写し、そうでなければリンクする。"),
    "texts.verbatim": ("copy verbatim into LICENSES/", "LICENSES/ に逐語的に写す"),
    "texts.link": ("link it", "リンクする"),
    "texts.required": ("a copy must accompany the release", "リリースに写しを添える必要がある"),
    "texts.none": ("No licence text is recorded as required for this scenario.",
                   "このシナリオで必要と記録されたライセンス本文はない。"),
    "footer": ("Written by modelclear {version} from its reviewed knowledge (as of {date}) for: {scenario}. "
               "Not legal advice.",
               "modelclear {version} がレビュー済みの知識（{date} 時点）から作成（{scenario}）。法的助言ではない。"),
}


def _t(key: str, lang: str, **params: str) -> str:
    en, ja = _L[key]
    template = ja if lang == "ja" else en
    return template.format(**params) if params else template


def _one_line(text: str) -> str:
    """An untrusted string (a card's name, a path, an id) as one printable line."""
    return " ".join(printable(str(text)).split())


# --- the data --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    """An artifact whose licence a release carries: the release itself or something upstream of it."""

    id: str
    name: str
    publisher: str
    url: str
    relation: str  # self | finetune | adapter | merge | quantized | distill | trained_on
    child: str  # the name of the artifact it is reached from ("" for the release)
    licence_id: str | None
    known: bool  # the artifact is in the knowledge base (or read from your files)
    direct: bool = False  # a base of the release itself (what you modified), not one further up


@dataclass(frozen=True)
class Item:
    """One thing a release must carry or say, with its source (a ``release.ship`` entry of one licence)."""

    id: str
    kind: str
    line: str
    credit: str
    summary: LocalText
    clause: str
    url: str
    confidence: str
    checked: dt.date | None


@dataclass(frozen=True)
class Group:
    """One licence the release carries: who it comes from and what it asks for the scenario."""

    licence: License
    parties: tuple[Party, ...]
    items: tuple[Item, ...]
    text_bundle: str  # verbatim | link | "" (not recorded)
    text_item: Item | None
    recorded: bool  # the licence has a release block
    governs: bool


@dataclass(frozen=True)
class Notice:
    """What one release must ship, under one scenario."""

    release: Party
    scenario: Scenario
    verdict: Status
    groups: tuple[Group, ...]
    data: tuple[Party, ...] = ()  # training datasets (not shipped with the weights)
    unknown: tuple[str, ...] = ()  # unknown-key lines: (key, params) rendered later
    unknown_params: tuple[Mapping[str, str], ...] = ()
    declared: str = ""  # the licence your own model declares, and where
    declared_where: str = ""
    declared_conflict: bool = False
    knowledge_as_of: dt.date | None = None


#: Where an id's repository is, by its scheme (the Hub's addresses); other artifacts: their record's first source.
_HUB = {"hf": "https://huggingface.co/", "hf-dataset": "https://huggingface.co/datasets/"}
_HUB_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?")


def _address(art: Artifact) -> str:
    """The artifact's address: its Hub repository for ``hf:``/``hf-dataset:`` ids, else its record's first source."""
    scheme, _, name = art.id.partition(":")
    if scheme in _HUB and _HUB_NAME.fullmatch(name):
        return _HUB[scheme] + name
    return art.sources[0].url if art.sources else ""


def _party(node: LineageNode | None, artifact: Artifact | None, relation: str, child: str,
           licence: str | None, fallback_id: str = "", direct: bool = False) -> Party:
    art = artifact
    return Party(id=art.id if art else (node.id if node else fallback_id),
                 name=(art.name or art.id) if art else (node.id if node else fallback_id),
                 publisher=art.publisher if art else "", url=_address(art) if art else "",
                 relation=relation, child=child, licence_id=licence, known=art is not None, direct=direct)


def _items(lic: License, scenario: Scenario) -> tuple[tuple[Item, ...], Item | None]:
    """The licence's release items for the scenario's act and purpose, and its licence-text rule."""
    block = lic.release
    checked: dict[str, dt.date] = {}
    for s in block.get("sources") or ():
        url = str(s.get("url", "")).split("#", 1)[0]
        day = s.get("checked")
        if isinstance(day, str):
            try:
                day = dt.date.fromisoformat(day)
            except ValueError:
                day = None
        if isinstance(day, dt.date) and (url not in checked or day > checked[url]):
            checked[url] = day
    latest = max(checked.values(), default=None)

    def when(url: str) -> dt.date | None:
        return checked.get(url.split("#", 1)[0], latest)

    out: list[Item] = []
    for raw in block.get("ship") or ():
        acts = [str(a) for a in raw.get("activities") or ()]
        purposes = [str(p) for p in raw.get("purposes") or ()]
        if scenario.activity.value not in acts or (purposes and scenario.purpose.value not in purposes):
            continue
        summary = raw.get("summary") or {}
        out.append(Item(id=str(raw["id"]), kind=str(raw["kind"]), line=str(raw.get("line") or ""),
                        credit=str(raw.get("credit") or ""),
                        summary=LocalText(str(summary.get("en", "")), str(summary.get("ja", ""))),
                        clause=str(raw.get("clause", "")), url=str(raw.get("url", "")),
                        confidence=str(raw.get("confidence", "U")), checked=when(str(raw.get("url", "")))))
    text = block.get("text")
    text_item = None
    if text:
        summary = text.get("summary") or {}
        text_item = Item(id="text", kind=str(text.get("bundle", "link")), line="", credit="",
                         summary=LocalText(str(summary.get("en", "")), str(summary.get("ja", ""))),
                         clause=str(text.get("clause", "")), url=str(text.get("url", "")),
                         confidence=str(text.get("confidence", "U")), checked=when(str(text.get("url", ""))))
    return tuple(out), text_item


def build(assessment: Assessment, kb: KnowledgeBase) -> Notice:
    """What the release of ``assessment``'s artifact must ship under its scenario."""
    rules = kb.rules.get("acts", {})
    derivative = set(rules.get("derivative_relations", ()))
    flow_down = set(rules.get("flow_down_relations", ()))
    restrictive = set(rules.get("declared_licence_conflict_categories", ()))
    art = assessment.artifact
    local = art is not None and art.origin == "local"
    in_force = {u.artifact.id.lower(): u.license_in_force for u in assessment.upstream if u.artifact is not None}
    release = _party(assessment.lineage, art, "self", "", None if local else assessment.license_in_force,
                     fallback_id=assessment.ref.id)
    order: list[str] = []
    by_licence: dict[str, list[Party]] = {}
    unknown: list[tuple[str, dict[str, str]]] = []
    data: list[Party] = []
    licences: dict[str, License] = {}
    governing: set[str] = set()

    def add(party: Party, derived: bool) -> None:
        if party.licence_id is None:
            unknown.append(("unknown.licence" if party.known else "unknown.artifact", {"artifact": party.name}))
            return
        lic = kb.license(party.licence_id)
        if lic is None:
            unknown.append(("unknown.record", {"artifact": party.name, "licence": party.licence_id}))
            return
        if lic.id not in by_licence:
            order.append(lic.id)
            by_licence[lic.id] = []
            licences[lic.id] = lic
        by_licence[lic.id].append(party)
        if not derived or lic.passes_to_derivatives or lic.category in restrictive:
            governing.add(lic.id)

    if art is None:
        unknown.append(("unknown.artifact", {"artifact": assessment.ref.id}))
    elif not local:
        add(release, derived=False)
    seen = {release.id.lower()}
    frontier: list[tuple[LineageNode, str]] = [(assessment.lineage, release.name)] if assessment.lineage else []
    while frontier:
        node, child_name = frontier.pop(0)
        for child in node.children:
            key = child.id.lower()
            if key in seen:
                continue
            base = child.artifact
            licence = in_force.get(key, base.license if base else None) if base else None
            if child.relation == "trained_on":
                seen.add(key)
                data.append(_party(child, base, child.relation, child_name, licence))
                continue
            if child.relation not in derivative | flow_down:
                continue
            lic = kb.license(licence) if licence else None
            if child.relation in flow_down and not (lic is not None and lic.passes_to_derivatives):
                continue
            seen.add(key)
            party = _party(child, base, child.relation, child_name, licence, direct=node is assessment.lineage)
            add(party, derived=True)
            if child.truncated:
                unknown.append(("unknown.cut", {"artifact": party.name}))
            frontier.append((child, party.name))
    groups = []
    for lid in order:
        lic = licences[lid]
        items, text_item = _items(lic, assessment.scenario) if lic.release else ((), None)
        groups.append(Group(licence=lic, parties=tuple(by_licence[lid]), items=items,
                            text_bundle=text_item.kind if text_item else "", text_item=text_item,
                            recorded=bool(lic.release), governs=lid in governing))
    declared = str(art.facts.get("declared_license") or "") if local and art else ""
    declared_id = art.license if local and art else None
    declared_lic = kb.license(declared_id) if declared_id else None
    conflict = bool(declared_lic and any(g.governs and g.licence.id != declared_lic.id for g in groups))
    return Notice(release=release, scenario=assessment.scenario, verdict=assessment.verdict, groups=tuple(groups),
                  data=tuple(data), unknown=tuple(k for k, _ in unknown),
                  unknown_params=tuple(p for _, p in unknown),
                  declared=(declared_lic.name if declared_lic else (declared_id or "")) if declared else "",
                  declared_where=declared, declared_conflict=conflict, knowledge_as_of=kb.knowledge_as_of())


# --- rendering ---------------------------------------------------------------------------------------


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


def _cite_text(group: Group, item: Item, lang: str) -> str:
    parts = [f"{group.licence.name} {item.clause}".strip(), item.url]
    if item.checked:
        parts.append(_t("checked", lang, date=item.checked.isoformat()))
    parts.append(f"[{item.confidence}] {_t('conf.' + item.confidence, lang)}")
    return ", ".join(p for p in parts if p)


def _cite_md(group: Group, item: Item, lang: str) -> str:
    label = f"{group.licence.name} {item.clause}".strip()
    parts = [md_link(label, item.url) if item.url else md_text(label)]
    if item.checked:
        parts.append(md_text(_t("checked", lang, date=item.checked.isoformat())))
    parts.append(md_text(f"[{item.confidence}] {_t('conf.' + item.confidence, lang)}"))
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


def _notice_lines(kb: KnowledgeBase, notice: Notice, group: Group, lang: str) -> list[tuple[str, Item]]:
    """The NOTICE lines of one licence group: (text, the item it comes from), in order."""
    out: list[tuple[str, Item]] = []
    release = _one_line(notice.release.name)
    for item in group.items:
        if item.kind not in _NOTICE_KINDS:
            continue
        if item.kind == "notice" and item.line:
            out.append((item.line, item))  # the licence's own words: once per licence
            continue
        for party in group.parties:
            name = _one_line(party.name)
            if item.kind == "notice" and item.credit:
                out.append((_credit(item, party, lang), item))
            elif item.kind == "notice":
                out.append((f"{_t('line.unrecorded', lang, artifact=name)} {item.summary.get(lang)}", item))
            elif party.direct:
                out.append((_t("modified", lang, release=release, artifact=name,
                               relation=_relation(kb, party.relation, lang)), item))
            elif party.relation == "self":
                out.append((f"{_t('modified.if', lang, artifact=name)} {item.summary.get(lang)}", item))
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
        for text, item in body:
            lines.append(text)
            lines.append("  " + _t("source", lang, cite=_cite_text(group, item, lang)))
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
        how = _t("texts.verbatim" if text.kind == "verbatim" else "texts.link", lang)
        lines.append(f"- {md_link(group.licence.name, group.licence.url)} — {md_text(how)}; "
                     f"{md_text(_t('texts.required', lang))}")
        for item in copy:
            lines.append(f"  - {md_text(item.summary.get(lang))} ({_cite_md(group, item, lang)})")
        lines.append(f"  - {md_text(text.summary.get(lang))} ({_cite_md(group, text, lang)})")
    if not shown:
        lines.append(md_text(_t("texts.none", lang)))
    unknown = _unknown_lines(notice, lang, md=True)
    if unknown:
        lines += ["", f"## {md_text(_t('card.unknown', lang))}", "", *unknown]
    lines += ["", md_text(_footer(notice, kb, lang))]
    return "\n".join(lines) + "\n"


def render_card(notice: Notice, kb: KnowledgeBase, lang: str = "en") -> str:
    """``MODEL_CARD_LICENSE.md``: the model card's "Licence and attributions" section."""
    release = md_text(_one_line(notice.release.name))
    lines = [f"## {_t('card.title', lang)}", ""]
    governing = [g for g in notice.groups if g.governs]
    lines += [f"### {md_text(_t('card.governed', lang))}", ""]
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
            bases = ", ".join(md_text(g.licence.name) for g in governing)
            lines.append("- " + _t("card.declared_conflict", lang, declared=md_text(notice.declared), bases=bases))
    others = [g for g in notice.groups if not g.governs]
    if others:
        lines.append("- " + _t("card.also", lang, licences=", ".join(
            md_link(g.licence.name, g.licence.url) for g in others)))
    if not governing and not others:
        lines.append("- " + md_text(_t("card.unknown", lang)))
    lines.append("")
    attributions = [(g, text, item) for g in notice.groups for text, item in _notice_lines(kb, notice, g, lang)]
    if attributions:
        lines += [f"### {md_text(_t('card.attributions', lang))}", "", _t("card.attributions_see", lang), ""]
        for group, text, item in attributions:
            lines.append(f"- {md_text(text)} ({_cite_md(group, item, lang)})")
        lines.append("")
    for section, kinds in _CARD_SECTIONS:
        body: list[str] = []
        for group in notice.groups:
            for item in group.items:
                if item.kind not in kinds:
                    continue
                text = md_text(item.summary.get(lang))
                if item.line and item.kind in ("naming", "built-with"):
                    text = f"**{md_text(item.line)}** — {text}"
                body.append(f"- {text} ({_cite_md(group, item, lang)})")
                if item.kind == "naming" and item.line and notice.release.relation == "self":
                    name = _one_line(notice.release.name).rstrip("/").rsplit("/", 1)[-1]
                    if any(p.relation != "self" for p in group.parties) and not _begins(name, item.line):
                        body.append("  - " + _t("card.name_check", lang, name=md_code(name),
                                                prefix=md_text(item.line)))
        if body:
            lines += [f"### {md_text(_t('card.' + section, lang))}", "", *body, ""]
    texts = [g for g in notice.groups if g.text_item is not None and any(i.kind == "licence-copy" for i in g.items)]
    if texts:
        lines += [f"### {md_text(_t('card.texts', lang))}", ""]
        for group in texts:
            assert group.text_item is not None
            how = _t("texts.verbatim" if group.text_bundle == "verbatim" else "texts.link", lang)
            lines.append(f"- {md_link(group.licence.name, group.licence.url)} — {md_text(how)} "
                         f"({_cite_md(group, group.text_item, lang)})")
        lines.append("")
    if notice.data:
        lines += [f"### {md_text(_t('card.data', lang))}", ""]
        for party in notice.data:
            lic = kb.license(party.licence_id) if party.licence_id else None
            licence = md_text(lic.name if lic else (party.licence_id or _t("credit.unknown", lang)))
            lines.append("- " + _t("card.data_line", lang, artifact=md_code(_one_line(party.id)),
                                   who=md_text(_who(kb, party, lang)), licence=licence))
        lines.append("")
    unknown = _unknown_lines(notice, lang, md=True)
    if unknown:
        lines += [f"### {md_text(_t('card.unknown', lang))}", "", *unknown, ""]
    lines.append(f"_{md_text(_footer(notice, kb, lang))}_")
    return "\n".join(lines) + "\n"


def _begins(name: str, prefix: str) -> bool:
    """Whether ``name`` begins with ``prefix``, ignoring case and the separators of file names (``llama-3-…``)."""
    def fold(text: str) -> str:
        return re.sub(r"[\s_.-]+", " ", text).casefold()

    return fold(name).startswith(fold(prefix))


def files(notice: Notice, kb: KnowledgeBase, lang: str = "en") -> dict[str, str]:
    """The files of one release: path (``/``-separated, relative) → content."""
    return {NOTICE_FILE: render_notice(notice, kb, lang), LICENSES_FILE: render_licenses(notice, kb, lang),
            CARD_FILE: render_card(notice, kb, lang)}


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
