"""Bounded reads inside the scanned root: regular files only, links followed only while they stay inside."""

from __future__ import annotations

import json
import os
import stat as _stat
from pathlib import Path
from typing import Any

from modelclear.catalog.localmodel.records import (
    FILE_BYTES,
)


class _Files:
    """Reads inside ``root``: regular files only, links followed only while they stay inside the root."""

    def __init__(self, root: Path) -> None:
        self.root_given = root
        self.root = Path(os.path.realpath(root))
        self._real_root = str(self.root)
        self._real_prefix = self._real_root.rstrip(os.sep) + os.sep
        self._given_prefix = os.path.abspath(root).rstrip(os.sep) + os.sep
        self.warnings: list[str] = []

    def rel(self, path: Path) -> str:
        """``path`` relative to the root, ``/``-separated (the name itself when outside)."""
        full = os.path.abspath(path)
        if full + os.sep == self._given_prefix:
            return "."
        if not full.startswith(self._given_prefix):
            return path.name
        return full[len(self._given_prefix):].replace(os.sep, "/") or "."

    def inside(self, path: Path) -> Path | None:
        """The real path of ``path`` if it lies inside the root, else ``None`` with a warning."""
        try:
            real = os.path.realpath(path)
        except (OSError, ValueError):
            self.warnings.append(f"{self.rel(path)}: cannot resolve the path")
            return None
        if real != self._real_root and not real.startswith(self._real_prefix):
            self.warnings.append(f"{self.rel(path)}: a link out of the scanned root; not followed")
            return None
        return Path(real)

    def read(self, path: Path, limit: int) -> bytes | None:
        """At most ``limit`` bytes of a regular file inside the root; ``None`` (with a warning) otherwise."""
        real = self.inside(path)
        if real is None:
            return None
        try:
            fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
        except OSError as exc:
            self.warnings.append(f"{self.rel(path)}: cannot read ({exc.strerror or type(exc).__name__})")
            return None
        try:
            if not _stat.S_ISREG(os.fstat(fd).st_mode):
                self.warnings.append(f"{self.rel(path)}: not a regular file; not read")
                return None
            chunks, left = [], limit
            while left > 0:
                chunk = os.read(fd, min(left, 1 << 20))
                if not chunk:
                    break
                chunks.append(chunk)
                left -= len(chunk)
            return b"".join(chunks)
        except OSError as exc:
            self.warnings.append(f"{self.rel(path)}: cannot read ({exc.strerror or type(exc).__name__})")
            return None
        finally:
            os.close(fd)

    def text(self, path: Path, limit: int = FILE_BYTES) -> str | None:
        """A text file (UTF-8; bad bytes replaced with a warning), read up to ``limit`` bytes."""
        data = self.read(path, limit + 1)
        if data is None:
            return None
        if len(data) > limit:
            self.warnings.append(f"{self.rel(path)}: larger than {limit} bytes; read up to that")
            data = data[:limit]
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            self.warnings.append(f"{self.rel(path)}: not valid UTF-8; undecodable bytes replaced")
            return data.decode("utf-8", errors="replace")

    def json(self, path: Path) -> dict[str, Any]:
        """A JSON object file, or ``{}`` with a warning."""
        text = self.text(path)
        if text is None:
            return {}
        from modelclear.scan.budget import BUDGETS, json_depth

        if json_depth(text) > BUDGETS.nesting_depth:
            self.warnings.append(f"{self.rel(path)}: JSON nested too deeply; not read")
            return {}
        try:
            doc = json.loads(text)
        except (ValueError, RecursionError):
            self.warnings.append(f"{self.rel(path)}: not valid JSON")
            return {}
        if not isinstance(doc, dict):
            self.warnings.append(f"{self.rel(path)}: not a JSON object")
            return {}
        return doc

    def yaml(self, path: Path) -> Any:
        """A YAML document read within the card budgets (aliases, depth, nodes), or ``None``."""
        text = self.text(path)
        if text is None:
            return None
        import yaml

        from modelclear import yamlsafe
        from modelclear.catalog.hfcard import MAX_YAML_ALIASES, MAX_YAML_DEPTH, MAX_YAML_EVENTS

        try:
            return yamlsafe.load_single(text, max_events=MAX_YAML_EVENTS, max_depth=MAX_YAML_DEPTH,
                                        max_aliases=MAX_YAML_ALIASES, loader=yamlsafe.FAST_LOADER)
        except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self.warnings.append(f"{self.rel(path)}: YAML not read ({first[:200]})")
            return None
