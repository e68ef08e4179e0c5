"""Caps glibc's per-thread malloc arenas, which otherwise keep freed decode and model buffers resident."""

from __future__ import annotations

import ctypes
import sys

# mallopt's parameter number for the arena cap (glibc malloc.h).
M_ARENA_MAX = -8
# Indexing runs decode threads beside torch's threads; each thread that meets a busy arena gets its own (up to
# 8 x cores), and each keeps what it freed. Capped here at 2, indexing 160 photos into a 100k library peaked at
# 600-605 MB instead of 607-631 (benchmarks/memory.py --new-photos 160, CPU-only torch); MALLOC_ARENA_MAX=2 set
# before the process starts did better (575), since torch's threads then never get arenas of their own.
ARENAS = 2

_applied: bool | None = None


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Cap the arenas once per process (before the indexer's threads start); False where there is no glibc."""
    global _applied
    if _applied is None:
        _applied = False
        if sys.platform.startswith("linux"):
            try:
                # By its soname: ctypes.util.find_library would run `/sbin/ldconfig -p` (a subprocess at start-up).
                libc = ctypes.CDLL("libc.so.6")
                _applied = bool(libc.mallopt(M_ARENA_MAX, arenas))
            except (OSError, AttributeError):  # musl or another libc without mallopt: nothing to cap
                _applied = False
    return _applied
