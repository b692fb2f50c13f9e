"""The licence layer: the artifact's own licence (and the licences that reach it from base models)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from modelclear import lineage
from modelclear.assess.context import Context, TermsResult, cite_source, cite_term, msg
from modelclear.assess.facts import check_published
from modelclear.assess.layers import layer
from modelclear.catalog.records import License
from modelclear.model import (
    Artifact,
    Citation,
    Confidence,
    Finding,
    FindingParts,
    Kind,
    Layer,
    LineageNode,
    LocalText,
    Message,
    Status,
    worst,
)

_UNKNOWN_CATEGORIES = {"unknown"}


@dataclass(frozen=True)
class LicenceEval:
    """One licence evaluated, with what it contributes to the finding."""

    status: Status
    reasons: tuple[Message, ...]
    obligations: tuple[Message, ...]
    citations: tuple[Citation, ...]
    license: License | None
    confidence: Confidence


def _split_expression(text: str) -> tuple[str, list[str]]:
    """Split an SPDX expression into ('OR'|'AND'|'', [ids]) using license-expression when needed."""
    if " or " not in text.lower() and " and " not in text.lower() and " with " not in text.lower():
        return "", [text]
    from license_expression import get_spdx_licensing

    try:
        parsed = get_spdx_licensing().parse(text)
    except Exception:  # license_expression raises several error types for bad input
        return "", [text]
    # In the order they are written (``symbols`` is a set, whose order changes with the hash seed).
    symbols = list(dict.fromkeys(str(s.key) for s in parsed.get_symbols()))
    op = "OR" if type(parsed).__name__ == "OR" else "AND"
    return op, symbols


def evaluate_licence(ctx: Context, licence_id: str, artifact: Artifact, via: str = "") -> LicenceEval:
    """Evaluate one licence id (or SPDX expression) for the scenario."""
    op, parts = _split_expression(licence_id)
    if op:
        evals = [evaluate_licence(ctx, p, artifact, via) for p in parts]
        by_severity = sorted(evals, key=lambda e: e.status.severity)
        pick = by_severity[0] if op == "OR" else by_severity[-1]
        others = [e for e in evals if e is not pick] if op == "AND" else []
        return LicenceEval(
            pick.status,
            (msg("license.expression", expression=licence_id, op=op), *pick.reasons,
             *[r for e in others for r in e.reasons]),
            tuple(o for e in [pick, *others] for o in e.obligations),
            tuple(c for e in [pick, *others] for c in e.citations),
            pick.license,
            pick.confidence,
        )
    lic = ctx.licence(licence_id)
    if lic is None:
        return LicenceEval(Status.UNKNOWN, (msg("license.unknown_id", license=licence_id),), (), (), None,
                           Confidence.UNCERTAIN)
    if lic.category in _UNKNOWN_CATEGORIES or not lic.grants:
        return LicenceEval(Status.UNKNOWN, (msg("license.unspecified", license=lic.name),), (),
                           tuple(cite_source(lic.name, s) for s in lic.sources[:1]), lic, Confidence.UNCERTAIN)
    result: TermsResult = ctx.evaluate(lic, artifact.facts)
    prefix = msg("license.via", license=lic.name, via=via) if via else msg("license.is", license=lic.name)
    # What follows the first reason depends on the licence and its evaluation alone (the same object for
    # the same inputs, held with what is made of it): made once per run, whichever base it reaches through.
    made = ctx.shared(("license.body", lic.id, id(result)), partial(_body, lic, result))
    if made[0] is not result:
        made = _body(lic, result)
    return LicenceEval(result.status, (prefix, *made[1]), made[2], made[3], lic, result.confidence)


def _body(lic: License, result: TermsResult
          ) -> tuple[TermsResult, tuple[Message, ...], tuple[Message, ...], tuple[Citation, ...]]:
    """The reasons after the first, the obligations and the citations of ``lic`` evaluated as ``result``."""
    reasons: list[Message] = []
    reasons += [msg("license.term", clause=t.clause, text=t.summary, effect=t.effect.value) for t in result.restrictive]
    if result.status is Status.ALLOWED:
        reasons += [msg("license.term", clause=t.clause, text=t.summary, effect="allowed") for t in result.grounds[:2]]
        if not result.grounds:
            reasons.append(msg("license.permits", license=lic.name))
    obligations = tuple(msg("license.obligation", clause=t.clause, text=t.summary) for t in result.obligations)
    citations = tuple(cite_term(lic, t) for t in (*result.restrictive, *result.obligations, *result.grounds[:2]))
    if not citations and lic.url:
        citations = (Citation(label=lic.name, url=lic.url, confidence=lic.sources[0].confidence if lic.sources
                              else Confidence.SECONDARY, checked=lic.sources[0].checked if lic.sources else None),)
    return result, tuple(reasons), obligations, citations


def _evaluated(ctx: Context, licence_id: str, artifact: Artifact, via: str = "") -> LicenceEval:
    """:func:`evaluate_licence`, found once per run (:meth:`Context.shared`).

    What a licence says depends on the licence, how it reaches the artifact (``via``), the scenario and
    the artifact's facts (its clauses' ``requires_facts``), not on which artifact is judged: the many
    artifacts of a scan under the same licence share one evaluation.
    """
    facts = tuple(sorted(artifact.facts.items()))
    try:
        hash(facts)
    except TypeError:  # a fact value that cannot be a key: evaluated for this context alone
        return evaluate_licence(ctx, licence_id, artifact, via)
    return ctx.shared(("license.eval", licence_id, via, facts),
                      partial(evaluate_licence, ctx, licence_id, artifact, via))


def _no_licence(ctx: Context, exception: str) -> LicenceEval:
    art = ctx.artifact
    reasons: list[Message] = [msg("license.none_granted")]
    if art.license_note is not None:
        reasons.append(msg("license.note", text=art.license_note))
    citations = tuple(cite_source(art.publisher or art.name, s) for s in art.sources[:2])
    if art.kind is Kind.MODEL:
        work = ctx.position("weights_work")
        if work is not None and ctx.weights_unprotected():
            reasons.append(msg("license.none_needed_weights", law=ctx.law.name))
            return LicenceEval(Status.ALLOWED, tuple(reasons), (), citations, None, work.confidence)
        reasons.append(msg("license.none_weights_unsettled", law=ctx.law.name))
        return LicenceEval(Status.UNCERTAIN, tuple(reasons), (), citations, None, Confidence.UNCERTAIN)
    content = str(art.facts.get("content_license") or "")
    if exception in ("covers", "covers_unless_optout"):
        reasons.append(msg("license.none_needed_exception"))
        return LicenceEval(Status.NOT_APPLICABLE, tuple(reasons), (), citations, None, Confidence.SECONDARY)
    if exception == "uncertain":
        reasons.append(msg("license.none_exception_uncertain"))
        return LicenceEval(Status.UNCERTAIN, tuple(reasons), (), citations, None, Confidence.SECONDARY)
    if content == "none" or art.facts.get("content_owner") == "third-party":
        reasons.append(msg("license.none_and_needed"))
        return LicenceEval(Status.PROHIBITED, tuple(reasons), (), citations, None, Confidence.SECONDARY)
    return LicenceEval(Status.UNKNOWN, (msg("license.not_recorded"),), (), citations, None, Confidence.UNCERTAIN)


@layer(Layer.LICENSE)
def assess(ctx: Context) -> Finding:
    """The licence finding; publishes facts about the deciding licence for the interaction rules.

    Besides the base licences that reach the artifact (each evaluation made once per run), the finding
    depends on the scenario and on the artifact's kind, licence (and its history), facts and the
    strength of its sources, and (without a licence) on its publisher, name, sources and licence note:
    found once per run for each combination. A conflict of the declared licence (which names the model)
    is put before that shared finding (:func:`_with_conflicts`); your own model's (``origin`` local)
    finding is made anew.
    """
    art = ctx.artifact
    walked = _inherited(ctx)
    licence_id = ctx.license_in_force()
    conflicts = _conflicts(ctx, licence_id)
    facts = ctx.facts_key
    if facts is None or art.origin in ("local", "inferred", "family"):  # (their notes name the base or the rule)
        # Made for this judgement alone: the same body, naming part and conflicts, not kept for the run.
        own = _own_body(ctx, walked, walked.deciding.license if walked.deciding is not None else None)
        finding = own.finding if walked.deciding is None else Finding.deferred(
            Layer.LICENSE, own.status, _Named(own.parts, walked), weakest=own.weakest)
        published = own.facts
        if conflicts:
            finding, published = _with_conflicts(conflicts, finding, own.facts, bool(art.history))
        ctx.publish(**published)
        ctx.unshared = True
        return finding
    named = (art.publisher, art.name, art.sources[:2], art.license_note) if licence_id is None else None
    # What the base licences add to the status, the published facts and the weakest confidence is their
    # walk's summary; the licence record deciding it is held with the body, so its id names it meanwhile.
    deciding = walked.deciding.license if walked.deciding is not None else None
    key = (art.kind, art.origin, art.license, art.history, facts, tuple(_record_confidence(art, licence_id)),
           named, walked.status, id(deciding), walked.weakest)
    memo: dict[Any, _Body] = ctx.tables.licence_bodies
    body = memo.get(key)
    if body is None or body.deciding is not deciding:
        body = memo[key] = _own_body(ctx, walked, deciding)
        ctx.fresh = True
    if walked.deciding is None:  # no base licence: the body's own finding
        finding = body.finding
    else:  # the part naming the bases (the walk's evaluations) after the shared body, made when read
        held = walked.made
        if held is not None and held[0] is body:
            finding = held[1]
        else:
            finding = Finding.deferred(Layer.LICENSE, body.status, _Named(body.parts, walked), weakest=body.weakest)
            walked.made = (body, finding)
            ctx.fresh = True
    if conflicts:
        finding, published = _with_conflicts(conflicts, finding, body.facts, bool(art.history))
        ctx.publish(**published)
        ctx.unshared = True
        return finding
    ctx.republish(body.facts)
    return finding


@dataclass(frozen=True, slots=True)
class _Body:
    """What a licence finding holds apart from the base licences that reach the artifact: the reasons,
    obligations and citations of the artifact's own licence (``parts``), and, with the walk's summary, the
    status, the weakest confidence and the facts it publishes; ``finding`` is the finding without bases."""

    parts: FindingParts
    status: Status
    weakest: Confidence
    facts: dict[str, Any]
    deciding: License | None  # the walk's deciding licence record (the memo key holds its id)
    finding: Finding


class _Named:
    """The reasons, obligations and citations of a licence finding: its body's, then each base licence's."""

    __slots__ = ("body", "walk")

    def __init__(self, body: FindingParts, walk: _Inherited) -> None:
        """The parts ``body`` followed by those of each evaluation of ``walk``."""
        self.body = body
        self.walk = walk

    def __call__(self) -> FindingParts:
        """The three tuples, made."""
        evals = self.walk.evals
        reasons, obligations, citations = self.body
        return ((*reasons, *(r for e in evals for r in e.reasons)),
                (*obligations, *(o for e in evals for o in e.obligations)),
                (*citations, *(c for e in evals for c in e.citations)))


def _own_body(ctx: Context, walked: _Inherited, deciding: License | None) -> _Body:
    """The :class:`_Body` of the context's artifact with the base licences of ``walked`` (whose deciding
    evaluation's licence is ``deciding``): the finding without a conflict of the declared licence."""
    art = ctx.artifact
    licence_id = ctx.license_in_force()
    evals = _own_evals(ctx, licence_id)
    status = worst([*(e.status for e in evals), walked.status])
    first = max(evals, key=lambda e: e.status.severity)
    top = first.license
    if walked.deciding is not None and walked.deciding.status.severity > first.status.severity:
        top = deciding
    facts = _published(art, licence_id, top, status)
    confidences = [*(e.confidence for e in evals), *_record_confidence(art, licence_id)]
    if walked.weakest is not None:
        confidences.append(walked.weakest)
    weakest = min(confidences, key=lambda c: c.rank)
    parts = (tuple(r for e in evals for r in e.reasons), tuple(o for e in evals for o in e.obligations),
             tuple(c for e in evals for c in e.citations))
    return _Body(parts, status, weakest, facts, deciding, Finding(Layer.LICENSE, status, *parts, weakest=weakest))


