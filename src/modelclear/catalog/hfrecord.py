"""Hugging Face cards as :class:`~modelclear.model.Artifact` records: :func:`artifact_from_card`.

Every fact is sourced to the card at confidence ``S`` (an uploader's claim is not a primary licence
text). Part of :mod:`modelclear.catalog.hf`, which re-exports these names.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable

from modelclear.catalog.hfcard import CardData
from modelclear.ids import try_parse
from modelclear.model import Artifact, Confidence, Kind, LocalText, Relation, Source

#: Hub pipeline tags whose models produce new content (text, images, audio, video).
GENERATIVE_PIPELINE_TAGS = frozenset({
    "text-generation", "text2text-generation", "text-to-image", "image-to-image", "text-to-video",
    "image-to-video", "text-to-speech", "text-to-audio", "image-text-to-text", "any-to-any",
    "image-to-text", "summarization", "translation", "video-text-to-text", "audio-text-to-text",
    "text-to-3d", "image-to-3d", "unconditional-image-generation",
})


def hub_url(artifact_id: str) -> str:
    """The Hub page of an ``hf:`` or ``hf-dataset:`` id."""
    scheme, _, name = artifact_id.partition(":")
    if scheme == "hf-dataset":
        return f"https://huggingface.co/datasets/{name}"
    return f"https://huggingface.co/{name}"


def _resolve(raw: str, resolve_license: Callable[[str], str | None] | None) -> str | None:
    if resolve_license is None:
        return raw
    parts = [p.strip() for p in raw.split(" AND ")]
    resolved = [resolve_license(p) for p in parts]
    if any(r is None for r in resolved):
        return None
    return " AND ".join(r for r in resolved if r is not None)


def _card_license(card: CardData, resolve_license: Callable[[str], str | None] | None,
                  ) -> tuple[str | None, LocalText | None]:
    """The licence id a card gives (``unknown`` when it cannot be mapped or is absent) and a note."""
    license_id: str | None = "unknown"
    note: LocalText | None = None
    if card.license:
        raw = card.license
        resolved = _resolve(raw, resolve_license)
        if resolved is None and raw.lower() == "other" and card.license_name:
            resolved = _resolve(card.license_name, resolve_license)
        if resolved is None and raw.lower() == "other":
            resolved = "other"
        if resolved is None:
            note = LocalText(
                en=f"The card declares the licence '{raw}', which modelclear does not know; read it yourself.",
                ja=f"カードはライセンス「{raw}」を表示しているが、modelclear はこのライセンスを知らない。"
                   "内容を自身で確認すること。",
            )
            resolved = "unknown"
        license_id = resolved
        if raw.lower() == "other":
            label = card.license_name or "other"
            link = f" ({card.license_link})" if card.license_link else ""
            note = LocalText(
                en=f"The card says 'other' licence: {label}{link}.",
                ja=f"カードのライセンスは「other」（{label}{link}）。",
            )
    else:
        note = LocalText(en="The card declares no licence.", ja="カードにライセンスの記載がない。")
    return license_id, note


def artifact_from_card(artifact_id: str, card: CardData, origin: str, fetched_on: _dt.date,
                       resolve_license: Callable[[str], str | None] | None = None) -> Artifact:
    """An :class:`Artifact` built from a card, every fact sourced to the card at confidence ``S``.

    ``resolve_license`` maps a card's licence id (``apache-2.0``, ``llama3.1``, or for ``other`` the
    ``license_name``) to our licence id; ``None`` keeps the card's id. A licence it cannot map
    becomes ``unknown`` with a note quoting the card; a card without a licence gives ``unknown``.
    Base models become ``hf:`` edges with the card's ``base_model_relation`` (confidence ``U``
    when the relation is inferred); datasets become ``hf-dataset:`` edges.
    """
    ref = try_parse(artifact_id)
    kind = ref.kind if ref is not None and ref.kind is not None else Kind.MODEL
    canonical = ref.id if ref is not None else artifact_id
    name = canonical.partition(":")[2] or canonical
    source = Source(url=hub_url(canonical), checked=fetched_on, confidence=Confidence.SECONDARY,
                    note="model card (uploader's claim)" if kind is Kind.MODEL else "dataset card (uploader's claim)")

    license_id, note = _card_license(card, resolve_license)

    relation_given = card.base_model_relation is not None
    relation = card.base_model_relation or ("adapter" if "peft" in {t.lower() for t in card.tags} else "finetune")
    edge_source = source if relation_given else Source(
        url=source.url, checked=fetched_on, confidence=Confidence.UNCERTAIN,
        note="relation to the base model inferred; the card gives no base_model_relation")
    upstream: list[Relation] = []
    for base in card.base_models:
        base_ref = try_parse(base if ":" in base and not base.startswith(("http", "/")) else f"hf:{base}")
        if base_ref is not None and base_ref.scheme == "hf" and base_ref.id != canonical:
            upstream.append(Relation(target=base_ref.id, relation=relation, source=edge_source))
    for dataset in card.datasets:
        ds_ref = try_parse(f"hf-dataset:{dataset}")
        if ds_ref is not None:
            upstream.append(Relation(target=ds_ref.id, relation="trained_on", source=source))

    facts: dict[str, object] = {}
    if card.pipeline_tag:
        facts["task"] = card.pipeline_tag
        facts["generative"] = card.pipeline_tag in GENERATIVE_PIPELINE_TAGS
    if card.language:
        facts["language"] = list(card.language)
    if card.tags:
        facts["card_tags"] = list(card.tags)
    if card.warnings:
        facts["card_warnings"] = list(card.warnings)
    if card.license:  # where the declared licence is read, for a conflict with the bases' licence
        facts["declared_license"] = f"{source.url} card: license = {card.license}" + (
            f" ({card.license_name})" if card.license.lower() == "other" and card.license_name else "")

    return Artifact(
        id=canonical,
        kind=kind,
        name=name,
        publisher=name.split("/")[0] if "/" in name else "",
        license=license_id,
        license_note=note,
        upstream=tuple(upstream),
        distributed_via="huggingface",
        gated=card.gated,
        facts=facts,
        sources=(source,),
        origin=origin,
    )
