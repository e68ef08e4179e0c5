"""The Settings dialog's effect on a running window: save atomically, then apply what can change without a restart."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QWidget

from photosearch.gui.settings_dialog import SettingsDialog

log = logging.getLogger(__name__)


class SettingsActions(QObject):
    """Shows the Settings dialog and applies the accepted settings through the window's parts."""

    def __init__(self, window: Any, config_dir: str | Path | None,
                 warn: Callable[[str, str], None]) -> None:
        super().__init__(window)
        self._window = window
        self._config_dir = config_dir
        self._warn = warn

    def show_dialog(self) -> None:
        parent: QWidget = self._window
        dialog = SettingsDialog(self._window.settings, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.apply(dialog.settings()))
        dialog.open()

    def remember_thumbnail_size(self, size: int) -> None:
        """The size chosen over the grid (slider, Ctrl+wheel, Ctrl+= / Ctrl+-), saved like the dialog's."""
        if size != self._window.settings.thumbnail_size:
            self.apply(dataclasses.replace(self._window.settings, thumbnail_size=size))

    def apply(self, settings: Any) -> bool:
        """Save `settings` and apply what can change while running; False (with a message) if saving failed."""
        from photosearch.core.settings import save_settings

        window = self._window
        old = window.settings
        try:
            save_settings(settings, self._config_dir)
        except OSError as exc:
            log.warning("cannot save settings: %s", exc)
            self._warn("Cannot save settings", str(exc))
            return False
        window.settings = settings
        if settings.thumbnail_size != old.thumbnail_size:
            window.pages.set_thumbnail_size(int(settings.thumbnail_size))  # it loads the thumbnails at it
        if (settings.results_count != old.results_count
                or getattr(settings, "rerank_top", 0) != getattr(old, "rerank_top", 0)):
            window.searches.repeat()
        if settings.device != old.device:
            window.statusBar().showMessage("The new device is used the next time PhotoSearch starts", 8000)
        return True
