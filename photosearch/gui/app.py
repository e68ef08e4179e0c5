"""Starting the desktop app: the QApplication, the main window, and the library opened behind it."""

from __future__ import annotations

import sys
from pathlib import Path


def run(data_dir: str | None = None, config_dir: str | Path | None = None) -> int:
    """Open the PhotoSearch window on the library in `data_dir` (default: the user's) and run until it closes."""
    from PySide6.QtWidgets import QApplication

    from photosearch.core.settings import load_settings
    from photosearch.gui.app_icon import app_icon
    from photosearch.gui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("PhotoSearch")
    app.setApplicationDisplayName("PhotoSearch")
    app.setDesktopFileName("photosearch")
    app.setWindowIcon(app_icon())

    window = MainWindow(settings=load_settings(config_dir), config_dir=config_dir)
    window.show()
    # The library (and then the model) opens after the first paint, so the window appears at once.
    window.open_library(data_dir)
    try:
        return int(app.exec())
    finally:
        window.shutdown()
