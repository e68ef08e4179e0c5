"""What a person can do with one photo of the results: open it elsewhere, show it in its folder, copy its path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QPoint
from PySide6.QtWidgets import QMainWindow, QMenu

from photosearch.gui import desktop
from photosearch.gui.results_page import ResultsPages


class PhotoActions(QObject):
    """Acts on the photo a person picked in the results grid; messages go to the window's status bar."""

    def __init__(self, window: QMainWindow, pages: ResultsPages, find_similar: Callable[[str], None],
                 view: Callable[[str], None]) -> None:
        super().__init__(window)
        self._window = window
        self._pages = pages
        self.find_similar = find_similar
        self._view = view

    def _say(self, text: str, ms: int) -> None:
        self._window.statusBar().showMessage(text, ms)

    def open_externally(self, path: str) -> None:
        """Open in the desktop's default viewer."""
        if not desktop.open_photo(path):
            self.cannot_open(path)

    def cannot_open(self, path: str) -> None:
        self._say(f"No application could open {Path(path).name}", 5000)

    def show_in_folder(self, path: str) -> None:
        desktop.show_in_folder(path)

    def copy_path(self, path: str) -> None:
        desktop.copy_path(path)
        self._say("Path copied", 3000)

    def show_context_menu(self, pos: QPoint) -> None:
        view, model = self._pages.results_view, self._pages.results_model
        index = view.indexAt(pos)
        row = model.row(index.row()) if index.isValid() else None
        if row is None:
            return
        view.setCurrentIndex(index)
        self.menu(row.path, self.find_similar, self._view).popup(view.viewport().mapToGlobal(pos))

    def menu(self, path: str, find_similar: Callable[[str], None], view: Callable[[str], None] | None) -> QMenu:
        """The photo's context menu (`view`: its "View" entry; None where the photo is being viewed already)."""
        return desktop.photo_menu(self._window, path, find_similar, lambda: self._say("Path copied", 3000),
                                  self.cannot_open, view)
