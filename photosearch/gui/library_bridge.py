"""The GUI's one way to the Library: every call runs in the bridge's worker pool, and answers come back as signals.

Widgets never call the Library themselves. Calls that change the library's folders or watching (add, remove,
watch, refresh) run one after another in a serial lane, so that each sees the previous one's result; searches,
indexing, the model load, previews and thumbnails run beside them in the same pool.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal

from photosearch.gui.search_call import SearchOutcome, SearchRequest, run_search
from photosearch.gui.workers import CallWorker, GeneratorWorker

log = logging.getLogger(__name__)

# Watcher notices arrive in bursts (a folder copied in); one disk_changed per burst.
CHANGE_COALESCE_MS = 300
# Index, model load, the serial lane, a search, a preview and two thumbnail drains can all run at once.
POOL_THREADS = 8


@dataclass(frozen=True)
class IndexOutcome:
    """How an index run ended: ran to the end or not, the core's summary, files skipped, photos now."""

    completed: bool
    summary: dict[str, Any]
    skipped: int
    photos: int


def _open_library(data_dir: str | None, device: str) -> Any:
    # Imported here, off the GUI thread: the core may pull in numpy, hnswlib and torch.
    from photosearch.core.library import Library

    return Library(data_dir=data_dir, device=device)


def _load_text_tower(library: Any) -> None:
    # The NumPy text tower loads in milliseconds, before torch: text searches can start at once.
    if hasattr(library, "text_encoder"):
        library.text_encoder()


def _load_model(library: Any) -> str:
    library.ensure_model()
    return str(library.device_name or "")


def _state(library: Any, with_folders: bool = True) -> tuple[list[Any] | None, int]:
    return (list(library.folder_stats()) if with_folders else None), int(library.photo_count())


def _index_outcome(library: Any, completed: bool) -> IndexOutcome:
    summary = dict(getattr(library, "last_index_summary", None) or {})
    skipped = summary.get("skipped")
    count = len(skipped) if isinstance(skipped, list) else len(library.skipped_files())
    return IndexOutcome(completed, summary, count, int(library.photo_count()))


