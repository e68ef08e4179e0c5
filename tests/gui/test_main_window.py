"""The main window driven through its widgets, on a real Library with the tiny model and drawn photos."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFileDialog,
    QLineEdit,
    QListView,
    QProgressBar,
    QPushButton,
    QStyleOptionViewItem,
    QWidget,
)

from photosearch.core.settings import load_settings
from photosearch.gui.folders_dialog import FoldersDialog
from photosearch.gui.library_bridge import SearchOutcome, SearchRequest
from photosearch.gui.results_grid import CELL_PADDING, PATH_ROLE
from photosearch.gui.settings_dialog import SettingsDialog

TIMEOUT = 20_000


def search_and_wait(qtbot, window, text: str, rows: int) -> None:
    """Type `text` into the search field and wait until the grid holds `rows` results."""
    qtbot.keyClicks(window.search_field, text)
    qtbot.waitUntil(lambda: window.results_model.rowCount() == rows, timeout=TIMEOUT)


def test_title_object_names_accessible_names_and_tooltips(window):
    assert "PhotoSearch" in window.windowTitle()
    for name, kind in (("searchField", QLineEdit), ("resultsView", QListView), ("addFolderButton", QAbstractButton),
                       ("indexProgress", QProgressBar), ("statusLabel", QWidget)):
        assert isinstance(window.findChild(QWidget, name), kind), name
    controls = [w for w in window.findChildren(QWidget)
                if isinstance(w, QAbstractButton | QLineEdit | QComboBox | QAbstractSpinBox | QProgressBar)
                and not w.objectName().startswith("qt_")]
    assert len(controls) >= 10
    for control in controls:
        assert control.accessibleName(), control.objectName() or control
        assert control.toolTip(), control.objectName() or control


def test_first_run_shows_the_welcome_page_and_its_button_adds_a_folder(window, photos, qtbot, monkeypatch):
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.welcome, timeout=TIMEOUT)
    button = window.findChild(QPushButton, "welcomeAddFolderButton")
    assert button.isVisible() and "Add a Folder" in button.text()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(photos[0].parent))
    with qtbot.waitSignal(window.indexing_finished, timeout=TIMEOUT):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is not window.welcome
    assert window.library.folders() == [str(photos[0].parent)]


def test_adding_a_folder_indexes_it_with_progress_to_the_end(window, photos, qtbot, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(photos[0].parent))
    progress = window.findChild(QProgressBar, "indexProgress")
    seen = []
    window.index_panel.progress.valueChanged.connect(seen.append)
    with qtbot.waitSignal(window.indexing_finished, timeout=TIMEOUT) as finished:
        qtbot.mouseClick(window.findChild(QAbstractButton, "addFolderButton"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(progress.isVisible, timeout=TIMEOUT)  # shown once indexing starts, and stays
    assert finished.args == [True]
    assert progress.maximum() == len(photos) and progress.value() == progress.maximum()
    assert seen and seen[-1] == len(photos)
    assert "6 photos" in window.index_panel.label.text()
    assert "6 new" in window.index_panel.label.text()
    assert window.status_label.text().startswith("6 photos")
    assert "CPU" in window.status_label.text() and "Model ready" in window.status_label.text()


def test_typing_a_query_shows_results_with_count_and_time(indexed_window, photos, qtbot):
    window = indexed_window
    assert window.search_field.placeholderText() != "Loading model…"
    search_and_wait(qtbot, window, "ein Hund am Strand", len(photos))
    assert set(window.results_model.paths()) == {str(p) for p in photos}
    summary = window.summary.text()
    assert "ms" in summary and "Hund am Strand" in summary
    scores = [row.score for row in window.results_model.rows()]
    assert scores == sorted(scores, reverse=True)
    # Thumbnails arrive from the worker threads for the rows on screen.
    qtbot.waitUntil(lambda: not window.results_model.index(0).data(Qt.ItemDataRole.DecorationRole).isNull(),
                    timeout=TIMEOUT)


def test_queries_in_any_script_are_searched(indexed_window, photos, qtbot):
    window = indexed_window
    for query in ("雪の中の家", "кошка на диване", "قطة على الأريكة", "海边的狗"):
        with qtbot.waitSignal(window.search_finished, timeout=TIMEOUT) as done:
            window.search_text(query)
        assert done.args[0].request.text == query
        assert window.results_model.rowCount() == len(photos)


def test_escape_clears_the_query_and_the_results(indexed_window, photos, qtbot):
    window = indexed_window
    search_and_wait(qtbot, window, "sunset", len(photos))
    window.results_view.setFocus()
    qtbot.keyClick(window.results_view, Qt.Key.Key_Escape)
    assert window.search_field.text() == ""
    assert window.results_model.rowCount() == 0
    assert window.search_field.hasFocus() or not window.isActiveWindow()


def test_results_that_arrive_after_a_newer_answer_are_dropped(indexed_window, photos, qtbot):
    window = indexed_window
    search_and_wait(qtbot, window, "snow", len(photos))
    shown = window.results_model.paths()
    stale = SearchOutcome(generation=0, request=SearchRequest(text="old"), results=[], seconds=0.0)
    window.bridge.search_done.emit(stale)
    assert window.results_model.paths() == shown
    # A clear also outdates a search still running.
    window.search_text("house")
    window.clear_search()
    qtbot.waitUntil(lambda: not window.searches.running, timeout=TIMEOUT)
    assert window.results_model.rowCount() == 0


def drag_and_drop(window, path: Path) -> bool:
    """Drag `path` onto the window as a file manager would; True when the window took the drop."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(QPoint(60, 60), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(QPointF(60, 60), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, drop)
    return drop.isAccepted()