def _with_conflicts(conflicts: list[LicenceEval], rest: Finding, rest_facts: dict[str, Any], history: bool
                    ) -> tuple[Finding, dict[str, Any]]:
    """The licence finding with the declared licence's ``conflicts`` put first, from the finding ``rest``
    without them (and the facts ``rest_facts`` it publishes): the conflicts' reasons, obligations and citations
    first (the licence history's reason, when ``history`` holds one, stays the very first), the worst
    status, the deciding evaluation the first of the most severe, the weakest confidence."""
    top = max(conflicts, key=lambda e: e.status.severity)  # the first of the most severe, as max gives it
    if top.status.severity >= rest.status.severity:
        lic = top.license
        facts: dict[str, Any] = {
            "license_category": lic.category if lic else "none",
            "license_yields": bool(lic.yields_to_exceptions) if lic else False,
            "license_acceptance": lic.acceptance if lic else "none",
            "license_status": top.status.value,
        }
        status = top.status
    else:
        facts, status = dict(rest_facts), rest.status
    for name, value in facts.items():
        check_published(name, value)
    added = tuple(r for e in conflicts for r in e.reasons)
    reasons = (rest.reasons[0], *added, *rest.reasons[1:]) if history else (*added, *rest.reasons)
    return Finding(
        Layer.LICENSE,
        status,
        reasons,
        (*(o for e in conflicts for o in e.obligations), *rest.obligations),
        (*(c for e in conflicts for c in e.citations), *rest.citations),
        weakest=min([*(e.confidence for e in conflicts), rest.weakest], key=lambda c: c.rank),
    ), facts


