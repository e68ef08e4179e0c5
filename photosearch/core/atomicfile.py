"""Writing files so that no reader (or crash) ever sees half of one: a temp file beside the target, then os.replace."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

# Temp files are ".<target name>.<random><TEMP_SUFFIX>" beside the target; one left behind by a killed process
# is recognisable by that shape and can be cleaned up.
TEMP_SUFFIX = ".tmp"


@contextlib.contextmanager
def atomic_path(target: Path, suffix: str = TEMP_SUFFIX) -> Iterator[Path]:
    """Yield a temp path in the target's folder; on success it replaces `target`, on error it is removed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=suffix)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())


def write_text(target: Path, text: str) -> None:
    write_bytes(target, text.encode("utf-8"))


def write_with(target: Path, writer: Callable[[str], object], suffix: str = TEMP_SUFFIX) -> None:
    """For libraries that only write to a file name (hnswlib, PIL): let them write the temp file."""
    with atomic_path(target, suffix) as tmp:
        writer(str(tmp))
