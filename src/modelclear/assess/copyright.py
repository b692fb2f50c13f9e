"""The copyright layer: the act under the jurisdiction's law, and whether weights are (or contain) works."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from urllib.parse import urlsplit

from modelclear.assess.context import Context, cite_rule, cite_source, msg
from modelclear.assess.layers import layer
from modelclear.catalog.records import LawRule, RecordError, Requirement, sources
from modelclear.model import Citation, Confidence, Finding, Layer, LocalText, Message, Source, Status, worst

_EFFECT_STATUS = {
    "covers": Status.ALLOWED,
    "covers_unless_optout": Status.CONDITIONAL,
    "uncertain": Status.UNCERTAIN,
    "conditional": Status.CONDITIONAL,
}


@layer(Layer.COPYRIGHT)
def assess(ctx: Context) -> Finding:
    """The copyright finding for the context's artifact and scenario.

    The regulatory caveats shown with it come from :mod:`modelclear.assess.regulatory`. The finding
    depends on the scenario and on the artifact's kind, licence (and its history) and facts, and on its
    name only where a ``lawful_access`` record is cited: found once per run for each combination.
    """
    art = ctx.artifact
    facts = ctx.facts_key
    if facts is None:
        return _assess(ctx)
    named = art.name if isinstance(art.facts.get("lawful_access"), Mapping) else None
    return ctx.shared(("copyright", art.kind, art.license, art.history, facts, named), partial(_assess, ctx))


def _assess(ctx: Context) -> Finding:
    if not ctx.laws:
        reason = msg("copyright.no_law", jurisdiction=ctx.scenario.jurisdiction)
        return Finding(Layer.COPYRIGHT, Status.UNKNOWN, (reason,))
    act = ctx.act
    if act == "use_software":
        return Finding(Layer.COPYRIGHT, Status.NOT_APPLICABLE, (msg("copyright.software"),))
    if act in ("use_weights", "distribute_weights"):
        return _weights(ctx)
    if act == "use_outputs" and not ctx.generative:
        return Finding(Layer.COPYRIGHT, Status.ALLOWED, (msg("copyright.outputs_not_generative"),))
    return _by_rule(ctx, act)


def _by_rule(ctx: Context, act: str) -> Finding:
    rule = ctx.rule_for(act)
    law_name = ctx.law.name
    if rule is None:
        effect = ctx.exception
        if effect == "needs_licence":
            return _needs_licence(ctx, None, [msg("copyright.no_exception_default", law=law_name)])
        if effect == "conditional":
            return Finding(
                Layer.COPYRIGHT,
                Status.CONDITIONAL,
                (msg("copyright.outputs_generic"),),
                obligations=(msg("copyright.outputs_obligation"),),
                weakest=Confidence.SECONDARY,
            )
        return Finding(Layer.COPYRIGHT, Status.UNKNOWN, (msg("copyright.no_rule", law=law_name, act=act),))
    reasons: list[Message] = [msg("copyright.rule", citation=rule.cited, text=rule.summary)]
    caveats = [msg("copyright.condition", text=c) for c in rule.conditions]
    citations: list[Citation] = [cite_rule(rule)]
    unmet = ctx.unmet(rule)
    if unmet:  # a condition of the exception the artifact is recorded not to meet: no exception
        extra = _requirement_lines(ctx, unmet, reasons)
        return _needs_licence(ctx, rule, reasons, extra)
    if rule.effect == "needs_licence":
        return _needs_licence(ctx, rule, reasons)
    if rule.effect == "uncertain":
        licensed = _express_licence(ctx, reasons, citations)
        if licensed is not None:
            return licensed
    status = _EFFECT_STATUS[rule.effect]
    obligations: list[Message] = []
    if rule.effect == "covers_unless_optout":
        obligations = [msg("copyright.condition", text=c) for c in rule.conditions] or [msg("copyright.optout")]
        caveats = []
    if rule.effect == "uncertain":
        reasons.extend(_cases(ctx, rule))
    if rule.effect == "conditional":
        obligations = [msg("copyright.condition", text=c) for c in rule.conditions] or [
            msg("copyright.outputs_obligation")
        ]
        caveats = []
    if status is Status.ALLOWED and rule.confidence is Confidence.UNCERTAIN:
        status = Status.UNCERTAIN
        reasons.append(msg("rule.unverified", citation=rule.cited))
    if any(q.fact == "lawful_access" for q in rule.requires) and ctx.lawful_access() == "unknown":
        _requirement_lines(ctx, rule.requires, reasons, citations)
        status = worst([status, Status.UNCERTAIN])
    return Finding(
        Layer.COPYRIGHT,
        status,
        tuple(reasons),
        tuple(obligations),
        tuple(citations),
        tuple(caveats),
        weakest=rule.confidence,
    )


def _cases(ctx: Context, rule: LawRule) -> list[Message]:
    out = []
    for law in ctx.laws:
        for case in law.cases:
            if case.date is None or case.date <= ctx.on:
                out.append(
                    msg("copyright.case", name=case.name, court=LocalText(case.court, case.court_ja or case.court),
                        date=case.date.isoformat() if case.date else "", text=case.summary)
                )
    return out[:6]


def _requirement_lines(ctx: Context, requires: tuple[Requirement, ...], reasons: list[Message],
                       citations: list[Citation] | None = None) -> list[Citation]:
    """Reasons (added to ``reasons``) and citations for conditions of an exception and the artifact's record."""
    out: list[Citation] = []
    record = ctx.artifact.facts.get("lawful_access")
    for q in requires:
        reasons.append(msg(f"copyright.requirement.{ctx.lawful_access()}", citation=q.cited, text=q.summary))
        out.extend(replace(cite_source(q.citation, s), label_ja=_ja_label(q.citation_ja, s)) for s in q.sources[:1])
    if isinstance(record, Mapping):
        why = record.get("summary")
        if isinstance(why, Mapping):
            reasons.append(msg("copyright.lawful_access_record", text=LocalText(str(why.get("en", "")),
                                                                                str(why.get("ja", "") or ""))))
        for src in _sources(record.get("sources"))[:2]:
            out.append(cite_source(ctx.artifact.name, src))
    if citations is not None:
        citations.extend(out)
    return out


