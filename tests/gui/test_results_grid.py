"""The results grid: thumbnails come from workers, only cells on screen ask for one, weak rows are marked."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QPixmap, QWheelEvent
from PySide6.QtWidgets import QApplication, QStyle

from photosearch.core.search import SearchResult
from photosearch.core.settings import load_settings
from photosearch.gui import refcount_guard
from photosearch.gui.results_grid import CELL_PADDING, WEAK_ROLE, caption_text
from photosearch.gui.settings_dialog import SettingsDialog
from photosearch.gui.thumbnail_pixmaps import ThumbnailPixmaps, file_size_for, pixmap_size_for
from photosearch.gui.thumbnail_size import STEP

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


def _fill(window, qtbot, count: int = 200) -> None:
    qtbot.waitUntil(lambda: window.model_is_ready, timeout=TIMEOUT)
    qtbot.wait(200)  # the bridge's first answers pick the page for an empty query; let them land first
    window.results_model.set_results([SearchResult(f"/nowhere/photo-{i:05}.jpg", 0.9, False) for i in range(count)])
    window.pages.setCurrentIndex(0)
    qtbot.waitUntil(lambda: window.results_view.visualRect(window.results_model.index(0)).isValid(), timeout=TIMEOUT)


def _row_gap(view) -> tuple[int, int]:
    """(columns, empty pixels right of the first row's last cell)."""
    tops = [view.visualRect(view.model().index(i)).top() for i in range(view.model().rowCount())]
    columns = tops.count(tops[0])
    last = view.visualRect(view.model().index(columns - 1))
    return columns, view.viewport().width() - last.right() - 1


@pytest.mark.parametrize("width", [700, 1180, 1531])
def test_a_whole_number_of_columns_fills_the_width(window, qtbot, width):
    _fill(window, qtbot)
    window.resize(width, 760)
    qtbot.wait(50)
    view, chosen = window.results_view, window.settings.thumbnail_size
    columns, gap = _row_gap(view)
    bar = view.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, view.verticalScrollBar())
    # Not one more cell would fit in what is left, and what is left is at most the scroll bar's room and rounding.
    assert gap <= columns + (0 if view.verticalScrollBar().isVisible() else bar) + 2
    assert window.delegate.picture_size >= chosen
    assert columns == (view.viewport().width() - 1 - (0 if view.verticalScrollBar().isVisible() else bar)) \
        // (chosen + 2 * CELL_PADDING + view.spacing())
    # The thumbnails are decoded at the size they are painted, not scaled up from the chosen one.
    assert window.thumbnails.size == pixmap_size_for(window.delegate.picture_size * view.devicePixelRatioF())


def test_the_size_slider_sits_right_of_the_summary_and_works_from_the_keyboard(window, config_dir, qtbot):
    _fill(window, qtbot)
    slider, summary = window.pages.size_slider, window.summary
    assert slider.isVisible() and slider.accessibleName() == "Thumbnail size"
    assert slider.x() > summary.x() and abs(slider.geometry().center().y() - summary.geometry().center().y()) < 12
    assert slider.focusPolicy() & Qt.FocusPolicy.TabFocus
    window.focus_search()
    for _ in range(30):  # Tab from the search field reaches the slider
        if slider.hasFocus():
            break
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert slider.hasFocus()
    columns = _row_gap(window.results_view)[0]
    qtbot.keyClick(slider, Qt.Key.Key_Right)
    assert slider.value() == 160 + STEP == window.delegate.thumbnail_size
    assert load_settings(config_dir).thumbnail_size == 160 + STEP == window.settings.thumbnail_size
    for _ in range(8):  # cells grow a step at a time until one column less fills the row
        qtbot.keyClick(slider, Qt.Key.Key_Right)
    assert _row_gap(window.results_view)[0] < columns
    assert window.delegate.picture_size >= slider.value() == window.settings.thumbnail_size


def test_ctrl_wheel_and_ctrl_plus_minus_over_the_grid_change_the_size(window, config_dir, qtbot):
    _fill(window, qtbot)
    view, slider = window.results_view, window.pages.size_slider
    columns = _row_gap(view)[0]
    centre = QPointF(view.viewport().rect().center())
    wheel = QWheelEvent(centre, view.viewport().mapToGlobal(centre), QPoint(), QPoint(0, 120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)
    QApplication.sendEvent(view.viewport(), wheel)
    assert slider.value() == 160 + STEP
    view.setFocus()
    for _ in range(4):
        qtbot.keyClick(view, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert slider.value() == 160 + 5 * STEP == window.delegate.thumbnail_size
    assert _row_gap(view)[0] < columns  # larger cells, fewer of them
    qtbot.keyClick(view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert slider.value() == 160 + 4 * STEP
    assert load_settings(config_dir).thumbnail_size == 160 + 4 * STEP
    # The Settings dialog shows the size chosen over the grid, and its own choice moves the slider.
    dialog = SettingsDialog(window.settings, window)
    qtbot.addWidget(dialog)
    assert dialog.thumbnail_size.value() == 160 + 4 * STEP
    dialog.thumbnail_size.setValue(96)
    assert window.apply_settings(dialog.settings())
    assert slider.value() == 96 == window.delegate.thumbnail_size


def test_file_names_are_cut_at_the_end(window):
    metrics = window.results_view.fontMetrics()
    name = "IMG_2019_beach_holiday_with_the_whole_family_4f9a2c7e1b.jpg"
    shown = caption_text(name, metrics, metrics.horizontalAdvance(name) // 2)
    assert shown.startswith("IMG_2019_beach") and shown.endswith("…")


def test_thumbnail_files_come_in_a_few_sizes_and_pixmaps_at_the_painted_size():
    assert [file_size_for(size) for size in (64, 128, 129, 300, 512, 2000)] == [128, 128, 256, 512, 512, 1024]
    assert [pixmap_size_for(pixels) for pixels in (10, 160, 161, 199.5)] == [32, 160, 192, 224]


def test_large_thumbnails_keep_fewer_pixmaps_in_memory():
    loader = ThumbnailPixmaps(None, 160)
    assert loader.cache_limit() == 1500
    loader.set_size(992)  # one column of 512 px thumbnails in a 1000 px wide grid
    assert loader.cache_limit() * 4 * 992 * 744 <= 260 * 1024 * 1024
    assert loader.shutdown()
