"""The results grid: thumbnails come from workers, only cells on screen ask for one, weak rows are marked."""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap

from photosearch.core.search import SearchResult
from photosearch.gui import refcount_guard
from photosearch.gui.results_grid import WEAK_ROLE
from photosearch.gui.thumbnail_pixmaps import ThumbnailPixmaps

TIMEOUT = 20_000


def test_thumbnails_load_in_the_background_at_the_asked_size(library, photos, qtbot):
    loader = ThumbnailPixmaps(library, 64)
    try:
        assert loader.pixmap(str(photos[0])) is None
        with qtbot.waitSignal(loader.loaded, timeout=TIMEOUT, check_params_cb=lambda p: p == str(photos[0])):
            pass
        pixmap = loader.pixmap(str(photos[0]))
        assert pixmap is not None and max(pixmap.width(), pixmap.height()) == 64
        missing = str(photos[0].parent / "gone.jpg")
        with qtbot.waitSignal(loader.loaded, timeout=TIMEOUT, check_params_cb=lambda p: p == missing):
            assert loader.pixmap(missing) is None
        assert loader.failed(missing)
    finally:
        assert loader.shutdown()


def test_after_a_change_the_old_thumbnail_shows_until_the_new_one_is_loaded(library, photos, photo_factory, qtbot):
    path = str(photos[0])
    loader = ThumbnailPixmaps(library, 64)
    try:
        with qtbot.waitSignal(loader.loaded, timeout=TIMEOUT):
            loader.pixmap(path)
        old = loader.pixmap(path)
        assert (old.width(), old.height()) == (64, 48)
        photo_factory(photos[0].name, seed=5, size=(90, 120))  # edited in place: now portrait
        loader.refresh_all()
        with qtbot.waitSignal(loader.loaded, timeout=TIMEOUT):
            assert loader.pixmap(path) is old
        new = loader.pixmap(path)
        assert (new.width(), new.height()) == (48, 64)
    finally:
        assert loader.shutdown()


def test_a_ten_thousand_result_grid_only_asks_for_visible_thumbnails(window, qtbot):
    asked = set()
    original = window.thumbnails.pixmap

    def counting(path):
        asked.add(path)
        return original(path)

    window.thumbnails.pixmap = counting
    # Let the bridge's first answers land first: each picks the page for an empty query (the welcome page here),
    # which would hide the grid this test fills by hand.
    qtbot.waitUntil(lambda: window.model_is_ready, timeout=TIMEOUT)
    qtbot.wait(200)
    rows = [SearchResult(f"/nowhere/photo-{i:05}.jpg", 1.0 - i / 20_000, i >= 9_000) for i in range(10_000)]
    window.results_model.set_results(rows)
    window.pages.setCurrentIndex(0)
    qtbot.waitUntil(lambda: len(asked) > 0, timeout=TIMEOUT)
    window.results_view.scrollToBottom()
    window.grab()
    assert window.results_model.rowCount() == 10_000
    assert 0 < len(asked) < 300
    assert window.results_model.index(9_999).data(WEAK_ROLE) is True
    assert window.results_model.index(0).data(Qt.ItemDataRole.DisplayRole) == "photo-00000.jpg"


# Painting a grid loses some hundred thousand references to None in a few minutes under PySide6 6.12; with
# the guard None keeps more than this many, so no session can run it down to zero.
PLENTY = 1 << 58


def none_is_safe() -> bool:
    return not refcount_guard.needs_protection() or sys.getrefcount(None) > PLENTY


def test_a_cell_waiting_for_its_thumbnail_gives_a_null_pixmap_not_none(window):
    window.results_model.set_results([SearchResult("/nowhere/photo.jpg", 0.5, False)])
    pixmap = window.results_model.index(0).data(Qt.ItemDataRole.DecorationRole)
    assert isinstance(pixmap, QPixmap) and pixmap.isNull()


def test_painting_cells_cannot_run_none_out_of_references(window, qtbot):
    """PySide6 6.12 drops a reference to None on every void call (QPainter.save, setPen ...); the cell painter
    makes eight a cell, and after a few queries Python 3.11 died with "Fatal Python error: none_dealloc"."""
    rows = [SearchResult(f"/nowhere/photo-{i:05}.jpg", 1.0 - i / 1000, False) for i in range(500)]
    window.results_model.set_results(rows)
    window.pages.setCurrentIndex(0)
    for _ in range(20):
        window.results_view.viewport().grab()
    assert none_is_safe(), f"None has only {sys.getrefcount(None):,} references left"


def test_many_quick_queries_while_the_grid_paints(indexed_window, photos, qtbot):
    """The crash seen under xvfb with real photos: query after query while thumbnails arrive and cells paint."""
    window = indexed_window
    for i in range(40):
        with qtbot.waitSignal(window.search_finished, timeout=TIMEOUT):
            window.search_text(("beach", "a red house", "雪の中の家", "dog")[i % 4])
        window.grab()
        qtbot.wait(5)
    qtbot.waitUntil(lambda: all(window.thumbnails.pixmap(p) is not None for p in window.results_model.paths()),
                    timeout=TIMEOUT)
    window.grab()
    assert window.results_model.rowCount() == len(photos)
    assert none_is_safe()
