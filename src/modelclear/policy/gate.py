"""The CI gate: reading a ``--baseline`` report, applying a policy to assessments, and the gate's messages."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from modelclear.model import Assessment, Message, Status
from modelclear.policy.model import EXIT_OK, EXIT_PROHIBITED, EXIT_UNCERTAIN, Gate, GateItem, Policy, Waiver


class BaselineError(ValueError):
    """A ``--baseline`` file that is not a modelclear JSON report."""


#: Scan documents a baseline may be (each lists ``assessments`` with artifact, scenario and verdict).
_SCAN_SCHEMAS = ("modelclear/scan/1", "modelclear/scan/2")


def load_baseline(path: Path) -> dict[tuple[str, str], Status]:
    """The failing-or-not status of every (artifact id, jurisdiction) in a previous JSON report.

    Accepts a ``modelclear/check/1`` document, a list of them (several jurisdictions) or a
    ``modelclear/scan/2`` (or earlier ``scan/1``) document. Uses the gate's status when the report has
    one (licence lists applied), else the verdict. Keys are lower-case ids.
    """
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"baseline {path} is not JSON: {exc}") from None
    docs = doc if isinstance(doc, list) else [doc]
    out: dict[tuple[str, str], Status] = {}
    for d in docs:
        if not isinstance(d, dict) or d.get("schema") not in ("modelclear/check/1", *_SCAN_SCHEMAS):
            raise BaselineError(f"baseline {path} is not a modelclear JSON report (--format json)")
        items = d.get("assessments", []) if d["schema"] in _SCAN_SCHEMAS else [d]
        try:
            for a in items:
                out[(str(a["artifact"]["id"]).lower(), str(a["scenario"]["jurisdiction"]).upper())] = \
                    Status(a["verdict"])
            for g in (d.get("gate") or {}).get("items", []):
                out[(str(g["artifact"]).lower(), str(g["jurisdiction"]).upper())] = Status(g["status"])
        except (KeyError, TypeError, ValueError) as exc:
            raise BaselineError(f"baseline {path} is malformed: {exc}") from None
    return out



def _symbols_denied(expression: str, denied: Callable[[str], bool]) -> bool:
    """Whether a licence expression is denied: an AND is denied if any part is, an OR if every choice is."""
    try:
        from license_expression import AND, OR, LicenseSymbol, Licensing

        parsed = Licensing().parse(expression)
    except Exception:  # a non-SPDX id such as "llama2" or a free-text licence
        return denied(expression)

    def walk(node: Any) -> bool:
        if isinstance(node, LicenseSymbol):
            return denied(str(node.key))
        if isinstance(node, OR):
            return all(walk(a) for a in node.args)
        if isinstance(node, AND):
            return any(walk(a) for a in node.args)
        return denied(str(node))

    return walk(parsed) if parsed is not None else False


def _licence_lists(lic: str | None, status: Status, deny: set[str], allow: set[str],
                   key_of: Callable[[str], str]) -> tuple[Status, list[Message]]:
    """The status after the policy's licence lists, and the reasons they give."""
    if lic and deny and _symbols_denied(lic, lambda s: key_of(s) in deny):
        return Status.PROHIBITED, [Message("ui.gate.denied", {"license": lic})]
    if lic and allow and _symbols_denied(lic, lambda s: key_of(s) not in allow):
        if status.severity < Status.UNCERTAIN.severity:
            status = Status.UNCERTAIN
        return status, [Message("ui.gate.not_allowed", {"license": lic})]
    return status, []


def _exit_code(items: Iterable[GateItem], expired: tuple[Waiver, ...]) -> int:
    """Prohibited if a counted item is prohibited or a waiver has expired; uncertain if one is counted."""
    code = EXIT_OK
    for it in items:
        if it.counted:
            code = EXIT_PROHIBITED if it.status is Status.PROHIBITED else max(code, EXIT_UNCERTAIN)
            if code == EXIT_PROHIBITED:
                break
    return EXIT_PROHIBITED if expired else code


def evaluate(assessments: Iterable[Assessment], policy: Policy | None = None, *, today: dt.date,
             baseline: Mapping[tuple[str, str], Status] | None = None, baseline_path: str = "",
             license_key: Callable[[str], str | None] = lambda s: s,
             canonical: Callable[[str], str] = lambda s: s) -> Gate:
    """Apply the policy to assessments.

    ``license_key`` canonicalises licence ids (to compare with the lists); ``canonical`` maps a
    waiver id to the canonical artifact id (e.g. ``torchvision:resnet50`` to its weights id).
    ``today`` decides which waivers are active: a waiver applies through its ``expires`` day.
    """
    policy = policy or Policy()
    fail_on = Status(policy.fail_on)
    deny = {d.lower() for d in policy.deny_licenses}
    allow = {a.lower() for a in policy.allow_licenses}
    waivers = {canonical(w.id).lower(): w for w in policy.waivers}
    used: set[str] = set()
    items: list[GateItem] = []

    def key_of(symbol: str) -> str:
        return (license_key(symbol) or symbol).lower()

    for a in assessments:
        art_id = a.artifact.id if a.artifact else a.ref.id
        names = {art_id.lower(), a.ref.id.lower(), *(x.lower() for x in a.ref.aliases)}
        if a.artifact is not None:
            names |= {x.lower() for x in a.artifact.aliases}
        lic = a.license_in_force if a.artifact is not None else None
        status, reasons = _licence_lists(lic, a.verdict, deny, allow, key_of)
        failing = status.severity >= fail_on.severity
        waiver = next((waivers[n] for n in names if n in waivers), None)
        in_baseline = False
        if failing and baseline is not None:
            before = baseline.get((art_id.lower(), a.scenario.jurisdiction.upper()))
            in_baseline = before is not None and before.severity >= status.severity
        waived = failing and not in_baseline and waiver is not None and waiver.active(today)
        if waived and waiver is not None:
            used.add(canonical(waiver.id).lower())
        items.append(GateItem(
            artifact=art_id, jurisdiction=a.scenario.jurisdiction, verdict=a.verdict, status=status, license=lic,
            policy_reasons=tuple(reasons), failing=failing, waiver=waiver, waived=waived, in_baseline=in_baseline,
            counted=failing and not waived and not in_baseline,
        ))
    expired = tuple(w for w in policy.waivers if not w.active(today))
    unused = tuple(w for w in policy.waivers if w.active(today) and canonical(w.id).lower() not in used)
    return Gate(fail_on=fail_on, items=tuple(items), today=today, expired=expired, unused=unused,
                policy_path=policy.path, baseline_path=baseline_path, exit_code=_exit_code(items, expired),
                waivers=policy.waivers)


def waiver_data(w: Waiver, today: dt.date) -> dict[str, Any]:
    """A waiver as plain data."""
    return {"id": w.id, "reason": w.reason, "approved_by": w.approved_by, "expires": w.expires.isoformat(),
            "active": w.active(today)}


def messages(gate: Gate, t: Callable[..., str]) -> list[str]:
    """The run-level messages of a gate (expired and unused waivers), rendered with translator ``t``."""
    out = []
    for w in gate.expired:
        out.append(t("ui.gate.waiver_expired", id=w.id, date=w.expires.isoformat(), approved_by=w.approved_by,
                     reason=w.reason))
    for w in gate.unused:
        out.append(t("ui.gate.waiver_unused", id=w.id, date=w.expires.isoformat()))
    return out
