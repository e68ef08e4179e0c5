"""Live results while indexing: the search on screen is asked again as batches of new photos become searchable."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QElapsedTimer, QObject, QTimer

from photosearch.gui.indexing_control import IndexingControl
from photosearch.gui.library_bridge import LibraryBridge
from photosearch.gui.search_controller import SearchController

# Often enough that the grid visibly fills while photos are indexed, rarely enough that a grid being looked at
# does not reshuffle under the pointer at every batch (a batch lands every few tenths of a second on a GPU).
LIVE_REFRESH_MS = 1500


class LiveResults(QObject):
    """Repeats the current search during an index run (at most every LIVE_REFRESH_MS, only once more photos were
    indexed since the last time) and once more when the run ends."""

    def __init__(self, bridge: LibraryBridge, indexing: IndexingControl, searches: SearchController,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._searches = searches
        self._indexed = 0  # photos this run has embedded so far
        self._searched_at = 0  # ... when the search was last asked again
        self._since = QElapsedTimer()
        self._since.start()
        # Trailing, not only leading: the last batches before a lull (a slow folder, a pause) are shown too.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._refresh)
        bridge.index_started.connect(self._on_started)
        bridge.index_progress.connect(self._on_progress)
        indexing.finished.connect(self._on_finished)

    def _on_started(self) -> None:
        self._indexed = self._searched_at = 0

    def _on_progress(self, event: Any) -> None:
        if getattr(event, "phase", "") != "embedding":
            return
        self._indexed = int(getattr(event, "done", 0))
        if self._indexed > self._searched_at and not self._timer.isActive():
            self._timer.start(max(0, LIVE_REFRESH_MS - self._since.elapsed()))

    def _refresh(self) -> None:
        if self._bridge.closed or not self._bridge.indexing:
            return  # the run ended meanwhile: _on_finished asks once more
        self._searched_at = self._indexed
        self._since.restart()
        self._searches.refresh()

    def _on_finished(self, _completed: bool) -> None:
        self._timer.stop()
        if not self._bridge.closed:
            self._searches.refresh()
