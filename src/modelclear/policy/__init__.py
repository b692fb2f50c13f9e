"""Policy as code: the default scenario, the CI gate, licence lists and waivers.

A policy lives in ``[tool.modelclear]`` of a ``pyproject.toml``, at the top level of a
``modelclear.toml``, or in any ``.toml``/``.yaml`` file given with ``--policy``::

    [tool.modelclear]
    jurisdictions = ["JP", "EU", "US"]   # judged in each, side by side
    activity = "deploy"
    purpose = "commercial"
    accepted = ["dataset:imagenet-1k"]   # terms you or your employer accepted
    fail-on = "uncertain"                # prohibited | uncertain | unknown
    licenses = { allow = ["MIT", "Apache-2.0"], deny = ["AGPL-3.0"] }

    [[tool.modelclear.waivers]]
    id = "hf:meta-llama/Llama-2-7b-hf"
    reason = "Meta licence reviewed by legal on 2026-10-01"
    approved_by = "legal@example.com"
    expires = 2027-03-31

:func:`load` validates the file and raises :class:`PolicyError` naming the file, line and key of
the first problem. :func:`evaluate` turns assessments into a :class:`Gate`: which verdicts fail the
run, which a waiver or the baseline excuses, and the exit code. Nothing here is legal knowledge:
the gate only decides which verdicts a team accepts.
"""

from modelclear.policy.gate import BaselineError, _symbols_denied, evaluate, load_baseline, messages, waiver_data
from modelclear.policy.load import MAX_POLICY_BYTES, MAX_POLICY_DEPTH, MAX_POLICY_NODES, find, load
from modelclear.policy.model import (
    DEFAULT_FAIL_ON,
    EXIT_OK,
    EXIT_PROHIBITED,
    EXIT_UNCERTAIN,
    FAIL_ON,
    Gate,
    GateItem,
    Policy,
    PolicyError,
    Waiver,
)

__all__ = [
    "DEFAULT_FAIL_ON",
    "EXIT_OK",
    "EXIT_PROHIBITED",
    "EXIT_UNCERTAIN",
    "FAIL_ON",
    "MAX_POLICY_BYTES",
    "MAX_POLICY_DEPTH",
    "MAX_POLICY_NODES",
    "BaselineError",
    "Gate",
    "GateItem",
    "Policy",
    "PolicyError",
    "Waiver",
    "_symbols_denied",
    "evaluate",
    "find",
    "load",
    "load_baseline",
    "messages",
    "waiver_data",
]
