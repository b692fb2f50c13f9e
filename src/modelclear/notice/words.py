"""The fixed wording of the notice files, in English and Japanese (the licences' own lines are never translated)."""

from __future__ import annotations

from collections.abc import Mapping

from modelclear.safetext import printable

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
    "texts.intro": ("Include each licence text below with the release. The texts modelclear holds, copied verbatim "
                    "from the sources named and only where the text itself may be copied, are written in this "
                    "folder; copy the others verbatim into it where the licence allows, else link them.",
                    "次の各ライセンス本文をリリースに含める。"
                    "modelclear が保持する本文（示した出典から逐語的に写したもので、"
                    "本文自体の複製が認められるものに限る）はこのフォルダに書き出してある。"
                    "その他の本文は、ライセンスが認める場合はこのフォルダに逐語的に写し、そうでなければリンクする。"),
    "texts.bundled": ("written here, verbatim", "ここに逐語的に書き出した"),
    "texts.part": ("this file is a part of the published text: {part}", "このファイルは公表された本文の一部: {part}"),
    "copied_from": ("copied from", "写した元"),
    "read_in": ("the line as read", "記載の出典"),
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