def _ja_label(label_ja: str, src: Source) -> str:
    """A Japanese citation label: the Japanese name followed by what :func:`cite_source` adds (note or site)."""
    if not label_ja:
        return ""
    detail = src.note or urlsplit(src.url).netloc.removeprefix("www.")
    return f"{label_ja} — {detail}" if detail else label_ja


def _law_cite(ctx: Context, src: Source) -> Citation:
    """A citation of a source of the jurisdiction's law, labelled with the law's name in both languages."""
    return replace(cite_source(ctx.law.name.en, src), label_ja=_ja_label(ctx.law.name.ja, src))


def _sources(raw: object) -> tuple[Source, ...]:
    """The sources of an artifact fact's record (already checked by the schema); bad ones are skipped."""
    try:
        return sources(raw, "lawful_access", required=False)
    except RecordError:
        return ()


def _express_licence(ctx: Context, reasons: list[Message], citations: list[Citation]) -> Finding | None:
    """Where the law holds an express licence a defence of its own, a licence from the rightholder covering the act.

    Only a copyright licence granted by whoever holds the rights in the content counts: the dataset's own
    licence when its publisher owns the content, or the licence recorded for third-party works themselves. A
    licence on a compilation of third-party works, a single tag on mixed content, or model-generated content
    (whose inputs come from elsewhere) does not license every work in it (legal-facts §7.4, R10).
    """
    defence = ctx.position("licence_defence")
    if defence is None:
        return None
    art = ctx.artifact
    content = str(art.facts.get("content_license") or "")
    concrete = content not in ("", "none", "per-item", "unknown")
    owner = art.facts.get("content_owner")
    if art.facts.get("generated_by"):  # model outputs mixed with prompts from elsewhere: who holds what is unclear
        return None
    if owner == "publisher":
        licence_id: str | None = content if concrete else ctx.license_in_force()
    elif owner == "third-party" and concrete:  # the works' own licence, granted by their owners
        licence_id = content
    else:  # mixed content: one licence tag does not come from every rightholder
        return None
    lic = ctx.licence(licence_id) if licence_id else None
    if lic is None or lic.kind != "license" or not lic.grants:
        return None
    result = ctx.evaluate(lic)
    if result.status not in (Status.ALLOWED, Status.CONDITIONAL):
        return None
    reasons.append(msg("copyright.express_licence", license=lic.name, text=defence.summary))
    citations.extend(_law_cite(ctx, s) for s in defence.sources[:2])
    obligations = (msg("copyright.follow_licence", license=lic.name),) if result.status is Status.CONDITIONAL else ()
    return Finding(Layer.COPYRIGHT, result.status, tuple(reasons), obligations, tuple(citations),
                   weakest=min(defence.confidence, result.confidence, key=lambda c: c.rank))


