"""Desktop integration: opening a photo, showing it in its folder, copying its path, what may be dropped in."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from photosearch.core.scanner import IMAGE_EXTENSIONS


def warn(parent: QWidget, title: str, text: str) -> None:
    """A warning over `parent`, non-blocking, so that no background signal waits behind a modal loop."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setObjectName("warningBox")
    box.open()


def open_photo(path: str) -> bool:
    """Open in the desktop's default viewer: a URL handed to the desktop, never a shell command."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(path))


def show_in_folder(path: str) -> None:
    """The file manager on the photo's folder, with the photo selected where the desktop can do that."""
    if not reveal_with_file_manager(path):
        QDesktopServices.openUrl(QUrl.fromLocalFile(os.path.dirname(path)))


def reveal_with_file_manager(path: str) -> bool:
    """Ask a freedesktop file manager to open the folder with the file selected (Linux desktops)."""
    if not QGuiApplication.platformName().startswith(("xcb", "wayland")):
        return False
    try:
        from PySide6.QtDBus import QDBusConnection, QDBusInterface
    except ImportError:
        return False
    bus = QDBusConnection.sessionBus()
    if not bus.isConnected():
        return False
    manager = QDBusInterface("org.freedesktop.FileManager1", "/org/freedesktop/FileManager1",
                             "org.freedesktop.FileManager1", bus)
    if not manager.isValid():
        return False
    reply = manager.call("ShowItems", [QUrl.fromLocalFile(path).toString()], "")
    return not reply.errorMessage()


def copy_path(path: str) -> None:
    QGuiApplication.clipboard().setText(path)


def is_photo_name(path: str) -> bool:
    """Whether the name has a suffix the library indexes (the scanner's list, so a drop and an index agree)."""
    return Path(path).suffix.lower() in IMAGE_EXTENSIONS


def dropped_path(mime: QMimeData) -> str | None:
    """The local photo file or folder being dragged in, or None for anything else."""
    if not mime.hasUrls():
        return None
    for url in mime.urls():
        if not url.isLocalFile():
            continue
        path = url.toLocalFile()
        if os.path.isdir(path):
            return path
        if is_photo_name(path) and os.path.isfile(path):
            return path
    return None


def photo_menu(parent: QWidget, path: str, find_similar: Callable[[str], None],
               copied: Callable[[], None], failed_to_open: Callable[[str], None],
               view: Callable[[str], None] | None = None) -> QMenu:
    """The context menu for one photo: view it here (when `view` is given), open it with the system's viewer,
    show it in its folder, copy the path, find similar photos."""
    menu = QMenu(parent)
    menu.setObjectName("resultsContextMenu")
    menu.setAccessibleName("Photo actions")

    def do_open() -> None:
        if not open_photo(path):
            failed_to_open(path)

    def do_copy() -> None:
        copy_path(path)
        copied()

    entries: list[tuple[str, str, Callable[[], None]] | None] = [
        ("Open With System Viewer", "Open in your desktop's default viewer", do_open),
        ("Show in Folder", "Open the folder that holds this photo", lambda: show_in_folder(path)),
        ("Copy Path", "Copy the file's full path", do_copy),
        None,
        ("Find Similar Photos", "Search for photos that look like this one", lambda: find_similar(path)),
    ]
    if view is not None:
        entries.insert(0, ("View", "Show the photo in this window (Enter)", lambda: view(path)))
    for entry in entries:
        if entry is None:
            menu.addSeparator()
            continue
        text, tip, slot = entry
        action = menu.addAction(text)
        action.setToolTip(tip)
        action.triggered.connect(slot)
    menu.setToolTipsVisible(True)
    return menu


class DropHandler(QObject):
    """Watches a widget's drag and drop events: a dropped folder is to be added, a dropped photo searched for."""

    folder_dropped = Signal(str)
    photo_dropped = Signal(str)

    def __init__(self, widget: QWidget, enabled: Callable[[], bool]) -> None:
        super().__init__(widget)
        self._enabled = enabled
        widget.setAcceptDrops(True)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop):
            return super().eventFilter(watched, event)
        path = dropped_path(event.mimeData()) if self._enabled() else None  # type: ignore[attr-defined]
        if path is None:
            event.ignore()
            return True
        event.acceptProposedAction()  # type: ignore[attr-defined]
        if kind == QEvent.Type.Drop:
            (self.folder_dropped if os.path.isdir(path) else self.photo_dropped).emit(path)
        return True
