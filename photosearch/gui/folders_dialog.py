"""The Folders dialog: the library's folders with their photo counts and watch state; add, remove, re-index."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from photosearch.gui import wording


def folder_state(stat: Any) -> str:
    """'Watched', 'Not watched' or 'Offline' (a folder on a drive that is not connected)."""
    if not getattr(stat, "online", True):
        return "Offline"
    return "Watched" if getattr(stat, "watched", False) else "Not watched"


class FoldersDialog(QDialog):
    """Lists folders; the main window does the work behind each button and calls `set_folders` afterwards."""

    add_requested = Signal()
    remove_requested = Signal(str)
    reindex_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("foldersDialog")
        self.setWindowTitle("Folders — PhotoSearch")
        self.setAccessibleName("Photo folders")
        self.resize(640, 360)

        intro = QLabel("PhotoSearch indexes the photos in these folders and their subfolders, "
                       "and follows changes while it runs.")
        intro.setWordWrap(True)

        self.table = QTreeWidget()
        self.table.setObjectName("foldersTable")
        self.table.setAccessibleName("Library folders")
        self.table.setToolTip("The folders in your library")
        self.table.setHeaderLabels(["Folder", "Photos", "Status"])
        self.table.setRootIsDecorated(False)
        self.table.setUniformRowHeights(True)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._update_buttons)

        self.add_button = QPushButton("Add Folder…")
        self.add_button.setObjectName("foldersAddButton")
        self.add_button.setAccessibleName("Add a folder")
        self.add_button.setToolTip("Add a folder of photos to the library (Ctrl+O)")
        self.add_button.clicked.connect(self.add_requested)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setObjectName("foldersRemoveButton")
        self.remove_button.setAccessibleName("Remove the selected folder")
        self.remove_button.setToolTip("Forget the selected folder; the photos on disk are not touched")
        self.remove_button.clicked.connect(self._on_remove)
        self.reindex_button = QPushButton("Re-index Now")
        self.reindex_button.setObjectName("foldersReindexButton")
        self.reindex_button.setAccessibleName("Re-index all folders")
        self.reindex_button.setToolTip("Look through every folder again for new, changed and deleted photos")
        self.reindex_button.clicked.connect(self.reindex_requested)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setToolTip("Close this dialog")
        close.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        close.rejected.connect(self.reject)

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.reindex_button)
        buttons.addStretch(1)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(12)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._update_buttons()

    def set_folders(self, stats: Sequence[Any], indexing: bool = False) -> None:
        selected = self.selected_folder()
        self.table.clear()
        for stat in stats:
            item = QTreeWidgetItem([str(stat.path), f"{int(getattr(stat, 'photos', 0)):,}", folder_state(stat)])
            item.setData(0, Qt.ItemDataRole.UserRole, str(stat.path))
            item.setToolTip(0, str(stat.path))
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.addTopLevelItem(item)
            if str(stat.path) == selected:
                item.setSelected(True)
        self.reindex_button.setEnabled(bool(stats) and not indexing)
        self.reindex_button.setText("Indexing…" if indexing else "Re-index Now")
        total = sum(int(getattr(stat, "photos", 0)) for stat in stats)
        self.table.setAccessibleDescription(
            f"{wording.count_noun(len(stats), 'folder')}, {wording.count_noun(total, 'photo')}")
        self._update_buttons()

    def selected_folder(self) -> str | None:
        items = self.table.selectedItems()
        return items[0].data(0, Qt.ItemDataRole.UserRole) if items else None

    def _on_remove(self) -> None:
        folder = self.selected_folder()
        if folder:
            self.remove_requested.emit(folder)

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(self.selected_folder() is not None)
