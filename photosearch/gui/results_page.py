"""The window's left side: the welcome page, or the results grid under its summary line and what it says when empty."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from photosearch.gui.filter_bar import FilterBar
from photosearch.gui.library_bridge import SearchOutcome, SearchRequest
from photosearch.gui.results_grid import ResultsModel, ResultsView, ThumbnailDelegate
from photosearch.gui.search_controller import SearchController, describe_outcome, describe_progress
from photosearch.gui.thumbnail_pixmaps import ThumbnailPixmaps
from photosearch.gui.welcome_page import WelcomePage

EXAMPLES = ("For example: a dog on the beach, Sonnenuntergang am Meer, 雪の中の家. "
            "Drop a photo here to find similar ones.")


class ResultsPages(QStackedWidget):
    """Page 0: summary and grid of results; page 1: the welcome page for a library without folders."""

    def __init__(self, thumbnails: ThumbnailPixmaps, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pages")
        self.filter_bar = FilterBar()  # made first: Tab goes from the search field to the filters, then the grid
        self.results_model = ResultsModel(thumbnails, self)
        self.results_view = ResultsView()
        self.results_view.setObjectName("resultsView")
        self.results_view.setAccessibleName("Search results")
        self.results_view.setToolTip("")  # each photo has its own tooltip; the grid itself needs none
        self.results_view.setWhatsThis("Photos matching the search, best first. Enter opens the selected photo.")
        self.results_view.setModel(self.results_model)
        self.delegate = ThumbnailDelegate(thumbnails.size, self.results_view)
        self.results_view.setItemDelegate(self.delegate)

        self.summary = QLabel()
        self.summary.setObjectName("resultsSummary")
        self.summary.setAccessibleName("Search summary")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setEnabled(False)
        results_page = QWidget()
        layout = QVBoxLayout(results_page)
        layout.setContentsMargins(10, 6, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.filter_bar)
        header = QHBoxLayout()
        header.setContentsMargins(4, 0, 8, 0)
        header.addWidget(self.summary, 1)
        layout.addLayout(header)
        layout.addWidget(self.results_view, 1)

        self.welcome = WelcomePage()
        self.addWidget(results_page)
        self.addWidget(self.welcome)

    def show_outcome(self, outcome: SearchOutcome) -> None:
        """The results of a search, keeping the selected photo selected when it is among them."""
        previous = self.results_view.current_path()
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

    def follow(self, searches: SearchController) -> None:
        """Searches use the filter bar's filter, and a re-ranking's progress shows in the summary line."""
        self.filter_bar.changed.connect(searches.set_filter)
        searches.progress.connect(lambda request, done, total: self.summary.setText(
            describe_progress(request, done, total)))

    def show_failure(self, outcome: SearchOutcome, message: str) -> None:
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
        self.delegate.set_thumbnail_size(size)
        self.results_view.update_grid()
        self.results_view.reset()
        self.results_view.doItemsLayout()

    def current_row(self) -> Any:
        index = self.results_view.currentIndex()
        return self.results_model.row(index.row()) if index.isValid() else None
