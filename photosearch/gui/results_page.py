"""The window's left side: the welcome page, or the results grid under its summary line and what it says when empty."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from photosearch.gui.elided_label import ElidedLabel
from photosearch.gui.filter_bar import FilterBar
from photosearch.gui.library_bridge import SearchOutcome, SearchRequest
from photosearch.gui.readable_text import make_secondary
from photosearch.gui.results_grid import ResultsModel, ResultsView, ThumbnailDelegate
from photosearch.gui.search_controller import SearchController, describe_outcome, describe_progress
from photosearch.gui.thumbnail_pixmaps import ThumbnailPixmaps, pixmap_size_for
from photosearch.gui.thumbnail_size import ThumbnailSizeSlider, clamp
from photosearch.gui.welcome_page import WelcomePage

EXAMPLES = ("For example: a dog on the beach, Sonnenuntergang am Meer, 雪の中の家. "
            "Drop a photo here to find similar ones.")


class ResultsPages(QStackedWidget):
    """Page 0: summary and grid of results; page 1: the welcome page for a library without folders.

    `thumbnail_size_chosen(size)`: the person settled on a thumbnail size with the slider, Ctrl+wheel or
    Ctrl+= / Ctrl+- (the grid shows it already; the window saves it).
    """

    thumbnail_size_chosen = Signal(int)

    def __init__(self, thumbnails: ThumbnailPixmaps, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pages")
        self.filter_bar = FilterBar()  # made first: Tab goes from the search field to the filters, then the grid
        self._thumbnails = thumbnails
        self.results_model = ResultsModel(thumbnails, self)
        self.results_view = ResultsView()
        self.results_view.setObjectName("resultsView")
        self.results_view.setAccessibleName("Search results")
        self.results_view.setToolTip("")  # each photo has its own tooltip; the grid itself needs none
        self.results_view.setWhatsThis("Photos matching the search, best first. Enter shows the selected one.")
        self.results_view.setModel(self.results_model)
        self.delegate = ThumbnailDelegate(clamp(thumbnails.size), self.results_view)
        self.results_view.setItemDelegate(self.delegate)

        self.summary = ElidedLabel()
        self.summary.setObjectName("resultsSummary")
        self.summary.setAccessibleName("Search summary")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        make_secondary(self.summary)
        self.size_slider = ThumbnailSizeSlider(thumbnails.size)
        self.size_slider.size_changed.connect(self._show_thumbnail_size)
        self.size_slider.size_chosen.connect(self.thumbnail_size_chosen)
        self.results_view.zoom_requested.connect(self.size_slider.step_by)
        self.results_view.picture_size_changed.connect(self._load_thumbnails_at)
        results_page = QWidget()
        layout = QVBoxLayout(results_page)
        layout.setContentsMargins(10, 6, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.filter_bar)
        header = QHBoxLayout()
        header.setContentsMargins(4, 0, 8, 0)
        header.addWidget(self.summary, 1)
        header.addWidget(self.size_slider)
        layout.addLayout(header)
        layout.addWidget(self.results_view, 1)

        self.welcome = WelcomePage()
        self._shown: SearchRequest | None = None  # what the grid's results answer
        self.addWidget(results_page)
        self.addWidget(self.welcome)

    def show_outcome(self, outcome: SearchOutcome) -> None:
        """The results of a search, keeping the selected photo selected when it is among them, and for the same
        request again (more photos indexed) where the grid was scrolled to; other results start at the top."""
        previous = self.results_view.current_path()
        again, self._shown = outcome.request == self._shown, outcome.request
        scrolled = self.results_view.verticalScrollBar().value()
        self.results_model.set_results(outcome.results)
        self.setCurrentIndex(0)
        strong = self.results_model.strong_count()
        summary, message, detail = describe_outcome(outcome, strong, self.results_model.rowCount() - strong)
        self.summary.setText(summary)
        if message:
            self.results_view.set_message(message, detail)
        row = self.results_model.row_of(previous) if previous else -1
        if row >= 0:
            self.results_view.setCurrentIndex(self.results_model.index(row))
        if again:
            self.results_view.doItemsLayout()  # the scroll range of the new rows, before going back
            self.results_view.verticalScrollBar().setValue(scrolled)
        elif row < 0:
            self.results_view.scrollToTop()  # a reset model keeps the old scroll offset: new results start at the top

    def follow(self, searches: SearchController) -> None:
        """Searches use the filter bar's filter, and a re-ranking's progress shows in the summary line."""
        self.filter_bar.changed.connect(searches.set_filter)
        searches.progress.connect(lambda request, done, total: self.summary.setText(
            describe_progress(request, done, total)))

    def show_failure(self, outcome: SearchOutcome, message: str) -> None:
        self._shown = None
        self.results_model.clear()
        self.summary.setText("")
        self.results_view.set_message(f"Could not search for {outcome.request.describe()}", message)

    def show_waiting(self, request: SearchRequest) -> None:
        if self.results_model.rowCount() == 0:
            self.results_view.set_message("Loading the search model…", "Your search runs as soon as it is ready.")
        self.summary.setText(f"Waiting for the model to search for {request.describe()}")

    def show_library(self, has_folders: bool, indexing: bool, photos: int, searching: bool,
                     model_error: str | None = None) -> None:
        """Pick the welcome page or the results page, and what an empty grid says (`model_error`: it failed)."""
        if not has_folders and not indexing and not searching:
            self.setCurrentWidget(self.welcome)
            return
        self.setCurrentIndex(0)
        if searching:
            return
        self.summary.setText("")
        if model_error is not None:
            self.results_view.set_message("The search model could not be loaded.", model_error)
        elif photos == 0 and indexing:
            self.results_view.set_message("Your photos are being indexed.",
                                          "You can search as soon as the first ones are done.")
        elif photos == 0:
            self.results_view.set_message("No photos in your folders yet.",
                                          "Add a folder with photos, or copy some into one of yours.")
        else:
            self.results_view.set_message("Type what you are looking for.", EXAMPLES)

    def set_thumbnail_size(self, size: int) -> None:
        """The thumbnail size from the settings: the slider shows it and the grid lays out at it."""
        self.size_slider.set_size(size)
        self._show_thumbnail_size(clamp(size))

    def _show_thumbnail_size(self, size: int) -> None:
        if size == self.delegate.thumbnail_size and self.results_view.gridSize().isValid():
            return
        self.delegate.set_thumbnail_size(size)
        self.results_view.update_grid()
        self.results_view.doItemsLayout()
        self.results_view.viewport().update()

    def _load_thumbnails_at(self, picture: int) -> None:
        self._thumbnails.set_size(pixmap_size_for(picture * self.results_view.devicePixelRatioF()))

    def current_row(self) -> Any:
        index = self.results_view.currentIndex()
        return self.results_model.row(index.row()) if index.isValid() else None
