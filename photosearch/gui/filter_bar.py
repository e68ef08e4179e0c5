"""The filter bar over the results: a folder and a range of months taken, combined with whatever is searched."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from PySide6.QtCore import QDate, QLocale, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from photosearch.core.filters import PhotoFilter
from photosearch.gui import wording
from photosearch.gui.flow_layout import FlowLayout

# The month edits' "no limit" value: Qt shows the special text ("any") when an edit is at its minimum.
ANY_DATE = QDate(1800, 1, 1)
LAST_DATE = QDate(2200, 12, 1)
FILTER_SHORTCUT = "Ctrl+Shift+F"
Month = tuple[int, int]  # (year, month)


def _this_month() -> QDate:
    today = QDate.currentDate()
    return QDate(today.year(), today.month(), 1)


def _month_start(month: Month) -> dt.datetime:
    return dt.datetime(month[0], month[1], 1)


def _month_after(month: Month) -> dt.datetime:
    year, number = month
    return dt.datetime(year + (number == 12), number % 12 + 1, 1)


def months_of(where: PhotoFilter | None) -> tuple[Month | None, Month | None]:
    """The first and last month (both included) of the filter's range of dates taken."""
    if where is None:
        return None, None
    first = (where.after.year, where.after.month) if where.after is not None else None
    last_day = where.before - dt.timedelta(days=1) if where.before is not None else None
    return first, (last_day.year, last_day.month) if last_day is not None else None


def folder_name(path: str) -> str:
    return os.path.basename(path.rstrip("/\\")) or path


def describe_filter(where: PhotoFilter | None) -> str:
    """'in Holidays · Jun 2019 – Sep 2019', for the summary line; '' without a filter."""
    if where is None or where.is_empty:
        return ""
    parts = [f"in {folder_name(where.folder)}"] if where.folder else []
    dates = wording.month_range(*months_of(where))
    return " · ".join(parts + ([dates] if dates else []))


class MonthEdit(QDateEdit):
    """A month and year, or "any" (no limit on that end); Up or Down from "any" starts at this month, Delete clears."""

    def __init__(self, any_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # The summary line names months in English, like the rest of the window; the edits do the same.
        self.setLocale(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))  # 'Sep', not 'Sept'
        self.setDisplayFormat("MMM yyyy")
        self.setDateRange(ANY_DATE, LAST_DATE)
        self.setSpecialValueText(any_text)
        self.setDate(ANY_DATE)
        self.setCurrentSection(QDateEdit.Section.MonthSection)
        # Typed digits of a year would search for years 2, 20, 201 on the way; typing counts on Enter or leaving.
        self.setKeyboardTracking(False)
        self.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)

    def month(self) -> Month | None:
        date = self.date()
        return None if date <= ANY_DATE else (date.year(), date.month())

    def set_month(self, month: Month | None) -> None:
        self.setDate(ANY_DATE if month is None else QDate(month[0], month[1], 1))

    def stepBy(self, steps: int) -> None:
        if self.month() is None:
            self.setDate(_this_month())  # not January 1800
            return
        super().stepBy(steps)

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:
        if self.month() is None:
            return QAbstractSpinBox.StepEnabledFlag.StepUpEnabled | QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        return super().stepEnabled()

    def focusNextPrevChild(self, next: bool) -> bool:
        # At "any" there are no sections to move between, and QDateTimeEdit would keep Tab forever.
        if self.month() is None:
            return QWidget.focusNextPrevChild(self, next)
        return super().focusNextPrevChild(next)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Delete:
            self.set_month(None)
            return
        super().keyPressEvent(event)


