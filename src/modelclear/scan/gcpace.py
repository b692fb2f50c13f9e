"""Garbage collection paced by the scan's files instead of by allocation counts.

Scanning a Python file allocates millions of objects (its syntax tree, the index of its bindings, the
resolver's values) and keeps many of them across files (the project constant index, the wrapper
modules of :mod:`modelclear.scan.pywrappers`). With the interpreter's automatic collector, every few
hundred allocations a young collection runs, survivors are promoted, and full collections traverse the
whole heap again and again while a tree is being built: on the ``transformers`` source tree the
collector took about 40 % of the scan's CPU (measured with ``gc.callbacks``; see ``bench/RESULTS.md``).

:func:`paced` turns the automatic collector off for the duration of a scan and collects at points the
scan chooses instead: :meth:`Pacer.file_done` after each file collects the objects allocated since the
previous file; :func:`settle` does the same after each module the constant index reads for a lookup (one
lookup may index hundreds). A module's tree, index and resolver used to be garbage held in reference
cycles (scopes point to their parents and parents to their scopes); they are now taken apart once no
longer used (:meth:`modelclear.scan.pyindex.ModuleIndex.dispose`,
:meth:`modelclear.scan.pymodule.ModuleScan.dispose`), so reference counting frees them at once and these
collections find little: on the ``transformers`` tree the collector's share fell from about 73 s to 4 s
of CPU. A full collection runs instead when the
interpreter's allocated memory blocks have grown by half since the last one (so cyclic garbage promoted
earlier is freed too, and memory stays within a constant factor of what is live; doubling cost 17 % more
peak memory on the ``transformers`` tree for 6 % less CPU). Counting the allocated blocks visits every
memory pool of the heap (about 40 us on a scan's heap: 0.3 s of CPU over 8,000 small files), so it is
counted after a unit of work that left :data:`CHECK_OBJECTS` new container objects or more (one Python
file of a library), and otherwise every :data:`CHECK_UNITS` units (small files, which cannot grow the
heap by the margin between two counts). Collections never change what the scan finds: they only decide
when unreachable objects are freed.

The collector's state is process-wide; nested or concurrent scans (threads of the team service) share
one count, and the collector is switched back on, with the thresholds it had, when the last scan ends.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["Pacer", "paced", "settle"]

#: Allocated memory blocks the heap may grow by, on top of half its size, before a full collection.
FULL_SLACK_BLOCKS = 2_000_000
#: New container objects left by units of work since the heap was last counted that make :func:`settle`
#: count it again (far below the blocks of ``FULL_SLACK_BLOCKS``).
CHECK_OBJECTS = 20_000
#: Units of work after which the heap is counted again however few objects they left.
CHECK_UNITS = 32

_LOCK = threading.Lock()
_DEPTH = 0
_WAS_ENABLED = True
_BASE_BLOCKS = 0  # allocated blocks after the last full collection
_UNCHECKED_OBJECTS = 0  # container objects left by the units of work since the heap was last counted
_UNCHECKED_UNITS = 0  # units of work since then


def settle() -> None:
    """Inside a paced scan, collect the garbage of a unit of work just done (a file, an indexed module):
    the young generations, or everything when the heap has grown by half since the last full collection.
    Outside one (the automatic collector on), nothing."""
    global _BASE_BLOCKS, _UNCHECKED_OBJECTS, _UNCHECKED_UNITS
    if not _DEPTH or gc.isenabled():
        return
    _UNCHECKED_OBJECTS += max(gc.get_count()[0], 0)  # tracked objects allocated, net, since the last collection
    _UNCHECKED_UNITS += 1
    if _UNCHECKED_OBJECTS >= CHECK_OBJECTS or _UNCHECKED_UNITS >= CHECK_UNITS:
        _UNCHECKED_OBJECTS = _UNCHECKED_UNITS = 0
        if sys.getallocatedblocks() > _BASE_BLOCKS + _BASE_BLOCKS // 2 + FULL_SLACK_BLOCKS:
            gc.collect()
            _BASE_BLOCKS = sys.getallocatedblocks()
            return
    gc.collect(1)


class Pacer:
    """When to collect during one scan (see the module docstring)."""

    def file_done(self) -> None:
        """Collect the garbage of the file just scanned (see :func:`settle`)."""
        settle()


@contextmanager
def paced() -> Iterator[Pacer]:
    """The automatic collector off while the block runs; the :class:`Pacer` to call after each file."""
    global _BASE_BLOCKS, _DEPTH, _WAS_ENABLED
    with _LOCK:
        if _DEPTH == 0:
            _WAS_ENABLED = gc.isenabled()
            gc.disable()
            _BASE_BLOCKS = sys.getallocatedblocks()
        _DEPTH += 1
    try:
        yield Pacer()
    finally:
        with _LOCK:
            _DEPTH -= 1
            if _DEPTH == 0 and _WAS_ENABLED:
                gc.enable()
