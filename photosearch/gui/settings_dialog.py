"""The Settings dialog: device, thumbnail size, number of results and ADAPT re-ranking, on a copy of the Settings."""

from __future__ import annotations

import dataclasses
import sys
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from photosearch.gui import thumbnail_size
from photosearch.gui.readable_text import make_secondary

# The GPU choice names the backend torch uses on this platform.
GPU_DEVICE = "mps" if sys.platform == "darwin" else "cuda"
DEVICE_CHOICES = (("Automatic (GPU when there is one)", "auto"), ("CPU", "cpu"), ("GPU", GPU_DEVICE))
RERANK_CHOICES = (("Off", 0), ("Best 10 results", 10), ("Best 20 results", 20), ("Best 50 results", 50))


class SettingsDialog(QDialog):
    """`settings()` returns the edited copy once the dialog is accepted; the caller saves and applies it."""

    def __init__(self, settings: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings — PhotoSearch")
        self.setAccessibleName("Settings")
        self._original = settings

        self.device = QComboBox()
        self.device.setObjectName("deviceSetting")
        self.device.setAccessibleName("Device")
        self.device.setToolTip("Where the model runs; a GPU indexes much faster. Takes effect at the next start.")
        for label, value in DEVICE_CHOICES:
            self.device.addItem(label, value)
        current = settings.device if settings.device in ("auto", "cpu") else GPU_DEVICE
        self.device.setCurrentIndex(max(0, self.device.findData(current)))

        self.thumbnail_size = QSpinBox()
        self.thumbnail_size.setObjectName("thumbnailSizeSetting")
        self.thumbnail_size.setAccessibleName("Thumbnail size")
        self.thumbnail_size.setToolTip("How large the photos are in the results grid, at least (they grow to fill "
                                       "the width); the slider over the results sets the same size")
        self.thumbnail_size.setRange(thumbnail_size.SMALLEST, thumbnail_size.LARGEST)
        self.thumbnail_size.setSingleStep(thumbnail_size.STEP)
        self.thumbnail_size.setSuffix(" px")
        self.thumbnail_size.setValue(thumbnail_size.clamp(settings.thumbnail_size))

        self.results_count = QSpinBox()
        self.results_count.setObjectName("resultsCountSetting")
        self.results_count.setAccessibleName("Number of results")
        self.results_count.setToolTip("How many photos a search shows at most")
        self.results_count.setRange(1, 10_000)
        self.results_count.setSingleStep(50)
        self.results_count.setValue(int(settings.results_count))

        self.rerank = QComboBox()
        self.rerank.setObjectName("rerankSetting")
        self.rerank.setAccessibleName("Re-rank with ADAPT")
        self.rerank.setToolTip("Re-order the best results by looking at each photo again with the query in mind "
                               "(ADAPT). Each re-ranked photo is read and analysed again: on a CPU about 0.1 s each.")
        for label, value in RERANK_CHOICES:
            self.rerank.addItem(label, value)
        current_rerank = int(getattr(settings, "rerank_top", 0))
        if self.rerank.findData(current_rerank) < 0:  # a value set by hand in settings.json
            self.rerank.addItem(f"Best {current_rerank} results", current_rerank)
        self.rerank.setCurrentIndex(self.rerank.findData(current_rerank))

        note = QLabel("A change of device takes effect the next time PhotoSearch starts.")
        note.setObjectName("deviceNote")
        note.setWordWrap(True)
        make_secondary(note)

        form = QFormLayout()
        form.setSpacing(10)
        form.addRow("&Device:", self.device)
        form.addRow("", note)
        form.addRow("&Thumbnail size:", self.thumbnail_size)
        form.addRow("&Number of results:", self.results_count)
        form.addRow("&Re-rank with ADAPT:", self.rerank)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setToolTip("Save these settings")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setAccessibleName("Save settings")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setToolTip("Close without saving")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(14)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def settings(self) -> Any:
        return dataclasses.replace(
            self._original,
            device=self.device.currentData(),
            thumbnail_size=self.thumbnail_size.value(),
            results_count=self.results_count.value(),
            rerank_top=int(self.rerank.currentData()),
        )
