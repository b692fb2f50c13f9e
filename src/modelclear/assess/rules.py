"""Applying the layer-interaction rules (legal-facts §6, R1–R7) encoded in ``data/rules/interactions.yaml``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from modelclear.assess.context import msg
from modelclear.catalog.records import local_text, sources
from modelclear.model import Citation, Finding, Layer, Status


def _matches(when: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    for name, expected in when.items():
        actual = facts.get(name)
        if isinstance(expected, list):
            if actual not in expected:
                return False
        elif actual != expected:
            return False
    return True


def apply(rules: list[Mapping[str, Any]], facts: Mapping[str, Any], findings: dict[Layer, Finding]) -> list[str]:
    """Adjust ``findings`` in place by every rule whose ``when`` matches ``facts``; return the ids applied."""
    applied: list[str] = []
    for rule in rules:
        when = rule.get("when") or {}
        then = rule.get("then") or []
        if not when or not then or not _matches(when, facts):
            continue
        text = local_text(rule.get("summary"), f"rule {rule.get('id')}")
        srcs = sources(rule.get("sources"), f"rule {rule.get('id')}", required=False)
        cites = tuple(Citation(label=f"{rule['id']}", url=s.url, confidence=s.confidence, checked=s.checked)
                      for s in srcs[:1])
        for action in then:
            layer = Layer(action["layer"])
            finding = findings[layer]
            mode = action.get("mode", "set")
            status = finding.status
            target = Status(action["status"]) if "status" in action else status
            tighten = mode == "floor" and status.severity < target.severity
            loosen = mode == "cap" and status.severity > target.severity
            if mode == "set" or tighten or loosen:
                status = target
            reason = msg("rule.applied", rule=str(rule["id"]), text=text)  # type: ignore[arg-type]
            findings[layer] = replace(
                finding,
                status=status,
                reasons=(*finding.reasons, reason),
                citations=(*finding.citations, *cites),
            )
        applied.append(str(rule["id"]))
    return applied
