"""A guard against PySide6 6.12's lost references to None, which kill Python 3.11 with "none_dealloc".

shiboken6 6.12.0 drops one reference to None each time a wrapped C++ method that returns void is called
(QPainter.save(), QWidget.update(), QTimer.stop() ...) and each time QModelIndex.data() returns an empty
QVariant. From Python 3.12 on None is immortal and nothing happens; on 3.11 its reference count (some tens
of thousands at start-up) runs down while the window paints, and Python aborts once it reaches zero: the
crash seen after a few queries, with the results grid's cell painter (eight void calls a cell) on the stack.

The real fix is upstream (or another PySide6 / Python); until then `protect_none` gives None enough extra
references that no session can use them up, as 3.12 does. None is never freed anyway, so this changes nothing
else.
"""

from __future__ import annotations

import ctypes
import sys

# 2**60 references: at a million lost references a second, that lasts over 30,000 years.
SPARE_REFERENCES = 1 << 60


def needs_protection() -> bool:
    """True where None is mortal: CPython before 3.12."""
    return sys.implementation.name == "cpython" and sys.version_info < (3, 12)


def protect_none() -> bool:
    """Top up None's reference count once per process; True when it was needed (and done)."""
    if not needs_protection():
        return False
    refcount = ctypes.c_ssize_t.from_address(id(None))  # ob_refcnt, the first field of every object
    if refcount.value < SPARE_REFERENCES // 2:
        refcount.value += SPARE_REFERENCES
    return True
