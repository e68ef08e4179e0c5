"""The indexing strip and the results during a run, batch by batch: live results, pause, and an honest time left."""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from photosearch.core import indexer
from photosearch.core.indexer import IndexProgress
from photosearch.core.progress_rate import RateWindow
from photosearch.gui import live_results
from photosearch.gui.index_panel import IndexPanel
from photosearch.gui.library_bridge import SearchOutcome

TIMEOUT = 20_000
PHOTOS = 24
BATCH = 4


class FakeClock:
    """The indexer's pace clock: it moves only when a batch is embedded (one second each) or a test says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class GatedEncoder:
    """The tiny encoder, embedding a batch only when the test lets one through (and taking a fake second)."""

    def __init__(self, inner, clock: FakeClock) -> None:
        self._inner = inner
        self._clock = clock
        self._gate = threading.Semaphore(0)

    def let_through(self, batches: int = 1) -> None:
        self._gate.release(batches)

    def encode_arrays(self, arrays):
        if not self._gate.acquire(timeout=60):
            raise RuntimeError("the test never let this batch through")
        self._clock.now += 1.0
        return self._inner.encode_arrays(arrays)

    def __getattr__(self, name: str):
        return getattr(self._inner, name)


@dataclass
class Run:
    """A window on 24 photos indexed 4 at a time, a batch only when the test lets one through."""

    window: Any
    encoder: GatedEncoder
    clock: FakeClock
    folder: Path
    texts: list[tuple[int, str]] = field(default_factory=list)  # (photos done, the strip's text) per event

    def start(self, qtbot, batches: int) -> None:
        """Add the folder and let `batches` through; back once the strip shows them done (the run goes on)."""
        self.encoder.let_through(batches)
        qtbot.waitUntil(lambda: self.window.model_is_ready, timeout=TIMEOUT)
        assert self.window.add_folder(str(self.folder))
        done = f"{batches * BATCH} of {PHOTOS} photos"
        qtbot.waitUntil(lambda: done in self.window.index_panel.label.text(), timeout=TIMEOUT)


@pytest.fixture()
def run(tmp_path, make_library, make_window, photo_factory, tiny_encoder, monkeypatch):
    monkeypatch.setattr(indexer, "BATCH_SIZE", BATCH)
    clock = FakeClock()
    monkeypatch.setattr(indexer, "RateWindow", functools.partial(RateWindow, clock))
    for i in range(PHOTOS):
        photo_factory(f"p{i:02d}.jpg", seed=i)
    encoder = GatedEncoder(tiny_encoder, clock)
    window = make_window(make_library(encoder=encoder))
    held = Run(window, encoder, clock, tmp_path / "photos")
    shutdown = window.shutdown

    def open_the_gate_and_shut_down(*args, **kwargs):
        encoder.let_through(PHOTOS)  # a run held at the gate would keep the window from closing
        shutdown(*args, **kwargs)

    monkeypatch.setattr(window, "shutdown", open_the_gate_and_shut_down)
    # Connected after the window's own slots: it reads the strip as each event left it.
    window.bridge.index_progress.connect(
        lambda event: held.texts.append((event.done, window.index_panel.label.text()))
        if event.phase == "embedding" else None)
    return held


def test_a_search_made_while_indexing_shows_more_results_as_batches_land(run, qtbot, monkeypatch):
    monkeypatch.setattr(live_results, "LIVE_REFRESH_MS", 100)
    window = run.window
    window.resize(1000, 520)  # a grid that scrolls; taller than the window's minimum once the preview shows a photo
    run.start(qtbot, 3)
    window.search_text("a photo")
    qtbot.waitUntil(lambda: window.results_model.rowCount() == 12, timeout=TIMEOUT)
    window.results_view.setCurrentIndex(window.results_model.index(2))
    chosen = window.results_view.current_path()
    assert chosen and window.preview.current_path() == chosen
    qtbot.waitUntil(lambda: not window.preview.image().isNull(), timeout=TIMEOUT)  # the splitter settles with it
    bar = window.results_view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=TIMEOUT)
    bar.setValue(bar.maximum())  # the selected photo scrolled out of sight at the top
    scrolled = bar.value()
    previews = []
    monkeypatch.setattr(window.preview, "show_photo", previews.append)

    run.encoder.let_through(2)
    qtbot.waitUntil(lambda: window.results_model.rowCount() == 20, timeout=TIMEOUT)
    assert window.bridge.indexing  # before the run ends: the last batch is still held back
    assert window.results_view.current_path() == chosen
    assert window.results_view.selectionModel().isSelected(window.results_view.currentIndex())
    assert previews == []  # the preview of the selected photo stays as it is, not blanked and loaded again
    assert bar.value() == scrolled

    with qtbot.waitSignal(window.indexing_finished, timeout=TIMEOUT):
        run.encoder.let_through(1)
    qtbot.waitUntil(lambda: window.results_model.rowCount() == PHOTOS, timeout=TIMEOUT)
    assert window.results_view.current_path() == chosen


def test_a_new_search_still_starts_at_the_top(run, qtbot):
    window = run.window
    window.resize(640, 480)
    with qtbot.waitSignal(window.indexing_finished, timeout=TIMEOUT):
        run.start(qtbot, 1)
        run.encoder.let_through(PHOTOS)
    with qtbot.waitSignal(window.search_finished, timeout=TIMEOUT):
        window.search_text("a photo")
    bar = window.results_view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=TIMEOUT)
    bar.setValue(bar.maximum())
    with qtbot.waitSignal(window.search_finished, timeout=TIMEOUT):
        window.search_text("a house")
    assert window.results_model.rowCount() == PHOTOS and bar.value() == 0


def test_the_strip_says_estimating_until_the_pace_is_measured(run, qtbot):
    run.start(qtbot, 1)
    assert run.window.index_panel.label.text() == f"4 of {PHOTOS} photos · estimating…"
    with qtbot.waitSignal(run.window.indexing_finished, timeout=TIMEOUT):
        run.encoder.let_through(PHOTOS)
    shown = dict(run.texts)
    assert shown[0] == f"0 of {PHOTOS} photos · estimating…"  # the model starting: nothing measured
    assert shown[8] == f"8 of {PHOTOS} photos · estimating…"  # one batch after the first: still too little
    assert shown[12] == f"12 of {PHOTOS} photos · 4.0 photos/s · a few seconds left"


def test_paused_indexing_shows_the_count_without_a_rate_and_resumes_without_counting_the_pause(run, qtbot):
    panel = run.window.index_panel
    run.start(qtbot, 4)
    assert panel.label.text() == f"16 of {PHOTOS} photos · 4.0 photos/s · a few seconds left"

    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)  # while the fifth batch is being embedded
    assert panel.label.text() == f"Paused · 16 of {PHOTOS} photos"
    assert panel.pause_button.text() == "Resume"
    run.encoder.let_through(1)  # the batch under way when Pause was pressed lands
    qtbot.waitUntil(lambda: f"20 of {PHOTOS}" in panel.label.text(), timeout=TIMEOUT)
    assert panel.label.text() == f"Paused · 20 of {PHOTOS} photos"
    run.clock.now += 600.0  # ten minutes paused

    with qtbot.waitSignal(run.window.indexing_finished, timeout=TIMEOUT):
        run.encoder.let_through(1)
        qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
        assert panel.label.text() == f"20 of {PHOTOS} photos · 4.0 photos/s · a few seconds left"
    assert dict(run.texts)[PHOTOS] == f"{PHOTOS} of {PHOTOS} photos · 4.0 photos/s"  # not 24 photos in 10 min


def test_live_searches_never_run_beside_one_going_and_only_the_newest_waits(run, qtbot, monkeypatch):
    monkeypatch.setattr(live_results, "LIVE_REFRESH_MS", 0)
    window = run.window
    asked = []
    monkeypatch.setattr(window.bridge, "search", lambda *args: asked.append(args))  # answered by hand below
    run.start(qtbot, 1)
    window.search_text("a photo")
    assert len(asked) == 1 and window.searches.running
    for done in (8, 12):
        run.encoder.let_through(1)
        qtbot.waitUntil(lambda done=done: f"{done} of {PHOTOS}" in window.index_panel.label.text(), timeout=TIMEOUT)
        qtbot.wait(50)  # time for a live search to be asked
    assert len(asked) == 1  # one search at a time

    request, _k, _rerank, generation = asked[0]
    window.bridge.search_done.emit(SearchOutcome(generation, request, []))
    assert len(asked) == 2 and asked[1][0] == request  # the newest of the live searches that waited, only
    window.bridge.search_done.emit(SearchOutcome(asked[1][3], request, []))
    assert len(asked) == 2
    with qtbot.waitSignal(window.indexing_finished, timeout=TIMEOUT):
        run.encoder.let_through(PHOTOS)


def test_a_run_waiting_for_another_program_says_so_rather_than_0_of_0_photos(qtbot):
    panel = IndexPanel()
    qtbot.addWidget(panel)
    panel.start()
    panel.update_progress(IndexProgress(0, 0, "pid 123: photosearch index", "waiting"))
    assert panel.label.text() == ("Waiting for another program to finish updating this library "
                                  "(pid 123: photosearch index)…")
    panel.update_progress(IndexProgress(0, 448, "", "embedding"))
    assert panel.label.text() == "0 of 448 photos · estimating…"
