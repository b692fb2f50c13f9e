"""The policy's data: :class:`Policy`, :class:`Waiver`, the gate's :class:`Gate` and :class:`GateItem`,
the ``fail-on`` verdicts and exit codes, and :class:`PolicyError`."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

from modelclear.model import Message, Status

#: Verdicts ``fail-on`` accepts, and the documented exit code for a failing verdict.
FAIL_ON = ("prohibited", "uncertain", "unknown")
DEFAULT_FAIL_ON = "uncertain"
EXIT_OK, EXIT_PROHIBITED, EXIT_UNCERTAIN = 0, 1, 2


class PolicyError(ValueError):
    """A bad policy file: the message names the file, the line and the key."""

    def __init__(self, path: str, line: int, key: str, problem: str) -> None:
        """Record where the problem is."""
        self.path, self.line, self.key, self.problem = path, line, key, problem
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {key}: {problem}" if key else f"{where}: {problem}")


@dataclass(frozen=True)
class Waiver:
    """An accepted risk: a failing verdict for ``id`` passes the gate until ``expires`` (inclusive)."""

    id: str
    reason: str
    approved_by: str
    expires: dt.date
    line: int = 0

    def active(self, today: dt.date) -> bool:
        """Whether the waiver still applies on ``today`` (it applies through its ``expires`` day)."""
        return today <= self.expires


@dataclass(frozen=True)
class Policy:
    """A validated policy. The empty policy reproduces the default gate."""

    path: str = ""
    jurisdictions: tuple[str, ...] = ()
    activity: str | None = None
    purpose: str | None = None
    accepted: tuple[str, ...] = ()
    obtained_on: dt.date | None = None
    domicile: str | None = None  # where the user is domiciled (EU, JP…); some licences key on it
    fail_on: str = DEFAULT_FAIL_ON
    allow_licenses: tuple[str, ...] = ()
    deny_licenses: tuple[str, ...] = ()
    waivers: tuple[Waiver, ...] = ()


@dataclass(frozen=True)
class GateItem:
    """How the gate treats one assessment (one artifact in one jurisdiction)."""

    artifact: str
    jurisdiction: str
    verdict: Status
    status: Status  # the verdict after the licence lists
    license: str | None = None
    policy_reasons: tuple[Message, ...] = ()
    failing: bool = False  # status at or above fail-on
    waiver: Waiver | None = None  # the waiver matching this artifact (active or expired)
    waived: bool = False  # failing, excused by an active waiver
    in_baseline: bool = False  # failing, already failing as badly in the baseline
    counted: bool = False  # failing and neither waived nor in the baseline: it fails the run


@dataclass(frozen=True)
class Gate:
    """The CI gate's decision for a run."""

    fail_on: Status
    items: tuple[GateItem, ...]
    today: dt.date
    expired: tuple[Waiver, ...] = ()
    unused: tuple[Waiver, ...] = ()
    policy_path: str = ""
    baseline_path: str = ""
    exit_code: int = 0
    waivers: tuple[Waiver, ...] = field(default=())

    def item(self, artifact: str, jurisdiction: str) -> GateItem | None:
        """The gate item of an artifact id in a jurisdiction."""
        return self._index.get((artifact.lower(), jurisdiction))

    @functools.cached_property
    def _index(self) -> dict[tuple[str, str], GateItem]:
        """Items by (artifact id, jurisdiction), the first of each (a scan asks once per artifact)."""
        index: dict[tuple[str, str], GateItem] = {}
        for it in self.items:
            index.setdefault((it.artifact.lower(), it.jurisdiction), it)
        return index

    @property
    def passed(self) -> bool:
        """Whether the run passes."""
        return self.exit_code == EXIT_OK