def assert_searched_like(window, outcome, target: Path) -> None:
    """An image search for `target`: every other photo comes back; the photo itself is not its own answer."""
    assert outcome.request.image == str(target)
    rows = window.results_model.rows()
    assert {row.path for row in rows} == {str(p) for p in target.parent.rglob("*.*")} - {str(target)}
    assert target.name in window.summary.text()


def test_dropping_a_photo_searches_by_image(indexed_window, photos, qtbot):
    window = indexed_window
    target = photos[2]
    with qtbot.waitSignal(window.search_finished, timeout=TIMEOUT) as done:
        assert drag_and_drop(window, target)
    assert_searched_like(window, done.args[0], target)


def test_dropping_something_else_is_refused(indexed_window, tmp_path):
    note = tmp_path / "notes.txt"
    note.write_text("not a photo")
    assert not drag_and_drop(indexed_window, note)


def test_a_photo_deleted_on_disk_leaves_the_results(indexed_window, photos, qtbot):
    window = indexed_window
    search_and_wait(qtbot, window, "a red house", len(photos))
    gone = photos[1]
    os.remove(gone)
    qtbot.waitUntil(lambda: str(gone) not in window.results_model.paths(), timeout=TIMEOUT)
    assert window.results_model.rowCount() == len(photos) - 1
    qtbot.waitUntil(lambda: window.status_label.text().startswith("5 photos"), timeout=TIMEOUT)


def test_a_photo_added_on_disk_appears_in_the_results(indexed_window, photos, photo_factory, qtbot):
    window = indexed_window
    search_and_wait(qtbot, window, "a lake", len(photos))
    new = photo_factory("later/new.jpg", seed=99)
    qtbot.waitUntil(lambda: str(new) in window.results_model.paths(), timeout=TIMEOUT)


def test_settings_are_saved_applied_and_read_by_a_new_window(indexed_window, photos, config_dir, make_window, qtbot):
    window = indexed_window
    search_and_wait(qtbot, window, "trees", len(photos))
    window.show_settings()
    dialog = window.findChild(SettingsDialog)
    dialog.thumbnail_size.setValue(224)
    dialog.results_count.setValue(3)
    dialog.device.setCurrentIndex(dialog.device.findData("cpu"))
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    saved = load_settings(config_dir)
    assert (saved.thumbnail_size, saved.results_count, saved.device) == (224, 3, "cpu")
    assert window.delegate.thumbnail_size == 224 == window.pages.size_slider.value()
    assert window.thumbnails.size >= 224  # decoded at the size the cells have grown to
    qtbot.waitUntil(lambda: window.results_model.rowCount() == 3, timeout=TIMEOUT)
    again = make_window(window.library)
    assert again.settings == saved and again.delegate.thumbnail_size == 224 == again.pages.size_slider.value()


