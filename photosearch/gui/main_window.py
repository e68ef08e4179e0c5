"""The main window: search field, results grid, preview, indexing strip and status bar, wired to the bridge."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from photosearch.gui import desktop, wording
from photosearch.gui.app_icon import app_icon
from photosearch.gui.folders_dialog import FoldersDialog
from photosearch.gui.glyphs import glyph
from photosearch.gui.index_panel import IndexPanel
from photosearch.gui.indexing_control import IndexingControl
from photosearch.gui.library_bridge import LibraryBridge, SearchOutcome, SearchRequest
from photosearch.gui.preview_pane import PreviewPane
from photosearch.gui.results_grid import ResultsModel, ResultsView, ThumbnailDelegate
from photosearch.gui.search_controller import SearchController, describe_outcome
from photosearch.gui.settings_dialog import SettingsDialog
from photosearch.gui.skipped_dialog import SkippedFilesDialog
from photosearch.gui.thumbnail_pixmaps import ThumbnailPixmaps
from photosearch.gui.toolbar import MainToolbar
from photosearch.gui.welcome_page import WelcomePage, suggested_pictures_folder

log = logging.getLogger(__name__)

TITLE = "PhotoSearch"
# Watcher notices arrive in bursts (a folder copied in); one refresh per burst.
CHANGE_COALESCE_MS = 300
READY_PLACEHOLDER = "Search your photos in any language…  (Ctrl+F)"
EXAMPLES = ("For example: a dog on the beach, Sonnenuntergang am Meer, 雪の中の家. "
            "Drop a photo here to find similar ones.")


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
        self._config_dir = config_dir
        self._closing = False
        self._model_state = "waiting"
        self._model_error = ""
        self._device = ""
        self._folders: list[Any] | None = None  # the bridge's last answer; None until the first
        self._photos = 0
        self._change_pending = False
        self._folders_dialog: FoldersDialog | None = None
        self.bridge = LibraryBridge(self)

        self.setObjectName("mainWindow")
        self.setWindowTitle(TITLE)
        self.setWindowIcon(app_icon())
        self.setAccessibleName(TITLE)
        self.setAcceptDrops(True)
        self.resize(1180, 760)
        self._build_actions()
        self.toolbar = MainToolbar(self.add_folder_action, self.folders_action, self.preview_action,
                                   self.settings_action, self)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        self.search_field = self.toolbar.search_field
        self.search_field.installEventFilter(self)
        self._build_central()
        self.status_label = QLabel()
        self.status_label.setObjectName("statusLabel")
        self.status_label.setAccessibleName("Library status")
        self.status_label.setToolTip("Photos in the library, the device the model runs on, and the model's state")
        self.statusBar().addPermanentWidget(self.status_label)
        self.statusBar().setSizeGripEnabled(True)

        self.searches = SearchController(self.search_field, self.bridge, lambda: self.settings, self)
        self.toolbar.search_now.triggered.connect(self.searches.search_now)
        self.indexing = IndexingControl(self.bridge, self.index_panel, self)
        self._change_timer = QTimer(self)
        self._change_timer.setSingleShot(True)
        self._change_timer.setInterval(CHANGE_COALESCE_MS)
        self._change_timer.timeout.connect(self._apply_library_change)
        self._connect()

        self._set_controls_enabled(False)
        self.results_view.set_message("Opening your library…")
        self._update_status()
        if library is not None:
            self.attach_library(library)

    # ----------------------------------------------------------------------------------------- building

    def _action(self, text: str, tip: str, slot: Any, shortcut: Any = None, icon: str | None = None) -> QAction:
        action = QAction(text, self)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if icon:
            action.setIcon(glyph(icon))
        action.triggered.connect(slot)
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
        size = int(self.settings.thumbnail_size)
        self.thumbnails = ThumbnailPixmaps(self.bridge, size, pool=self.bridge.pool, parent=self)
        self.results_model = ResultsModel(self.thumbnails, self)
        self.results_view = ResultsView()
        self.results_view.setObjectName("resultsView")
        self.results_view.setAccessibleName("Search results")
        self.results_view.setToolTip("")  # each photo has its own tooltip; the grid itself needs none
        self.results_view.setWhatsThis("Photos matching the search, best first. Enter opens the selected photo.")
        self.results_view.setModel(self.results_model)
        self.delegate = ThumbnailDelegate(size, self.results_view)
        self.results_view.setItemDelegate(self.delegate)
        self.results_view.open_requested.connect(self.open_photo)
        self.results_view.leave_upwards.connect(self.focus_search)
        self.results_view.customContextMenuRequested.connect(self._show_context_menu)
        self.results_view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.results_model.modelReset.connect(lambda: self.preview.show_photo(None))

        self.summary = QLabel()
        self.summary.setObjectName("resultsSummary")
        self.summary.setAccessibleName("Search summary")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setEnabled(False)
        results_page = QWidget()
        results_layout = QVBoxLayout(results_page)
        results_layout.setContentsMargins(10, 6, 0, 0)
        results_layout.setSpacing(4)
        header = QHBoxLayout()
        header.setContentsMargins(4, 0, 8, 0)
        header.addWidget(self.summary, 1)
        results_layout.addLayout(header)
        results_layout.addWidget(self.results_view, 1)

        self.welcome = WelcomePage()
        self.welcome.add_folder_requested.connect(self._on_welcome_add)
        self.pages = QStackedWidget()
        self.pages.setObjectName("pages")
        self.pages.addWidget(results_page)
        self.pages.addWidget(self.welcome)

        self.preview = PreviewPane(self.bridge)
        self.preview.open_requested.connect(self.open_photo)
        self.preview.reveal_requested.connect(self.show_in_folder)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.pages)
        self.splitter.addWidget(self.preview)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setSizes([880, 300])

        self.index_panel = IndexPanel()
        self.index_panel.skipped_requested.connect(self.show_skipped_files)
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
        bridge.model_ready.connect(self._on_model_loaded)
        bridge.model_failed.connect(self._on_model_failed)
        bridge.folders_changed.connect(self._on_folders)
        bridge.photos_changed.connect(self._on_photos)
        bridge.refreshed.connect(self._on_refreshed)
        bridge.folder_added.connect(lambda _folder: self.start_indexing())
        bridge.folder_removed.connect(self._on_folder_removed)
        bridge.disk_changed.connect(self._on_disk_changed)
        bridge.error.connect(self._warn)
        bridge.status_message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.searches.answered.connect(self._show_outcome)
        self.searches.failed.connect(self._on_search_failed)
        self.searches.cleared.connect(self._on_search_cleared)
        self.searches.waiting.connect(self._on_search_waiting)
        self.indexing.running_changed.connect(lambda _running: self._show_folders_in_dialog())
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
        self._model_state = "loading"
        self._update_status()
        self.library_ready.emit()

    def _on_library_failed(self, message: str) -> None:
        self.results_view.set_message("PhotoSearch could not open its library.", message)
        self._model_state = "unavailable"
        self._update_status()

    def _on_model_loaded(self, device: str) -> None:
        if self._closing:
            return
        self._model_state = "ready"
        self._device = device
        self.search_field.setPlaceholderText(READY_PLACEHOLDER)
        self._update_status()
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
        self._model_state = "failed"
        self._model_error = message
        self.search_field.setPlaceholderText("Search is unavailable: the model could not be loaded")
        self.results_view.set_message("The search model could not be loaded.", message)
        self._update_status()

    @property
    def model_is_ready(self) -> bool:
        return self._model_state == "ready"

    def _has_folders(self) -> bool:
        return bool(self._folders)

    def _on_folders(self, stats: list[Any]) -> None:
        self._folders = stats
        self._show_folders_in_dialog()
        if stats and self.model_is_ready and not self.indexing.running:
            self._start_watching()  # e.g. a folder added while an index run was just ending

    def _on_photos(self, count: int) -> None:
        self._photos = count
        self._update_status()

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
        self.search_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_field.selectAll()

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

    def _on_search_waiting(self, request: SearchRequest) -> None:
        if self.results_model.rowCount() == 0:
            self.results_view.set_message("Loading the search model…", "Your search runs as soon as it is ready.")
        self.summary.setText(f"Waiting for the model to search for {request.describe()}")

    def _on_search_failed(self, outcome: SearchOutcome, message: str) -> None:
        if self._closing:
            return
        self.results_model.clear()
        self.summary.setText("")
        self.results_view.set_message(f"Could not search for {outcome.request.describe()}", message)
        self.search_finished.emit(outcome)

    def _show_outcome(self, outcome: SearchOutcome) -> None:
        if self._closing:
            return
        self.preview.set_query(None if outcome.request.image else outcome.request.text)
        previous = self.results_view.current_path()
        self.results_model.set_results(outcome.results)
        self.pages.setCurrentIndex(0)
        strong = self.results_model.strong_count()
        summary, message, detail = describe_outcome(outcome, strong, self.results_model.rowCount() - strong)
        self.summary.setText(summary)
        if message:
            self.results_view.set_message(message, detail)
        row = self.results_model.row_of(previous) if previous else -1
        if row >= 0:
            self.results_view.setCurrentIndex(self.results_model.index(row))
        self.search_finished.emit(outcome)

    def _refresh_page(self) -> None:
        """Pick the welcome page or the results page, and what an empty grid says."""
        if self.library is None or self._folders is None:
            return
        indexing = self.indexing.running
        if not self._has_folders() and not indexing and self.searches.request.empty:
            self.pages.setCurrentWidget(self.welcome)
            return
        self.pages.setCurrentIndex(0)
        if not self.searches.request.empty:
            return
        self.summary.setText("")
        if self._model_state == "failed":
            self.results_view.set_message("The search model could not be loaded.", self._model_error)
        elif self._photos == 0 and indexing:
            self.results_view.set_message("Your photos are being indexed.",
                                          "You can search as soon as the first ones are done.")
        elif self._photos == 0:
            self.results_view.set_message("No photos in your folders yet.",
                                          "Add a folder with photos, or copy some into one of yours.")
        else:
            self.results_view.set_message("Type what you are looking for.", EXAMPLES)

    # ----------------------------------------------------------------------------------------- results actions

    def open_photo(self, path: str) -> None:
        """Open in the desktop's default viewer."""
        if not desktop.open_photo(path):
            self._cannot_open(path)

    def _cannot_open(self, path: str) -> None:
        self.statusBar().showMessage(f"No application could open {Path(path).name}", 5000)

    def show_in_folder(self, path: str) -> None:
        desktop.show_in_folder(path)

    def copy_path(self, path: str) -> None:
        desktop.copy_path(path)
        self.statusBar().showMessage("Path copied", 3000)

    def _show_context_menu(self, pos: QPoint) -> None:
        index = self.results_view.indexAt(pos)
        row = self.results_model.row(index.row()) if index.isValid() else None
        if row is None:
            return
        self.results_view.setCurrentIndex(index)
        menu = desktop.photo_menu(self, row.path, self.search_by_image,
                                  lambda: self.statusBar().showMessage("Path copied", 3000), self._cannot_open)
        menu.popup(self.results_view.viewport().mapToGlobal(pos))

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self.preview.isVisible():
            row = self.results_model.row(current.row()) if current.isValid() else None
            self.preview.show_photo(None if row is None else row.path)

    def _toggle_preview(self, checked: bool) -> None:
        self.preview.setVisible(checked)
        if checked:
            self.preview.show_photo(self.results_view.current_path())

    # ----------------------------------------------------------------------------------------- folders

    def choose_folder_to_add(self) -> None:
        start = suggested_pictures_folder() or Path.home()
        folder = QFileDialog.getExistingDirectory(self, "Add a Folder of Photos", str(start))
        if folder:
            self.add_folder(folder)

    def _on_welcome_add(self, path: str) -> None:
        if path:
            self.add_folder(path)
        else:
            self.choose_folder_to_add()

    def add_folder(self, path: str) -> bool:
        """Add `path` in the background and index it; False when no library is open. A failure shows a warning."""
        if self.library is None or self._closing:
            return False
        self.bridge.add_folder(path)
        return True

    def remove_folder(self, path: str) -> None:
        """Forget `path` in the background (the photos on disk stay); `library_changed` once the window shows it."""
        if self.library is not None and not self._closing:
            self.bridge.remove_folder(path)

    def _on_folder_removed(self, path: str) -> None:
        self.statusBar().showMessage(f"Removed {path} from the library; the photos on disk were not touched", 6000)
        self._apply_library_change()

    def _confirm_remove(self, path: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Question, "Remove Folder",
                          f"Remove “{path}” from the library?\n\nThe photos stay on your disk; "
                          "they just no longer show up in searches.",
                          QMessageBox.StandardButton.Cancel, self._folders_dialog or self)
        remove = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: button is remove and self.remove_folder(path))
        box.open()

    def show_folders(self) -> None:
        if self._folders_dialog is None:
            dialog = FoldersDialog(self)
            dialog.add_requested.connect(self.choose_folder_to_add)
            dialog.remove_requested.connect(self._confirm_remove)
            dialog.reindex_requested.connect(self.start_indexing)
            self._folders_dialog = dialog
        self._show_folders_in_dialog()
        self.bridge.refresh()
        self._folders_dialog.show()
        self._folders_dialog.raise_()
        self._folders_dialog.activateWindow()

    def _show_folders_in_dialog(self) -> None:
        if self._folders_dialog is not None and self._folders is not None:
            self._folders_dialog.set_folders(self._folders, indexing=self.indexing.running)

    # ----------------------------------------------------------------------------------------- indexing, watching

    def start_indexing(self) -> None:
        """Bring the index up to date in the background (queued behind a run already going)."""
        if not self._closing:
            self.indexing.start()

    def _after_indexing(self, completed: bool) -> None:
        if self._closing:
            return
        self.bridge.refresh()
        self._refresh_page()
        if not self.searches.request.empty:
            self.searches.repeat()
        self.indexing_finished.emit(completed)
        if not self.indexing.restart_if_asked():
            self._start_watching()

    def show_skipped_files(self) -> None:
        self.bridge.skipped_files(self._show_skipped)

    def _show_skipped(self, skipped: list[Any]) -> None:
        dialog = SkippedFilesDialog(skipped, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _start_watching(self) -> None:
        if not self._closing and self._has_folders():
            self.bridge.watch()

    def _on_disk_changed(self) -> None:
        if not self._closing:
            self._change_timer.start()

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
        dialog = SettingsDialog(self.settings, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.apply_settings(dialog.settings()))
        dialog.open()

    def apply_settings(self, settings: Any) -> bool:
        """Save `settings` and apply what can change while running; False (with a message) if saving failed."""
        from photosearch.core.settings import save_settings

        old = self.settings
        try:
            save_settings(settings, self._config_dir)
        except OSError as exc:
            log.warning("cannot save settings: %s", exc)
            self._warn("Cannot save settings", str(exc))
            return False
        self.settings = settings
        if settings.thumbnail_size != old.thumbnail_size:
            self.thumbnails.set_size(int(settings.thumbnail_size))
            self.delegate.set_thumbnail_size(int(settings.thumbnail_size))
            self.results_view.update_grid()
            self.results_view.reset()
            self.results_view.doItemsLayout()
        if (settings.results_count != old.results_count
                or getattr(settings, "rerank_top", 0) != getattr(old, "rerank_top", 0)):
            self.searches.repeat()
        if settings.device != old.device:
            self.statusBar().showMessage("The new device is used the next time PhotoSearch starts", 8000)
        return True

    def _update_status(self) -> None:
        parts = [wording.count_noun(self._photos, "photo")] if self.library is not None else []
        state = self._model_state
        if state == "ready":
            parts += [self._device, "Model ready"] if self._device else ["Model ready"]
        elif state == "failed":
            parts.append("Model failed to load")
        elif state == "unavailable":
            parts.append("Library unavailable")
        else:
            parts.append("Loading model…")
        self.status_label.setText("  ·  ".join(parts))
        self.status_label.setAccessibleDescription(self.status_label.text())

    def _set_controls_enabled(self, enabled: bool) -> None:
        for action in (self.add_folder_action, self.folders_action):
            action.setEnabled(enabled)
        self.welcome.setEnabled(enabled)

    def _warn(self, title: str, text: str) -> None:
        # Non-blocking, so that no background signal waits behind a modal loop.
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setObjectName("warningBox")
        box.open()

    # ----------------------------------------------------------------------------------------- events

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search_field and event.type() == QEvent.Type.KeyPress:
            key = QKeyEvent(event).key() if not isinstance(event, QKeyEvent) else event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown) and self.results_model.rowCount() > 0:
                self.results_view.setFocus(Qt.FocusReason.TabFocusReason)
                if not self.results_view.currentIndex().isValid():
                    self.results_view.setCurrentIndex(self.results_model.index(0))
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.searches.search_now()
                return True
        return super().eventFilter(watched, event)

    def _dropped_path(self, event: Any) -> str | None:
        return desktop.dropped_path(event.mimeData()) if self.library is not None else None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_path(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: Any) -> None:
        if self._dropped_path(event) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = self._dropped_path(event)
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        if Path(path).is_dir():
            self.add_folder(path)
        else:
            self.search_by_image(path)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        """Stop indexing, watching and every worker, then close the library if the window opened it."""
        if self._closing:
            return
        self._closing = True
        self.searches.stop()
        self._change_timer.stop()
        self.thumbnails.shutdown(timeout_ms)
        self.bridge.close(timeout_ms)
