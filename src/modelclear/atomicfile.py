"""Writing a file so that a reader never sees it half written (the knowledge and loader caches)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path


def write_atomic(path: Path, chunks: Iterable[bytes], *, durable: bool = False) -> None:
    """Write ``chunks`` to a temporary file beside ``path`` (fsynced), then rename it over ``path``.

    The folder is made if missing. On any error the temporary file is removed and the error raised.
    With ``durable`` the folder is fsynced after the rename too, so the rename survives a crash (POSIX;
    a no-op where folders cannot be opened).
    """
    import tempfile  # here, not at import: the caches are read on every start, written rarely

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        with contextlib.suppress(OSError, AttributeError):
            dfd = os.open(path.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
