"""The registry of legal layers: one interface, one loop.

Every layer is a function ``(Context) -> Finding`` registered with :func:`layer`; it reads what it
needs from the :class:`~modelclear.assess.context.Context` (knowledge base, lineage graph,
scenario, artifact) and publishes the facts it found for the interaction rules with
``ctx.publish(...)`` (names declared in :mod:`modelclear.assess.facts`). An *addendum* registered with
:func:`addendum` adds caveats and citations to another layer's finding (the regulatory duties of
:mod:`modelclear.assess.regulatory` are shown under the copyright layer).

Adding a layer (bandit-style): write one module with a function decorated ``@layer(Layer.X)``, and
list the module in :data:`PLUGINS` (the ``Layer`` value and its messages must exist too). The layers
run in the order of :class:`~modelclear.model.Layer`; none reads another's finding.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import replace

from modelclear.assess.context import Context
from modelclear.model import Citation, Finding, Layer, Message

LayerFn = Callable[[Context], Finding]
AddendumFn = Callable[[Context], tuple[Sequence[Message], Sequence[Citation]]]

#: Modules (in ``modelclear.assess``) that register layers or addenda when imported.
PLUGINS = ("copyright", "contract", "license", "provenance", "regulatory")

_LAYERS: dict[Layer, LayerFn] = {}
_ADDENDA: dict[Layer, list[AddendumFn]] = {}
_order: tuple[Layer, ...] | None = None


def _name(fn: Callable[..., object]) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def layer(which: Layer) -> Callable[[LayerFn], LayerFn]:
    """Register the decorated function as the assessment of the layer ``which``."""
    def register(fn: LayerFn) -> LayerFn:
        known = _LAYERS.get(which)
        if known is not None and _name(known) != _name(fn):  # a module reloaded may register itself again
            raise ValueError(f"layer {which.value!r} is already registered by {_name(known)}")
        global _order
        _LAYERS[which] = fn
        _order = None
        return fn
    return register


def addendum(which: Layer) -> Callable[[AddendumFn], AddendumFn]:
    """Register the decorated function's caveats and citations to be added to the layer ``which``."""
    def register(fn: AddendumFn) -> AddendumFn:
        fns = [f for f in _ADDENDA.get(which, []) if _name(f) != _name(fn)]
        _ADDENDA[which] = [*fns, fn]
        return fn
    return register


def load() -> tuple[Layer, ...]:
    """Import the :data:`PLUGINS` (once) and return the registered layers in :class:`Layer` order."""
    global _order
    if _order is None:
        for name in PLUGINS:
            importlib.import_module(f"modelclear.assess.{name}")
        _order = tuple(which for which in Layer if which in _LAYERS)
    return _order


def run(ctx: Context) -> dict[Layer, Finding]:
    """Every registered layer's finding for ``ctx``, with the addenda attached, in :class:`Layer` order."""
    findings: dict[Layer, Finding] = {}
    for which in load():
        finding = _LAYERS[which](ctx)
        for extra in _ADDENDA.get(which, ()):
            caveats, citations = extra(ctx)
            if caveats:
                finding = _added(ctx, finding, caveats, citations)
        findings[which] = finding
    return findings


def _added(ctx: Context, finding: Finding, caveats: Sequence[Message], citations: Sequence[Citation]) -> Finding:
    """``finding`` with an addendum's caveats and citations, made once per run for the same objects.

    Layers and addenda hand out shared objects for equal inputs (:meth:`Context.shared`), so the same
    finding meets the same addendum again and again; the objects are held with the result, so their
    ``id`` names them while it is kept.
    """
    key = ("addendum", id(finding), id(caveats), id(citations))
    found = ctx.shared(key, lambda: (finding, caveats, citations, replace(
        finding, caveats=(*finding.caveats, *caveats), citations=(*finding.citations, *citations))))
    if found[0] is finding and found[1] is caveats and found[2] is citations:
        return found[3]
    return replace(finding, caveats=(*finding.caveats, *caveats), citations=(*finding.citations, *citations))
