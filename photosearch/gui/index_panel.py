"""The indexing strip under the results: progress, rate and time left, pause/resume, cancel, skipped files."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QToolButton, QWidget

from photosearch.gui import wording

# After a clean finish the strip stays a moment so the result can be read, then gets out of the way.
LINGER_MS = 8000


class IndexPanel(QFrame):
    """Visible whenever indexing runs; shows the last run's outcome until dismissed or the linger ends."""

    pause_toggled = Signal(bool)
    cancel_requested = Signal()
    skipped_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("indexPanel")
        self.setAccessibleName("Indexing progress")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAutoFillBackground(True)

        self.progress = QProgressBar()
        self.progress.setObjectName("indexProgress")
        self.progress.setAccessibleName("Indexing progress")
        self.progress.setToolTip("How many photos have been indexed so far")
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(8)
        self.progress.setMinimumWidth(160)
        self.progress.setMaximumWidth(320)

        self.label = QLabel()
        self.label.setObjectName("indexStatus")
        self.label.setAccessibleName("Indexing status")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.pause_button = QPushButton("Pause")
        self.pause_button.setObjectName("pauseIndexButton")
        self.pause_button.setCheckable(True)
        self.pause_button.setAccessibleName("Pause indexing")
        self.pause_button.setToolTip("Pause indexing; resume it later where it stopped")
        self.pause_button.toggled.connect(self._on_pause_toggled)

        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelIndexButton")
        self.cancel_button.setAccessibleName("Cancel indexing")
        self.cancel_button.setToolTip("Stop indexing; photos indexed so far stay searchable")
        self.cancel_button.clicked.connect(self.cancel_requested)

        self.skipped_button = QPushButton()
        self.skipped_button.setObjectName("skippedFilesButton")
        self.skipped_button.setAccessibleName("Show skipped files")
        self.skipped_button.setToolTip("List the files that could not be read, with the reason for each")
        self.skipped_button.setFlat(True)
        self.skipped_button.clicked.connect(self.skipped_requested)

        self.close_button = QToolButton()
        self.close_button.setObjectName("closeIndexPanelButton")
        self.close_button.setText("×")
        self.close_button.setAutoRaise(True)
        self.close_button.setAccessibleName("Hide indexing results")
        self.close_button.setToolTip("Hide this message")
        self.close_button.clicked.connect(self.hide)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 8, 6)
        layout.setSpacing(10)
        layout.addWidget(self.progress)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.skipped_button)
        layout.addWidget(self.pause_button)
        layout.addWidget(self.cancel_button)
        layout.addWidget(self.close_button)

        self._linger = QTimer(self)
        self._linger.setSingleShot(True)
        self._linger.setInterval(LINGER_MS)
        self._linger.timeout.connect(self.hide)
        self._running = False
        self._last_event: Any = None  # the run's latest progress, shown again when Pause or Resume is pressed
        self.set_skipped(0)
        self.hide()

    @property
    def running(self) -> bool:
        return self._running

    def start(self) -> None:
        self._running = True
        self._linger.stop()
        self.progress.setRange(0, 0)  # busy until the first count arrives
        self._last_event = None
        self.pause_button.blockSignals(True)
        self.pause_button.setChecked(False)
        self.pause_button.setText("Pause")
        self.pause_button.setAccessibleName("Pause indexing")
        self.pause_button.blockSignals(False)
        self._show_progress_text()
        self.pause_button.setVisible(True)
        self.cancel_button.setVisible(True)
        self.close_button.setVisible(False)
        self.show()

    def update_progress(self, event: Any) -> None:
        done, total = int(getattr(event, "done", 0)), int(getattr(event, "total", 0))
        phase = str(getattr(event, "phase", "embedding"))
        if phase == "scanning" or total <= 0:
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
        self._last_event = event
        self._show_progress_text()
        skipped = getattr(event, "skipped", None)
        if isinstance(skipped, int):
            self.set_skipped(skipped)

    def _show_progress_text(self) -> None:
        event = self._last_event  # None: the run has only just started
        done, total = int(getattr(event, "done", 0)), int(getattr(event, "total", 0))
        phase = str(getattr(event, "phase", "embedding")) if event is not None else "scanning"
        if phase == "waiting":
            text = wording.index_waiting(str(getattr(event, "path", "")))
        elif self.pause_button.isChecked():
            # A batch that was under way when Pause was pressed still lands: its count is news, its rate is not.
            text = wording.index_paused(done, total, phase)
        else:
            text = wording.index_progress(done, total, getattr(event, "rate", None),
                                          getattr(event, "eta_seconds", None), phase)
        self.label.setText(text)
        self.progress.setAccessibleDescription(text)

    def finish(self, message: str, skipped: int, cancelled: bool = False) -> None:
        """Indexing ended; show `message`. A clean run fills the bar and the strip hides itself later."""
        self._running = False
        if not cancelled:
            maximum = max(self.progress.maximum(), 1)
            self.progress.setRange(0, maximum)
            self.progress.setValue(maximum)
        elif self.progress.maximum() == 0:
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
        self.label.setText(message)
        self.set_skipped(skipped)
        self.pause_button.setVisible(False)
        self.cancel_button.setVisible(False)
        self.close_button.setVisible(True)
        self.show()
        if skipped == 0:
            self._linger.start()

    def fail(self, message: str) -> None:
        self._running = False
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.label.setText(f"Indexing stopped: {message}")
        self.pause_button.setVisible(False)
        self.cancel_button.setVisible(False)
        self.close_button.setVisible(True)
        self.show()

    def set_skipped(self, count: int) -> None:
        self.skipped_button.setText(f"{wording.count_noun(count, 'file')} skipped…")
        self.skipped_button.setVisible(count > 0)

    def _on_pause_toggled(self, paused: bool) -> None:
        self.pause_button.setText("Resume" if paused else "Pause")
        self.pause_button.setAccessibleName("Resume indexing" if paused else "Pause indexing")
        if self._running:
            self._show_progress_text()
        self.pause_toggled.emit(paused)