def test_keyboard_moves_from_search_to_results_and_enter_views(indexed_window, photos, qtbot, monkeypatch):
    window = indexed_window
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    search_and_wait(qtbot, window, "beach", len(photos))
    window.activateWindow()
    qtbot.keyClick(window.search_field, Qt.Key.Key_Down)
    assert window.results_view.currentIndex().row() == 0
    qtbot.keyClick(window.results_view, Qt.Key.Key_Right)
    assert window.results_view.currentIndex().row() == 1
    qtbot.keyClick(window.results_view, Qt.Key.Key_Return)
    # In the window's own viewer (tests/gui/test_viewer.py); no other program is started.
    assert window.viewing.active and window.viewing.viewer.path() == window.results_model.rows()[1].path
    assert opened == []
    qtbot.keyClick(window.viewing.viewer.canvas, Qt.Key.Key_Escape)
    qtbot.keyClick(window.results_view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.search_field.hasFocus, timeout=TIMEOUT)


def test_context_actions_copy_the_path_and_find_similar(indexed_window, photos, qtbot):
    window = indexed_window
    window.copy_path(str(photos[3]))
    assert QGuiApplication.clipboard().text() == str(photos[3])
    with qtbot.waitSignal(window.search_finished, timeout=TIMEOUT) as done:
        window.search_by_image(str(photos[3]))
    assert_searched_like(window, done.args[0], photos[3])


def test_selecting_a_result_shows_it_in_the_preview(indexed_window, photos, qtbot):
    window = indexed_window
    search_and_wait(qtbot, window, "sun", len(photos))
    index = window.results_model.index(0)
    window.results_view.setCurrentIndex(index)
    path = index.data(PATH_ROLE)
    assert window.preview.current_path() == path
    qtbot.waitUntil(lambda: not window.preview.image().isNull(), timeout=TIMEOUT)
    assert window.preview._name.text() == Path(path).name
    assert window.preview._size.text().endswith(("bytes", "kB"))
    assert window.preview._dimensions.text() == "160 × 120"


def test_folders_dialog_lists_counts_and_watching_and_removes(indexed_window, photos, qtbot):
    window = indexed_window
    window.show_folders()
    table = window.findChild(FoldersDialog).table
    qtbot.waitUntil(lambda: table.topLevelItemCount() == 1 and table.topLevelItem(0).text(1) == "6",
                    timeout=TIMEOUT)
    item = table.topLevelItem(0)
    assert (item.text(0), item.text(1), item.text(2)) == (str(photos[0].parent), "6", "Watched")
    with qtbot.waitSignal(window.library_changed, timeout=TIMEOUT):
        window.remove_folder(str(photos[0].parent))
    assert table.topLevelItemCount() == 0
    assert window.pages.currentWidget() is window.welcome
    assert window.status_label.text().startswith("0 photos")


def test_adding_something_that_is_not_a_folder_reports_it(window, tmp_path, qtbot):
    window.add_folder(str(tmp_path / "missing"))
    qtbot.waitUntil(lambda: window.findChild(QWidget, "warningBox") is not None, timeout=TIMEOUT)
    assert window.library.folders() == []


def test_skipped_files_are_listed_with_reasons(window, photos, qtbot):
    broken = photos[0].parent / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff not really a jpeg")
    with qtbot.waitSignal(window.indexing_finished, timeout=TIMEOUT):
        window.add_folder(str(photos[0].parent))
    assert window.index_panel.skipped_button.isVisible()
    assert window.index_panel.skipped_button.text().startswith("1 file skipped")
    qtbot.mouseClick(window.index_panel.skipped_button, Qt.MouseButton.LeftButton)
    from photosearch.gui.skipped_dialog import SkippedFilesDialog

    qtbot.waitUntil(lambda: window.findChild(SkippedFilesDialog) is not None, timeout=TIMEOUT)
    dialog = window.findChild(SkippedFilesDialog)
    assert dialog.table.topLevelItemCount() == 1
    assert dialog.table.topLevelItem(0).text(0) == str(broken)
    assert dialog.table.topLevelItem(0).text(1)


@pytest.mark.parametrize("size", [96, 320])
def test_thumbnail_size_sets_the_grid_cells(window, size):
    assert window.apply_settings(dataclasses.replace(window.settings, thumbnail_size=size))
    option = QStyleOptionViewItem()
    window.results_view.initViewItemOption(option)
    # At least the chosen size: the cells grow from it until a whole number of columns fills the width.
    assert window.delegate.thumbnail_size == size
    cell = window.delegate.sizeHint(option, window.results_model.index(0)).width()
    assert cell == window.delegate.picture_size + 2 * CELL_PADDING >= size + 2 * CELL_PADDING
    assert window.results_view.gridSize().width() >= cell