def _own_evals(ctx: Context, licence_id: str | None) -> list[LicenceEval]:
    """The evaluations of the artifact's own licence (and content licence, or of its lack of one), the
    first with the licence history's reason when the artifact has one."""
    art = ctx.artifact
    exception = ctx.exception
    evals: list[LicenceEval] = []
    content = str(art.facts.get("content_license") or "")
    if art.origin == "local":  # your own model: its declared licence is what you grant, not one you need
        evals.append(_local_own(ctx, licence_id))
    elif licence_id:
        evals.append(_evaluated(ctx, licence_id, art))
    if art.kind is Kind.DATASET and content not in ("", "none", "per-item", "unknown") and content != licence_id:
        evals.append(_evaluated(ctx, content, art, via="content"))
    if art.kind is Kind.DATASET and content == "per-item" and exception not in ("covers", "covers_unless_optout"):
        evals.append(LicenceEval(Status.UNCERTAIN, (msg("license.per_item"),), (), (), None, Confidence.SECONDARY))
    if not evals:
        evals.append(_no_licence(ctx, exception))
    if art.origin in ("inferred", "family") and art.license_note is not None:
        # a licence only inferred (a re-upload's name, catalog.reupload) or given by a publisher's naming rule:
        # said first, with the record's own source, so that it is not read as the repository's own licence
        cited = tuple(cite_source(art.publisher or art.name, s) for s in art.sources[:1])
        first = evals[0]
        if art.origin == "inferred":  # never stronger than uncertain
            evals.insert(0, LicenceEval(Status.UNCERTAIN, (msg("license.note", text=art.license_note),), (),
                                        cited, first.license, Confidence.UNCERTAIN))
        else:
            evals[0] = LicenceEval(first.status, (msg("license.family_rule", text=art.license_note),
                                                  *first.reasons),
                                   first.obligations, (*cited, *first.citations), first.license, first.confidence)
    if art.history and licence_id is not None:
        evals[0] = _with_history(ctx, licence_id, evals[0])
    return evals


