"""The data directory's write lock: one process at a time updates a library, while readers never wait for it."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from pathlib import Path

LOCK_FILE = "write.lock"
# Who holds the lock is written after this offset: on Windows the locked byte itself cannot be read by others.
_INFO_OFFSET = 16

if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class WriteLock:
    """An advisory lock on `folder/write.lock`, held while an index run or a watcher batch writes the library.

    The operating system drops it when its process dies (SIGKILL, power cut), so a crash never leaves the
    library locked. Re-entrant within one object, so a save during an index run does not lock itself out.
    """

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / LOCK_FILE
        self._fd: int | None = None
        self._depth = 0
        self._guard = threading.RLock()

    def try_acquire(self) -> bool:
        with self._guard:
            if self._depth:
                self._depth += 1
                return True
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            if not _try_lock(fd):
                os.close(fd)
                return False
            self._fd, self._depth = fd, 1
            with contextlib.suppress(OSError):  # only a courtesy for the message another process shows
                info = f"pid {os.getpid()}: {' '.join(os.path.basename(a) for a in sys.argv[:2])}".encode()
                os.ftruncate(fd, _INFO_OFFSET)
                os.lseek(fd, _INFO_OFFSET, os.SEEK_SET)
                os.write(fd, info)
            return True

    def acquire(self, timeout: float | None = None, interval: float = 0.1) -> bool:
        """Wait for the lock (at most `timeout` seconds when given); True once held."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.try_acquire():
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(interval)
        return True

    def release(self) -> None:
        with self._guard:
            if not self._depth:
                return
            self._depth -= 1
            if self._depth == 0 and self._fd is not None:
                fd, self._fd = self._fd, None
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, _INFO_OFFSET)
                _unlock(fd)
                os.close(fd)

    def holder(self) -> str:
        """Who holds the lock, as that process wrote it ("pid 123: photosearch index"), or "another process"."""
        try:
            with open(self.path, "rb") as handle:
                handle.seek(_INFO_OFFSET)
                text = handle.read(200).decode("utf-8", "replace").strip()
        except OSError:
            text = ""
        return text or "another process"
