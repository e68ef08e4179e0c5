"""Managing the library's folders: choosing one to add, confirming a removal, and the Folders dialog."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from photosearch.gui.folders_dialog import FoldersDialog
from photosearch.gui.library_bridge import LibraryBridge
from photosearch.gui.welcome_page import suggested_pictures_folder


class FolderActions(QObject):
    """Asks the person which folder, then the bridge to add or remove it; keeps the Folders dialog current."""

    def __init__(self, window: QWidget, bridge: LibraryBridge, reindex: Callable[[], None]) -> None:
        super().__init__(window)
        self._window = window
        self._bridge = bridge
        self._reindex = reindex
        self._dialog: FoldersDialog | None = None
        self._folders: list[Any] | None = None
        self._indexing = False

    def choose_folder_to_add(self) -> None:
        start = suggested_pictures_folder() or Path.home()
        folder = QFileDialog.getExistingDirectory(self._window, "Add a Folder of Photos", str(start))
        if folder:
            self.add(folder)

    def on_welcome_add(self, path: str) -> None:
        """The welcome page's button: its suggested folder, or the folder chooser when it has none."""
        if path:
            self.add(path)
        else:
            self.choose_folder_to_add()

    def add(self, path: str) -> bool:
        """Add `path` in the background; False when no library is open. A failure shows a warning."""
        if self._bridge.library is None or self._bridge.closed:
            return False
        self._bridge.add_folder(path)
        return True

    def remove(self, path: str) -> None:
        if self._bridge.library is not None and not self._bridge.closed:
            self._bridge.remove_folder(path)

    def confirm_remove(self, path: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Question, "Remove Folder",
                          f"Remove “{path}” from the library?\n\nThe photos stay on your disk; "
                          "they just no longer show up in searches.",
                          QMessageBox.StandardButton.Cancel, self._dialog or self._window)
        remove = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: button is remove and self.remove(path))
        box.open()

    def show_dialog(self) -> None:
        """The Folders dialog, with what is known now; fresh counts follow from the bridge."""
        if self._dialog is None:
            dialog = FoldersDialog(self._window)
            dialog.add_requested.connect(self.choose_folder_to_add)
            dialog.remove_requested.connect(self.confirm_remove)
            dialog.reindex_requested.connect(self._reindex)
            self._dialog = dialog
        self._update_dialog()
        self._bridge.refresh()
        self._dialog.show()
        self._dialog.raise_()
        self._dialog.activateWindow()

    def set_folders(self, stats: list[Any]) -> None:
        self._folders = stats
        self._update_dialog()

    def set_indexing(self, indexing: bool) -> None:
        self._indexing = indexing
        self._update_dialog()

    def _update_dialog(self) -> None:
        if self._dialog is not None and self._folders is not None:
            self._dialog.set_folders(self._folders, indexing=self._indexing)