def _with_history(ctx: Context, licence_id: str, first: LicenceEval) -> LicenceEval:
    """``first`` with the reason naming the licence in force on the day the artifact was obtained before its own."""
    when = ctx.scenario.obtained_on or ctx.scenario.as_of
    history_reason = msg("license.history", license=licence_id, date=when.isoformat(),
                         default="" if ctx.scenario.obtained_on else "today")
    return LicenceEval(first.status, (history_reason, *first.reasons), first.obligations, first.citations,
                       first.license, first.confidence)


def _published(art: Artifact, licence_id: str | None, deciding: License | None, status: Status) -> dict[str, Any]:
    """The facts the licence layer publishes (checked here), from the deciding licence and the status."""
    facts: dict[str, Any] = {
        "license_category": deciding.category if deciding else "none",
        "license_yields": bool(deciding.yields_to_exceptions) if deciding else False,
        "license_acceptance": deciding.acceptance if deciding else "none",
        "license_status": status.value,
    }
    if licence_id is None and art.kind is Kind.DATASET:
        facts["license_yields"] = True  # nothing to yield: no licence restricts the act
    for name, value in facts.items():
        check_published(name, value)
    return facts


def _record_confidence(art: Artifact, licence_id: str | None) -> list[Confidence]:
    """How well the artifact's licence fact itself is sourced (its best source), when it names a licence.

    A licence tag that only an unverified source supports ([U]) makes the finding no stronger than that.
    """
    srcs = art.sources
    if not licence_id or not srcs:
        return []
    if len(srcs) == 1:  # (most records: their family's one source)
        return [srcs[0].confidence]
    return [max((s.confidence for s in srcs), key=lambda c: c.rank)]


