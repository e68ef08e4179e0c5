"""The main window: search field, results grid, preview, indexing strip and status bar, wired to one Library."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QElapsedTimer, QEvent, QModelIndex, QObject, QPoint, Qt, QThreadPool, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from photosearch.gui import wording
from photosearch.gui.app_icon import app_icon
from photosearch.gui.folders_dialog import FoldersDialog
from photosearch.gui.glyphs import glyph
from photosearch.gui.index_panel import IndexPanel
from photosearch.gui.preview_pane import PreviewPane
from photosearch.gui.results_grid import ResultsModel, ResultsView, ThumbnailDelegate
from photosearch.gui.settings_dialog import SettingsDialog
from photosearch.gui.skipped_dialog import SkippedFilesDialog
from photosearch.gui.thumbnails import ThumbnailLoader
from photosearch.gui.welcome_page import WelcomePage, suggested_pictures_folder
from photosearch.gui.workers import CallWorker, GeneratorWorker

log = logging.getLogger(__name__)

TITLE = "PhotoSearch"
# Long enough to skip the keystrokes of a word being typed, short enough to feel live.
SEARCH_DEBOUNCE_MS = 150
# Watcher notices arrive in bursts (a folder copied in); one refresh per burst.
CHANGE_COALESCE_MS = 300
# The photo count in the status bar is a database query: at most this often while indexing.
COUNT_REFRESH_MS = 1000
READY_PLACEHOLDER = "Search your photos in any language…  (Ctrl+F)"
EXAMPLES = ("For example: a dog on the beach, Sonnenuntergang am Meer, 雪の中の家. "
            "Drop a photo here to find similar ones.")
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".webp", ".tif", ".tiff", ".bmp", ".gif",
                            ".heic", ".heif", ".hif", ".avif"})


@dataclass(frozen=True)
class SearchRequest:
    """A text query, or a photo to find similar ones to (then `image` is its path)."""

    text: str = ""
    image: str | None = None

    @property
    def empty(self) -> bool:
        return not self.text.strip() and not self.image

    def describe(self) -> str:
        return f"photos like {os.path.basename(self.image)}" if self.image else f"“{self.text.strip()}”"


@dataclass
class SearchOutcome:
    generation: int
    request: SearchRequest
    results: list[Any] = field(default_factory=list)
    seconds: float = 0.0


class _WatcherBridge(QObject):
    """Carries the watcher's callback (a background thread) into the GUI thread as a queued signal."""

    changed = Signal()

    def notify(self, *_args: Any, **_kwargs: Any) -> None:
        try:
            self.changed.emit()
        except RuntimeError:
            # The window is already gone; the watcher is being stopped.
            pass


def _timed_search(library: Any, request: SearchRequest, k: int, generation: int, rerank: int = 0) -> SearchOutcome:
    start = time.perf_counter()
    if request.image:
        results = library.search_image(request.image, k)
    elif rerank:
        results = library.search(request.text.strip(), k, rerank=rerank)
    else:
        results = library.search(request.text.strip(), k)
    return SearchOutcome(generation, request, list(results), time.perf_counter() - start)


def _open_library(data_dir: str | None, device: str) -> Any:
    # Imported here, off the GUI thread: the core may pull in numpy, hnswlib and torch.
    from photosearch.core.library import Library

    return Library(data_dir=data_dir, device=device)