class FilterBar(QWidget):
    """Folder and months-taken filters with a Clear button; `changed` carries the PhotoFilter they make."""

    changed = Signal(object)  # PhotoFilter (empty when nothing is filtered)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filterBar")
        self.setAccessibleName("Search filters")
        self._emitted = PhotoFilter()
        self._folders: list[str] = []

        self.folder = QComboBox()
        self.folder.setObjectName("folderFilter")
        self.folder.setAccessibleName("Only photos in folder")
        self.folder.setToolTip(f"Search one folder of the library, or all of them ({FILTER_SHORTCUT})")
        # As wide as a short folder name, not as the longest path: the bar must fit beside the preview.
        self.folder.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.folder.setMinimumContentsLength(14)
        self.folder.addItem("All folders", None)
        self.date_from = MonthEdit("any")
        self.date_from.setObjectName("takenFrom")
        self.date_from.setAccessibleName("Taken from month")
        self.date_from.setToolTip("Only photos taken in or after this month. Up/Down change it, Delete: any month.")
        self.date_to = MonthEdit("any")
        self.date_to.setObjectName("takenTo")
        self.date_to.setAccessibleName("Taken until month")
        self.date_to.setToolTip("Only photos taken in or before this month. Up/Down change it, Delete: any month.")
        self.presets = QToolButton()
        self.presets.setObjectName("datePresets")
        self.presets.setText("Presets")
        self.presets.setAccessibleName("Date presets")
        self.presets.setToolTip("This year, last year, the last 12 months")
        self.presets.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.presets.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        menu = QMenu(self.presets)
        for text, months in (("This year", self._this_year), ("Last year", self._last_year),
                             ("Last 12 months", self._last_12_months)):
            menu.addAction(text, lambda m=months: self.set_months(*m()))
        self.presets.setMenu(menu)
        self.clear_button = QPushButton("C&lear filters")
        self.clear_button.setObjectName("clearFilters")
        self.clear_button.setAccessibleName("Clear filters")
        self.clear_button.setToolTip("All folders, any date")
        self.note = QLabel()
        self.note.setObjectName("filterNote")
        self.note.setAccessibleName("Filter note")
        # A long note is cut short rather than widening the window; its tooltip holds all of it.
        self.note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        # Rows that wrap: beside a wide preview, or in a narrow window, the bar takes two or three rows
        # rather than setting a minimum width for the whole window.
        layout = FlowLayout(self)
        layout.setContentsMargins(4, 0, 8, 0)
        for caption, widget in (("Fol&der:", self.folder), ("Taken &from:", self.date_from),
                                ("&to:", self.date_to)):
            group = QWidget()
            row = QHBoxLayout(group)
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(4)
            label = QLabel(caption)
            label.setBuddy(widget)
            row.addWidget(label)
            row.addWidget(widget)
            layout.addWidget(group)
        layout.addWidget(self.presets)
        layout.addWidget(self.clear_button)
        layout.addWidget(self.note)
        self._shortcut = QShortcut(QKeySequence(FILTER_SHORTCUT), self, self.focus_filters)

        self.folder.currentIndexChanged.connect(self._update)
        self.date_from.dateChanged.connect(lambda _d: self._keep_order(moved=self.date_from))
        self.date_to.dateChanged.connect(lambda _d: self._keep_order(moved=self.date_to))
        self.clear_button.clicked.connect(self._clear_clicked)
        self._update()

    # what the filter is

    def where(self) -> PhotoFilter:
        first, last = self.date_from.month(), self.date_to.month()
        return PhotoFilter(folder=self.folder.currentData(), after=_month_start(first) if first else None,
                           before=_month_after(last) if last else None)

    def set_folders(self, stats: list[Any]) -> None:
        """The library's folders (core FolderStats, or paths); a chosen folder that went away means all folders."""
        paths = [str(getattr(s, "path", s)) for s in stats]
        if paths == self._folders:
            return
        self._folders = paths
        chosen = self.folder.currentData()
        names = [folder_name(p) for p in paths]
        self.folder.blockSignals(True)
        self.folder.clear()
        self.folder.addItem("All folders", None)
        for path, name in zip(paths, names, strict=True):
            self.folder.addItem(name if names.count(name) == 1 else path, path)  # two "Photos": say which
            self.folder.setItemData(self.folder.count() - 1, path, Qt.ItemDataRole.ToolTipRole)
        self.folder.setCurrentIndex(max(0, self.folder.findData(chosen)) if chosen else 0)
        self.folder.blockSignals(False)
        self._update()

    def set_months(self, first: Month | None, last: Month | None) -> None:
        """Both ends at once (a preset): one change, not two."""
        for edit, month in ((self.date_from, first), (self.date_to, last)):
            edit.blockSignals(True)
            edit.set_month(month)
            edit.blockSignals(False)
        self._say("")
        self._update()

    def clear(self) -> None:
        """All folders, any date: one change."""
        self.folder.blockSignals(True)
        self.folder.setCurrentIndex(0)
        self.folder.blockSignals(False)
        self.set_months(None, None)

    def _clear_clicked(self) -> None:
        self.clear()
        self.focus_filters()  # the button is disabled now: keep the keyboard in the bar, not somewhere else

    def focus_filters(self) -> None:
        self.folder.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # keeping it consistent

    def _keep_order(self, moved: MonthEdit) -> None:
        """A range cannot end before it starts: the other end follows the one just changed, and the note says so."""
        first, last = self.date_from.month(), self.date_to.month()
        if first and last and first > last:
            other, month = (self.date_to, first) if moved is self.date_from else (self.date_from, last)
            other.blockSignals(True)
            other.set_month(month)
            other.blockSignals(False)
            which = "“to”" if other is self.date_to else "“from”"
            self._say(f"Moved {which} to {wording.month(*month)}",
                      "A range of months cannot end before it starts, so the other end followed.")
        else:
            self._say("")
        self._update()

    def _say(self, text: str, why: str = "") -> None:
        self.note.setText(text)
        self.note.setToolTip(f"{text}. {why}" if why else text)

    def _update(self) -> None:
        where = self.where()
        self.clear_button.setEnabled(not where.is_empty)
        if where != self._emitted:
            self._emitted = where
            self.changed.emit(where)

    @staticmethod
    def _this_year() -> tuple[Month, Month]:
        year = dt.date.today().year
        return (year, 1), (year, 12)

    @staticmethod
    def _last_year() -> tuple[Month, Month]:
        year = dt.date.today().year - 1
        return (year, 1), (year, 12)

    @staticmethod
    def _last_12_months() -> tuple[Month, Month]:
        today = dt.date.today()
        start = today.year * 12 + today.month - 1 - 11
        return (start // 12, start % 12 + 1), (today.year, today.month)
