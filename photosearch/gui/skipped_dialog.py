"""The list of files indexing could not read, each with its reason."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from photosearch.gui import wording


class SkippedFilesDialog(QDialog):
    """Read-only: path and reason per skipped file, with a button to copy the list."""

    def __init__(self, skipped: Sequence[dict[str, Any]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("skippedFilesDialog")
        self.setWindowTitle("Skipped Files — PhotoSearch")
        self.setAccessibleName("Skipped files")
        self.resize(720, 380)
        self._skipped = list(skipped)

        intro = QLabel(
            f"{wording.count_noun(len(self._skipped), 'file')} could not be read and "
            f"{'is' if len(self._skipped) == 1 else 'are'} not searchable. Fix or remove "
            "them and they are picked up again." if self._skipped else "Every file was read.")
        intro.setWordWrap(True)

        table = QTreeWidget()
        table.setObjectName("skippedFilesTable")
        table.setAccessibleName("Skipped files and reasons")
        table.setToolTip("Files that could not be indexed")
        table.setHeaderLabels(["File", "Reason"])
        table.setRootIsDecorated(False)
        table.setUniformRowHeights(True)
        table.setAlternatingRowColors(True)
        table.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        table.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        for entry in self._skipped:
            item = QTreeWidgetItem([str(entry.get("path", "")), str(entry.get("reason", ""))])
            item.setToolTip(0, str(entry.get("path", "")))
            item.setToolTip(1, str(entry.get("reason", "")))
            table.addTopLevelItem(item)
        self.table = table

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton("Copy List")
        copy.setToolTip("Copy every path and reason to the clipboard")
        copy.setAccessibleName("Copy the list of skipped files")
        copy.setEnabled(bool(self._skipped))
        copy.clicked.connect(self._copy)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setToolTip("Close this list")
        close.setAccessibleName("Close")
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(12)
        layout.addWidget(intro)
        layout.addWidget(table, 1)
        layout.addWidget(buttons)
        table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _copy(self) -> None:
        text = "\n".join(f"{entry.get('path', '')}\t{entry.get('reason', '')}" for entry in self._skipped)
        QGuiApplication.clipboard().setText(text)