def _inherited(ctx: Context) -> _Inherited:
    """Licences of base models that reach this model (fine-tunes, adapters, merges, quantisations).

    What one base adds (and whether its own bases are followed) depends on the base, the relation it
    is reached by and the scenario: found once per run for each (:func:`_base_step`). The walk below a
    node is found once per run for its children (:func:`_inherited_below`); equal walks are one object.
    """
    root = ctx.lineage
    if root is None:
        return _NO_BASES
    return _inherited_below(ctx, root, ctx.artifact.id.lower())


class _Inherited:
    """The base licences found below a node (in the order of the walk), and whether the walk met a cycle marker.

    A walk is either made (``flat``: its evaluations) or one base's step put before the walk below it
    (``head`` and ``below``: a fine-tune chain holds one step per artifact, not a tuple of every base).
    It keeps what a finding needs of all its evaluations: the worst ``status``, the ``deciding``
    evaluation (the first of the most severe) and the ``weakest`` confidence (``None`` when empty);
    ``made`` is the last licence finding made with it (:func:`assess`).
    """

    __slots__ = ("below", "cycle", "deciding", "flat", "head", "made", "status", "weakest")

    def __init__(self, flat: tuple[LicenceEval, ...], cycle: bool, head: LicenceEval | None = None,
                 below: _Inherited | None = None) -> None:
        """A made walk (``flat``), or ``head`` put before the walk ``below``."""
        self.flat = flat
        self.cycle = cycle
        self.head = head
        self.below = below
        self.made: tuple[Any, Finding] | None = None
        if head is not None and below is not None:  # (on a tie, the first: as max, worst and min give it)
            first = below.deciding
            ahead = first is not None and first.status.severity > head.status.severity
            self.deciding: LicenceEval | None = first if ahead else head
            self.status: Status = below.status if ahead else head.status
            self.weakest: Confidence | None = head.confidence if below.weakest is None or (
                head.confidence.rank <= below.weakest.rank) else below.weakest
        elif flat:
            self.deciding = max(flat, key=lambda e: e.status.severity)
            self.status = worst([e.status for e in flat])
            self.weakest = min((e.confidence for e in flat), key=lambda c: c.rank)
        else:
            self.deciding, self.status, self.weakest = None, Status.NOT_APPLICABLE, None

    @property
    def evals(self) -> tuple[LicenceEval, ...]:
        """Every evaluation of the walk, in order."""
        out: list[LicenceEval] = []
        walk: _Inherited | None = self
        while walk is not None:
            if walk.head is None:
                out.extend(walk.flat)
                break
            out.append(walk.head)
            walk = walk.below
        return tuple(out)


_NO_BASES = _Inherited((), False)


