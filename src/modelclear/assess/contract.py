"""The contract layer: which terms bind the user, and what they say about the activity.

Using an artifact directly means accepting its own terms of access, any "by using you agree" or
click-through licence, and the terms of the platform it is downloaded from. Upstream datasets'
terms bind only their parties (R6), unless the user declares them accepted (``--accepted``).
"""

from __future__ import annotations

from collections import deque
from functools import partial

from modelclear.assess import rules
from modelclear.assess.context import Context, cite_source, cite_term, msg
from modelclear.assess.facts import check_published
from modelclear.assess.layers import layer
from modelclear.catalog.records import License
from modelclear.model import Artifact, Citation, Confidence, Finding, Kind, Layer, LineageNode, Message, Status, worst

_ACCEPTANCE_STRENGTH = {"notice": 1, "by-use": 2, "click-through": 3, "registration": 3}


def _bound_terms(ctx: Context) -> list[tuple[License, str]]:
    """Agreements the user enters by obtaining and using the artifact directly, with how."""
    art = ctx.artifact
    out: list[tuple[License, str]] = []
    for tid in art.terms:
        lic = ctx.licence(tid)
        if lic is not None:
            out.append((lic, lic.acceptance))
    licence_id = ctx.license_in_force()
    if licence_id:
        lic = ctx.licence(licence_id)
        if lic is not None and (lic.acceptance in ("by-use", "click-through", "registration") or art.gated):
            how = "click-through" if art.gated and lic.acceptance == "none" else lic.acceptance
            out.append((lic, how))
    return out


def _unknown_terms(ctx: Context) -> list[str]:
    return [tid for tid in ctx.artifact.terms if ctx.licence(tid) is None]


def _has_terms(art: Artifact) -> bool:
    return bool(art.terms)


@layer(Layer.CONTRACT)
def assess(ctx: Context) -> Finding:
    """The contract finding; publishes ``contract_status`` and ``contract_acceptance`` for the rules.

    Without terms anywhere upstream, the finding depends on the scenario and on the artifact's kind,
    origin, terms, licence (and its history), gating, platform and facts: found once per run for each.
    """
    art = ctx.artifact
    facts = ctx.facts_key
    if facts is None or ctx.upstream_has("terms", _has_terms):
        finding, published = _assess(ctx)
        ctx.publish(**published)
        return finding
    key = ("contract", art.kind, art.origin, art.terms, art.license, art.history, art.gated, art.distributed_via,
           facts)
    finding, published = ctx.shared(key, partial(_assess, ctx))
    ctx.republish(published)
    return finding


def _assess(ctx: Context) -> tuple[Finding, dict[str, str]]:
    """The contract finding and the facts it publishes (checked here)."""
    art = ctx.artifact
    reasons: list[Message] = []
    obligations: list[Message] = []
    citations: list[Citation] = []
    statuses: list[Status] = []
    deciding_acceptance = "none"
    deciding_severity = -1
    confidences: list[Confidence] = []

    for lic, how in _bound_terms(ctx):
        result = ctx.evaluate(lic)
        status = result.status
        reasons.append(msg(f"contract.bound.{how}", terms=lic.name))
        for term in result.restrictive:
            reasons.append(msg("license.term", clause=term.clause, text=term.summary, effect=term.effect.value))
        obligations += [msg("license.obligation", clause=t.clause, text=t.summary) for t in result.obligations]
        citations += [cite_term(lic, t) for t in (*result.restrictive, *result.obligations)]
        if not result.restrictive and not result.obligations:
            reasons.append(msg("contract.terms_permit", terms=lic.name))
            citations += [cite_source(lic.name, s) for s in lic.sources[:1]]
        statuses.append(status)
        confidences.append(result.confidence)
        if status.severity > deciding_severity:
            deciding_severity, deciding_acceptance = status.severity, how

    for tid in _unknown_terms(ctx):
        reasons.append(msg("contract.terms_unknown", terms=tid))
        statuses.append(Status.UNKNOWN)

    # What the platform's terms say depends on the platform and the scenario: found once per run.
    platform_reasons, platform_citations, platform_confidences, platform_status = ctx.shared(
        ("contract.platform", ctx.artifact.distributed_via), partial(_platform_found, ctx))
    reasons += platform_reasons
    citations += platform_citations
    confidences += platform_confidences
    if platform_status is not None:
        statuses.append(platform_status)

    if not statuses:
        licence_id = ctx.license_in_force()
        own = ctx.licence(licence_id) if licence_id else None
        if art.kind is Kind.PACKAGE:
            statuses.append(Status.NOT_APPLICABLE)
            reasons.append(msg("contract.package"))
        elif art.kind is Kind.DATASET and art.origin == "bundled" and not art.gated:
            # A reviewed dataset record with no terms of access: it is obtained without accepting any.
            statuses.append(Status.ALLOWED)
            reasons.append(msg("contract.no_terms_dataset"))
            confidences.append(Confidence.SECONDARY)
        elif art.origin == "local":
            # Your own model (issue 12): obtained from no one, so no terms of access of its own bind you.
            statuses.append(Status.NOT_APPLICABLE)
            reasons.append(msg("contract.local_own"))
        elif own is not None and not own.is_contract and own.grants:
            # Known licence, no terms of access recorded: obtaining it under a bare licence makes no contract.
            statuses.append(Status.ALLOWED)
            reasons.append(msg("contract.no_terms_recorded", license=own.name))
            confidences.append(Confidence.SECONDARY)
        else:
            statuses.append(Status.UNKNOWN)
            reasons.append(msg("contract.channel_unknown"))

    upstream_status = _upstream_terms(ctx, ctx.lineage, reasons, obligations, citations)
    if upstream_status is not None:
        statuses.append(upstream_status)

    status = worst(statuses)
    published = {"contract_status": status.value, "contract_acceptance": deciding_acceptance}
    for name, value in published.items():
        check_published(name, value)
    return Finding(
        Layer.CONTRACT,
        status,
        tuple(reasons),
        tuple(dict.fromkeys(obligations)),
        tuple(citations),
        weakest=min(confidences, key=lambda c: c.rank) if confidences else Confidence.SECONDARY,
    ), published


