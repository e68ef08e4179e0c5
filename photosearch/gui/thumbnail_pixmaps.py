"""Thumbnail pixmaps for the results grid: the core's thumbnail files decoded in workers, kept in an LRU.

The core (core/thumbnails.py) makes and caches the small JPEGs on disk; this module only turns them into
QPixmaps for painting, each decoded once at the grid's size. The grid's size changes in small steps as the
window is resized or the size slider moves, so the core is asked for a few fixed sizes only (FILE_SIZES):
each photo gets at most a few thumbnail files, and each pixmap is decoded from the nearest larger one.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QDeadlineTimer, QObject, QRunnable, Qt, QThread, QThreadPool, Signal, Slot
from PySide6.QtGui import QImage, QImageReader, QPixmap

log = logging.getLogger(__name__)

# Enough pixmaps for several screens of a large grid; at 160 px a pixmap is about 100 kB.
CACHE_SIZE = 1500
# ... and at most about this much memory: cells grow with the window, and at 1000 px a pixmap is about 3 MB.
CACHE_BYTES = 256 * 1024 * 1024
# Requests beyond this are the oldest ones, for cells long scrolled past: they are dropped.
MAX_PENDING = 300
# The sizes of the core's thumbnail files; a pixmap of any size is decoded from the smallest one that is larger.
FILE_SIZES = (128, 256, 512, 1024)
# Pixmaps are decoded at a multiple of this, so that a cell a few pixels wider does not reload every thumbnail.
PIXMAP_STEP = 32


def file_size_for(size: int) -> int:
    """The size of the core's thumbnail file that a `size`-pixel pixmap is decoded from."""
    return next((file_size for file_size in FILE_SIZES if file_size >= size), FILE_SIZES[-1])


def pixmap_size_for(pixels: float) -> int:
    """The size to decode at for a thumbnail painted `pixels` device pixels wide: the next step up."""
    return max(PIXMAP_STEP, -(-round(pixels) // PIXMAP_STEP) * PIXMAP_STEP)


class _Drain(QRunnable):
    """Loads queued thumbnails, newest request first, until the queue is empty."""

    def __init__(self, loader: ThumbnailPixmaps) -> None:
        super().__init__()
        self._loader = loader

    def run(self) -> None:
        loader = self._loader
        while True:
            job = loader._take_job()
            if job is None:
                return
            path, size, generation = job
            image = QImage()
            try:
                thumb = loader._source.thumbnail(path, file_size_for(size))
                if thumb is not None:
                    image = read_scaled(str(thumb), size)
            except Exception:
                # Shown as a failed cell (no thumbnail); the log says why.
                log.exception("thumbnail for %s failed", path)
            loader._image_ready.emit(path, image, generation)


def read_scaled(path: str, size: int) -> QImage:
    """Decode the image file at `path` once, straight to at most size x size (the core's files are upright)."""
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    full = reader.size()
    if full.isValid() and max(full.width(), full.height()) > size:
        reader.setScaledSize(full.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio))
    return reader.read()


class ThumbnailPixmaps(QObject):
    """Hands out cached pixmaps at once and loads missing ones in the background; `loaded(path)` says when.

    `source.thumbnail(path, size)` gives the core's thumbnail file (the bridge, or a Library in tests); it is
    called in the drains, which run in `pool` (the bridge's) or in a pool of this object's own.
    """

    loaded = Signal(str)
    _image_ready = Signal(str, QImage, int)

    def __init__(self, source: Any, size: int, threads: int = 2, pool: QThreadPool | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source = source
        self._size = size
        self._generation = 0
        self._cache: OrderedDict[str, QPixmap] = OrderedDict()
        self._failed: set[str] = set()
        self._stale: set[str] = set()
        self._lock = threading.Lock()
        self._pending: OrderedDict[str, None] = OrderedDict()
        self._in_flight: set[str] = set()
        self._drains = 0
        self._max_drains = max(1, threads)
        self._closed = False
        if pool is None:
            pool = QThreadPool(self)
            pool.setMaxThreadCount(self._max_drains)
        self._pool = pool
        self._image_ready.connect(self._on_image_ready)

    @property
    def size(self) -> int:
        return self._size

    def set_size(self, size: int) -> None:
        """New thumbnail size: reload each pixmap at it when next shown, painting the old one scaled until then.

        Photos that could not be read stay failed: that does not depend on the size.
        """
        if size == self._size:
            return
        with self._lock:
            self._size = size
            self._generation += 1
            self._pending.clear()
        self._stale.update(self._cache)

    def cache_limit(self) -> int:
        """How many pixmaps are kept at the current size (a 4:3 photo's worth of memory each)."""
        return max(64, min(CACHE_SIZE, CACHE_BYTES // (4 * self._size * self._size * 3 // 4)))

    def pixmap(self, path: str) -> QPixmap | None:
        """The thumbnail if it is ready; otherwise None, and it is queued (unless it failed before)."""
        pixmap = self._cache.get(path)
        if pixmap is not None:
            self._cache.move_to_end(path)
            if path in self._stale:
                self._stale.discard(path)
                self._request(path)
            return pixmap
        if path not in self._failed:
            self._request(path)
        return None

    def failed(self, path: str) -> bool:
        return path in self._failed

    def refresh_all(self) -> None:
        """Files changed on disk: reload each thumbnail when next shown, showing the old one until then.

        The core's cache is keyed by mtime, so a changed photo gets a new thumbnail and the others come back
        from disk at once; keeping the old pixmaps meanwhile avoids the grid flashing placeholders.
        """
        self._stale.update(self._cache)
        self._failed.clear()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Drop the queue and wait for the drains (all of a pool of its own) to stop."""
        with self._lock:
            self._closed = True
            self._pending.clear()
        if self._pool.parent() is self:
            return self._pool.waitForDone(timeout_ms)
        deadline = QDeadlineTimer(timeout_ms)
        while True:
            with self._lock:
                if self._drains == 0:
                    return True
            if deadline.hasExpired():
                return False
            QThread.msleep(5)

    def _request(self, path: str) -> None:
        if self._source is None:
            return
        with self._lock:
            if self._closed or path in self._in_flight:
                return
            if path in self._pending:
                self._pending.move_to_end(path)
            else:
                self._pending[path] = None
                while len(self._pending) > MAX_PENDING:
                    self._pending.popitem(last=False)
            start = self._drains < self._max_drains
            if start:
                self._drains += 1
        if start:
            self._pool.start(_Drain(self))

    def _take_job(self) -> tuple[str, int, int] | None:
        with self._lock:
            if self._closed or not self._pending:
                self._drains -= 1
                return None
            # Newest first: the cells the user is looking at now were requested last.
            path, _ = self._pending.popitem(last=True)
            self._in_flight.add(path)
            return path, self._size, self._generation

    @Slot(str, QImage, int)
    def _on_image_ready(self, path: str, image: QImage, generation: int) -> None:
        with self._lock:
            self._in_flight.discard(path)
            stale = generation != self._generation
        if stale:
            # Loaded at a size no longer wanted: the cell asks again at the new one when it repaints.
            if path in self._cache:
                self._stale.add(path)
            self.loaded.emit(path)
            return
        if image.isNull():
            self._failed.add(path)
            self._cache.pop(path, None)
        else:
            self._cache[path] = QPixmap.fromImage(image)
            while len(self._cache) > self.cache_limit():
                self._cache.popitem(last=False)
        self.loaded.emit(path)

