"""The main window: search field, results grid, preview, indexing strip and status bar, wired to the bridge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QMainWindow, QSplitter, QVBoxLayout, QWidget

from photosearch.gui import desktop
from photosearch.gui.app_icon import app_icon
from photosearch.gui.folder_actions import FolderActions
from photosearch.gui.index_panel import IndexPanel
from photosearch.gui.indexing_control import IndexingControl
from photosearch.gui.library_bridge import LibraryBridge, SearchOutcome
from photosearch.gui.live_results import LiveResults
from photosearch.gui.photo_actions import PhotoActions
from photosearch.gui.preview_pane import PreviewPane
from photosearch.gui.results_page import ResultsPages
from photosearch.gui.search_controller import FieldKeys, SearchController
from photosearch.gui.settings_actions import SettingsActions
from photosearch.gui.status_line import StatusLine
from photosearch.gui.thumbnail_pixmaps import ThumbnailPixmaps
from photosearch.gui.toolbar import MainToolbar, make_action
from photosearch.gui.viewer_mode import ViewerMode

TITLE = "PhotoSearch"
READY_PLACEHOLDER = "Search your photos in any language…  (Ctrl+F)"


class MainWindow(QMainWindow):
    """Owns the widgets and wires them to the LibraryBridge, which runs every Library call off the GUI thread."""

    library_ready = Signal()
    model_ready = Signal()
    search_finished = Signal(object)
    indexing_finished = Signal(bool)
    library_changed = Signal()

    def __init__(self, library: Any = None, settings: Any = None, config_dir: str | Path | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from photosearch.core.settings import Settings

        self.settings = settings if settings is not None else Settings()
        self._closing = False
        self._folders: list[Any] | None = None  # the bridge's last answer; None until the first
        self._change_pending = False
        self.bridge = LibraryBridge(self)
        self.folder_actions = FolderActions(self, self.bridge, self.start_indexing)
        self.settings_actions = SettingsActions(self, config_dir, self._warn)

        self.setObjectName("mainWindow")
        self.setWindowTitle(TITLE)
        self.setWindowIcon(app_icon())
        self.setAccessibleName(TITLE)
        self.setAcceptDrops(True)
        self._drops = desktop.DropHandler(self, lambda: self.library is not None)
        self._drops.folder_dropped.connect(self.add_folder)
        self._drops.photo_dropped.connect(self.search_by_image)
        self.resize(1180, 760)
        self._build_actions()
        self.toolbar = MainToolbar(self.add_folder_action, self.folders_action, self.preview_action,
                                   self.settings_action, self)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        self.search_field = self.toolbar.search_field
        self._build_central()
        self.status_label = StatusLine()
        self.statusBar().addPermanentWidget(self.status_label)
        self.statusBar().setSizeGripEnabled(True)

        self.searches = SearchController(self.search_field, self.bridge, lambda: self.settings, self)
        self.toolbar.search_now.triggered.connect(self.searches.search_now)
        self._field_keys = FieldKeys(self.search_field, self.searches.search_now, self._enter_results)
        self.indexing = IndexingControl(self.bridge, self.index_panel, self)
        self.live_results = LiveResults(self.bridge, self.indexing, self.searches, self)
        self.pages.follow(self.searches)
        self._connect()

        self._set_controls_enabled(False)
        self.results_view.set_message("Opening your library…")
        if library is not None:
            self.attach_library(library)

    # ----------------------------------------------------------------------------------------- building

    def _action(self, text: str, tip: str, slot: Any, shortcut: Any = None, icon: str | None = None) -> QAction:
        action = make_action(self, text, tip, slot, shortcut, icon)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.find_action = self._action("Find", "Go to the search field (Ctrl+F)", self.focus_search,
                                        QKeySequence.StandardKey.Find)
        self.add_folder_action = self._action("Add Folder…", "Add a folder of photos to the library (Ctrl+O)",
                                              self.choose_folder_to_add, "Ctrl+O", "add-folder")
        self.folders_action = self._action("Folders", "See and manage the folders in the library",
                                           self.show_folders, None, "folders")
        self.settings_action = self._action("Settings", "Device, thumbnail size and number of results (Ctrl+,)",
                                            self.show_settings, "Ctrl+,", "settings")
        self.preview_action = self._action("Preview", "Show or hide the preview of the selected photo (F3)",
                                           self._toggle_preview, "F3", "preview")
        self.preview_action.setCheckable(True)
        self.preview_action.setChecked(True)
        self.clear_action = self._action("Clear Search", "Clear the search (Esc)", self.clear_search, "Esc")
        self.quit_action = self._action("Quit", "Quit PhotoSearch (Ctrl+Q)", self.close, "Ctrl+Q")

    def _build_central(self) -> None:
        self.thumbnails = ThumbnailPixmaps(self.bridge, int(self.settings.thumbnail_size), pool=self.bridge.pool,
                                           parent=self)
        self.pages = ResultsPages(self.thumbnails)
        self.results_model, self.results_view = self.pages.results_model, self.pages.results_view
        self.delegate, self.summary, self.welcome = self.pages.delegate, self.pages.summary, self.pages.welcome
        self.results_view.open_requested.connect(self.open_photo)
        self.results_view.leave_upwards.connect(self.focus_search)
        self.photo_actions = PhotoActions(self, self.pages, self.search_by_image, self.open_photo)
        self.results_view.customContextMenuRequested.connect(self.photo_actions.show_context_menu)
        self.results_view.selectionModel().currentChanged.connect(self._on_current_changed)

        self.preview = PreviewPane(self.bridge)
        self.preview.follow_results(self.results_model)
        self.preview.open_requested.connect(self.open_photo)
        self.preview.reveal_requested.connect(self.show_in_folder)
        self.viewing = ViewerMode(self, self.pages, self.bridge, self.photo_actions, lambda: self.searches.request)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.viewing.area)
        self.splitter.addWidget(self.preview)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setSizes([880, 300])

        self.index_panel = IndexPanel()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.index_panel)
        self.setCentralWidget(central)

    def _connect(self) -> None:
        bridge = self.bridge
        bridge.library_opened.connect(self._on_library_attached)
        bridge.library_failed.connect(self._on_library_failed)
        bridge.text_ready.connect(self._on_text_ready)
        bridge.model_ready.connect(self._on_model_loaded)
        bridge.model_failed.connect(self._on_model_failed)
        bridge.folders_changed.connect(self._on_folders)
        bridge.folders_changed.connect(self.pages.filter_bar.set_folders)
        bridge.photos_changed.connect(self.status_label.set_photos)
        bridge.refreshed.connect(self._on_refreshed)
        bridge.folder_added.connect(lambda _folder: self.start_indexing())
        bridge.folder_removed.connect(self._on_folder_removed)
        bridge.disk_changed.connect(self._apply_library_change)
        bridge.error.connect(self._warn)
        bridge.status_message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.searches.answered.connect(self._show_outcome)
        self.searches.failed.connect(self._on_search_failed)
        self.searches.cleared.connect(self._on_search_cleared)
        self.searches.waiting.connect(self.pages.show_waiting)
        self.pages.thumbnail_size_chosen.connect(self.settings_actions.remember_thumbnail_size)
        self.indexing.running_changed.connect(self.folder_actions.set_indexing)
        self.welcome.add_folder_requested.connect(self.folder_actions.on_welcome_add)
        self.indexing.finished.connect(self._after_indexing)

    # ----------------------------------------------------------------------------------------- library and model

    @property
    def library(self) -> Any:
        """The Library the window shows (None until open); the window itself only calls it through `bridge`."""
        return self.bridge.library

    def open_library(self, data_dir: str | None = None) -> None:
        """Open (and own) the Library for `data_dir` in the background; the window is usable meanwhile."""
        self.bridge.open(data_dir, self.settings.device)

    def attach_library(self, library: Any) -> None:
        """Use `library` (already open); the model loads in the background, then the index is brought up to date."""
        self.bridge.attach(library)

    def _on_library_attached(self, _library: Any) -> None:
        self._set_controls_enabled(True)
        self.status_label.library_open = True
        self.status_label.set_model_state("loading")
        self.library_ready.emit()

    def _on_library_failed(self, message: str) -> None:
        self.results_view.set_message("PhotoSearch could not open its library.", message)
        self.status_label.set_model_state("unavailable")

    def _on_text_ready(self) -> None:
        if self._closing:
            return
        self.search_field.setPlaceholderText(READY_PLACEHOLDER)
        self.searches.set_text_ready(True)

    def _on_model_loaded(self, device: str) -> None:
        if self._closing:
            return
        self.status_label.set_model_state("ready", device=device)
        self.search_field.setPlaceholderText(READY_PLACEHOLDER)
        self.model_ready.emit()
        self.indexing.set_ready(True)
        if self._has_folders() or self.indexing.wanted:
            self.start_indexing()
        else:
            self._start_watching()
        self.searches.set_ready(True)
        if self.searches.request.empty:
            self._refresh_page()

    def _on_model_failed(self, message: str) -> None:
        if self._closing:
            return
        self.status_label.set_model_state("failed", error=message)
        self.search_field.setPlaceholderText("Search is unavailable: the model could not be loaded")
        self.results_view.set_message("The search model could not be loaded.", message)

    @property
    def model_is_ready(self) -> bool:
        return self.status_label.model_state == "ready"

    def _has_folders(self) -> bool:
        return bool(self._folders)

    def _on_folders(self, stats: list[Any]) -> None:
        self._folders = stats
        self.folder_actions.set_folders(stats)
        if stats and self.model_is_ready and not self.indexing.running:
            self._start_watching()  # e.g. a folder added while an index run was just ending

    def _on_refreshed(self) -> None:
        if self._closing:
            return
        if self.searches.request.empty:
            self._refresh_page()
        if self._change_pending:
            self._change_pending = False
            self.library_changed.emit()

    # ----------------------------------------------------------------------------------------- searching

    def focus_search(self) -> None:
        self.viewing.leave()
        self.search_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_field.selectAll()

    def _enter_results(self) -> bool:
        """Down from the search field: into the grid, on its first photo; False when there are no results."""
        if self.results_model.rowCount() == 0:
            return False
        self.results_view.setFocus(Qt.FocusReason.TabFocusReason)
        if not self.results_view.currentIndex().isValid():
            self.results_view.setCurrentIndex(self.results_model.index(0))
        return True

    def clear_search(self) -> None:
        """Esc: empty the field, drop results (also those still being computed), back to the field."""
        self.searches.clear()
        self.focus_search()

    def search_text(self, text: str) -> None:
        """Search for `text` now (as if typed and the pause had passed)."""
        self.searches.search_text(text)

    def search_by_image(self, path: str) -> None:
        """Find photos like the one at `path` (a dropped file, or 'Find similar photos')."""
        self.searches.search_by_image(path)

    def _on_search_cleared(self) -> None:
        self.results_model.clear()
        self.preview.set_query(None)
        self._refresh_page()

    def _on_search_failed(self, outcome: SearchOutcome, message: str) -> None:
        if not self._closing:
            self.pages.show_failure(outcome, message)
            self.search_finished.emit(outcome)

    def _show_outcome(self, outcome: SearchOutcome) -> None:
        if not self._closing:
            self.preview.set_query(None if outcome.request.image else outcome.request.text)
            self.pages.show_outcome(outcome)
            self.search_finished.emit(outcome)

    def _refresh_page(self) -> None:
        """Pick the welcome page or the results page, and what an empty grid says."""
        if self.library is not None and self._folders is not None:
            self.pages.show_library(self._has_folders(), self.indexing.running, self.status_label.photos,
                                    not self.searches.request.empty, self.status_label.failure)

    # ----------------------------------------------------------------------------------------- results actions

    def open_photo(self, path: str) -> None:
        """Show the result at `path` in the window's own viewer (Enter, a double click)."""
        self.viewing.open(path)

    def show_in_folder(self, path: str) -> None:
        self.photo_actions.show_in_folder(path)

    def copy_path(self, path: str) -> None:
        self.photo_actions.copy_path(path)

    def _on_current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.pages.current_row()
        if self.preview.isVisible() and (None if row is None else row.path) != self.preview.current_path():
            self.preview.show_photo(None if row is None else row.path)

    def _toggle_preview(self, checked: bool) -> None:
        self.preview.setVisible(checked)
        if checked:
            self.preview.show_photo(self.results_view.current_path())

    # ----------------------------------------------------------------------------------------- folders

    def choose_folder_to_add(self) -> None:
        self.folder_actions.choose_folder_to_add()

    def add_folder(self, path: str) -> bool:
        """Add `path` in the background and index it; False when no library is open. A failure shows a warning."""
        return self.folder_actions.add(path)

    def remove_folder(self, path: str) -> None:
        """Forget `path` in the background (the photos on disk stay); `library_changed` once the window shows it."""
        self.folder_actions.remove(path)

    def show_folders(self) -> None:
        self.folder_actions.show_dialog()

    def _on_folder_removed(self, path: str) -> None:
        self.statusBar().showMessage(f"Removed {path} from the library; the photos on disk were not touched", 6000)
        self._apply_library_change()

    # ----------------------------------------------------------------------------------------- indexing, watching

    def start_indexing(self) -> None:
        """Bring the index up to date in the background (queued behind a run already going)."""
        if not self._closing:
            self.indexing.start()

    def _after_indexing(self, completed: bool) -> None:
        if self._closing:
            return
        self.bridge.refresh()
        self._refresh_page()  # the search on screen is asked again by live_results
        self.indexing_finished.emit(completed)
        if not self.indexing.restart_if_asked():
            self._start_watching()

    def _start_watching(self) -> None:
        if not self._closing and self._has_folders():
            self.bridge.watch()

    def _apply_library_change(self) -> None:
        """Files changed on disk (or a folder went): refresh counts, folders, thumbnails and the current search."""
        if self._closing or self.library is None:
            return
        self.thumbnails.refresh_all()
        self._change_pending = True  # library_changed once the new counts are in
        self.bridge.refresh()
        if not self.searches.request.empty:
            self.searches.repeat()

    # ----------------------------------------------------------------------------------------- settings, status

    def show_settings(self) -> None:
        self.settings_actions.show_dialog()

    def apply_settings(self, settings: Any) -> bool:
        """Save `settings` and apply what can change while running; False (with a message) if saving failed."""
        return self.settings_actions.apply(settings)

    def _set_controls_enabled(self, enabled: bool) -> None:
        for action in (self.add_folder_action, self.folders_action):
            action.setEnabled(enabled)
        self.welcome.setEnabled(enabled)

    def _warn(self, title: str, text: str) -> None:
        desktop.warn(self, title, text)

    # ----------------------------------------------------------------------------------------- events

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        """Stop indexing, watching and every worker, then close the library if the window opened it."""
        if self._closing:
            return
        self._closing = True
        self.searches.stop()
        self.thumbnails.shutdown(timeout_ms)
        self.bridge.close(timeout_ms)
