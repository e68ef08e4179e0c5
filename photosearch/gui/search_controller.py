"""Search as you type: the pause after a keystroke, one search at a time, and only the newest answer shown."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit

from photosearch.core.filters import PhotoFilter
from photosearch.gui import wording
from photosearch.gui.filter_bar import describe_filter
from photosearch.gui.library_bridge import LibraryBridge, SearchOutcome, SearchRequest

# Long enough to skip the keystrokes of a word being typed, short enough to feel live.
SEARCH_DEBOUNCE_MS = 150


class SearchController(QObject):
    """Turns the search field's text (or a dropped photo) into searches through the bridge."""

    answered = Signal(object)  # SearchOutcome, the newest one
    failed = Signal(object, str)  # SearchOutcome without results, the reason
    cleared = Signal()  # the request is empty now: no results
    waiting = Signal(object)  # SearchRequest that runs once the model is ready
    progress = Signal(object, int, int)  # SearchRequest being re-ranked, photos done, photos to do

    def __init__(self, field: QLineEdit, bridge: LibraryBridge, settings: Callable[[], Any],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._field = field
        self._bridge = bridge
        self._settings = settings
        self._ready = False  # the full model is loaded: every request can run
        self._text_ready = False  # the text tower is loaded: a text request without ADAPT re-ranking can run
        self._pending = False  # a request is waiting for one of them
        self._generation = 0
        self._shown_generation = 0
        self._running = False
        self._running_generation = 0
        self._cancel_running: threading.Event | None = None  # set: the running re-ranking stops at the next photo
        self._queued: tuple[int, SearchRequest] | None = None
        self._request = SearchRequest()
        self._where = PhotoFilter()  # the filter bar's: every new request carries it
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._timer.timeout.connect(self.search_now)
        # A filter changed: the same pause as typing (stepping through months searches once, at the end).
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._filter_timer.timeout.connect(self._refilter)
        field.textChanged.connect(self._on_text_changed)
        bridge.search_done.connect(self._on_done)
        bridge.search_failed.connect(self._on_failed)
        bridge.search_progress.connect(self._on_progress)

    @property
    def request(self) -> SearchRequest:
        """What the results on screen answer (or will, once the search running now is done)."""
        return self._request

    @property
    def running(self) -> bool:
        return self._running

    def set_ready(self, ready: bool) -> None:
        """The model is loaded (True): a request that was waiting for it runs now."""
        self._ready = ready
        if ready and self._pending and not self._request.empty:
            self.repeat()

    def set_text_ready(self, ready: bool) -> None:
        """The text tower is loaded (True), before the image tower: text searches need nothing more."""
        self._text_ready = ready
        if ready and self._pending and self._can_run(self._request):
            self.repeat()

    def _can_run(self, request: SearchRequest) -> bool:
        if self._ready:
            return True
        rerank = int(getattr(self._settings(), "rerank_top", 0))
        return self._text_ready and not request.image and rerank <= 0

    def search_now(self) -> None:
        """Search for what the field says, without waiting for the pause (Enter)."""
        self._timer.stop()
        self._ask(SearchRequest(text=self._field.text(), where=self._where))

    def search_text(self, text: str) -> None:
        """Put `text` in the field and search for it now."""
        self._set_field("" if text is None else text)
        self.search_now()

    def search_by_image(self, path: str) -> None:
        """Find photos like the one at `path`; the field empties."""
        self._timer.stop()
        self._set_field("")
        self._ask(SearchRequest(image=os.path.abspath(path), where=self._where))

    def clear(self) -> None:
        """Empty the field and drop the results, also those still being computed."""
        self._timer.stop()
        self._set_field("")
        self._ask(SearchRequest())

    def set_filter(self, where: PhotoFilter) -> None:
        """Search within `where` from now on; what is on screen is searched again after the usual pause."""
        self._where = where
        self._filter_timer.start()

    def _refilter(self) -> None:
        if self._timer.isActive() or self._request.empty or self._request.where == self._where:
            return  # a search of the field's text is coming and carries the filter; or nothing to search again
        self._ask(replace(self._request, where=self._where))

    def repeat(self) -> None:
        """Run the current request again (the library or the settings changed)."""
        self._ask(self._request)

    def refresh(self) -> None:
        """Run the current request again for photos indexed since, unless the field is being typed in (its newer
        words run after the pause) or the request waits for the model. Never a second search beside one going."""
        if not self._request.empty and not self._timer.isActive() and not self._pending:
            self.repeat()

    def stop(self) -> None:
        self._timer.stop()
        self._filter_timer.stop()
        self._queued = None
        self._cancel()

    def _set_field(self, text: str) -> None:
        self._field.blockSignals(True)
        self._field.setText(text)
        self._field.blockSignals(False)

    def _on_text_changed(self, text: str) -> None:
        if not text.strip():
            self._timer.stop()
            self._ask(SearchRequest())
            return
        self._timer.start()

    def _ask(self, request: SearchRequest) -> None:
        self._request = request
        self._generation += 1
        self._cancel()  # a re-ranking of an older request must not hold this one up for seconds
        if request.empty:
            self._shown_generation = self._generation
            self._queued = None
            self.cleared.emit()
            return
        if not self._can_run(request):
            self._pending = True
            self.waiting.emit(request)
            return
        self._pending = False
        if self._running:
            # One search at a time; only the newest waiting request is worth running next.
            self._queued = (self._generation, request)
            return
        self._launch(self._generation, request)

    def _launch(self, generation: int, request: SearchRequest) -> None:
        self._running = True
        self._running_generation = generation
        settings = self._settings()
        self._cancel_running = self._bridge.search(request, int(settings.results_count),
                                                   int(getattr(settings, "rerank_top", 0)), generation)

    def _cancel(self) -> None:
        if self._running and self._cancel_running is not None:
            self._cancel_running.set()

    def _on_progress(self, generation: int, done: int, total: int) -> None:
        if self._running and generation == self._running_generation == self._generation:
            self.progress.emit(self._request, done, total)

    def _next(self) -> None:
        self._running = False
        self._cancel_running = None
        if self._queued is not None and not self._bridge.closed:
            generation, request = self._queued
            self._queued = None
            self._launch(generation, request)

    def _on_done(self, outcome: SearchOutcome) -> None:
        self._next()
        if outcome.cancelled or outcome.generation <= self._shown_generation:
            return  # a newer search (or a clear) already answered
        self._shown_generation = outcome.generation
        self.answered.emit(outcome)

    def _on_failed(self, outcome: SearchOutcome, message: str) -> None:
        self._next()
        if outcome.generation <= self._shown_generation:
            return
        self._shown_generation = outcome.generation
        self.failed.emit(outcome, message)


class FieldKeys(QObject):
    """The search field's keys: Enter searches at once, Down and Page Down move into the results."""

    def __init__(self, field: QLineEdit, search_now: Callable[[], None], enter_results: Callable[[], bool]) -> None:
        super().__init__(field)
        self._search_now = search_now
        self._enter_results = enter_results
        field.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown) and self._enter_results():
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._search_now()
                return True
        return super().eventFilter(watched, event)


