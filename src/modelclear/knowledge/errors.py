"""The errors of the knowledge files, apart from the schema so that raising or catching them imports no schema.

A check reads the compiled knowledge and never the schema (:mod:`modelclear.knowledge.schema` is
imported only to check files: a cache miss or a ``--kb`` overlay); both names are also in the schema module.
"""

from __future__ import annotations


class KnowledgeError(ValueError):
    """Knowledge files that break the schema; ``problems`` lists each as ``file: path: message``."""

    def __init__(self, problems: list[str] | tuple[str, ...]) -> None:
        """Keep every problem; the message is the first one (and how many more there are)."""
        self.problems = tuple(problems) or ("(no details)",)
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(self.problems[0] + more)


class OverlayError(KnowledgeError):
    """A ``--kb`` overlay that breaks the schema: a usage error (exit 3), not a bug in modelclear."""
