"""The main toolbar: the search field, then Add Folder, Folders, Preview and Settings, all named for screen readers."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLineEdit, QSizePolicy, QToolBar, QToolButton, QWidget

from photosearch.gui.glyphs import glyph


def make_action(parent: QObject, text: str, tip: str, slot: Any, shortcut: Any = None,
                icon: str | None = None) -> QAction:
    """A window action with its tooltip, status tip, window-wide shortcut and glyph."""
    action = QAction(text, parent)
    action.setToolTip(tip)
    action.setStatusTip(tip)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    if icon:
        action.setIcon(glyph(icon))
    action.triggered.connect(slot)
    return action


class MainToolbar(QToolBar):
    """Holds the search field (with its "search now" button) and the buttons for the window's main actions."""

    def __init__(self, add_folder: QAction, folders: QAction, preview: QAction, settings: QAction,
                 parent: QWidget | None = None) -> None:
        super().__init__("Main toolbar", parent)
        self.setObjectName("mainToolbar")
        self.setAccessibleName("Main toolbar")
        self.setMovable(False)
        self.setFloatable(False)
        self.toggleViewAction().setEnabled(False)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.PreventContextMenu)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setStyleSheet("QToolBar#mainToolbar { spacing: 6px; padding: 6px 8px; }")

        self.search_field = QLineEdit()
        self.search_field.setObjectName("searchField")
        self.search_field.setAccessibleName("Search photos")
        self.search_field.setToolTip(
            "Describe the photo you are looking for, in any language. "
            "Combine ideas with + and -, e.g. “beach + dog - people”. Esc clears.")
        self.search_field.setPlaceholderText("Loading model…")
        self.search_field.setClearButtonEnabled(True)
        self.search_field.setMinimumWidth(320)
        self.search_field.setMinimumHeight(32)
        self.search_field.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.search_now = self.search_field.addAction(glyph("search", use_theme=False),
                                                      QLineEdit.ActionPosition.LeadingPosition)
        self.search_now.setToolTip("Search now (Enter)")
        self.search_field.setAcceptDrops(False)
        self.addWidget(self.search_field)
        self._name_inner_buttons()
        self.addSeparator()

        self.add_folder_button = QToolButton()
        self.add_folder_button.setObjectName("addFolderButton")
        self.add_folder_button.setDefaultAction(add_folder)
        self.add_folder_button.setAccessibleName("Add a folder")
        self.add_folder_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.add_folder_button.setAutoRaise(True)
        self.addWidget(self.add_folder_button)
        for action, name, accessible in (
            (folders, "foldersButton", "Manage folders"),
            (preview, "previewButton", "Show preview"),
            (settings, "settingsButton", "Settings"),
        ):
            self.addAction(action)
            button = self.widgetForAction(action)
            button.setObjectName(name)
            button.setAccessibleName(accessible)

    def _name_inner_buttons(self) -> None:
        """Qt's own little buttons (in the search field, the toolbar's overflow) get names for screen readers too."""
        for button in self.search_field.findChildren(QToolButton):
            action = button.defaultAction()
            clears = action is not None and action.objectName() == "_q_qlineeditclearaction"
            button.setAccessibleName("Clear search" if clears else "Search now")
            button.setToolTip("Clear the search (Esc)" if clears else "Search now (Enter)")
        extension = self.findChild(QToolButton, "qt_toolbar_ext_button")
        if extension is not None:
            extension.setAccessibleName("More tools")
            extension.setToolTip("More tools")