def describe_outcome(outcome: SearchOutcome, strong: int, weak: int) -> tuple[str, str, str]:
    """The summary line over the grid, and the message (headline, detail) an empty grid shows."""
    took = wording.duration_ms(outcome.seconds)
    filtered = describe_filter(outcome.request.where)
    subject = outcome.request.describe() + (f" · {filtered}" if filtered else "")
    if strong == 0 and weak == 0:
        if filtered:
            return (f"No results · {filtered} · {took}",
                    f"No photos match {outcome.request.describe()} with these filters",
                    f"Filters: {filtered}. Try other words, or clear the filters (Alt+L).")
        return f"No results · {took}", f"No photos match {subject}", "Try other words, or fewer of them."
    if strong == 0:
        weak_text = wording.count_noun(weak, "weak match", "weak matches")
        return f"No close matches for {subject} · {weak_text}, shown faded · {took}", "", ""
    text = f"{wording.count_noun(strong, 'photo')} for {subject}"
    if weak:
        text += f" · {wording.count_noun(weak, 'weaker match', 'weaker matches')}, shown faded"
    return f"{text} · {took}", "", ""


def describe_progress(request: SearchRequest, done: int, total: int) -> str:
    """The summary line while the best results are re-ranked: 'Re-ordering the best 20 with ADAPT… 7 of 20'."""
    return f"Re-ordering the best {total} for {request.describe()} with ADAPT… {done} of {total}"
