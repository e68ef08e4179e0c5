"""The in-app viewer driven through the window: open from the grid, page, zoom, full screen, back, bad photos."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QApplication, QMenu, QToolButton

from photosearch.core.search import SearchResult
from photosearch.gui import desktop
from photosearch.gui.library_bridge import SearchOutcome

TIMEOUT = 20_000
BIG = (2400, 1600)


@pytest.fixture()
def big_photo(photo_factory) -> Path:
    """A photo far larger than the window, in the photos folder before it is indexed."""
    return photo_factory("big.jpg", seed=40, size=BIG)


@pytest.fixture()
def turned_photo(tmp_path) -> Path:
    """A 300 x 200 JPEG whose EXIF orientation (6) says: turn a quarter clockwise to show it (200 x 300)."""
    path = tmp_path / "photos" / "turned.jpg"
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (300, 200), (200, 40, 40))
    exif = Image.Exif()
    exif[0x0112] = 6
    image.save(path, exif=exif)
    return path


def searched(qtbot, window, text: str = "photo") -> list[str]:
    with qtbot.waitSignal(window.search_finished, timeout=TIMEOUT):
        window.search_text(text)
    return window.results_model.paths()


def view(qtbot, window, row: int) -> None:
    """Select result `row` in the grid and press Enter there, as a person would."""
    window.activateWindow()
    window.results_view.setFocus()
    window.results_view.setCurrentIndex(window.results_model.index(row))
    qtbot.keyClick(window.results_view, Qt.Key.Key_Return)
    assert window.viewing.active


def loaded(qtbot, viewer) -> None:
    qtbot.waitUntil(lambda: viewer.canvas.has_photo() and not viewer.message(), timeout=TIMEOUT)


def key(qtbot, window, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key press where the keyboard focus is (the window's shortcuts see it first, as in the real app)."""
    qtbot.keyClick(QApplication.focusWidget() or window, key, modifier)


def test_enter_opens_the_viewer_arrows_page_and_esc_leaves_on_the_photo_viewed(indexed_window, photos, qtbot):
    window = indexed_window
    paths = searched(qtbot, window)
    view(qtbot, window, 1)
    viewer = window.viewing.viewer
    assert window.viewing.area.currentWidget() is viewer and viewer.isVisible()
    assert viewer.canvas.hasFocus()  # keys work at once
    assert viewer.accessibleName() == "Photo viewer"
    assert viewer.path() == paths[1]
    assert viewer.message() == "Loading…"  # decoded in a worker; the thumbnail (if any) stands in meanwhile
    loaded(qtbot, viewer)
    assert viewer.title() == f"{Path(paths[1]).name} · 2 of {len(photos)} · 100 %"

    key(qtbot, window, Qt.Key.Key_Right)
    assert viewer.path() == paths[2] and viewer.position() == (3, len(photos))
    assert window.results_view.currentIndex().row() == 2  # the grid's selection follows
    assert window.preview.current_path() == paths[2]
    key(qtbot, window, Qt.Key.Key_PageDown)
    assert viewer.path() == paths[3]
    for _ in range(5):
        key(qtbot, window, Qt.Key.Key_Left)
    assert viewer.path() == paths[0]  # it stops at the first photo
    key(qtbot, window, Qt.Key.Key_End)
    key(qtbot, window, Qt.Key.Key_PageUp)
    assert viewer.path() == paths[-2]

    key(qtbot, window, Qt.Key.Key_Escape)
    assert not window.viewing.active and window.pages.isVisible()
    assert window.search_field.text() == "photo" and window.results_model.paths() == paths  # Esc did not clear
    assert window.results_view.current_path() == paths[-2]
    assert window.results_view.hasFocus() or not window.isActiveWindow()
    assert window.results_view.viewport().rect().intersects(
        window.results_view.visualRect(window.results_view.currentIndex()))
    key(qtbot, window, Qt.Key.Key_Escape)  # on the grid, Esc still clears the search
    assert window.search_field.text() == "" and window.results_model.rowCount() == 0


