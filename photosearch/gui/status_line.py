"""The status bar's permanent label: photos in the library, the device the model runs on, and the model's state."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from photosearch.gui import wording


class StatusLine(QLabel):
    """Remembers the model's state ("waiting", "loading", "ready", "failed", "unavailable") and the photo count."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model_state = "waiting"
        self.model_error = ""
        self.device = ""
        self.photos = 0
        self.library_open = False
        self.setObjectName("statusLabel")
        self.setAccessibleName("Library status")
        self.setToolTip("Photos in the library, the device the model runs on, and the model's state")
        self.refresh()

    def set_model_state(self, state: str, *, device: str | None = None, error: str | None = None) -> None:
        self.model_state = state
        if device is not None:
            self.device = device
        if error is not None:
            self.model_error = error
        self.refresh()

    def set_photos(self, count: int) -> None:
        self.photos = count
        self.refresh()

    @property
    def failure(self) -> str | None:
        """Why the model could not be loaded, or None while it has not failed."""
        return self.model_error if self.model_state == "failed" else None

    def refresh(self) -> None:
        photos = self.photos if self.library_open else None
        self.setText(wording.library_status(photos, self.model_state, self.device))
        self.setAccessibleDescription(self.text())