def _platform_found(ctx: Context) -> tuple[list[Message], list[Citation], list[Confidence], Status | None]:
    """The reasons, citations and confidences the artifact's platform adds, and its status (or ``None``)."""
    reasons: list[Message] = []
    citations: list[Citation] = []
    confidences: list[Confidence] = []
    status = _platform(ctx, reasons, citations, confidences)
    return reasons, citations, confidences, status


def _platform(ctx: Context, reasons: list[Message], citations: list[Citation],
              confidences: list[Confidence]) -> Status | None:
    via = ctx.artifact.distributed_via
    if not via:
        return None
    platform = ctx.kb.platform(via)
    if platform is None:
        if via != "none":
            key = "contract.site" if "." in via else "contract.platform_unrecorded"
            reasons.append(msg(key, platform=via))
        return None
    reasons.append(msg("contract.platform", platform=platform.name, text=platform.summary))
    reasons += [msg("contract.platform_note", text=n) for n in platform.notes]
    citations += [cite_source(platform.name, s) for s in platform.sources[:2]]
    confidences.append(max((s.confidence for s in platform.sources), key=lambda c: c.rank,
                           default=Confidence.UNCERTAIN))
    if platform.restricts_commercial and ctx.scenario.purpose.value == "commercial":
        return Status.PROHIBITED
    if platform.restricts_commercial is None:
        return Status.UNCERTAIN
    return Status.ALLOWED


def _upstream_terms(ctx: Context, node: LineageNode | None, reasons: list[Message], obligations: list[Message],
                    citations: list[Citation]) -> Status | None:
    """Privity (R6): terms of upstream artifacts bind the user only if the user (or employer) accepted them."""
    if node is None:
        return None
    statuses: list[Status] = []
    seen: set[str] = set()
    expanded: set[str] = set()
    queue = deque(node.children)
    while queue:  # breadth first over the DAG: a shared ancestor's upstream is queued once
        child = queue.popleft()
        if not child.cycle:
            child_key = child.id.lower()
            if child_key not in expanded:
                expanded.add(child_key)
                queue.extend(child.children)
        art = child.artifact
        if art is None or art.id in seen or not art.terms:
            continue
        seen.add(art.id)
        binding = [lic for lic in (ctx.licence(t) for t in art.terms) if lic is not None and lic.is_contract]
        if not binding:
            continue
        names = ", ".join(lic.name for lic in binding)
        if ctx.is_accepted(art.id, art.terms):
            # The user's side accepted the upstream terms: they govern use of that dataset; whether using a
            # model trained by others on it counts as such use is unsettled.
            worst_terms = worst([ctx.evaluate(lic, art.facts).status for lic in binding])
            reasons.append(msg("contract.upstream_accepted", artifact=art.name, terms=names))
            for lic in binding:
                for term in lic.terms:
                    if term.effect is not Status.ALLOWED and term.id.startswith("employer"):
                        reasons.append(msg("license.term", clause=term.clause, text=term.summary,
                                           effect=term.effect.value))
                        citations.append(cite_term(lic, term))
            statuses.append(Status.UNCERTAIN if worst_terms.severity >= Status.UNCERTAIN.severity else Status.ALLOWED)
        else:
            reasons.append(msg("contract.upstream_privity", artifact=art.name, terms=names))
            r6 = rules.find(ctx.kb, "R6")
            if r6:
                for src in r6.sources[:1]:
                    citations.append(Citation(label="R6 — privity of contract", url=src.url,
                                              confidence=src.confidence))
    return worst(statuses) if statuses else None
