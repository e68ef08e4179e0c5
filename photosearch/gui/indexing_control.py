"""Indexing control: when a run starts (after the model, queued behind a run going), and what the strip shows."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QElapsedTimer, QObject, Qt, Signal

from photosearch.gui import wording
from photosearch.gui.index_panel import IndexPanel
from photosearch.gui.library_bridge import IndexOutcome, LibraryBridge
from photosearch.gui.skipped_dialog import SkippedFilesDialog

# The photo count in the status bar is a database query: at most this often while indexing.
COUNT_REFRESH_MS = 1000


def summary_text(summary: dict[str, Any], photos: int) -> str:
    """'Up to date: 1,204 photos · 12 new · took 3 minutes' from the core's summary of a run."""
    photos = summary.get("photos", photos)
    parts = [f"Up to date: {wording.count_noun(int(photos or 0), 'photo')}"]
    for key, label in (("added", "new"), ("updated", "changed"), ("moved", "moved"), ("removed", "removed")):
        value = int(summary.get(key) or 0)
        if value:
            parts.append(f"{value:,} {label}")
    seconds = summary.get("seconds")
    if isinstance(seconds, int | float) and seconds >= 1:
        parts.append(f"took {wording.time_left(seconds).removeprefix('about ')}")
    return " · ".join(parts)


class IndexingControl(QObject):
    """Starts, pauses and cancels index runs through the bridge and keeps the indexing strip up to date."""

    running_changed = Signal(bool)
    finished = Signal(bool)  # True: ran to the end; False: cancelled or failed

    def __init__(self, bridge: LibraryBridge, panel: IndexPanel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._panel = panel
        self._ready = False
        self._wanted = False
        self._again = False
        self._photos = 0
        self._count_clock = QElapsedTimer()
        panel.pause_toggled.connect(bridge.pause_index)
        panel.cancel_requested.connect(self.cancel)
        panel.skipped_requested.connect(self.show_skipped_files)
        bridge.index_started.connect(self._on_started)
        bridge.index_progress.connect(self._on_progress)
        bridge.index_finished.connect(self._on_finished)
        bridge.index_failed.connect(self._on_failed)
        bridge.photos_changed.connect(self._on_photos)

    @property
    def running(self) -> bool:
        return self._bridge.indexing

    @property
    def wanted(self) -> bool:
        """A run was asked for before the model was ready."""
        return self._wanted

    def set_ready(self, ready: bool) -> None:
        self._ready = ready

    def start(self) -> None:
        """Bring the index up to date in the background (queued behind a run already going)."""
        if self._bridge.closed or self._bridge.library is None:
            return
        if not self._ready:
            self._wanted = True
            return
        if self._bridge.indexing:
            self._again = True
            return
        self._wanted = False
        self._bridge.start_index()

    def cancel(self) -> None:
        self._again = False
        self._bridge.cancel_index()

    def restart_if_asked(self) -> bool:
        """After a run: start the one asked for meanwhile; False when none was."""
        if not self._again:
            return False
        self._again = False
        self.start()
        return True

    def show_skipped_files(self) -> None:
        """The files that could not be read, with the reason for each, in a dialog over the window."""
        self._bridge.skipped_files(self._show_skipped)

    def _show_skipped(self, skipped: list[Any]) -> None:
        dialog = SkippedFilesDialog(skipped, self._panel.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _on_photos(self, count: int) -> None:
        self._photos = count

    def _on_started(self) -> None:
        self._panel.start()
        self._count_clock.start()
        self.running_changed.emit(True)

    def _on_progress(self, event: Any) -> None:
        self._panel.update_progress(event)
        if self._count_clock.elapsed() > COUNT_REFRESH_MS:
            self._count_clock.restart()
            self._bridge.refresh_count()

    def _on_finished(self, outcome: IndexOutcome) -> None:
        if outcome.completed:
            self._panel.finish(summary_text(outcome.summary, outcome.photos), outcome.skipped)
        else:
            self._panel.finish("Indexing cancelled. Photos indexed so far are searchable.", outcome.skipped,
                               cancelled=True)
        self.running_changed.emit(False)
        self.finished.emit(outcome.completed)

    def _on_failed(self, message: str) -> None:
        self._panel.fail(message)
        self.running_changed.emit(False)
        self.finished.emit(False)
