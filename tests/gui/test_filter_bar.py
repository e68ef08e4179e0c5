"""The filter bar driven through its widgets: a folder and a range of months taken, combined with the query."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

TIMEOUT = 20_000
# name -> date taken (file time; "exif" photos carry the date in EXIF DateTimeOriginal and a file time of now)
PHOTOS = {
    "Holidays/beach.jpg": dt.datetime(2019, 6, 15, 12),
    "Holidays/lake.jpg": dt.datetime(2019, 8, 10, 9),
    "Holidays/exif.jpg": dt.datetime(2018, 12, 24, 18),
    "Work/office.jpg": dt.datetime(2019, 7, 1, 10),
    "Work/later.jpg": dt.datetime(2021, 3, 3, 15),
}
EXIF_PHOTOS = {"Holidays/exif.jpg"}


@pytest.fixture()
def filter_window(make_window, make_library, photo_factory, qtbot, tmp_path: Path):
    """The window on a library of two folders whose photos were taken on known dates, indexed."""
    for i, (name, taken) in enumerate(PHOTOS.items()):
        path = photo_factory(name, seed=i)
        if name in EXIF_PHOTOS:
            exif = Image.Exif()
            exif.get_ifd(0x8769)[36867] = taken.strftime("%Y:%m:%d %H:%M:%S")
            with Image.open(path) as image:
                image.load()
                image.save(path, exif=exif)
        else:
            os.utime(path, (taken.timestamp(), taken.timestamp()))
    library = make_library()
    for folder in ("Holidays", "Work"):
        library.add_folder(tmp_path / "photos" / folder)
    window = make_window(library)
    with qtbot.waitSignal(window.indexing_finished, timeout=TIMEOUT):
        pass
    bar = window.pages.filter_bar
    qtbot.waitUntil(lambda: bar.folder.count() == 3, timeout=TIMEOUT)  # All folders, Holidays, Work
    return window


def shown(window) -> set[str]:
    model = window.results_model
    return {"/".join(Path(model.row(i).path).parts[-2:]) for i in range(model.rowCount())}


def wait_for(qtbot, window, names) -> None:
    qtbot.waitUntil(lambda: shown(window) == set(names), timeout=TIMEOUT)


def test_a_folder_filter_shows_only_that_folders_photos(filter_window, qtbot):
    window, bar = filter_window, filter_window.pages.filter_bar
    window.search_text("a photo")
    wait_for(qtbot, window, PHOTOS)
    assert not bar.clear_button.isEnabled()  # nothing to clear yet
    bar.folder.setCurrentIndex(bar.folder.findText("Holidays"))
    wait_for(qtbot, window, [n for n in PHOTOS if n.startswith("Holidays/")])
    assert "for “a photo” · in Holidays" in window.summary.text()
    assert bar.clear_button.isEnabled()
    window.search_text("something else")  # a new query keeps the filter
    qtbot.waitUntil(lambda: "“something else” · in Holidays" in window.summary.text(), timeout=TIMEOUT)
    assert shown(window) == {n for n in PHOTOS if n.startswith("Holidays/")}


def test_a_range_of_months_shows_only_photos_taken_in_it(filter_window, qtbot):
    window, bar = filter_window, filter_window.pages.filter_bar
    window.search_text("a photo")
    wait_for(qtbot, window, PHOTOS)
    bar.date_from.set_month((2019, 6))
    bar.date_to.set_month((2019, 8))
    wait_for(qtbot, window, ["Holidays/beach.jpg", "Holidays/lake.jpg", "Work/office.jpg"])
    assert "Jun 2019 – Aug 2019" in window.summary.text()
    bar.set_months((2018, 12), (2018, 12))  # the date is read from EXIF, not from the file's time (now)
    wait_for(qtbot, window, ["Holidays/exif.jpg"])
    assert "· Dec 2018 ·" in window.summary.text()
    bar.set_months((2020, 1), None)
    wait_for(qtbot, window, ["Work/later.jpg"])
    assert "taken since Jan 2020" in window.summary.text()
    bar.folder.setCurrentIndex(bar.folder.findText("Holidays"))  # nothing in Holidays since 2020
    qtbot.waitUntil(lambda: window.results_model.rowCount() == 0, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: "with these filters" in window.results_view.message(), timeout=TIMEOUT)
    assert "clear the filters" in window.results_view._detail


def test_clearing_the_filters_restores_every_photo(filter_window, qtbot):
    window, bar = filter_window, filter_window.pages.filter_bar
    window.search_text("a photo")
    wait_for(qtbot, window, PHOTOS)
    bar.folder.setCurrentIndex(bar.folder.findText("Work"))
    bar.set_months((2021, 1), (2021, 12))
    wait_for(qtbot, window, ["Work/later.jpg"])
    qtbot.mouseClick(bar.clear_button, Qt.MouseButton.LeftButton)
    wait_for(qtbot, window, PHOTOS)
    assert bar.folder.currentText() == "All folders"
    assert bar.date_from.text() == "any" and bar.date_to.text() == "any"
    assert "·" not in window.summary.text().split(" · ")[0] and "Work" not in window.summary.text()
    assert not bar.clear_button.isEnabled()


def test_a_start_after_the_end_moves_the_end_and_says_so(filter_window, qtbot):
    window, bar = filter_window, filter_window.pages.filter_bar
    window.search_text("a photo")
    wait_for(qtbot, window, PHOTOS)
    bar.date_to.set_month((2019, 6))
    wait_for(qtbot, window, ["Holidays/beach.jpg", "Holidays/exif.jpg"])
    bar.date_from.set_month((2019, 7))  # after "to": "to" follows
    wait_for(qtbot, window, ["Work/office.jpg"])
    assert bar.date_to.month() == (2019, 7)
    assert "Moved “to” to Jul 2019" in bar.note.text()
    bar.date_to.set_month((2018, 1))  # before "from": "from" follows
    qtbot.waitUntil(lambda: bar.date_from.month() == (2018, 1), timeout=TIMEOUT)
    assert "Moved “from” to Jan 2018" in bar.note.text()


def test_the_filters_work_with_the_keyboard_alone(filter_window, qtbot):
    window, bar = filter_window, filter_window.pages.filter_bar
    window.activateWindow()
    window.focus_search()
    qtbot.keyClicks(window.search_field, "a photo")
    wait_for(qtbot, window, PHOTOS)
    qtbot.keyClick(window.search_field, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is bar.folder
    qtbot.keyClick(bar.folder, Qt.Key.Key_Down)  # All folders -> Holidays
    wait_for(qtbot, window, [n for n in PHOTOS if n.startswith("Holidays/")])
    qtbot.keyClick(bar.folder, Qt.Key.Key_Tab)
    assert bar.date_from.hasFocus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Up)  # from "any" to this month: nothing is that new
    assert bar.date_from.month() == (dt.date.today().year, dt.date.today().month)
    qtbot.waitUntil(lambda: window.results_model.rowCount() == 0, timeout=TIMEOUT)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Delete)  # back to "any"
    assert bar.date_from.month() is None
    wait_for(qtbot, window, [n for n in PHOTOS if n.startswith("Holidays/")])
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)  # Clear filters
    wait_for(qtbot, window, PHOTOS)
    assert QApplication.focusWidget() is bar.folder  # the keyboard stays in the bar


def test_the_folder_choice_follows_the_librarys_folders(filter_window, qtbot, tmp_path: Path):
    window, bar = filter_window, filter_window.pages.filter_bar
    assert [bar.folder.itemText(i) for i in range(bar.folder.count())] == ["All folders", "Holidays", "Work"]
    assert bar.folder.itemData(2, Qt.ItemDataRole.ToolTipRole) == str(tmp_path / "photos" / "Work")
    bar.folder.setCurrentIndex(2)
    window.search_text("a photo")
    wait_for(qtbot, window, [n for n in PHOTOS if n.startswith("Work/")])
    with qtbot.waitSignal(window.library_changed, timeout=TIMEOUT):
        window.remove_folder(str(tmp_path / "photos" / "Work"))
    qtbot.waitUntil(lambda: bar.folder.count() == 2, timeout=TIMEOUT)
    assert bar.folder.currentText() == "All folders"
    wait_for(qtbot, window, [n for n in PHOTOS if n.startswith("Holidays/")])


def test_the_date_presets_set_both_ends_at_once(filter_window, qtbot):
    window, bar = filter_window, filter_window.pages.filter_bar
    window.search_text("a photo")
    wait_for(qtbot, window, PHOTOS)
    changes = []
    bar.changed.connect(changes.append)
    last_year = next(a for a in bar.presets.menu().actions() if a.text() == "Last year")
    last_year.trigger()
    year = dt.date.today().year - 1
    assert (bar.date_from.month(), bar.date_to.month()) == ((year, 1), (year, 12))
    assert len(changes) == 1  # one search, not one per end
    qtbot.waitUntil(lambda: f"Jan {year} – Dec {year}" in window.summary.text(), timeout=TIMEOUT)


def test_the_preview_says_when_a_photo_was_taken(filter_window, qtbot):
    window = filter_window
    window.search_text("a photo")
    wait_for(qtbot, window, PHOTOS)
    row = next(i for i in range(window.results_model.rowCount())
               if window.results_model.row(i).path.endswith("exif.jpg"))
    window.results_view.setCurrentIndex(window.results_model.index(row))
    qtbot.waitUntil(lambda: window.preview._date.text() == "24 Dec 2018, 18:00", timeout=TIMEOUT)  # EXIF
    assert window.preview._captions[0].text() == "Taken"


def test_tab_walks_through_the_filters_and_on_to_the_grid_whatever_they_hold(filter_window, qtbot):
    window, bar = filter_window, filter_window.pages.filter_bar
    window.search_text("a photo")
    wait_for(qtbot, window, PHOTOS)

    def tab_path() -> list[str]:
        bar.folder.setFocus(Qt.FocusReason.TabFocusReason)
        names = []
        for _ in range(12):
            widget = QApplication.focusWidget()
            names.append(widget.objectName())
            if widget is window.results_view:
                break
            qtbot.keyClick(widget, Qt.Key.Key_Tab)
        return names

    at_any = tab_path()  # "any" has no sections: Tab must leave the month edit, not stay in it
    assert at_any[-1] == "resultsView" and at_any.count("takenFrom") == 1 and at_any.count("takenTo") == 1
    bar.date_from.set_month((2019, 6))
    bar.date_to.set_month((2019, 8))
    with_months = tab_path()  # a month and a year: Tab visits both sections, then moves on
    assert with_months[-1] == "resultsView" and with_months.count("takenFrom") == 2


def test_the_filter_bar_wraps_instead_of_widening_a_narrow_window(filter_window, qtbot):
    window, bar = filter_window, filter_window.pages.filter_bar
    one_row = bar.sizeHint().height()
    assert bar.minimumSizeHint().width() < 320  # its widest control, not the whole row
    assert bar.heightForWidth(300) >= 2 * one_row  # in a narrow pane the controls take more rows
    window.resize(760, 600)
    qtbot.waitUntil(lambda: window.width() == 760, timeout=TIMEOUT)
    for control in (bar.folder, bar.date_from, bar.date_to, bar.presets, bar.clear_button):
        assert control.isVisible() and bar.rect().contains(control.mapTo(bar, control.rect().center()))
