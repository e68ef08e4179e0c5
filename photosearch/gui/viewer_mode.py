"""Viewing one photo in the window: the results area swaps the grid for the viewer and back, full screen and all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QPoint, QRect, Qt
from PySide6.QtWidgets import QAbstractItemView, QMainWindow, QSplitterHandle, QStackedWidget, QWidget

from photosearch.gui.library_bridge import LibraryBridge
from photosearch.gui.photo_actions import PhotoActions
from photosearch.gui.photo_viewer import PhotoViewer
from photosearch.gui.results_page import ResultsPages


class ViewerMode(QObject):
    """Opens the viewer on a result and leaves it, with the grid's selection on the photo viewed last.

    The grid's selection follows the viewer (so the preview pane shows the photo's details, and Esc lands on it).
    Results that are refreshed for the same search keep the viewer open; a different search, or the viewed photo
    gone from the results, goes back to the grid. Full screen hides the rest of the window (toolbar, preview...) and is
    undone, to the window's state before, when it is toggled off or the viewer is left.
    """

    def __init__(self, window: QMainWindow, pages: ResultsPages, bridge: LibraryBridge, actions: PhotoActions,
                 current_search: Callable[[], Any]) -> None:
        super().__init__(window)
        self._window = window
        self._pages = pages
        self._actions = actions
        self._current_search = current_search
        self._search: Any = None  # the request whose results were shown when the viewer opened
        self._before_full_screen: tuple[Qt.WindowState, QRect, list[QWidget]] | None = None

        self.area = QStackedWidget()
        self.area.setObjectName("resultsArea")
        self.viewer = PhotoViewer(bridge, pages.results_model)
        self.area.addWidget(pages)
        self.area.addWidget(self.viewer)
        viewer = self.viewer
        viewer.back_requested.connect(self.leave)
        viewer.current_changed.connect(self._select)
        viewer.full_screen_requested.connect(self.toggle_full_screen)
        viewer.context_menu_requested.connect(self._show_menu)
        pages.results_model.modelReset.connect(self._on_results_replaced)

    @property
    def active(self) -> bool:
        return self.area.currentWidget() is self.viewer

    @property
    def full_screen(self) -> bool:
        return self._before_full_screen is not None

    def open(self, path: str) -> bool:
        """Show the result at `path` in the viewer, with the keyboard focus on it; False when it is no result."""
        if self._pages.results_model.row_of(path) < 0:
            return False
        if not self.active:
            self._search = self._current_search()
            self.area.setCurrentWidget(self.viewer)
        self.viewer.show_path(path)
        self.viewer.canvas.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def leave(self) -> None:
        """Back to the grid, on the photo viewed last (selected and scrolled into view)."""
        if not self.active:
            return
        self._end_full_screen()
        self.viewer.release()
        self.area.setCurrentWidget(self._pages)
        view = self._pages.results_view
        view.setFocus(Qt.FocusReason.OtherFocusReason)
        if view.currentIndex().isValid():
            view.scrollTo(view.currentIndex(), QAbstractItemView.ScrollHint.EnsureVisible)

    def toggle_full_screen(self) -> None:
        if self._before_full_screen is not None:
            self._end_full_screen()
            return
        if not self.active:
            return
        shown = self._chrome()
        self._before_full_screen = (self._window.windowState(), self._window.geometry(), shown)
        for widget in shown:
            widget.hide()
        self._window.setWindowState(self._window.windowState() | Qt.WindowState.WindowFullScreen)
        self.viewer.set_full_screen(True)

    def _end_full_screen(self) -> None:
        if self._before_full_screen is None:
            return
        state, geometry, hidden = self._before_full_screen
        self._before_full_screen = None
        self._window.setWindowState(state)
        if not state & (Qt.WindowState.WindowMaximized | Qt.WindowState.WindowFullScreen):
            self._window.setGeometry(geometry)  # not every platform puts the window back where it was
        for widget in hidden:
            widget.show()
        self.viewer.set_full_screen(False)

    def _chrome(self) -> list[QWidget]:
        """What full screen hides: everything shown in the window but the viewer and the widgets holding it."""
        hidden: list[QWidget] = []
        holder: QWidget = self.area
        parent = holder.parentWidget()
        while holder is not self._window and parent is not None:
            children = parent.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
            hidden += [widget for widget in children
                       if widget is not holder and widget.isVisible() and not widget.isWindow()
                       and not isinstance(widget, QSplitterHandle)]  # a splitter shows its handles itself
            holder, parent = parent, parent.parentWidget()
        return hidden

    def _select(self, path: str) -> None:
        model, view = self._pages.results_model, self._pages.results_view
        row = model.row_of(path)
        if row >= 0:
            view.setCurrentIndex(model.index(row))

    def _on_results_replaced(self) -> None:
        if not self.active:
            return
        if self._current_search() != self._search or not self.viewer.follow_results():
            self.leave()

    def _show_menu(self, path: str, where: QPoint) -> None:
        def find_similar(photo: str) -> None:
            self.leave()  # the photos like it are a grid to look through
            self._actions.find_similar(photo)

        self._actions.menu(path, find_similar, None).popup(where)