def _inherited_below(ctx: Context, node: LineageNode, own: str) -> _Inherited:
    """The walk of :func:`_inherited` from ``node`` (whose lower-cased id is ``own``), found once per
    children tuple for the run (a tuple belongs to one artifact; it is held, so its id names it meanwhile).

    Below a single followed base without a cycle, the walk is that base's step followed by the walk
    below it, so a fine-tune chain costs one step per artifact. Equal walks are one object: the same
    step over the same walk below, or the same evaluations found by a walk that was made (so what is
    made of a walk can be found by its ``id``; the run holds each).
    """
    children = node.children
    if not children:
        return _NO_BASES
    record = ctx.node_memo(children)
    held: _Inherited | None = record.inherited
    if held is not None:
        return held
    followed, _ = _relations(ctx)
    bases = [child for child in children if child.relation in followed]
    walked: _Inherited | None = None
    interned: dict[tuple[Any, ...], _Inherited] = ctx.tables.licence_walks
    if not bases:
        walked = _NO_BASES
    elif len(bases) == 1 and not bases[0].cycle and bases[0].id.lower() != own:
        base = bases[0]
        found = _step(ctx, base)
        if found is None:
            walked = _NO_BASES
        elif base.artifact is None:
            walked = interned.get(("unknown", id(found)))
            if walked is None:
                walked = interned[("unknown", id(found))] = _Inherited((found,), False)
        else:
            below = _inherited_below(ctx, base, base.id.lower())
            if not below.cycle:  # (the step and the walk below are held by the run: their ids name them)
                walked = interned.get(("step", id(found), id(below)))
                if walked is None:
                    walked = interned[("step", id(found), id(below))] = _Inherited((), False, found, below)
    if walked is None:
        made = _inherited_walk(ctx, node, own)
        walked = interned.setdefault(("walk", made.cycle, *map(id, made.evals)), made)
    record.inherited = walked
    return walked


def _inherited_walk(ctx: Context, root: LineageNode, own: str) -> _Inherited:
    """The walk of :func:`_inherited` from ``root``, made (each base once; a cycle marker stands for its node)."""
    followed, _ = _relations(ctx)
    out: list[LicenceEval] = []
    cycle = False
    seen: set[str] = {own}
    expanded: dict[str, LineageNode] | None = None  # the nodes by id, for a cycle marker's upstream
    frontier = [root]
    while frontier:
        current = frontier.pop()
        for child in current.children:
            if child.relation not in followed:
                continue
            child_key = child.id.lower()
            if child_key in seen:
                continue
            seen.add(child_key)
            cycle = cycle or child.cycle
            found = _step(ctx, child)
            if found is None:  # nothing reaches the model from this base, nor through it
                continue
            out.append(found)
            if child.artifact is None:
                continue
            if child.cycle:  # a marker has no children of its own: walk the node it stands for
                if expanded is None:
                    expanded = {n.id.lower(): n for n in lineage.nodes(root)}
                child = expanded.get(child.id.lower(), child)
            frontier.append(child)
    return _Inherited(tuple(out), cycle)


def _step(ctx: Context, child: LineageNode) -> LicenceEval | None:
    """:func:`_base_step`, found once per run for the base and the relation it is reached by."""
    steps: dict[tuple[str, str], tuple[Artifact | None, LicenceEval | None]] = ctx.tables.licence_steps
    step = steps.get((child.id, child.relation))
    if step is None or step[0] is not child.artifact:  # (the base is held: one record per id in a run)
        step = steps[(child.id, child.relation)] = (child.artifact, _base_step(ctx, child))
    return step[1]


def _relations(ctx: Context) -> tuple[frozenset[str], frozenset[str]]:
    """The relations whose base licences are followed (derivative or flow-down ones), and the flow-down ones."""
    held = ctx.tables
    return held.followed, held.flow_down


def _base_step(ctx: Context, child: LineageNode) -> LicenceEval | None:
    """What the base ``child`` adds to the licences of a model built on it, ``None`` when nothing (its own
    bases are then not followed either)."""
    base = child.artifact
    if base is None:
        return _base_unknown(child.id)
    base_licence = ctx.license_in_force(base)
    if base_licence is None:
        return None
    lic = ctx.licence(base_licence)
    if child.relation in _relations(ctx)[1] and not (lic and lic.passes_to_derivatives):
        return None
    if lic is not None and not lic.passes_to_derivatives and lic.category in ("permissive", "public-domain"):
        return None
    return _evaluated(ctx, base_licence, base, via=f"{child.relation} of {base.id}")