def test_while_a_photo_loads_its_thumbnail_stands_in_fitted_to_the_viewer(indexed_window, qtbot):
    window = indexed_window
    paths = searched(qtbot, window)
    qtbot.waitUntil(lambda: window.thumbnails.pixmap(paths[0]) is not None, timeout=TIMEOUT)
    thumbnail = window.thumbnails.pixmap(paths[0])
    view(qtbot, window, 0)
    canvas = window.viewing.viewer.canvas
    assert canvas.text() == "Loading…" and canvas.pixmap().cacheKey() == thumbnail.cacheKey()
    shown = canvas.photo_rect()
    assert shown.width() > 2 * thumbnail.width() or shown.height() > 2 * thumbnail.height()
    assert shown.width() <= canvas.width() + 1 and shown.height() <= canvas.height() + 1
    loaded(qtbot, window.viewing.viewer)
    assert canvas.photo_rect().width() == 160  # the photo itself, at 100 %


def test_double_click_opens_the_viewer(indexed_window, qtbot):
    window = indexed_window
    paths = searched(qtbot, window)
    grid = window.results_view
    qtbot.waitUntil(lambda: grid.visualRect(window.results_model.index(3)).isValid(), timeout=TIMEOUT)
    cell = grid.visualRect(window.results_model.index(3)).center()
    # Qt's test double click is only the second click: the view wants the first one pressed on the same cell.
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    qtbot.mouseDClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert window.viewing.active and window.viewing.viewer.path() == paths[3]


def test_keys_zoom_and_fit_a_photo_larger_than_the_window(big_photo, indexed_window, qtbot):
    window = indexed_window
    paths = searched(qtbot, window)
    view(qtbot, window, paths.index(str(big_photo)))
    viewer = window.viewing.viewer
    canvas = viewer.canvas
    loaded(qtbot, viewer)
    fit = canvas.zoom()
    assert canvas.is_fitted() and fit < 0.5
    assert canvas.photo_rect().width() <= canvas.width() + 1 and canvas.photo_rect().height() <= canvas.height() + 1
    assert viewer.title().endswith(f"{round(fit * 100)} %")

    key(qtbot, window, Qt.Key.Key_Plus)
    assert canvas.zoom() == pytest.approx(fit * 1.25) and not canvas.is_fitted()
    key(qtbot, window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert canvas.zoom() == pytest.approx(fit * 1.25 ** 2)
    key(qtbot, window, Qt.Key.Key_Minus)
    assert canvas.zoom() == pytest.approx(fit * 1.25)
    key(qtbot, window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    key(qtbot, window, Qt.Key.Key_Minus)  # never smaller than the whole photo
    assert canvas.zoom() == pytest.approx(fit)
    key(qtbot, window, Qt.Key.Key_1)
    assert canvas.zoom() == 1.0 and viewer.title().endswith("100 %")
    assert canvas.photo_rect().width() == pytest.approx(BIG[0] / canvas.devicePixelRatioF())

    # Dragging moves the photo; the arrows still page, Up and Down move it.
    before = canvas.photo_rect().topLeft()
    middle = canvas.rect().center()
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=middle)
    qtbot.mouseMove(canvas, middle + QPoint(-60, -40))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=middle + QPoint(-60, -40))
    assert canvas.photo_rect().topLeft() == before + QPointF(-60, -40)
    key(qtbot, window, Qt.Key.Key_Down)
    assert canvas.photo_rect().top() < before.y() - 40

    key(qtbot, window, Qt.Key.Key_0)
    assert canvas.is_fitted() and canvas.zoom() == pytest.approx(fit)
    window.resize(window.width() - 300, window.height() - 150)
    qtbot.waitUntil(lambda: canvas.zoom() < fit, timeout=TIMEOUT)  # still fitted, to the smaller window


