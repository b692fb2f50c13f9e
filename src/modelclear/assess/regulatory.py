"""Regulatory duties that may fall on the user as a provider: EU AI Act Art. 53, CN Interim Measures.

These are not copyright: they are duties of whoever places a (general-purpose or generative) model on
a market or offers it as a service. They come from the ``obligations`` of the jurisdiction's law
files (own law, then parents), filtered by activity, by the artifact's facts (with those derived by
``rules/acts.yaml`` ``derived_facts``, e.g. ``gpai``) and by date. They are shown as caveats, never as
a verdict; the report shows them under the copyright layer (:func:`caveats` is an addendum to it).
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from modelclear.assess.context import Context, cite_source, msg
from modelclear.assess.layers import addendum
from modelclear.catalog.records import cited_text, local_text, sources
from modelclear.model import Citation, Layer, LocalText, Message


@addendum(Layer.COPYRIGHT)
def caveats(ctx: Context) -> tuple[list[Message], list[Citation]]:
    """Duties of the jurisdiction that may fall on the user as a provider, with one citation each.

    They depend on the scenario and the artifact's facts only: found once per run for each (the lists
    returned are shared, not to be changed).
    """
    key = ctx.facts_key
    if key is None:
        return _caveats(ctx)
    return ctx.shared(("regulatory", key), partial(_caveats, ctx))


def _caveats(ctx: Context) -> tuple[list[Message], list[Citation]]:
    facts = ctx.facts_with_derived()
    out: list[Message] = []
    citations: list[Citation] = []
    for law in ctx.laws:
        for ob in law.obligations:
            applies = ob.get("applies_to") or {}
            acts = applies.get("activities")
            if acts and ctx.scenario.activity.value not in acts:
                continue
            if any(facts.get(k) != v for k, v in (applies.get("facts") or {}).items()):
                continue
            effective = ob.get("effective")
            if effective and str(effective) > ctx.on.isoformat():
                continue
            text = local_text(ob.get("summary"), f"{law.id}.obligations")
            cited = cited_text(ob.get("citation"))
            out.append(msg("copyright.regulatory", citation=LocalText(cited.en, cited.ja or cited.en),
                           text=text))  # type: ignore[arg-type]
            srcs = sources(ob.get("sources"), f"{law.id}.obligations", required=False)
            for c in (cite_source(cited.en, s) for s in srcs[:1]):  # the Japanese name, then the source's note
                citations.append(replace(c, label_ja=cited.ja + c.label[len(cited.en):]) if cited.ja else c)
    return out, citations