def _base_unknown(base: str) -> LicenceEval:
    return LicenceEval(Status.UNKNOWN, (msg("license.base_unknown", base=base),), (), (), None, Confidence.UNCERTAIN)


def _local_own(ctx: Context, licence_id: str | None) -> LicenceEval:
    """Your own model's own licence: it binds those you give the model to, not you (issue 12)."""
    art = ctx.artifact
    declared = art.facts.get("declared_license")
    lic = ctx.licence(licence_id) if licence_id else None
    if licence_id and declared:
        reason = msg("license.local_declared", license=lic.name if lic else licence_id, where=str(declared))
    else:
        reason = msg("license.local_undeclared")
    citations = tuple(cite_source(art.name, s) for s in art.sources[:1])
    return LicenceEval(Status.ALLOWED, (reason,), (), citations, None, Confidence.SECONDARY)


def _conflicts(ctx: Context, licence_id: str | None) -> list[LicenceEval]:
    """A declared licence that what the model derives from does not allow (issue 12 item 3).

    For every base reached through derivative relations (``rules/acts.yaml``: ``derivative_relations``,
    followed through local artifacts and catalogued ones alike) whose licence passes to derivatives, or
    whose category is one of ``declared_licence_conflict_categories``, a declared licence that is not
    that licence cannot be granted: a finding citing both the declaration and the base's licence, with
    the status ``declared_licence_conflict_status`` gives your own model (``own``) or a third party's
    (``third_party``). A declared licence of category ``unknown`` declares nothing that could conflict,
    and a base of the same publisher is the publisher's own work, which it may license otherwise.
    """
    art = ctx.artifact
    declared = ctx.licence(licence_id) if licence_id else None
    root = ctx.lineage
    if declared is None or declared.category == "unknown" or root is None:
        return []
    publisher = art.publisher.strip().lower()
    children = root.children
    below = ctx.node_memo(children).candidates if children else _NO_CANDIDATES
    if below is None:
        held = ctx.tables
        below = _candidates(ctx, children, (held.derivative, held.conflicting), held.licence_of, held.candidate_sets)
    if below is not _MANY and not any(lic_id != declared.id and not (publisher and base_publisher == publisher)
                                      for lic_id, base_publisher in below):
        return []  # no base below could conflict: the walk below would find nothing
    rules = ctx.kb.rules.get("acts", {})
    derivative, restrictive = _conflict_sets(ctx)
    statuses = rules.get("declared_licence_conflict_status") or {}
    status = Status(statuses.get("own" if art.origin == "local" else "third_party", "prohibited"))
    out: list[LicenceEval] = []
    seen: set[str] = {art.id.lower()}
    governing: set[str] = set()
    frontier: list[tuple[LineageNode, str]] = [(root, "")]
    while frontier:
        current, first = frontier.pop()
        for child in current.children:
            if child.relation not in derivative or child.id.lower() in seen or child.cycle:
                continue
            seen.add(child.id.lower())
            base = child.artifact
            relation = first or child.relation
            if base is None:
                continue
            lic = _licence_of(ctx, base)
            if lic is not None and lic.id != declared.id and lic.id not in governing and (
                    lic.passes_to_derivatives or lic.category in restrictive) and not (
                    publisher and base.publisher.strip().lower() == publisher):
                governing.add(lic.id)  # said once per licence, at the nearest base under it
                where = str(art.facts.get("declared_license") or (art.sources[0].url if art.sources else art.name))
                edge = next((r for r in (current.artifact.upstream if current.artifact else ())
                             if r.target.lower() == child.id.lower()), None)
                base_where = edge.source.note if edge is not None and edge.source is not None else base.id
                reason = msg("license.local_conflict", artifact=art.name, declared=declared.name, where=where,
                             relation=msg_relation(ctx, relation), base=base.name or base.id, base_where=base_where,
                             governing=lic.name)
                citations = [*(cite_source(art.name, s) for s in art.sources[:1]),
                             *(cite_source(lic.name, s) for s in lic.sources[:1])]
                if lic.url and not lic.sources:
                    citations.append(Citation(label=lic.name, url=lic.url, confidence=Confidence.SECONDARY))
                out.append(LicenceEval(status, (reason,), (), tuple(citations), lic,
                                       min([Confidence.SECONDARY, *(s.confidence for s in lic.sources[:1])],
                                           key=lambda c: c.rank)))
            frontier.append((child, relation))
    return out


