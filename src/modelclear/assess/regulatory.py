"""Regulatory duties that may fall on the user as a provider: EU AI Act Art. 53, CN Interim Measures.

These are not copyright: they are duties of whoever places a (general-purpose or generative) model on
a market or offers it as a service. They come from the ``obligations`` of the jurisdiction's law
files (own law, then parents), filtered by activity, by the artifact's facts (with those derived by
``rules/acts.yaml`` ``derived_facts``, e.g. ``gpai``) and by date. They are shown as caveats, never as
a verdict; the report shows them under the copyright layer (:func:`caveats` is an addendum to it).
"""

from __future__ import annotations

from modelclear.assess.context import Context, cite_source, msg
from modelclear.assess.layers import addendum
from modelclear.catalog.records import local_text, sources
from modelclear.model import Citation, Layer, Message


@addendum(Layer.COPYRIGHT)
def caveats(ctx: Context) -> tuple[list[Message], list[Citation]]:
    """Duties of the jurisdiction that may fall on the user as a provider, with one citation each."""
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
            out.append(msg("copyright.regulatory", citation=str(ob.get("citation", "")), text=text))  # type: ignore[arg-type]
            srcs = sources(ob.get("sources"), f"{law.id}.obligations", required=False)
            citations += [cite_source(str(ob.get("citation", "")), s) for s in srcs[:1]]
    return out, citations