def test_the_mouse_wheel_zooms_around_the_pointer(big_photo, indexed_window, qtbot):
    window = indexed_window
    paths = searched(qtbot, window)
    view(qtbot, window, paths.index(str(big_photo)))
    canvas = window.viewing.viewer.canvas
    loaded(qtbot, window.viewing.viewer)
    fit = canvas.zoom()
    canvas.set_zoom(1.0)
    point = QPointF(canvas.width() / 3, canvas.height() / 3)
    before = canvas._to_photo(point)
    canvas.zoom_in(2, point)  # what two wheel notches at `point` do
    assert canvas.zoom() == pytest.approx(1.25 ** 2)
    assert canvas._to_photo(point).x() == pytest.approx(before.x(), abs=0.01)
    assert canvas._to_photo(point).y() == pytest.approx(before.y(), abs=0.01)
    canvas.zoom_out(20)
    assert canvas.zoom() == pytest.approx(fit)


def test_a_photo_with_exif_orientation_is_shown_upright(turned_photo, indexed_window, qtbot):
    window = indexed_window
    paths = searched(qtbot, window)
    view(qtbot, window, paths.index(str(turned_photo)))
    loaded(qtbot, window.viewing.viewer)
    rect = window.viewing.viewer.canvas.photo_rect()
    assert rect.height() > rect.width()
    assert window.viewing.viewer.canvas.pixmap().size().toTuple() == (200, 300)


def test_f_toggles_full_screen_and_esc_leaves_it_first(indexed_window, qtbot):
    window = indexed_window
    searched(qtbot, window)
    before, size = window.windowState(), window.size()
    view(qtbot, window, 0)
    key(qtbot, window, Qt.Key.Key_F)
    assert window.isFullScreen() and window.viewing.full_screen
    assert not window.toolbar.isVisible() and not window.preview.isVisible() and not window.statusBar().isVisible()
    assert window.viewing.viewer.isVisible() and window.viewing.viewer.full_screen_button.isChecked()
    key(qtbot, window, Qt.Key.Key_F)
    assert not window.isFullScreen() and window.windowState() == before and window.size() == size
    assert window.toolbar.isVisible() and window.preview.isVisible() and window.statusBar().isVisible()

    key(qtbot, window, Qt.Key.Key_F)
    key(qtbot, window, Qt.Key.Key_Escape)  # out of full screen, still viewing
    assert not window.isFullScreen() and window.viewing.active and window.toolbar.isVisible()
    key(qtbot, window, Qt.Key.Key_F)
    qtbot.mouseClick(window.viewing.viewer.back_button, Qt.MouseButton.LeftButton)  # leaving ends full screen too
    assert not window.viewing.active and not window.isFullScreen() and window.windowState() == before
    assert window.toolbar.isVisible() and window.preview.isVisible()


def test_a_corrupt_photo_says_it_cannot_be_shown(indexed_window, tmp_path, qtbot):
    window = indexed_window
    searched(qtbot, window)
    broken = tmp_path / "elsewhere" / "broken.jpg"
    broken.parent.mkdir()
    broken.write_bytes(b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 20)
    rows = [SearchResult(str(broken), 0.9, False), *(SearchResult(p, 0.5, False) for p in window.results_model.paths())]
    window.searches.answered.emit(SearchOutcome(99, window.searches.request, rows))
    view(qtbot, window, 0)
    viewer = window.viewing.viewer
    qtbot.waitUntil(lambda: viewer.message().startswith("This photo cannot be shown."), timeout=TIMEOUT)
    assert "corrupt" in viewer.message() and not viewer.canvas.has_photo()
    assert viewer.canvas.accessibleDescription().startswith("broken.jpg · 1 of")
    assert "cannot be shown" in viewer.canvas.accessibleDescription()
    assert viewer.title() == f"broken.jpg · 1 of {len(rows)}"
    key(qtbot, window, Qt.Key.Key_Right)  # and the next one shows as usual
    loaded(qtbot, viewer)
    assert viewer.path() == rows[1].path