def _conflict_sets(ctx: Context) -> tuple[frozenset[str], frozenset[str]]:
    """The derivative relations, and the licence categories a declared licence conflicts with."""
    held = ctx.tables
    return held.derivative, held.conflicting


def _licence_of(ctx: Context, art: Artifact, memo: dict[str, tuple[Artifact, License | None]] | None = None
                ) -> License | None:
    """The record of ``art``'s licence in force (found once per run and artifact; the artifact is held).

    ``memo`` is the run's memo of it (:attr:`Tables.licence_of`) when the caller has it at hand.
    """
    if memo is None:
        memo = ctx.tables.licence_of
    found = memo.get(art.id)
    if found is None or found[0] is not art:
        licence_id = ctx.license_in_force(art)
        found = memo[art.id] = (art, ctx.licence(licence_id) if licence_id else None)
    return found[1]


#: What :func:`_candidates` gives for a node with more than :data:`_MAX_CANDIDATES` candidates below it.
_MANY: frozenset[tuple[str, str]] = frozenset({("", "")})
_MAX_CANDIDATES = 64
_NO_CANDIDATES: frozenset[tuple[str, str]] = frozenset()


def _candidates(ctx: Context, children: tuple[LineageNode, ...], sets: tuple[frozenset[str], frozenset[str]],
                licences: dict[str, tuple[Artifact, License | None]],
                interned: dict[frozenset[tuple[str, str]], frozenset[tuple[str, str]]]) -> frozenset[tuple[str, str]]:
    """The (licence id, lower-cased publisher) of every base reached from ``children`` (the children of
    one node) as :func:`_conflicts` walks (derivative relations; cycle markers and unknown bases not
    followed) whose licence passes to derivatives or is of a conflicting category: the bases a declared
    licence could conflict with.

    :data:`_MANY` when there are more than :data:`_MAX_CANDIDATES` (the walk is then made). Found once
    per children tuple for the run (the tuple is held with its answer, so its ``id`` names it meanwhile;
    the nodes standing for one artifact share theirs); equal sets are one object. ``sets`` is
    :func:`_conflict_sets`, ``licences`` the memo of :func:`_licence_of`, ``interned`` the run's sets.
    """
    if not children:
        return _NO_CANDIDATES
    record = ctx.node_memo(children)
    found: frozenset[tuple[str, str]] | None = record.candidates
    if found is not None:
        return found
    derivative, restrictive = sets
    pairs: list[tuple[str, str]] = []
    parts: list[frozenset[tuple[str, str]]] = []
    for child in children:
        if child.relation not in derivative or child.cycle or child.artifact is None:
            continue
        lic = _licence_of(ctx, child.artifact, licences)
        if lic is not None and (lic.passes_to_derivatives or lic.category in restrictive):
            pairs.append((lic.id, child.artifact.publisher.strip().lower()))
        below = _candidates(ctx, child.children, sets, licences, interned)
        if below is _MANY:
            record.candidates = _MANY
            return _MANY
        parts.append(below)
    if len(parts) == 1 and all(pair in parts[0] for pair in pairs):
        answer = parts[0]  # one base adding nothing new (a fine-tune chain, mostly): the set below it
    else:
        out = set(pairs)
        for below in parts:
            out |= below
        if len(out) > _MAX_CANDIDATES:
            answer = _MANY
        else:
            frozen = frozenset(out)
            answer = interned.setdefault(frozen, frozen)
    record.candidates = answer
    return answer


def msg_relation(ctx: Context, relation: str) -> LocalText:
    """``a fine-tune``, ``an adapter``… in every language (``local.relation.*`` messages)."""
    key = f"local.relation.{relation}"
    return LocalText(en=ctx.kb.i18n.get("en", {}).get(key, relation), ja=ctx.kb.i18n.get("ja", {}).get(key, relation))