class MainWindow(QMainWindow):
    """Owns the widgets and the background work; all Library calls that can be slow run in its thread pool."""

    library_ready = Signal()
    model_ready = Signal()
    search_finished = Signal(object)
    indexing_finished = Signal(bool)
    library_changed = Signal()

    def __init__(
        self,
        library: Any = None,
        settings: Any = None,
        config_dir: str | Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        from photosearch.core.settings import Settings

        self.settings = settings if settings is not None else Settings()
        self._config_dir = config_dir
        self.library: Any = None
        self._owns_library = False
        self._closing = False
        self._model_state = "waiting"
        self._model_error = ""
        self._device = ""
        self._watching = False
        self._index_worker: GeneratorWorker | None = None
        self._index_again = False
        self._index_wanted = False
        self._workers: set[Any] = set()
        self._generation = 0
        self._shown_generation = 0
        self._search_running = False
        self._queued_search: tuple[int, SearchRequest] | None = None
        self._request = SearchRequest()
        self._image_query: str | None = None
        self._folders_dialog: FoldersDialog | None = None

        self._pool = QThreadPool(self)
        # Index, model load, a search and a preview can all be running at once; thumbnails have their own pool.
        self._pool.setMaxThreadCount(4)
        self._bridge = _WatcherBridge(self)
        self._bridge.changed.connect(self._on_watcher_change)

        self.setObjectName("mainWindow")
        self.setWindowTitle(TITLE)
        self.setWindowIcon(app_icon())
        self.setAccessibleName(TITLE)
        self.setAcceptDrops(True)
        self.resize(1180, 760)

        self._build_actions()
        self._build_toolbar()
        self._build_central()
        self._build_status_bar()

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self._on_search_timer)
        self._change_timer = QTimer(self)
        self._change_timer.setSingleShot(True)
        self._change_timer.setInterval(CHANGE_COALESCE_MS)
        self._change_timer.timeout.connect(self._apply_library_change)
        self._count_clock = QElapsedTimer()

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

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Main toolbar", self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setAccessibleName("Main toolbar")
        toolbar.setMovable(False)
        toolbar.setFloatable(False)
        toolbar.toggleViewAction().setEnabled(False)
        toolbar.setContextMenuPolicy(Qt.ContextMenuPolicy.PreventContextMenu)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.setStyleSheet("QToolBar#mainToolbar { spacing: 6px; padding: 6px 8px; }")

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
        search_now = self.search_field.addAction(glyph("search", use_theme=False),
                                                 QLineEdit.ActionPosition.LeadingPosition)
        search_now.setToolTip("Search now (Enter)")
        search_now.triggered.connect(lambda: self._request_search(SearchRequest(text=self.search_field.text())))
        self.search_field.setAcceptDrops(False)
        self.search_field.textChanged.connect(self._on_text_changed)
        self.search_field.installEventFilter(self)
        toolbar.addWidget(self.search_field)
        self._name_inner_buttons(toolbar)
        toolbar.addSeparator()

        self.add_folder_button = QToolButton()
        self.add_folder_button.setObjectName("addFolderButton")
        self.add_folder_button.setDefaultAction(self.add_folder_action)
        self.add_folder_button.setAccessibleName("Add a folder")
        self.add_folder_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.add_folder_button.setAutoRaise(True)
        toolbar.addWidget(self.add_folder_button)
        for action, name, accessible in (
            (self.folders_action, "foldersButton", "Manage folders"),
            (self.preview_action, "previewButton", "Show preview"),
            (self.settings_action, "settingsButton", "Settings"),
        ):
            toolbar.addAction(action)
            button = toolbar.widgetForAction(action)
            button.setObjectName(name)
            button.setAccessibleName(accessible)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        self.toolbar = toolbar

    def _name_inner_buttons(self, toolbar: QToolBar) -> None:
        """Qt's own little buttons (in the search field, the toolbar's overflow) get names for screen readers too."""
        for button in self.search_field.findChildren(QToolButton):
            action = button.defaultAction()
            clears = action is not None and action.objectName() == "_q_qlineeditclearaction"
            button.setAccessibleName("Clear search" if clears else "Search now")
            button.setToolTip("Clear the search (Esc)" if clears else "Search now (Enter)")
        extension = toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
        if extension is not None:
            extension.setAccessibleName("More tools")
            extension.setToolTip("More tools")

    def _build_central(self) -> None:
        self.thumbnails = ThumbnailLoader(None, int(self.settings.thumbnail_size), parent=self)
        self.results_model = ResultsModel(self.thumbnails, self)
        self.results_view = ResultsView()
        self.results_view.setObjectName("resultsView")
        self.results_view.setAccessibleName("Search results")
        self.results_view.setToolTip("")  # each photo has its own tooltip; the grid itself needs none
        self.results_view.setWhatsThis("Photos matching the search, best first. Enter opens the selected photo.")
        self.results_view.setModel(self.results_model)
        self.delegate = ThumbnailDelegate(int(self.settings.thumbnail_size), self.results_view)
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

        self.preview = PreviewPane(self._pool)
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
        self.index_panel.pause_toggled.connect(self._on_pause_toggled)
        self.index_panel.cancel_requested.connect(self.cancel_indexing)
        self.index_panel.skipped_requested.connect(self.show_skipped_files)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.index_panel)
        self.setCentralWidget(central)

    def _build_status_bar(self) -> None:
        self.status_label = QLabel()
        self.status_label.setObjectName("statusLabel")
        self.status_label.setAccessibleName("Library status")
        self.status_label.setToolTip("Photos in the library, the device the model runs on, and the model's state")
        self.statusBar().addPermanentWidget(self.status_label)
        self.statusBar().setSizeGripEnabled(True)

    # ----------------------------------------------------------------------------------------- library life

    def open_library(self, data_dir: str | None = None) -> None:
        """Open (and own) the Library for `data_dir` in the background; the window is usable meanwhile."""
        worker = CallWorker(partial(_open_library, data_dir, self.settings.device))
        self._run(worker, self._on_library_opened, self._on_library_failed)

    def _on_library_opened(self, library: Any) -> None:
        if self._closing:
            library.close()
            return
        self._owns_library = True
        self.attach_library(library)

    def _on_library_failed(self, message: str) -> None:
        self.results_view.set_message("PhotoSearch could not open its library.", message)
        self._model_state = "unavailable"
        self._update_status()

    def attach_library(self, library: Any) -> None:
        """Use `library` (already open); loads the model in the background and brings the index up to date."""
        self.library = library
        self.thumbnails.set_library(library)
        self.preview.set_library(library)
        self._set_controls_enabled(True)
        self._refresh_page()
        self._update_status()
        self.library_ready.emit()
        if getattr(library, "model_ready", False):
            self._on_model_loaded(None)
        else:
            self._model_state = "loading"
            self._update_status()
            self._run(CallWorker(library.ensure_model), self._on_model_loaded, self._on_model_failed)

    def _on_model_loaded(self, _encoder: Any) -> None:
        if self._closing:
            return
        self._model_state = "ready"
        try:
            self._device = str(self.library.device_name)
        except Exception:
            self._device = ""
        self.search_field.setPlaceholderText(READY_PLACEHOLDER)
        self._update_status()
        explain_available = getattr(self.library, "explain_available", None)
        if explain_available is not None:  # whether "Why this photo?" can work (reads the ADAPT head, off-thread)
            self._run(CallWorker(explain_available), self.preview.set_explain_available, lambda _m: None)
        self.model_ready.emit()
        if self._has_folders() or self._index_wanted:
            self.start_indexing()
        else:
            self._start_watching()
        if not self._request.empty:
            self._request_search(self._request)
        else:
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
        try:
            return self.library is not None and bool(self.library.folders())
        except Exception:
            log.exception("listing folders failed")
            return False

    # ----------------------------------------------------------------------------------------- searching

    def focus_search(self) -> None:
        self.search_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_field.selectAll()

    def clear_search(self) -> None:
        """Esc: empty the field, drop results (also those still being computed), back to the field."""
        self._search_timer.stop()
        self._image_query = None
        self._generation += 1
        self._shown_generation = self._generation
        self._queued_search = None
        self._request = SearchRequest()
        self.search_field.blockSignals(True)
        self.search_field.clear()
        self.search_field.blockSignals(False)
        self.results_model.clear()
        self.preview.set_query(None)
        self._refresh_page()
        self.focus_search()

    def search_text(self, text: str) -> None:
        """Search for `text` now (as if typed and the pause had passed)."""
        self.search_field.blockSignals(True)
        self.search_field.setText(text)
        self.search_field.blockSignals(False)
        self._image_query = None
        self._search_timer.stop()
        self._request_search(SearchRequest(text=text))

    def search_by_image(self, path: str) -> None:
        """Find photos like the one at `path` (a dropped file, or 'Find similar photos')."""
        self._search_timer.stop()
        self._image_query = os.path.abspath(path)
        self.search_field.blockSignals(True)
        self.search_field.clear()
        self.search_field.blockSignals(False)
        self._request_search(SearchRequest(image=self._image_query))

    def _on_text_changed(self, text: str) -> None:
        self._image_query = None
        if not text.strip():
            self._search_timer.stop()
            self._request_search(SearchRequest())
            return
        self._search_timer.start()

    def _on_search_timer(self) -> None:
        self._request_search(SearchRequest(text=self.search_field.text()))

    def _request_search(self, request: SearchRequest) -> None:
        self._request = request
        self._generation += 1
        if request.empty:
            self._shown_generation = self._generation
            self._queued_search = None
            self.results_model.clear()
            self.preview.set_query(None)
            self._refresh_page()
            return
        if self.library is None or not self.model_is_ready:
            if self.results_model.rowCount() == 0:
                self.results_view.set_message("Loading the search model…", "Your search runs as soon as it is ready.")
            self.summary.setText(f"Waiting for the model to search for {request.describe()}")
            return
        if self._search_running:
            # One search at a time; only the newest waiting request is worth running next.
            self._queued_search = (self._generation, request)
            return
        self._launch_search(self._generation, request)

    def _launch_search(self, generation: int, request: SearchRequest) -> None:
        self._search_running = True
        k = int(self.settings.results_count)
        rerank = int(getattr(self.settings, "rerank_top", 0))
        worker = CallWorker(partial(_timed_search, self.library, request, k, generation, rerank))
        self._run(worker, self._on_search_done, partial(self._on_search_failed, generation, request))

    def _next_search(self) -> None:
        self._search_running = False
        if self._queued_search is not None and not self._closing:
            generation, request = self._queued_search
            self._queued_search = None
            self._launch_search(generation, request)

    def _on_search_done(self, outcome: SearchOutcome) -> None:
        self._next_search()
        if self._closing or outcome.generation <= self._shown_generation:
            return  # a newer search (or a clear) already answered
        self._shown_generation = outcome.generation
        self._show_outcome(outcome)
        self.search_finished.emit(outcome)

    def _on_search_failed(self, generation: int, request: SearchRequest, message: str) -> None:
        self._next_search()
        if self._closing or generation <= self._shown_generation:
            return
        self._shown_generation = generation
        self.results_model.clear()
        self.summary.setText("")
        self.results_view.set_message(f"Could not search for {request.describe()}", message)
        self.search_finished.emit(SearchOutcome(generation, request))

    def _show_outcome(self, outcome: SearchOutcome) -> None:
        self.preview.set_query(None if outcome.request.image else outcome.request.text)
        previous = self.results_view.current_path()
        self.results_model.set_results(outcome.results)
        self.pages.setCurrentIndex(0)
        strong = self.results_model.strong_count()
        weak = self.results_model.rowCount() - strong
        took = wording.duration_ms(outcome.seconds)
        subject = outcome.request.describe()
        if strong == 0 and weak == 0:
            self.summary.setText(f"No results · {took}")
            self.results_view.set_message(f"No photos match {subject}", "Try other words, or fewer of them.")
        elif strong == 0:
            weak_text = wording.count_noun(weak, "weak match", "weak matches")
            self.summary.setText(f"No close matches for {subject} · {weak_text}, shown faded · {took}")
        else:
            text = f"{wording.count_noun(strong, 'photo')} for {subject}"
            if weak:
                text += f" · {wording.count_noun(weak, 'weaker match', 'weaker matches')}, shown faded"
            self.summary.setText(f"{text} · {took}")
        row = self.results_model.row_of(previous) if previous else -1
        if row >= 0:
            self.results_view.setCurrentIndex(self.results_model.index(row))

    def _refresh_page(self) -> None:
        """Pick the welcome page or the results page, and what an empty grid says."""
        if self.library is None:
            return
        has_folders = self._has_folders()
        indexing = self._index_worker is not None
        if not has_folders and not indexing and self._request.empty:
            self.pages.setCurrentWidget(self.welcome)
            return
        self.pages.setCurrentIndex(0)
        if not self._request.empty:
            return
        self.summary.setText("")
        photos = self._photo_count()
        if self._model_state == "failed":
            self.results_view.set_message("The search model could not be loaded.", self._model_error)
        elif photos == 0 and indexing:
            self.results_view.set_message("Your photos are being indexed.",
                                          "You can search as soon as the first ones are done.")
        elif photos == 0:
            self.results_view.set_message("No photos in your folders yet.",
                                          "Add a folder with photos, or copy some into one of yours.")
        else:
            self.results_view.set_message("Type what you are looking for.", EXAMPLES)

    # ----------------------------------------------------------------------------------------- results actions

    def open_photo(self, path: str) -> None:
        """Open in the desktop's default viewer: a URL handed to the desktop, never a shell command."""
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(path)):
            self.statusBar().showMessage(f"No application could open {os.path.basename(path)}", 5000)

    def show_in_folder(self, path: str) -> None:
        if not self._reveal_with_file_manager(path):
            QDesktopServices.openUrl(QUrl.fromLocalFile(os.path.dirname(path)))

    def _reveal_with_file_manager(self, path: str) -> bool:
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

    def copy_path(self, path: str) -> None:
        QGuiApplication.clipboard().setText(path)
        self.statusBar().showMessage("Path copied", 3000)

    def _show_context_menu(self, pos: QPoint) -> None:
        index = self.results_view.indexAt(pos)
        if not index.isValid():
            return
        self.results_view.setCurrentIndex(index)
        path = self.results_model.rows()[index.row()].path
        menu = QMenu(self)
        menu.setObjectName("resultsContextMenu")
        menu.setAccessibleName("Photo actions")
        for text, tip, slot in (
            ("Open", "Open in your default viewer", self.open_photo),
            ("Show in Folder", "Open the folder that holds this photo", self.show_in_folder),
            ("Copy Path", "Copy the file's full path", self.copy_path),
            (None, None, None),
            ("Find Similar Photos", "Search for photos that look like this one", self.search_by_image),
        ):
            if text is None:
                menu.addSeparator()
                continue
            action = menu.addAction(text)
            action.setToolTip(tip)
            action.triggered.connect(partial(slot, path))
        menu.setToolTipsVisible(True)
        menu.popup(self.results_view.viewport().mapToGlobal(pos))

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self.preview.isVisible():
            rows = self.results_model.rows()
            self.preview.show_photo(rows[current.row()].path if current.isValid() and current.row() < len(rows)
                                    else None)

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
        """Add `path` to the library and start indexing it at once; False (with a message) when it cannot be."""
        if self.library is None:
            return False
        try:
            self.library.add_folder(path)
        except Exception as exc:
            self._warn("Cannot add this folder", f"{path}\n\n{exc}")
            return False
        self._refresh_folders()
        self.start_indexing()
        self._refresh_page()
        return True

    def remove_folder(self, path: str) -> None:
        if self.library is None:
            return
        try:
            self.library.remove_folder(path)
        except Exception as exc:
            self._warn("Cannot remove this folder", f"{path}\n\n{exc}")
            return
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
        self._refresh_folders()
        self._folders_dialog.show()
        self._folders_dialog.raise_()
        self._folders_dialog.activateWindow()

    def _refresh_folders(self) -> None:
        if self._folders_dialog is None or self.library is None:
            return
        try:
            stats = list(self.library.folder_stats())
        except Exception:
            log.exception("folder statistics failed")
            return
        self._folders_dialog.set_folders(stats, indexing=self._index_worker is not None)

    # ----------------------------------------------------------------------------------------- indexing

    def start_indexing(self) -> None:
        """Bring the index up to date in the background (queued behind a run already going)."""
        if self.library is None or self._closing:
            return
        if not self.model_is_ready:
            self._index_wanted = True
            return
        if self._index_worker is not None:
            self._index_again = True
            return
        self._index_wanted = False
        library = self.library
        worker = GeneratorWorker(lambda cancel: library.index(cancel=cancel))
        self._index_worker = worker
        self.index_panel.start()
        self._count_clock.start()
        self._run(worker, self._on_index_finished, self._on_index_failed, self._on_index_progress)
        self._refresh_folders()

    def cancel_indexing(self) -> None:
        self._index_again = False
        if self._index_worker is not None:
            self._index_worker.cancel()

    def pause_indexing(self, paused: bool = True) -> None:
        if self.index_panel.pause_button.isChecked() != paused:
            self.index_panel.pause_button.setChecked(paused)

    def _on_pause_toggled(self, paused: bool) -> None:
        if self._index_worker is not None:
            (self._index_worker.pause if paused else self._index_worker.resume)()

    def _on_index_progress(self, event: Any) -> None:
        if self._closing:
            return
        self.index_panel.update_progress(event)
        if self._count_clock.elapsed() > COUNT_REFRESH_MS:
            self._count_clock.restart()
            self._update_status()

    def _on_index_finished(self, completed: bool) -> None:
        self._index_worker = None
        if self._closing:
            return
        summary = getattr(self.library, "last_index_summary", None) or {}
        skipped = self._skipped_count(summary)
        if completed:
            self.index_panel.finish(self._summary_text(summary), skipped)
        else:
            self.index_panel.finish("Indexing cancelled. Photos indexed so far are searchable.", skipped,
                                    cancelled=True)
        self._after_indexing(completed)

    def _on_index_failed(self, message: str) -> None:
        self._index_worker = None
        if self._closing:
            return
        self.index_panel.fail(message)
        self._after_indexing(False)

    def _after_indexing(self, completed: bool) -> None:
        self._update_status()
        self._refresh_folders()
        self._refresh_page()
        if not self._request.empty:
            self._request_search(self._request)
        self.indexing_finished.emit(completed)
        if self._index_again:
            self._index_again = False
            self.start_indexing()
        else:
            self._start_watching()

    def _summary_text(self, summary: dict[str, Any]) -> str:
        photos = summary.get("photos", self._photo_count())
        parts = [f"Up to date: {wording.count_noun(int(photos or 0), 'photo')}"]
        for key, label in (("added", "new"), ("updated", "changed"), ("moved", "moved"), ("removed", "removed")):
            value = int(summary.get(key) or 0)
            if value:
                parts.append(f"{value:,} {label}")
        seconds = summary.get("seconds")
        if isinstance(seconds, int | float) and seconds >= 1:
            parts.append(f"took {wording.time_left(seconds).removeprefix('about ')}")
        return " · ".join(parts)

    def _skipped_count(self, summary: dict[str, Any]) -> int:
        skipped = summary.get("skipped")
        if isinstance(skipped, list):
            return len(skipped)
        try:
            return len(self.library.skipped_files())
        except Exception:
            return 0

    def show_skipped_files(self) -> None:
        try:
            skipped = list(self.library.skipped_files()) if self.library is not None else []
        except Exception as exc:
            self._warn("Cannot list skipped files", str(exc))
            return
        dialog = SkippedFilesDialog(skipped, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    # ----------------------------------------------------------------------------------------- watching

    def _start_watching(self) -> None:
        if self._watching or self.library is None or self._closing or not self._has_folders():
            return
        try:
            self.library.watch(on_change=self._bridge.notify)
        except Exception as exc:
            log.exception("watching failed")
            self.statusBar().showMessage(f"Not following folder changes: {exc}", 8000)
            return
        self._watching = True
        self._refresh_folders()

    def _on_watcher_change(self) -> None:
        if not self._closing:
            self._change_timer.start()

    def _apply_library_change(self) -> None:
        """Files changed on disk (or a folder went): refresh counts, folders, thumbnails and the current search."""
        if self._closing or self.library is None:
            return
        self.thumbnails.refresh_all()
        self._update_status()
        self._refresh_folders()
        if self._request.empty:
            self._refresh_page()
        else:
            self._request_search(self._request)
        self.library_changed.emit()

    # ----------------------------------------------------------------------------------------- settings

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
        except Exception as exc:
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
                or getattr(settings, "rerank_top", 0) != getattr(old, "rerank_top", 0)) and not self._request.empty:
            self._request_search(self._request)
        if settings.device != old.device:
            self.statusBar().showMessage("The new device is used the next time PhotoSearch starts", 8000)
        return True

    # ----------------------------------------------------------------------------------------- status

    def _photo_count(self) -> int:
        if self.library is None:
            return 0
        try:
            return int(self.library.photo_count())
        except Exception:
            log.exception("counting photos failed")
            return 0

    def _update_status(self) -> None:
        parts = []
        if self.library is not None:
            parts.append(wording.count_noun(self._photo_count(), "photo"))
        state = self._model_state
        if state == "ready":
            if self._device:
                parts.append(self._device)
            parts.append("Model ready")
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
                self._search_timer.stop()
                self._request_search(SearchRequest(text=self.search_field.text()))
                return True
        return super().eventFilter(watched, event)

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
        if os.path.isdir(path):
            self.add_folder(path)
        else:
            self.search_by_image(path)

    def _dropped_path(self, event: Any) -> str | None:
        """The local photo file or folder being dragged in, or None for anything else."""
        if self.library is None:
            return None
        mime = event.mimeData()
        if not mime.hasUrls():
            return None
        for url in mime.urls():
            if not url.isLocalFile():
                continue
            path = url.toLocalFile()
            if os.path.isdir(path):
                return path
            if os.path.isfile(path) and Path(path).suffix.lower() in IMAGE_SUFFIXES:
                return path
        return None

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        """Stop indexing, watching and every worker, then close the library if this window opened it."""
        if self._closing:
            return
        self._closing = True
        self._search_timer.stop()
        self._change_timer.stop()
        self._queued_search = None
        if self._index_worker is not None:
            self._index_worker.cancel()
        if self._watching and self.library is not None:
            try:
                self.library.stop_watching()
            except Exception:
                log.exception("stopping the watcher failed")
            self._watching = False
        self.thumbnails.shutdown(timeout_ms)
        if not self._pool.waitForDone(timeout_ms):
            log.warning("background work did not finish within %d ms", timeout_ms)
        if self._owns_library and self.library is not None:
            try:
                self.library.close()
            except Exception:
                log.exception("closing the library failed")

    # ----------------------------------------------------------------------------------------- plumbing

    def _run(self, worker: Any, on_finished: Any, on_failed: Any, on_progress: Any = None) -> None:
        """Start `worker` in the window's pool, keeping it alive until it reports."""
        self._workers.add(worker)
        signals = worker.signals
        signals.finished.connect(on_finished)
        signals.failed.connect(on_failed)
        if on_progress is not None:
            signals.progress.connect(on_progress)
        signals.finished.connect(lambda _result, w=worker: self._workers.discard(w))
        signals.failed.connect(lambda _message, w=worker: self._workers.discard(w))
        self._pool.start(worker)