def test_refreshed_results_keep_the_viewer_and_other_results_leave_it(indexed_window, qtbot):
    window = indexed_window
    paths = searched(qtbot, window)
    view(qtbot, window, 2)
    viewer = window.viewing.viewer
    # The same search answered again (files changed on disk), in another order: the viewer stays on the photo.
    reordered = [SearchResult(p, 0.5, False) for p in reversed(paths)]
    window.searches.answered.emit(SearchOutcome(99, window.searches.request, reordered))
    assert window.viewing.active and viewer.path() == paths[2]
    assert viewer.position() == (len(paths) - 2, len(paths))
    assert window.results_view.current_path() == paths[2]
    # Answered again without it (deleted): back to the grid, nothing broken.
    rest = [row for row in reordered if row.path != paths[2]]
    window.searches.answered.emit(SearchOutcome(100, window.searches.request, rest))
    assert not window.viewing.active and window.results_model.rowCount() == len(paths) - 1
    # A new search while viewing shows its results in the grid.
    view(qtbot, window, 0)
    searched(qtbot, window, "house")
    assert not window.viewing.active and window.pages.isVisible()


def test_ctrl_f_leaves_the_viewer_for_the_search_field(indexed_window, qtbot):
    window = indexed_window
    searched(qtbot, window)
    view(qtbot, window, 0)
    key(qtbot, window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert not window.viewing.active
    assert window.search_field.hasFocus() or not window.isActiveWindow()


def test_the_grid_menu_views_or_opens_with_the_system_viewer(indexed_window, qtbot, monkeypatch):
    window = indexed_window
    paths = searched(qtbot, window)
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    grid = window.results_view

    def menu_for(row: int) -> QMenu:
        grid.customContextMenuRequested.emit(grid.visualRect(window.results_model.index(row)).center())
        menu = window.findChildren(QMenu, "resultsContextMenu")[-1]
        menu.close()
        return menu

    actions = {action.text(): action for action in menu_for(1).actions() if action.text()}
    assert list(actions) == ["View", "Open With System Viewer", "Show in Folder", "Copy Path", "Find Similar Photos"]
    actions["Open With System Viewer"].trigger()
    assert opened == [paths[1]] and not window.viewing.active
    {action.text(): action for action in menu_for(4).actions()}["View"].trigger()
    assert window.viewing.active and window.viewing.viewer.path() == paths[4]


def test_the_viewer_opens_with_the_system_viewer_and_shows_the_folder(indexed_window, qtbot, monkeypatch):
    window = indexed_window
    paths = searched(qtbot, window)
    opened, revealed = [], []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    monkeypatch.setattr(desktop, "show_in_folder", revealed.append)
    view(qtbot, window, 2)
    viewer = window.viewing.viewer

    def more_menu() -> dict[str, QAction]:
        qtbot.mouseClick(viewer.more_button, Qt.MouseButton.LeftButton)
        menu = window.findChildren(QMenu, "resultsContextMenu")[-1]
        assert menu.isVisible()
        menu.close()
        return {action.text(): action for action in menu.actions() if action.text()}

    actions = more_menu()
    assert list(actions) == ["Open With System Viewer", "Show in Folder", "Copy Path", "Find Similar Photos"]
    actions["Open With System Viewer"].trigger()
    more_menu()["Show in Folder"].trigger()
    assert opened == [paths[2]] and revealed == [paths[2]] and window.viewing.active
    assert viewer.canvas.hasFocus() or not window.isActiveWindow()  # a click leaves the keys on the photo
    with qtbot.waitSignal(window.search_finished, timeout=TIMEOUT):
        more_menu()["Find Similar Photos"].trigger()
    assert not window.viewing.active and window.searches.request.image == paths[2]


def test_a_narrow_viewer_drops_buttons_rather_than_widen_the_window(indexed_window, qtbot):
    window = indexed_window
    searched(qtbot, window)
    view(qtbot, window, 0)
    viewer = window.viewing.viewer
    assert window.viewing.area.minimumSizeHint().width() <= 333  # no wider than the grid needs
    zoom_in = viewer.findChild(QToolButton, "viewerZoomInButton")
    assert zoom_in.isVisible() and viewer.full_screen_button.isVisible()
    window.splitter.setSizes([320, window.width() - 320])
    qtbot.waitUntil(lambda: viewer.width() < 400, timeout=TIMEOUT)
    assert not zoom_in.isVisible() and viewer.more_button.isVisible() and viewer.back_button.isVisible()
    bar_right = max(b.geometry().right() for b in viewer.findChildren(QToolButton) if b.isVisible())
    assert bar_right <= viewer.width()