class LibraryBridge(QObject):
    """Owns the worker pool and (when it opened it) the Library; runs each call off the GUI thread."""

    library_opened = Signal(object)
    library_failed = Signal(str)
    text_ready = Signal()  # text queries can be answered (the full model may still be loading)
    model_ready = Signal(str)  # the device the model runs on
    model_failed = Signal(str)
    explain_available = Signal(bool)
    folders_changed = Signal(object)  # list of core FolderStats
    photos_changed = Signal(int)
    refreshed = Signal()  # after folders_changed and photos_changed of one refresh
    folder_added = Signal(str)
    folder_removed = Signal(str)
    watching_changed = Signal(bool)
    disk_changed = Signal()  # the watcher saw files change: once per burst
    _watcher_noticed = Signal()  # from the watcher's thread, queued to this one
    index_started = Signal()
    index_progress = Signal(object)
    index_finished = Signal(object)  # IndexOutcome
    index_failed = Signal(str)
    search_done = Signal(object)  # SearchOutcome (`cancelled`: stopped for a newer request, no results)
    search_failed = Signal(object, str)  # SearchOutcome without results, the reason
    search_progress = Signal(int, int, int)  # generation, photos re-ranked so far, photos to re-rank
    error = Signal(str, str)  # title, message: something the user asked for failed (a warning box)
    status_message = Signal(str)  # a background failure worth a line in the status bar

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._library: Any = None
        self._owns_library = False
        self._closed = False
        self._watching = False
        self._workers: set[Any] = set()
        self._lane: deque[tuple[Callable[[Any], Any], Callable[[Any], None], Callable[[str], None]]] = deque()
        self._lane_busy = False
        self._index_worker: GeneratorWorker | None = None
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(POOL_THREADS)
        self._burst = QTimer(self)
        self._burst.setSingleShot(True)
        self._burst.setInterval(CHANGE_COALESCE_MS)
        self._burst.timeout.connect(self.disk_changed)
        self._watcher_noticed.connect(self._burst.start)

    # the library itself

    @property
    def library(self) -> Any:
        """The Library (None until one is open); for reading attributes, not for calling it."""
        return self._library

    @property
    def closed(self) -> bool:
        return self._closed

    def open(self, data_dir: str | None, device: str) -> None:
        """Open (and own) the Library for `data_dir` in the background: `library_opened` or `library_failed`."""
        self.call(partial(_open_library, data_dir, device), self._on_opened, self.library_failed.emit, needs=False)

    def _on_opened(self, library: Any) -> None:
        if self._closed:
            library.close()
            return
        self._owns_library = True
        self.attach(library)

    def attach(self, library: Any) -> None:
        """Use `library`: emits `library_opened`, then its folders and photo count, then loads the model."""
        self._library = library
        self.library_opened.emit(library)
        self.refresh()
        self._serial(lambda _lib: None, lambda _r: self._load_model(), self.model_failed.emit)

    def _load_model(self) -> None:
        def loaded_text(_result: Any) -> None:
            self.text_ready.emit()
            self.call(_load_model, self._on_model_loaded, self.model_failed.emit)

        self.call(_load_text_tower, loaded_text, self.model_failed.emit)

    def _on_model_loaded(self, device: str) -> None:
        self.model_ready.emit(device)
        if hasattr(self._library, "explain_available"):  # whether "Why this photo?" can work (reads ADAPT weights)
            self.call(lambda lib: bool(lib.explain_available()), self.explain_available.emit,
                      lambda message: self.status_message.emit(f"Cannot tell whether focal points work: {message}"))

    # running calls

    def call(self, fn: Callable[[Any], Any], on_done: Callable[[Any], None] | None = None,
             on_failed: Callable[[str], None] | None = None, *, needs: bool = True) -> None:
        """Run fn(library) in the pool; `on_done` gets its result and `on_failed` its error, in the GUI thread."""
        if self._closed:
            return
        worker = CallWorker(partial(fn, self._library) if needs else fn)
        self._start(worker, on_done, on_failed)

    def _start(self, worker: Any, on_done: Any, on_failed: Any, on_progress: Any = None) -> None:
        self._workers.add(worker)
        signals = worker.signals
        signals.finished.connect(lambda _r, w=worker: self._workers.discard(w))
        signals.failed.connect(lambda _m, w=worker: self._workers.discard(w))
        if on_done is not None:
            signals.finished.connect(on_done)
        signals.failed.connect(on_failed if on_failed is not None else self._log_failure)
        if on_progress is not None:
            signals.progress.connect(on_progress)
        self.pool.start(worker)

    def _log_failure(self, message: str) -> None:
        log.warning("background call failed: %s", message)

    def _serial(self, fn: Callable[[Any], Any], on_done: Callable[[Any], None],
                on_failed: Callable[[str], None]) -> None:
        """Queue fn(library) behind the other folder and watching calls."""
        if self._closed or self._library is None:
            return
        self._lane.append((fn, on_done, on_failed))
        self._next_in_lane()

    def _next_in_lane(self) -> None:
        if self._lane_busy or not self._lane or self._closed:
            return
        fn, on_done, on_failed = self._lane.popleft()
        self._lane_busy = True

        def done(result: Any) -> None:
            self._lane_busy = False
            if not self._closed:
                on_done(result)
            self._next_in_lane()

        def failed(message: str) -> None:
            self._lane_busy = False
            if not self._closed:
                on_failed(message)
            self._next_in_lane()

        self.call(fn, done, failed)

    # folders, photo count and watching

    def refresh(self) -> None:
        """Fetch the folders (with counts and online state) and the photo count: `folders_changed`, `photos_changed`."""
        if self._lane and self._lane[-1][0] == _state:
            return  # one is waiting already, behind everything queued so far
        self._serial(_state, self._on_state, self._on_state_failed)

    def refresh_count(self) -> None:
        """Fetch only the photo count (cheap enough for once a second while indexing)."""
        self.call(partial(_state, with_folders=False), self._on_state, self._on_state_failed)

    def _on_state(self, state: tuple[list[Any] | None, int]) -> None:
        folders, photos = state
        if folders is not None:
            self.folders_changed.emit(folders)
        self.photos_changed.emit(photos)
        if folders is not None:
            self.refreshed.emit()

    def _on_state_failed(self, message: str) -> None:
        self.status_message.emit(f"Cannot read the library's folders and photo count: {message}")

    def add_folder(self, path: str) -> None:
        """Add `path`: `folder_added` with its normalised path, or `error`; the folders are refreshed after."""
        self._serial(lambda lib: lib.add_folder(path), self._on_added,
                     lambda message: self.error.emit("Cannot add this folder", f"{path}\n\n{message}"))
        self.refresh()

    def _on_added(self, folder: Any) -> None:
        self.folder_added.emit(str(folder))

    def remove_folder(self, path: str) -> None:
        """Forget `path` (the photos on disk stay): `folder_removed`, or `error`; the folders are refreshed after."""
        self._serial(lambda lib: lib.remove_folder(path), lambda _r: self.folder_removed.emit(path),
                     lambda message: self.error.emit("Cannot remove this folder", f"{path}\n\n{message}"))
        self.refresh()

    @property
    def watching(self) -> bool:
        return self._watching

    def watch(self) -> None:
        """Follow changes under the folders (`disk_changed` for each burst); `watching_changed(True)` once it does."""
        if self._watching:
            return
        self._watching = True  # asked for; a failure sets it back
        self._serial(lambda lib: lib.watch(on_change=self._notify), self._on_watching, self._on_watch_failed)
        self.refresh()  # the folders show as watched

    def _on_watching(self, _result: Any) -> None:
        self.watching_changed.emit(True)

    def _on_watch_failed(self, message: str) -> None:
        self._watching = False
        self.watching_changed.emit(False)
        self.status_message.emit(f"Not following folder changes: {message}")

    def _notify(self, *_args: Any, **_kwargs: Any) -> None:
        """The watcher's callback, in its own thread: a queued signal carries it to the GUI thread."""
        try:
            self._watcher_noticed.emit()
        except RuntimeError:
            pass  # the bridge is already gone; the watcher is being stopped

    def skipped_files(self, on_done: Callable[[list[Any]], None]) -> None:
        self.call(lambda lib: list(lib.skipped_files()), on_done,
                  lambda message: self.error.emit("Cannot list skipped files", message))

    def thumbnail(self, path: str, size: int) -> Any:
        """The core's thumbnail file for `path`; called by the thumbnail drains, which run in this pool."""
        library = self._library
        return None if library is None else library.thumbnail(path, size)

    # indexing

    @property
    def indexing(self) -> bool:
        return self._index_worker is not None

    def start_index(self) -> bool:
        """Start bringing the index up to date; False when a run is going already (or no library)."""
        if self._index_worker is not None or self._library is None or self._closed:
            return False
        library = self._library
        worker = GeneratorWorker(lambda cancel: library.index(cancel=cancel))
        self._index_worker = worker
        self._start(worker, self._on_index_done, self._on_index_failed, self.index_progress.emit)
        self.index_started.emit()
        return True

    def pause_index(self, paused: bool) -> None:
        if self._index_worker is not None:
            (self._index_worker.pause if paused else self._index_worker.resume)()

    def cancel_index(self) -> None:
        if self._index_worker is not None:
            self._index_worker.cancel()

    def _on_index_done(self, completed: bool) -> None:
        self.call(partial(_index_outcome, completed=completed), self._on_index_outcome, self._on_index_failed)

    def _on_index_outcome(self, outcome: IndexOutcome) -> None:
        self._index_worker = None
        if not self._closed:
            self.photos_changed.emit(outcome.photos)
            self.index_finished.emit(outcome)

    def _on_index_failed(self, message: str) -> None:
        self._index_worker = None
        if not self._closed:
            self.index_failed.emit(message)

    # searching

    def search(self, request: SearchRequest, k: int, rerank: int, generation: int) -> threading.Event:
        """Run one search: `search_done(outcome)` or `search_failed(outcome, reason)`, `search_progress` while
        re-ranking. Setting the returned event cancels a re-ranking between two photos."""
        cancel = threading.Event()

        def progress(done: int, total: int) -> None:  # in the worker's thread: queued to the GUI thread
            try:
                self.search_progress.emit(generation, done, total)
            except RuntimeError:
                pass  # the bridge is already gone

        self.call(partial(run_search, request=request, k=k, rerank=rerank, generation=generation, progress=progress,
                          cancel=cancel), self.search_done.emit,
                  lambda message: self.search_failed.emit(SearchOutcome(generation, request, []), message))
        return cancel

    # the end

    def close(self, timeout_ms: int = 30_000) -> None:
        """Cancel indexing, stop watching, wait for the pool, and close the library if this bridge opened it."""
        if self._closed:
            return
        self._closed = True
        self._burst.stop()
        self._lane.clear()
        if self._index_worker is not None:
            self._index_worker.cancel()
        library = self._library
        if self._watching and library is not None:
            try:
                library.stop_watching()  # at exit; the window is going away, so waiting here freezes nothing
            except Exception:
                log.exception("stopping the watcher failed")
            self._watching = False
        if not self.pool.waitForDone(timeout_ms):
            log.warning("background work did not finish within %d ms", timeout_ms)
        if self._owns_library and library is not None:
            try:
                library.close()
            except Exception:
                log.exception("closing the library failed")