def _needs_licence(ctx: Context, rule: LawRule | None, reasons: list[Message],
                   extra: list[Citation] | None = None) -> Finding:
    """No exception covers the act: the user needs the rightholders' permission."""
    art = ctx.artifact
    citations = ([cite_rule(rule)] if rule else []) + list(extra or ())
    content = str(art.facts.get("content_license") or "")
    licence_id = art.license or (content if content not in ("", "none", "per-item", "unknown") else None)
    reasons = [*reasons, msg("copyright.needs_licence")]
    if licence_id:
        lic = ctx.licence(licence_id)
        if lic is None:
            return Finding(Layer.COPYRIGHT, Status.UNKNOWN, (*reasons, msg("license.unknown_id", license=licence_id)),
                           citations=tuple(citations))
        result = ctx.evaluate(lic)
        status = Status.CONDITIONAL if result.status in (Status.ALLOWED, Status.CONDITIONAL) else result.status
        reasons.append(msg("copyright.licence_decides", license=lic.name))
        return Finding(Layer.COPYRIGHT, status, tuple(reasons), citations=tuple(citations),
                       obligations=(msg("copyright.follow_licence", license=lic.name),) if status is Status.CONDITIONAL
                       else (),
                       weakest=rule.confidence if rule else Confidence.SECONDARY)
    if content == "none" or (not content and art.facts.get("content_owner") == "third-party"):
        reasons.append(msg("copyright.content_unlicensed"))
        return Finding(Layer.COPYRIGHT, Status.PROHIBITED, tuple(reasons), citations=tuple(citations),
                       weakest=rule.confidence if rule else Confidence.SECONDARY)
    if content == "per-item":
        reasons.append(msg("copyright.content_per_item"))
        return Finding(Layer.COPYRIGHT, Status.UNCERTAIN, tuple(reasons), citations=tuple(citations))
    reasons.append(msg("copyright.content_unknown"))
    return Finding(Layer.COPYRIGHT, Status.UNKNOWN, tuple(reasons), citations=tuple(citations))


def _weights(ctx: Context) -> Finding:
    """Using or shipping weights: are they a work, and do they contain copies of training works?"""
    reasons: list[Message] = []
    caveats: list[Message] = []
    citations: list[Citation] = []
    statuses: list[Status] = []
    confidences: list[Confidence] = []
    work = ctx.position("weights_work")
    licence_id = ctx.license_in_force()
    lic = ctx.licence(licence_id) if licence_id else None
    licensed = lic is not None and ctx.evaluate(lic).status in (Status.ALLOWED, Status.CONDITIONAL)
    if work is None:
        statuses.append(Status.UNKNOWN)
        reasons.append(msg("copyright.weights_no_position", law=ctx.law.name))
    else:
        citations.extend(_law_cite(ctx, s) for s in work.sources[:2])
        reasons.append(msg("copyright.weights_work", text=work.summary))
        confidences.append(work.confidence)
        if ctx.weights_unprotected():
            statuses.append(Status.ALLOWED)
        elif licensed:
            statuses.append(Status.ALLOWED)
            reasons.append(msg("copyright.weights_licensed", license=lic.name if lic else ""))
        else:
            statuses.append(Status.UNCERTAIN)
    copy = ctx.position("model_copy")
    if ctx.generative:
        if copy is None:
            statuses.append(Status.UNCERTAIN)
            reasons.append(msg("copyright.generative_no_position"))
        else:
            effect = Status.ALLOWED if copy.generative_effect == "allowed" else Status.UNCERTAIN
            statuses.append(effect)
            reasons.append(msg("copyright.model_copy", text=copy.summary))
            citations.extend(_law_cite(ctx, s) for s in copy.sources[:2])
            if effect is Status.ALLOWED:
                caveats.append(msg("copyright.generative_caveat"))
    else:
        caveats.append(msg("copyright.not_a_copy"))
        if copy is not None:
            citations.extend(_law_cite(ctx, s) for s in copy.sources[:1])
    weakest = min(confidences, key=lambda c: c.rank) if confidences else Confidence.UNCERTAIN
    return Finding(
        Layer.COPYRIGHT,
        worst(statuses),
        tuple(reasons),
        (),
        tuple(citations),
        tuple(caveats),
        weakest=weakest,
    )
